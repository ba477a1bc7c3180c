"""The benchmark's yardstick: a bare Django view doing one indexed lookup (a dossier by its unique
code) and rendering a tiny template. Results are read as ratios to it, so they hold on any machine.

Served by bench/urls.py (bench.settings), or by the project's URLs when BENCH_BASELINE=1:

    if settings.BENCH_BASELINE:
        from bench.baseline import baseline
        urlpatterns += [path("bench/baseline/<str:code>/", baseline, name="bench-baseline")]
"""

from django.http import HttpResponse
from django.template import Context, Engine

from dossiers.models import Dossier

TEMPLATE = Engine().from_string(
    "<!doctype html><title>{{ code }}</title><p>{{ code }}: {{ status }}, {{ due_at|date:'H:i d/m/Y' }}</p>"
)


def baseline(request, code):
    row = Dossier.objects.filter(code=code).values("code", "status", "due_at").first()
    if row is None:
        return HttpResponse("not found", status=404)
    return HttpResponse(TEMPLATE.render(Context(row)))
