from django.conf import settings


def desk(request):
    """Values every page's layout needs: the user's agency and role."""
    user = getattr(request, "user", None)
    agency = getattr(user, "agency", None) if user is not None and user.is_authenticated else None
    return {"desk_agency": agency, "SITE_URL": settings.SITE_URL}
