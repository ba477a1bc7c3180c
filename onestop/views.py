from django.shortcuts import redirect, render

from accounts.menu import menu_for
from dossiers.access_log import note_listed, nothing_read, records_access


@records_access("home")
def home(request):
    """Staff land on their role's start page; everyone else on the public catalogue."""
    if not request.user.is_authenticated:
        from django.urls import NoReverseMatch, reverse

        try:
            return redirect(reverse("procedures:catalog"))
        except NoReverseMatch:
            return redirect("accounts:login")
    from dossiers.selectors import home_panels
    from reports.selectors import on_time_rate_this_period

    user = request.user
    panels = home_panels(user) if user.agency_id or user.is_superuser else []
    listed = [d.applicant_id_number for panel in panels for d in panel["rows"]]
    if listed:
        note_listed(request, listed)  # the first lines of each list name citizens
    else:
        nothing_read(request)
    context = {"menu": menu_for(user), "panels": panels}
    if user.role == "leader" or user.is_superuser:
        context["on_time"] = on_time_rate_this_period(user)
    return render(request, "home.html", context)


def healthz(request):
    """Liveness and readiness for the load balancer: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
