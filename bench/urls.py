"""The project's URLs plus the benchmark's baseline view (only with bench.settings)."""

from django.urls import path

from bench.baseline import baseline
from onestop.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/baseline/<str:code>/", baseline, name="bench-baseline"), *project_urlpatterns]
