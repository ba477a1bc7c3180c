from .models import Agency


def agency_get_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()
