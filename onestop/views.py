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
    return render(request, "home.html", {"menu": menu_for(request.user)})


def healthz(request):
    """Liveness and readiness for the load balancer: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
