"""Reads of dossiers: scoped to what the user may see, with a fixed number of queries."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.scoping import ALL, visible_agency_ids

from .choices import CLOCK_STATUSES, OPEN_STATUSES, DossierStatus
from .codes import normalize_lookup_key
from .models import Dossier


def dossier_scope_q(user) -> Q | None:
    """The dossiers a user may see: received, decided or processed by an agency they see, or
    assigned to them. None means all."""
    ids = visible_agency_ids(user)
    if ids is ALL:
        return None
    scope = (
        Q(receiving_agency_id__in=ids)
        | Q(competent_agency_id__in=ids)
        | Q(handling_office_id__in=ids)
        | Q(assignee_id=user.pk)
    )
    if user.agency_id is not None:
        # Not yet routed to an office: every office of the competent commune sees it.
        scope |= Q(handling_office__isnull=True, competent_agency_id=user.agency.commune().pk)
    return scope


def dossier_list(user, *, filters: dict | None = None):
    queryset = Dossier.objects.select_related(
        "procedure", "assignee", "receiving_agency", "handling_office", "competent_agency"
    )
    scope = dossier_scope_q(user)
    if scope is not None:
        queryset = queryset.filter(scope)
    return dossier_filter(queryset, filters or {})


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(status__in=CLOCK_STATUSES, due_at__lt=now)


def due_soon_q(now=None, *, hours=24) -> Q:
    now = now or timezone.now()
    return Q(status__in=CLOCK_STATUSES, due_at__gte=now, due_at__lt=now + timedelta(hours=hours))


def dossier_filter(queryset, filters: dict):
    """Filters shared by the worklist page and the API."""
    if filters.get("status"):
        statuses = [s for s in str(filters["status"]).split(",") if s in DossierStatus.values]
        queryset = queryset.filter(status__in=statuses)
    if filters.get("overdue") in (True, "true", "1", "yes"):
        queryset = queryset.filter(overdue_q())
    elif filters.get("overdue") in (False, "false", "0", "no"):
        queryset = queryset.exclude(overdue_q())
    if filters.get("open") in (True, "true", "1"):
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if filters.get("procedure"):
        from procedures.selectors import normalize_procedure_code

        queryset = queryset.filter(procedure__code=normalize_procedure_code(str(filters["procedure"])))
    if filters.get("received_from"):
        queryset = queryset.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        queryset = queryset.filter(received_at__date__lte=filters["received_to"])
    if filters.get("resolved_from"):
        queryset = queryset.filter(resolved_at__date__gte=filters["resolved_from"])
    if filters.get("resolved_to"):
        queryset = queryset.filter(resolved_at__date__lte=filters["resolved_to"])
    if filters.get("timeliness"):
        queryset = queryset.filter(timeliness__in=str(filters["timeliness"]).split(","))
    if filters.get("agency"):
        from agencies.models import Agency

        agency = Agency.objects.filter(code=filters["agency"]).first()
        queryset = queryset.filter(competent_agency_id__in=agency.descendant_ids()) if agency else queryset.none()
    if filters.get("assignee"):
        queryset = queryset.filter(assignee__username=filters["assignee"])
    if filters.get("q"):
        term = str(filters["q"]).strip()
        queryset = queryset.filter(
            Q(code__icontains=term) | Q(applicant_id_number=term) | Q(applicant_name__icontains=term)
        )
    return queryset


def dossier_get(user, code: str):
    queryset = dossier_list(user).prefetch_related("documents", "attachments", "extensions")
    return queryset.filter(code=code).first()


def dossier_events(dossier):
    return dossier.events.select_related("actor").order_by("at", "pk")


def dossier_get_public(code: str, key: str):
    """A dossier for the citizen holding its receipt: the code and the lookup key must both match.

    One query (issue 8): the dossier with what its status page shows beside it, the completed late
    apology (a one-to-one, joined) and two flags, ``public_has_extension`` and ``public_rated``, so
    that ``dossiers.public.public_view`` needs no further query but the history (and the apology
    letter, on the few dossiers that have one)."""
    key = normalize_lookup_key(key)
    if not key or not code:
        return None
    from surveys.models import Evaluation

    from .models import Extension

    try:
        dossier = (
            Dossier.objects.select_related("procedure", "procedure_version", "receiving_agency", "late_apology")
            .annotate(
                public_has_extension=Exists(Extension.objects.filter(dossier=OuterRef("pk"))),
                public_rated=Exists(Evaluation.objects.filter(dossier=OuterRef("pk"))),
            )
            .order_by()
            .get(code=code)
        )
    except Dossier.DoesNotExist:
        return None
    import hmac

    return dossier if hmac.compare_digest(dossier.lookup_key, key) else None


# ----- each role's home ------------------------------------------------------------------------


def _panel(key, title, queryset, *, tab, order, limit=5, tone=""):
    rows = list(queryset.order_by(*order)[:limit])
    return {
        "key": key,
        "title": title,
        "count": queryset.count(),
        "rows": rows,
        "url": f"/ho-so/?tab={tab}",
        "tone": tone,
    }


def home_panels(user, *, now=None) -> list[dict]:
    """The work waiting for each role, with the first lines of each list (a count and 5 rows each)."""
    from django.utils.translation import gettext as _

    from accounts.choices import Role

    from .choices import DossierStatus as S

    now = now or timezone.now()
    role = Role.ADMIN if user.is_superuser else user.role
    mine = dossier_list(user)
    today_end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    if role == Role.CLERK:
        desk = mine.filter(receiving_agency=user.agency)
        return [
            _panel(
                "to_accept",
                _("Online dossiers to accept"),
                desk.filter(status=S.AWAITING_ACCEPTANCE),
                tab="to_accept",
                order=["acceptance_due_at", "pk"],
                tone="danger",
            ),
            _panel(
                "to_transfer",
                _("To transfer"),
                desk.filter(status=S.RECEIVED, transferred_at__isnull=True),
                tab="to_transfer",
                order=["handover_due_at", "pk"],
            ),
            _panel(
                "to_return",
                _("To return"),
                mine.filter(status=S.RESULT_READY),
                tab="to_return",
                order=["result_ready_at", "pk"],
                tone="success",
            ),
            _panel(
                "supplement",
                _("Awaiting supplement"),
                mine.filter(status=S.AWAITING_SUPPLEMENT),
                tab="supplement",
                order=["supplement_deadline", "pk"],
            ),
            _panel(
                "due_today",
                _("Due today or overdue"),
                mine.filter(status__in=CLOCK_STATUSES, due_at__lte=today_end),
                tab="queue",
                order=["due_at", "pk"],
                tone="warning",
            ),
        ]
    if role == Role.OFFICER:
        queue = mine.filter(status__in=CLOCK_STATUSES).filter(Q(assignee=user) | Q(assignee__isnull=True))
        return [
            _panel("queue", _("My queue by due time"), queue, tab="queue", order=["due_at", "pk"]),
            _panel(
                "due_soon",
                _("Due soon"),
                queue.filter(due_soon_q(now)),
                tab="queue",
                order=["due_at", "pk"],
                tone="warning",
            ),
            _panel(
                "overdue",
                _("Overdue"),
                queue.filter(overdue_q(now)),
                tab="overdue",
                order=["due_at", "pk"],
                tone="danger",
            ),
        ]
    if role in (Role.LEADER, Role.ADMIN):
        return [
            _panel(
                "approval",
                _("Awaiting approval"),
                mine.filter(status=S.IN_PROGRESS, submitted_at__isnull=False),
                tab="approval",
                order=["due_at", "pk"],
                tone="primary",
            ),
            _panel(
                "overdue",
                _("Overdue"),
                mine.filter(overdue_q(now)),
                tab="overdue",
                order=["due_at", "pk"],
                tone="danger",
            ),
        ]
    return []
