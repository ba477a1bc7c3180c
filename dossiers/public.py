"""What a citizen may see of a dossier without an account.

- ``mask_name``: the applicant's name reduced to initials and asterisks;
- ``public_view``: the one projection of a dossier shown on the status page, the kiosk and the
  public API (never the ID number, phone, address, email or full name);
- ``parse_scanned``: a code and key out of what a scanner types (a full lookup URL or "CODE KEY").

Lookups are rate-limited per client by the one mechanism, common.ratelimit's PUBLIC_LIMITS.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import DossierStatus, ReturnMethod
from .codes import normalize_lookup_key

S = DossierStatus
logger = logging.getLogger(__name__)


def mask_name(full_name: str) -> str:
    """ "Nguyễn Văn An" → "N***** V** A*": the first letter of each word, then an asterisk for each
    other letter (at least one, so a one-letter word is not shown whole)."""
    words = unicodedata.normalize("NFC", full_name or "").split()
    return " ".join(word[0] + "*" * max(1, len(word) - 1) for word in words)


# ----- the projection ----------------------------------------------------------------------------


@dataclass
class HistoryLine:
    at: datetime
    status: str
    status_label: str


@dataclass
class Apology:
    reason: str
    new_due_at: datetime | None
    at: datetime | None


@dataclass
class PublicDossier:
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    status_text: str
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    applicant_name_masked: str
    return_method: str
    collect_text: str
    collect_agency_name: str
    collect_agency_address: str
    tracking_number: str
    history: list[HistoryLine] = field(default_factory=list)
    apology: Apology | None = None
    can_rate: bool = False
    rated: bool = False


def _local(value):
    return date_format(timezone.localtime(value), "H:i d/m/Y") if value else ""


def status_text(dossier) -> str:
    """The current step in one plain sentence (what the citizen should know or do)."""
    status, by_post = dossier.status, dossier.return_method == ReturnMethod.POST
    if status == S.RECEIVED:
        if dossier.transferred_at:
            return _("Your dossier has been passed to the processing office and is waiting to be assigned.")
        return _("Your dossier has been received and is waiting to be passed to the processing office.")
    if status == S.IN_PROGRESS:
        return _("Your dossier is being examined by the processing office.")
    if status == S.AWAITING_SUPPLEMENT:
        if dossier.supplement_deadline:
            return _(
                "Your dossier needs more papers: see the request you were given and bring them before %(date)s."
            ) % {"date": _local(dossier.supplement_deadline)}
        return _("Your dossier needs more papers: see the request you were given.")
    if status == S.RESULT_READY:
        if by_post:
            return _("The result is ready and will be sent to you by post.")
        return _("The result is ready: you can collect it at the desk.")
    if status == S.RETURNED:
        if by_post:
            return _("The result has been sent to you by post.")
        return _("The result has been handed over. Thank you for using our services.")
    if status == S.REFUSED:
        return _("Your dossier could not be granted: the reason is in the written notice you were given.")
    if status == S.WITHDRAWN:
        return _("The dossier was withdrawn at your request.")
    if status == S.CLOSED:
        return _("The dossier was closed because the papers asked for were not brought in time.")
    return dossier.get_status_display()


def _history(events) -> list[HistoryLine]:
    """One line per change of status (notes and hand-overs inside a status are staff business).
    ``events``: a queryset, history rows, or (at, to_status) pairs."""
    if hasattr(events, "values_list"):  # a queryset: read two columns, no model instances
        rows = events.values_list("at", "to_status")
    else:
        rows = (event if isinstance(event, tuple) else (event.at, event.to_status) for event in events)
    labels = dict(DossierStatus.choices)
    lines, last = [], None
    for at, to_status in rows:
        if to_status == last:
            continue
        last = to_status
        lines.append(HistoryLine(at=at, status=to_status, status_label=str(labels.get(to_status, to_status))))
    return lines


def _apology(dossier) -> Apology | None:
    # dossier_get_public tells whether there is an apology letter: most dossiers have none.
    if getattr(dossier, "public_has_extension", True):
        extension = next(iter(dossier.extensions.all()), None)
        if extension is not None:
            return Apology(reason=extension.reason, new_due_at=extension.new_due_at, at=extension.created_at)
    late = getattr(dossier, "late_apology", None)
    if late is not None and late.completed_at is not None:
        return Apology(reason=late.reason, new_due_at=late.expected_at, at=late.completed_at)
    return None


def _projection(source, *, procedure_code, procedure_name, agency, events, apology, rated) -> PublicDossier:
    """The one rule of what a citizen sees of a dossier (a Dossier or the status page's row): never
    the ID number, phone, address, email or full name. ``agency`` is (name, address) of the desk."""
    by_post = source.return_method == ReturnMethod.POST
    return PublicDossier(
        code=source.code,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        status=source.status,
        status_label=source.get_status_display(),
        status_text=status_text(source),
        received_at=source.received_at,
        due_at=source.due_at,
        finished_at=source.finished_at,
        applicant_name_masked=mask_name(source.applicant_name),
        return_method=source.return_method,
        collect_text=_("The result is sent by post.") if by_post else _("Collect the result at the desk of:"),
        collect_agency_name="" if by_post else agency[0],
        collect_agency_address="" if by_post else agency[1],
        tracking_number=source.tracking_number if by_post else "",
        history=_history(events),
        apology=apology,
        can_rate=source.status == S.RETURNED and not rated,
        rated=rated,
    )


def public_view(dossier, events) -> PublicDossier:
    agency = dossier.receiving_agency.current()
    rated = getattr(dossier, "public_rated", None)  # annotated by dossier_get_public
    if rated is None:
        rated = dossier.evaluations.exists()
    return _projection(
        dossier,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure_version.name,
        agency=(agency.name, agency.address),
        events=events,
        apology=_apology(dossier),
        rated=rated,
    )


# ----- the status page's hot path (issue 17) --------------------------------------------------
#
# The QR page is the one page citizens open in numbers. Each request reads one row (the dossier and,
# beside it, everything the page shows or that tells whether it changed), hand-written so that no ORM
# compilation and no multi-join planning is paid per request. The rendered page is kept under a
# digest of that row: a committed change of anything the page shows gives another key, so the page
# shows it at once, and nothing ever has to be dropped. Because a key can never name a stale page,
# the pages are kept in each process's memory (``PageMemo``), with no network round trip: two
# processes hold the same page for the same committed state.
#
# What the page shows and what changes it (every input is in the row, hence in the key):
# - the dossier's own fields (status, dates, masked name, return, tracking number): every service
#   that changes them raises ``version`` and ``updated_at``; both are in the row, with the fields;
# - the history: the events' count and highest id (events are append-only; a note that changes no
#   status changes neither the lines nor anything else, but is counted all the same);
# - the apology: the extension's id (one per dossier, append-only) and the late apology's completion
#   time (both also raise the version);
# - the rating: whether an evaluation exists (rating does not raise the version);
# - the electronic result: the id of the signed version in force (signing does not raise it);
# - where to collect: the receiving agency's name, address and successor (an agency's own edit does
#   not touch its dossiers; a merged commune's successor chain is read and keyed too);
# - the procedure's code and the version's name; the language; the "thank you" flag; the templates
#   and the translations of this release (a deployment never serves the previous release's page).

PAGE_MEMO_SIZE = 2000  # pages per process (about 10 kB each)
CSRF_MARKER = "__motcua_csrf_token__"  # the rendered page's CSRF token, replaced per request


class PageMemo:
    """A bounded, thread-safe map of rendered pages by content key, least recently used dropped
    first. Never invalidated: a key names one state of one dossier's page."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def set(self, key: str, page: str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


status_pages = PageMemo(PAGE_MEMO_SIZE)


@dataclass(frozen=True)
class StatusRow:
    """The row the status page reads on each request (see ``status_row``)."""

    id: int
    code: str
    lookup_key: str
    status: str
    version: int
    updated_at: datetime
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    applicant_name: str
    return_method: str
    tracking_number: str
    transferred_at: datetime | None
    supplement_deadline: datetime | None
    agency_id: int
    procedure_code: str
    procedure_name: str
    agency_name: str
    agency_address: str
    agency_successor_id: int | None
    extension_id: int | None
    apology_completed_at: datetime | None
    rated: bool
    signed_result_id: int | None
    history: tuple[tuple[datetime, str], ...]  # (at, to_status) of each event, oldest first

    def get_status_display(self) -> str:
        return str(dict(DossierStatus.choices).get(self.status, self.status))


_ROW_DATETIMES = ("updated_at", "received_at", "due_at", "finished_at", "transferred_at", "supplement_deadline")
# The dossier's columns, in the order of StatusRow's first fields.
_ROW_COLUMNS = (
    "id", "code", "lookup_key", "status", "version", "updated_at", "received_at", "due_at", "finished_at",
    "applicant_name", "return_method", "tracking_number", "transferred_at", "supplement_deadline",
    "receiving_agency_id",
)  # fmt: skip


@lru_cache(maxsize=2)
def _status_sql(vendor: str) -> str:
    """One statement, plain SQL (PostgreSQL or SQLite): the dossier by its unique code, the agency
    joined by primary key, the rest as scalar subqueries on indexed foreign keys (cheap to plan,
    unlike the ORM's five-table join), the history as JSON."""
    from results.choices import ResultState
    from results.models import ResultDocument
    from surveys.models import Evaluation

    from .models import Dossier, DossierEvent, Extension, LateApology

    t = {
        "d": Dossier._meta.db_table,
        "ev": DossierEvent._meta.db_table,
        "x": Extension._meta.db_table,
        "la": LateApology._meta.db_table,
        "e": Evaluation._meta.db_table,
        "r": ResultDocument._meta.db_table,
        "a": Dossier._meta.get_field("receiving_agency").related_model._meta.db_table,
        "p": Dossier._meta.get_field("procedure").related_model._meta.db_table,
        "v": Dossier._meta.get_field("procedure_version").related_model._meta.db_table,
    }
    columns = ", ".join(f"d.{c}" for c in _ROW_COLUMNS)
    # The history as JSON [[at, to_status, id], …], read with the row (not by a second query); neither
    # aggregate promises an order, so status_row sorts it by (at, id).
    if vendor == "postgresql":
        history = f"""(SELECT json_agg(json_build_array(ev.at, ev.to_status, ev.id))
              FROM {t["ev"]} ev WHERE ev.dossier_id = d.id)"""
    else:  # SQLite
        history = f"""(SELECT json_group_array(json_array(at, to_status, id))
              FROM {t["ev"]} WHERE dossier_id = d.id)"""
    signed = str(ResultState.SIGNED.value)
    assert signed.isalnum()
    return f"""
        SELECT {columns},
            (SELECT p.code FROM {t["p"]} p WHERE p.id = d.procedure_id),
            (SELECT v.name FROM {t["v"]} v WHERE v.id = d.procedure_version_id),
            a.name, a.address, a.successor_id,
            (SELECT MAX(x.id) FROM {t["x"]} x WHERE x.dossier_id = d.id),
            (SELECT la.completed_at FROM {t["la"]} la WHERE la.dossier_id = d.id),
            EXISTS (SELECT 1 FROM {t["e"]} e WHERE e.dossier_id = d.id),
            (SELECT r.id FROM {t["r"]} r WHERE r.dossier_id = d.id AND r.state = '{signed}'
              ORDER BY r.version DESC, r.id DESC LIMIT 1),
            {history}
        FROM {t["d"]} d JOIN {t["a"]} a ON a.id = d.receiving_agency_id
        WHERE d.code = %s"""


def _aware(value):
    """A datetime from either database: PostgreSQL gives aware values (ISO text inside JSON); SQLite
    gives naive UTC ones for columns and text for subqueries and JSON."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


_PREPARED_STATUS_ROW = "motcua_status_row"


def _fetch_status_row(code: str):
    """The row's tuple. On PostgreSQL the statement is prepared once per database connection
    (PREPARE … EXECUTE): the page runs it on every request, and planning it cost more than running
    it (0.4 ms against 0.3 ms). A prepared statement outlives a rollback and dies with its
    connection, so it is remembered per raw connection. Off with DATABASE_PREPARED_STATEMENTS=false,
    which a PgBouncer in transaction mode needs (README, "Past one server"), and inside a transaction
    (a failed statement there could not be retried). If the prepared statement fails (a migration
    changed a column under it, a pooler dropped it), it is deallocated, the plain statement answers,
    and the next request prepares it again."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        if (
            connection.vendor == "postgresql"
            and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)
            and not connection.in_atomic_block
        ):
            try:
                raw = connection.connection
                if getattr(connection, "_status_row_prepared_on", None) is not raw:
                    sql = _status_sql(connection.vendor).replace("%s", "$1")
                    cursor.execute(f"PREPARE {_PREPARED_STATUS_ROW} (text) AS {sql}")
                    connection._status_row_prepared_on = raw
                cursor.execute(f"EXECUTE {_PREPARED_STATUS_ROW} (%s)", [code])
                return cursor.fetchone()
            except DatabaseError:
                logger.warning("status row: the prepared statement failed; answered without it", exc_info=True)
                connection._status_row_prepared_on = None
                with contextlib.suppress(DatabaseError):
                    cursor.execute(f"DEALLOCATE {_PREPARED_STATUS_ROW}")
        cursor.execute(_status_sql(connection.vendor), [code])
        return cursor.fetchone()


def status_row(code: str, key: str) -> StatusRow | None:
    """The status page's row for the holder of the receipt (code and key), or None: an unknown code
    and a wrong key are alike to the caller; the key is compared in constant time."""
    key = normalize_lookup_key(key)
    if not key or not code:
        return None
    row = _fetch_status_row(code)
    if row is None or not hmac.compare_digest(str(row[2]), key):
        return None
    values = dict(zip((f.name for f in fields(StatusRow)), row, strict=True))
    for name in (*_ROW_DATETIMES, "apology_completed_at"):
        values[name] = _aware(values[name])
    values["rated"] = bool(values["rated"])
    history = values["history"]
    if isinstance(history, str):  # SQLite gives the JSON as text
        history = json.loads(history)
    events = sorted((_aware(at), event_id, to_status) for at, to_status, event_id in history or ())
    values["history"] = tuple((at, to_status) for at, _id, to_status in events)
    values["agency_name"], values["agency_address"] = values["agency_name"] or "", values["agency_address"] or ""
    values["tracking_number"] = values["tracking_number"] or ""
    return StatusRow(**values)


def _current_agency(row: StatusRow) -> tuple[int, str, str]:
    """(id, name, address) of the agency now serving the receiving agency's desk: the row's own,
    or, for a merged commune, the end of its successor chain (read here, a query per link)."""
    if row.agency_successor_id is None:
        return row.agency_id, row.agency_name, row.agency_address
    from agencies.models import Agency

    agency = Agency.objects.only("name", "address", "successor_id").get(pk=row.agency_id).current()
    return agency.pk, agency.name, agency.address


@lru_cache(maxsize=1)
def release() -> str:
    """A digest of the templates and translations the page is made of, so that a new release never
    serves a page cached by the previous one (the cache outlives a deployment)."""
    from django.conf import settings
    from django.template import engines
    from django.template.loader import get_template

    digest = hashlib.sha256()
    for name in STATUS_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    digest.update(Path(engines["jinja2"].get_template(STATUS_BODY).template.filename).read_bytes())
    for path in getattr(settings, "LOCALE_PATHS", ()):
        for mo in sorted(Path(path).glob("*/LC_MESSAGES/django.mo")):
            digest.update(f"{mo}:{mo.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


STATUS_BODY = "dossiers/public_status_body.html"  # Jinja2 (settings.TEMPLATES "jinja2")
STATUS_TEMPLATES = (
    "dossiers/public_status.html",
    "surveys/citizen_base.html",
    "surveys/partials/evaluation_form.html",
    "surveys/partials/evaluation_fields.html",
)


def page_cache_key(row: StatusRow, *, language: str, thanks: bool) -> str:
    """The rendered page's key: a digest of every input of the page (see the comment above)."""
    agency = _current_agency(row)
    parts = (release(), language, thanks, tuple(getattr(row, f.name) for f in fields(StatusRow)), agency)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"public-status:{row.id}:{digest}"


SHELL_CODE = "__motcua_status_code__"
SHELL_BODY = "__motcua_status_body__"


@lru_cache(maxsize=8)
def status_shell(language: str, release: str) -> tuple[str, str, str]:
    """The status page around its body (the citizens' layout: head, styles, header), the same for
    every dossier: rendered once per language and release in each process, as (before the code in
    the title, from the code to the body, after the body)."""
    from django.template.loader import render_to_string

    html = render_to_string("dossiers/public_status.html", {"view": {"code": SHELL_CODE}, "body": SHELL_BODY})
    head, rest = html.split(SHELL_CODE, 1)
    middle, tail = rest.split(SHELL_BODY, 1)
    return head, middle, tail


def status_page_html(context: dict) -> str:
    """The whole status page: the body (Jinja2, STATUS_BODY) rendered from ``context`` and put into
    the shell of the active language. ``context``: view, rating_form (HTML), key_display, thanks,
    result and csrf_token."""
    from django.template import engines
    from django.utils.html import escape
    from django.utils.translation import get_language

    body = engines["jinja2"].get_template(STATUS_BODY).render(context)
    head, middle, tail = status_shell(get_language(), release())
    return f"{head}{escape(context['view'].code)}{middle}{body}{tail}"


@lru_cache(maxsize=8)
def rating_form_html(language: str, release: str) -> str:
    """The unbound rating form, the same on every returned dossier's page: rendered once per
    language and release in each process (its CSRF token is the marker, replaced per request)."""
    from django.template.loader import render_to_string

    from surveys.forms import EvaluationForm

    context = {"form": EvaluationForm(), "action": "", "csrf_token": CSRF_MARKER}
    return render_to_string("surveys/partials/evaluation_form.html", context)


def public_view_from_row(row: StatusRow) -> PublicDossier:
    """``public_view`` for the status page's row (its history read with it), with the apology letter
    and the late apology on the few dossiers that have one (a query each)."""
    from .models import Extension, LateApology

    events = list(row.history)
    apology = None
    if row.extension_id is not None:
        extension = Extension.objects.filter(pk=row.extension_id).only("reason", "new_due_at", "created_at").first()
        if extension is not None:
            apology = Apology(reason=extension.reason, new_due_at=extension.new_due_at, at=extension.created_at)
    if apology is None and row.apology_completed_at is not None:
        late = LateApology.objects.filter(dossier_id=row.id).only("reason", "expected_at", "completed_at").first()
        if late is not None and late.completed_at is not None:
            apology = Apology(reason=late.reason, new_due_at=late.expected_at, at=late.completed_at)
    _pk, agency_name, agency_address = _current_agency(row)
    return _projection(
        row,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        agency=(agency_name, agency_address),
        events=events,
        apology=apology,
        rated=row.rated,
    )


# ----- scanner input -----------------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{3,63}$")


def parse_scanned(text: str) -> tuple[str, str]:
    """A code and a key from a scanned QR (the lookup URL) or typed "CODE KEY". ("", "") if none."""
    text = (text or "").strip()
    if not text:
        return "", ""
    if "/tra-cuu/" in text:
        parts = urlsplit(text if "://" in text else f"http://x/{text.lstrip('/')}")
        path = unquote(parts.path)
        code = path.split("/tra-cuu/", 1)[1].strip("/").split("/")[0]
        key = (parse_qs(parts.query).get("key") or [""])[0]
        return code, normalize_lookup_key(key)
    pieces = text.split()
    if len(pieces) >= 2:
        return pieces[0], normalize_lookup_key("".join(pieces[1:]))
    return (pieces[0], "") if CODE_RE.match(pieces[0]) else ("", "")
