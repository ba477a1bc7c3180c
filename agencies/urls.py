from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
]
