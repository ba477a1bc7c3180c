from django.shortcuts import redirect, render

from accounts.menu import menu_for


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
    context = {"menu": menu_for(user), "panels": home_panels(user) if user.agency_id or user.is_superuser else []}
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
