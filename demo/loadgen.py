"""Load data for the province-scale benchmark (issue 8): a province of N communes and a million
dossiers over two years, written with COPY in batches (bulk_create on SQLite, small runs only).

The data follow the services' rules without calling them row by row:

* codes ``{receiving agency}-{yymmdd}-{seq}`` from a per-(agency, day) sequence in received order,
  with the matching DailyCounter rows; 14-letter lookup keys;
* due times from ``agencies.calendar.WorkingCalendar`` (cached per calendar, received day, 10-minute
  slot and procedure time; the seconds inside a slot shift the result linearly, checked per key);
* resolved dossiers: early, on time or late (``reports.definitions.classify_resolution``), some
  extended (Extension rows, ``original_due_at`` kept), some restarted after a supplement (clock and
  due time recomputed from the supplement), refused, withdrawn or closed; open ones: received,
  in progress (some overdue now, some due soon), awaiting a supplement, result ready;
* one history row per step (receive, assign, supplement, extension, approval, return…);
* evaluations for ~30% of returned dossiers (when ``surveys.models.Evaluation`` exists);
* DeadlineAlert rows (and drafted LateApology rows) for what the deadline sweep would already have
  acted on, so a sweep right after the load has nothing to do, as in a running system.
"""

from __future__ import annotations

import io
import json
import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from agencies.calendar import TimeUnit, calendar_for
from agencies.choices import AgencyKind
from agencies.models import Agency
from dossiers.choices import Action, Channel, DossierStatus, ReturnMethod
from dossiers.codes import KEY_ALPHABET, KEY_LENGTH, format_dossier_code
from dossiers.models import (
    AlertKind,
    Applicant,
    DailyCounter,
    DeadlineAlert,
    Dossier,
    DossierEvent,
    Extension,
    LateApology,
    SupplementRequest,
)
from procedures.models import AgencyProcedure, Procedure
from reports.definitions import Timeliness

S = DossierStatus
SQLITE_LIMIT = 20_000
PROVINCE_CODE = "T99"
PASSWORD = "bench-Pass-2026"
SUPPLEMENT_WAIT = timedelta(days=15)
SLOT_MINUTES = 10
JITTER_SECONDS = 240  # < 5 minutes: a due time never crosses a session boundary because of it

# Tables emptied by --reset (CASCADE also empties whatever else points at dossiers).
RESET_TABLES = [
    "dossiers_dossier",
    "dossiers_applicant",
    "dossiers_dailycounter",
    "dossiers_guidance",
    "dossiers_personaldataaccess",
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân", "Hoài", "Kim", "Gia"]
GIVEN = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến",
]  # fmt: skip
PLACE = [
    "An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Hưng", "Phước", "Thuận", "Đông", "Tây", "Mỹ", "Vĩnh",
    "Quảng", "Thanh", "Hải", "Trung", "Lộc", "Khánh", "Thịnh", "Yên", "Xuân", "Định",
]  # fmt: skip
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Quang Trung", "Hùng Vương", "Lý Thường Kiệt", "Hai Bà Trưng"]
# Popularity of a procedure by field: certification and civil status fill most of a desk's day.
FIELD_WEIGHT = {"CT": 12.0, "HT": 6.0, "DD": 2.0, "HKD": 2.0, "BTXH": 1.5}
RATINGS = [5] * 55 + [4] * 30 + [3] * 9 + [2] * 4 + [1] * 2


@dataclass
class Options:
    dossiers: int = 1_000_000
    agencies: int = 100
    years: float = 2.0
    seed: int = 1
    open_share: float = 0.07
    reset: bool = False
    batch: int = 50_000
    now: datetime | None = None


@dataclass
class Commune:
    agency: Agency
    centre: Agency
    offices: dict[str, Agency]
    clerks: list[int]
    officers: dict[str, list[int]]
    leader: int
    weight: float
    calendar: object = None
    shortened: bool = False


@dataclass
class Proc:
    procedure: Procedure
    version_id: int
    amount: Decimal
    unit: str
    fee: str
    name: str
    office_suffix: str
    weight: float


@dataclass
class Totals:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name, n=1):
        self.counts[name] = self.counts.get(name, 0) + n


class LoadError(Exception):
    pass


# ----- output: COPY on PostgreSQL, bulk_create on SQLite ------------------------------------------------

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    return value.translate(_ESCAPE)


def _iso(value) -> str:
    return value.isoformat()


def _bool(value) -> str:
    return "t" if value else "f"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)


def _converter(f):
    if isinstance(f, models.BooleanField):
        return _bool
    if isinstance(f, models.JSONField):
        return _json
    if isinstance(f, models.DateTimeField | models.DateField):
        return _iso
    if isinstance(f, models.CharField | models.TextField):
        return _text
    return str


class Writer:
    """Rows as dicts keyed by attname; missing fields take the model's default. Flushed by COPY."""

    def __init__(self, model, postgres: bool):
        self.model = model
        self.postgres = postgres
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField):
                self.defaults[f.attname] = ""
        self.rows: list[dict] = []
        self.written = 0
        self.converters = [_converter(f) for f in self.fields]

    def add(self, row: dict):
        self.rows.append(row)

    def flush(self):
        if not self.rows:
            return
        if self.postgres:
            buffer = io.StringIO()
            pairs = zip(self.fields, self.converters, strict=True)
            plan = [(f.attname, conv, self.defaults.get(f.attname)) for f, conv in pairs]
            write = buffer.write
            for row in self.rows:
                write("\t".join(["\\N" if (v := row.get(a, d)) is None else conv(v) for a, conv, d in plan]))
                write("\n")
            buffer.seek(0)
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(
                    f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({columns}) FROM STDIN", buffer
                )
        else:
            objs = []
            for row in self.rows:
                obj = self.model(**{**self.defaults, **row})
                objs.append(obj)
            self.model.objects.bulk_create(objs, batch_size=500)
            # (auto_now fields take the load time on SQLite: good enough for a small run)
        self.written += len(self.rows)
        self.rows = []


# ----- set-up: agencies, users, catalogue -----------------------------------------------------------------


def _commune_name(index: int) -> str:
    first = PLACE[index % len(PLACE)]
    second = PLACE[(index // len(PLACE) + index + 1) % len(PLACE)]
    return f"{first} {second}" + (f" {index // (len(PLACE) ** 2) + 1}" if index >= len(PLACE) ** 2 else "")


def build_agencies(n: int, rng: random.Random):
    province, _created = Agency.objects.get_or_create(
        code=PROVINCE_CODE,
        defaults={"name": "Ủy ban nhân dân tỉnh Thử Tải", "short_name": "Thử Tải", "kind": AgencyKind.PROVINCE},
    )
    existing = {a.code: a for a in Agency.objects.filter(code__startswith=PROVINCE_CODE + ".")}
    new = []
    for i in range(1, n + 1):
        code = f"{PROVINCE_CODE}.{i:03d}"
        name = _commune_name(i - 1)
        if code not in existing:
            new.append(Agency(code=code, name=f"Ủy ban nhân dân xã {name}", short_name=name, kind="commune"))
    if new:
        for a in new:
            a.parent = province
        Agency.objects.bulk_create(new)
        existing = {a.code: a for a in Agency.objects.filter(code__startswith=PROVINCE_CODE + ".")}
    children = []
    for i in range(1, n + 1):
        commune = existing[f"{PROVINCE_CODE}.{i:03d}"]
        short = commune.short_name
        for suffix, name, kind in (
            (".01", f"Trung tâm Phục vụ hành chính công xã {short}", AgencyKind.SERVICE_CENTER),
            (".02", f"Văn phòng HĐND và UBND xã {short}", AgencyKind.OFFICE),
            (".03", f"Phòng Văn hóa - Xã hội xã {short}", AgencyKind.OFFICE),
            (".04", f"Phòng Kinh tế xã {short}", AgencyKind.OFFICE),
        ):
            if commune.code + suffix not in existing:
                children.append(Agency(code=commune.code + suffix, name=name, kind=kind, parent=commune))
    if children:
        Agency.objects.bulk_create(children)
        existing = {a.code: a for a in Agency.objects.filter(code__startswith=PROVINCE_CODE + ".")}
    return province, existing


def build_users(province, agencies: dict, n: int, rng: random.Random):
    """Per commune: 3 clerks at the centre, 2 officers in each of two offices, a chairman and two
    office heads (leaders). A province leader and administrator. One password for all."""
    hashed = make_password(PASSWORD)
    wanted = [("lt_pleader", Role.LEADER, province, "Giám đốc Sở Nội vụ"), ("lt_padmin", Role.ADMIN, province, "")]
    for i in range(1, n + 1):
        commune = agencies[f"{PROVINCE_CODE}.{i:03d}"]
        centre, office3, office4 = (agencies[commune.code + s] for s in (".01", ".03", ".04"))
        for k in range(1, 4):
            wanted.append((f"lt_clerk{i:03d}_{k}", Role.CLERK, centre, "Công chức tiếp nhận"))
        for k in range(1, 3):
            wanted.append((f"lt_vhxh{i:03d}_{k}", Role.OFFICER, office3, "Công chức Văn hóa - Xã hội"))
            wanted.append((f"lt_kt{i:03d}_{k}", Role.OFFICER, office4, "Công chức Kinh tế"))
        wanted.append((f"lt_leader{i:03d}", Role.LEADER, commune, "Chủ tịch UBND xã"))
        wanted.append((f"lt_head{i:03d}_3", Role.LEADER, office3, "Trưởng phòng"))
        wanted.append((f"lt_head{i:03d}_4", Role.LEADER, office4, "Trưởng phòng"))
    have = set(User.objects.filter(username__startswith="lt_").values_list("username", flat=True))
    new = []
    for username, role, agency, title in wanted:
        if username in have:
            continue
        new.append(
            User(
                username=username,
                password=hashed,
                role=role,
                agency=agency,
                job_title=title,
                last_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}",
                first_name=rng.choice(GIVEN),
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        )
    User.objects.bulk_create(new, batch_size=1000)
    return {u.username: u for u in User.objects.filter(username__startswith="lt_")}


def build_catalogue(start_day: date, communes: list[Commune], rng: random.Random) -> list[Proc]:
    """The real catalogue (procedures/seed) through catalog_apply once, in force from the start of the
    data; then every commune's AgencyProcedure rows (office by field, some shortened times)."""
    from procedures.demo import DEFAULT_OFFICE, OFFICE_BY_FIELD, load_seed
    from procedures.services import catalog_apply

    if not Procedure.objects.exists():
        data = load_seed()
        records = [(f"seed #{i}", {**item, "effective_from": start_day}) for i, item in enumerate(data["procedures"])]
        catalog_apply(records, fields=data["fields"])
    settings_rows = []
    have = set(
        AgencyProcedure.objects.filter(agency__in=[c.agency for c in communes]).values_list("agency_id", "procedure_id")
    )
    procs = []
    for procedure in Procedure.objects.filter(is_active=True).select_related("field").order_by("code"):
        version = procedure.versions.filter(effective_from__lte=start_day).order_by("-effective_from").first()
        if version is None:
            version = procedure.versions.order_by("effective_from").first()
        suffix = OFFICE_BY_FIELD.get(procedure.field.code, DEFAULT_OFFICE)
        for commune in communes:
            if (commune.agency.pk, procedure.pk) in have:
                continue
            shortened = None
            if (
                commune.shortened
                and version is not None
                and version.processing_unit == TimeUnit.WORKING_DAYS
                and (version.processing_amount or 0) >= 3
            ):
                shortened = version.processing_amount - 1
            settings_rows.append(
                AgencyProcedure(
                    agency=commune.agency,
                    procedure=procedure,
                    enabled=True,
                    shortened_amount=shortened,
                    shortened_unit=TimeUnit.WORKING_DAYS if shortened is not None else "",
                    processing_office=commune.offices[suffix],
                )
            )
        if version is None or version.processing_amount is None:
            continue  # unconfirmed time: the desk cannot receive it
        procs.append(
            Proc(
                procedure=procedure,
                version_id=version.pk,
                amount=version.processing_amount,
                unit=version.processing_unit,
                fee=version.fee,
                name=version.name,
                office_suffix=suffix,
                weight=FIELD_WEIGHT.get(procedure.field.code, 1.0) * rng.uniform(0.5, 1.5),
            )
        )
    AgencyProcedure.objects.bulk_create(settings_rows, batch_size=2000)
    from procedures.revision import catalog_changed

    catalog_changed()  # bulk_create sends no signal: running servers must drop their catalogue copy
    return procs


# ----- time -------------------------------------------------------------------------------------------------


class Times:
    """Due, hand-over and working instants from the working calendar, cached.

    * calendar days: per (calendar, received day); same day: per (calendar, day, before the cut-off);
    * working days and hours: outside working time the due time is the one of the next working
      instant (cached per instant); inside a session, per 10-minute slot, the seconds after the slot
      shifting the result one for one when that stays inside the session of the result (checked),
      else computed exactly.
    """

    def __init__(self):
        self.due_cache = {}
        self.handover_cache = {}
        self.sessions_cache = {}
        self.calls = 0

    def sessions(self, cal, day):
        key = (id(cal), day)
        value = self.sessions_cache.get(key)
        if value is None:
            value = self.sessions_cache[key] = cal.session_intervals(day)
        return value

    def instant(self, cal, moment: datetime) -> datetime:
        """The moment if it is working time, else the start of the next session."""
        moment = moment.astimezone(cal.tz)
        for start, end in self.sessions(cal, moment.date()):
            if start <= moment < end:
                return moment
            if moment < start:
                return start
        self.calls += 1
        return cal.next_working_instant(moment)

    def _exact(self, cal, received, amount, unit):
        self.calls += 1
        return cal.due_at(received, amount, unit)

    def due(self, cal, received: datetime, amount, unit) -> datetime:
        received = received.astimezone(cal.tz)
        if unit == TimeUnit.CALENDAR_DAYS:
            key = (id(cal), received.date(), amount, unit)
            value = self.due_cache.get(key)
            if value is None:
                value = self.due_cache[key] = self._exact(cal, received, amount, unit)
            return value
        if unit == TimeUnit.SAME_DAY:
            key = (id(cal), received.date(), received.time() < cal.cutoff, unit)
            value = self.due_cache.get(key)
            if value is None:
                value = self.due_cache[key] = self._exact(cal, received, amount, unit)
            return value
        start = self.instant(cal, received)
        if start != received:  # outside working time: counted from the next session's start
            key = (id(cal), "from", start, amount, unit)
            value = self.due_cache.get(key)
            if value is None:
                value = self.due_cache[key] = self._exact(cal, start, amount, unit)
            return value
        minute = received.hour * 60 + received.minute
        slot_minute = minute - minute % SLOT_MINUTES
        slot = received.replace(hour=slot_minute // 60, minute=slot_minute % 60, second=0, microsecond=0)
        offset = received - slot
        key = (id(cal), "slot", slot, amount, unit)
        entry = self.due_cache.get(key)
        if entry is None:
            base = self._exact(cal, slot, amount, unit) if self.instant(cal, slot) == slot else None
            linear_until = None
            if base is not None:
                local = base.astimezone(cal.tz)
                for session_start, session_end in self.sessions(cal, local.date()):
                    if session_start <= local < session_end:
                        linear_until = session_end - local
            entry = self.due_cache[key] = (base, linear_until)
        base, linear_until = entry
        if base is not None and linear_until is not None and offset < linear_until:
            return base + offset
        return self._exact(cal, received, amount, unit)

    def handover(self, cal, received: datetime) -> datetime:
        received = received.astimezone(cal.tz)
        key = (id(cal), received.date(), received.time() < cal.cutoff)
        value = self.handover_cache.get(key)
        if value is None:
            value = self.handover_cache[key] = cal.handover_due_at(received)
        return value


def _span_days(amount, unit) -> float:
    """Roughly how many calendar days a processing time lasts."""
    amount = float(amount or 0)
    if unit == TimeUnit.WORKING_DAYS:
        return amount * 7 / 5 + 0.5
    if unit == TimeUnit.WORKING_HOURS:
        return amount / 7.5 * 7 / 5 + 0.5
    if unit == TimeUnit.CALENDAR_DAYS:
        return amount + 0.5
    return 1.0


# ----- the generator ----------------------------------------------------------------------------------------


class Generator:
    def __init__(self, options: Options, stdout=None):
        self.o = options
        self.out = stdout
        self.rng = random.Random(options.seed)
        self.postgres = connection.vendor == "postgresql"
        self.now = options.now or timezone.now()
        self.tz = timezone.get_current_timezone()
        self.times = Times()
        self.totals = Totals()
        self.started = clock.monotonic()

    def say(self, text):
        if self.out is not None:
            self.out.write(f"[{clock.monotonic() - self.started:7.1f}s] {text}")
            self.out.flush() if hasattr(self.out, "flush") else None

    # -- checks and reset --
    def check(self):
        if not self.postgres and self.o.dossiers > SQLITE_LIMIT:
            raise LoadError(
                f"{connection.vendor} holds at most {SQLITE_LIMIT} load dossiers: use PostgreSQL (DATABASE_URL) "
                f"for {self.o.dossiers}."
            )
        if self.o.reset:
            self.reset()
        elif Dossier.objects.exists():
            raise LoadError("Dossiers exist already: run with --reset to empty the dossier tables first.")

    def reset(self):
        self.say("Emptying the dossier tables…")
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(f"TRUNCATE {', '.join(RESET_TABLES)} RESTART IDENTITY CASCADE")
            else:
                dependants = [
                    m
                    for m in apps.get_models()
                    if any(
                        f.is_relation and f.many_to_one and f.related_model is Dossier for f in m._meta.concrete_fields
                    )
                ]
                for model in [*dependants, Dossier, Applicant, DailyCounter]:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")

    # -- set-up --
    def setup(self):
        o, rng = self.o, self.rng
        self.start_day = (self.now - timedelta(days=round(365 * o.years))).astimezone(self.tz).date()
        with transaction.atomic():
            province, agencies = build_agencies(o.agencies, rng)
            users = build_users(province, agencies, o.agencies, rng)
            self.communes = []
            for i in range(1, o.agencies + 1):
                commune = agencies[f"{PROVINCE_CODE}.{i:03d}"]
                offices = {s: agencies[commune.code + s] for s in (".02", ".03", ".04")}
                c = Commune(
                    agency=commune,
                    centre=agencies[commune.code + ".01"],
                    offices=offices,
                    clerks=[users[f"lt_clerk{i:03d}_{k}"].pk for k in range(1, 4)],
                    officers={
                        ".02": [users[f"lt_vhxh{i:03d}_{k}"].pk for k in (1, 2)],
                        ".03": [users[f"lt_vhxh{i:03d}_{k}"].pk for k in (1, 2)],
                        ".04": [users[f"lt_kt{i:03d}_{k}"].pk for k in (1, 2)],
                    },
                    leader=users[f"lt_leader{i:03d}"].pk,
                    weight=rng.lognormvariate(0, 0.5),
                    shortened=rng.random() < 0.2,
                )
                c.calendar = calendar_for(c.centre)
                self.communes.append(c)
            self.procs = build_catalogue(self.start_day, self.communes, rng)
        if not self.procs:
            raise LoadError("No procedure has a confirmed processing time: nothing can be received.")
        self.shortened = {
            (ap.agency_id, ap.procedure_id): (ap.shortened_amount, ap.shortened_unit)
            for ap in AgencyProcedure.objects.filter(shortened_amount__isnull=False)
        }
        self.say(
            f"Province {PROVINCE_CODE}: {len(self.communes)} communes, {len(users)} staff, "
            f"{len(self.procs)} procedures with a confirmed time."
        )

    # -- received times --
    def _days(self):
        """Every day of the range with its weight: working days take desk and online dossiers, other
        days online ones only; volume grows by 30% over the range."""
        cal = self.communes[0].calendar
        today = self.now.astimezone(self.tz).date()
        days, weights = [], []
        day, total = self.start_day, (today - self.start_day).days or 1
        while day <= today:
            growth = 1 + 0.3 * (day - self.start_day).days / total
            days.append(day)
            weights.append(growth * (1.0 if cal.is_working_day(day) else 0.08))
            day += timedelta(days=1)
        return days, weights

    def _received_at(self, day: date, cal, online: bool) -> datetime:
        """A time in a working session (desk) or any time (online, a quarter of them out of hours)."""
        rng = self.rng
        if online and (rng.random() < 0.25 or not cal.is_working_day(day)):
            minute = rng.randrange(0, 24 * 60 - SLOT_MINUTES)
        else:
            start, end = cal.sessions[0] if rng.random() < 0.6 else cal.sessions[-1]
            lo, hi = start.hour * 60 + start.minute, end.hour * 60 + end.minute - SLOT_MINUTES
            minute = rng.randrange(lo, max(lo + 1, hi))
        minute = minute - minute % SLOT_MINUTES + 5
        moment = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)
        return moment + timedelta(seconds=rng.randrange(JITTER_SECONDS))

    def _time_of(self, commune: Commune, proc: Proc):
        short = self.shortened.get((commune.agency.pk, proc.procedure.pk))
        if short is not None:
            return short[0], short[1], True
        return proc.amount, proc.unit, False

    # -- the plan: who, what and when for every dossier, sorted by received time --
    def plan(self):
        o, rng = self.o, self.rng
        days, weights = self._days()
        cum = list(accumulate(weights))
        commune_cum = list(accumulate(c.weight for c in self.communes))
        proc_cum = list(accumulate(p.weight for p in self.procs))
        n_open = round(o.dossiers * o.open_share)
        n_closed = o.dossiers - n_open
        specs = []
        picks = rng.choices(range(len(days)), cum_weights=cum, k=n_closed)
        communes = rng.choices(range(len(self.communes)), cum_weights=commune_cum, k=o.dossiers)
        procs = rng.choices(range(len(self.procs)), cum_weights=proc_cum, k=o.dossiers)
        today_index = len(days) - 1
        first_day = days[0]
        for n in range(o.dossiers):
            is_open = n >= n_closed
            commune = self.communes[communes[n]]
            cal = commune.calendar
            proc = self.procs[procs[n]]
            if is_open:
                # Received recently for its procedure: about one in eight is past its due time now.
                amount, unit, _short = self._time_of(commune, proc)
                age = _span_days(amount, unit) * rng.random() * 1.05 + rng.random() * 0.2
                day = (self.now - timedelta(days=age)).astimezone(self.tz).date()
                day_index = max(0, min(today_index, (day - first_day).days))
            else:
                day_index = picks[n]
            day = days[day_index]
            online = rng.random() < 0.15 + 0.1 * day_index / max(1, today_index)
            if not online and not cal.is_working_day(day):
                online = True
            received = self._received_at(day, cal, online)
            if received > self.now:
                received = self.now - timedelta(minutes=rng.randrange(5, 240))
            channel = Channel.ONLINE if online else (Channel.POST if rng.random() < 0.03 else Channel.DIRECT)
            specs.append((received, communes[n], procs[n], channel, is_open))
        specs.sort(key=lambda s: s[0])
        self.specs = specs
        self.say(f"Planned {len(specs):,} dossiers ({n_open:,} meant to be open) from {self.start_day} to now.")

    # -- writing --
    def run(self):
        o, rng = self.o, self.rng
        w = {
            name: Writer(model, self.postgres)
            for name, model in (
                ("applicant", Applicant),
                ("dossier", Dossier),
                ("event", DossierEvent),
                ("extension", Extension),
                ("supplement", SupplementRequest),
                ("alert", DeadlineAlert),
                ("apology", LateApology),
                ("counter", DailyCounter),
            )
        }
        evaluation_model = _evaluation_model()
        if evaluation_model is not None:
            w["evaluation"] = Writer(evaluation_model, self.postgres)
        self.writers = w
        dropped = self._drop_indexes() if self.postgres else []
        # Applicants: a pool of citizens, about one for every two dossiers.
        n_applicants = max(10, o.dossiers // 2)
        self.applicants = []
        for pk in range(1, n_applicants + 1):
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            id_number = f"0{rng.randrange(1, 96):02d}{rng.randrange(0, 2)}{rng.randrange(40, 100):02d}{pk:06d}"
            phone = f"09{rng.randrange(10_000_000, 99_999_999)}"
            address = f"Số {rng.randrange(1, 300)} {rng.choice(STREETS)}"
            self.applicants.append((pk, name, id_number, phone, address))
            w["applicant"].add(
                {
                    "id": pk,
                    "id_number": id_number,
                    "full_name": name,
                    "phone": phone,
                    "email": "",
                    "address": address,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        self._flush(["applicant"])
        self.say(f"{n_applicants:,} applicants written.")

        self.ids = {"event": 0, "extension": 0, "supplement": 0, "alert": 0, "apology": 0, "evaluation": 0}
        lead = float(getattr(settings, "ONESTOP_DUE_SOON_WORKING_HOURS", 7.5)) * 3600
        self.soon_threshold = {}
        for c in self.communes:
            if c.calendar not in self.soon_threshold:
                self.soon_threshold[c.calendar] = c.calendar.add_working_time(self.now, lead)
        sequence: dict[tuple[int, date], int] = {}
        last_report = clock.monotonic()
        for pk, (received, commune_index, proc_index, channel, is_open) in enumerate(self.specs, start=1):
            commune = self.communes[commune_index]
            local_day = received.astimezone(self.tz).date()
            key = (commune.centre.pk, local_day)
            seq = sequence[key] = sequence.get(key, 0) + 1
            self._dossier(pk, received, commune, self.procs[proc_index], channel, is_open, seq, local_day)
            if pk % o.batch == 0:
                self._flush()
                if clock.monotonic() - last_report > 5 or pk == len(self.specs):
                    last_report = clock.monotonic()
                    rate = pk / (clock.monotonic() - self.started)
                    self.say(f"{pk:,} / {len(self.specs):,} dossiers ({rate:,.0f}/s overall)")
        for counter_id, ((agency_id, day), last) in enumerate(sorted(sequence.items()), start=1):
            w["counter"].add({"id": counter_id, "agency_id": agency_id, "day": day, "last": last})
        self._flush()
        self.say(
            "Written: "
            + ", ".join(f"{name} {writer.written:,}" for name, writer in w.items())
            + f"; calendar calls {self.times.calls:,}."
        )
        if self.postgres:
            self._restore_indexes(dropped)
            self._finish_postgres()

    def _flush(self, names=None):
        for name in names or self.writers:
            self.writers[name].flush()

    def _next(self, name):
        self.ids[name] += 1
        return self.ids[name]

    def _event(self, dossier_id, at, actor, action, from_status, to_status, note="", data=None):
        self.writers["event"].add(
            {
                "id": self._next("event"),
                "dossier_id": dossier_id,
                "at": at,
                "actor_id": actor,
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "data": data or {},
            }
        )

    def _dossier(self, pk, received, commune: Commune, proc: Proc, channel, is_open, seq, local_day):
        rng, now, cal, times = self.rng, self.now, commune.calendar, self.times
        amount, unit, shortened = self._time_of(commune, proc)
        due = times.due(cal, received, amount, unit)
        clock_started = received
        office = commune.offices[proc.office_suffix]
        clerk = rng.choice(commune.clerks)
        officer = rng.choice(commune.officers[proc.office_suffix])
        applicant_pk, name, id_number, phone, address = self.applicants[rng.randrange(len(self.applicants))]
        by_post = channel != Channel.DIRECT and rng.random() < 0.3
        row = {
            "id": pk,
            "code": format_dossier_code(agency_code=commune.centre.code, day=local_day, seq=seq),
            "lookup_key": "".join(rng.choices(KEY_ALPHABET, k=KEY_LENGTH)),
            "procedure_id": proc.procedure.pk,
            "procedure_version_id": proc.version_id,
            "processing_amount": amount,
            "processing_unit": unit,
            "shortened": shortened,
            "fee": proc.fee,
            "helped_at_id": commune.centre.pk,
            "receiving_agency_id": commune.centre.pk,
            "competent_agency_id": commune.agency.pk,
            "handling_office_id": office.pk,
            "assignee_id": None,
            "channel": channel,
            "return_method": ReturnMethod.POST if by_post else ReturnMethod.DESK,
            "return_address": address if by_post else "",
            "applicant_id": applicant_pk,
            "applicant_name": name,
            "applicant_id_number": id_number,
            "applicant_phone": phone,
            "applicant_email": "",
            "applicant_address": address,
            "status": S.RECEIVED,
            "received_at": received,
            "competent_received_at": received,
            "clock_started_at": received,
            "due_at": due,
            "original_due_at": due,
            "handover_due_at": times.handover(cal, received),
            "supplement_count": 0,
            "version": 1,
            "created_by_id": clerk,
            "created_at": received,
        }
        self._event(
            pk,
            received,
            clerk,
            Action.RECEIVE,
            "",
            S.RECEIVED,
            data={"due_at": due.isoformat(), "time": {"amount": float(amount), "unit": unit}},
        )
        version = 1
        status = S.RECEIVED
        last_at = received

        def step(at, action, to_status, actor, note="", data=None):
            nonlocal status, version, last_at
            self._event(pk, at, actor, action, status, to_status, note, data)
            status = to_status
            version += 1
            last_at = at

        # Hand-over: assigned to the officer on the day (or the next morning), unless still at the desk.
        span = max(due - received, timedelta(hours=1))
        fresh = is_open and now - received < timedelta(hours=30) and rng.random() < 0.5
        if fresh:
            row.update(status=S.RECEIVED, updated_at=received, version=1)
            self._alerts(pk, row, commune)
            self.writers["dossier"].add(row)
            self.totals.add("open_received")
            return
        assigned_at = min(received + min(span * 0.1, timedelta(hours=3)), now - timedelta(minutes=1))
        assigned_at = max(assigned_at, received + timedelta(minutes=1))
        row.update(assignee_id=officer, transferred_at=assigned_at)
        step(assigned_at, Action.ASSIGN, S.IN_PROGRESS, commune.leader, data={"officer": f"#{officer}"})

        # Supplement: requested, then the papers came (clock restarts), or never (closed), or pending.
        r = rng.random()
        supplement = "none"
        if is_open:
            if r < 0.12:
                supplement = "pending"
        elif r < 0.07:
            supplement = "restart"
        elif r < 0.085:
            supplement = "closed"
        if supplement != "none":
            asked = min(last_at + (due - last_at) * rng.uniform(0.1, 0.6), now - timedelta(minutes=2))
            asked = max(asked, last_at + timedelta(minutes=1))
            rounds = 2 if supplement == "restart" and rng.random() < 0.08 else 1
            for _round in range(rounds):
                deadline = asked + SUPPLEMENT_WAIT
                flagged = row["supplement_count"] >= 1
                self.writers["supplement"].add(
                    {
                        "id": self._next("supplement"),
                        "dossier_id": pk,
                        "reason": "Hồ sơ chưa đầy đủ theo quy định",
                        "missing": "Bản sao giấy tờ tùy thân có chứng thực",
                        "deadline": deadline,
                        "created_by_id": officer,
                        "created_at": asked,
                        "flagged": flagged,
                    }
                )
                row["supplement_count"] += 1
                row.update(supplement_requested_at=asked, supplement_deadline=deadline)
                step(
                    asked,
                    Action.REQUEST_SUPPLEMENT,
                    S.AWAITING_SUPPLEMENT,
                    officer,
                    note="Hồ sơ chưa đầy đủ theo quy định",
                    data={"deadline": deadline.isoformat(), "flagged": flagged},
                )
                if supplement == "pending":
                    row.update(status=S.AWAITING_SUPPLEMENT, version=version, updated_at=last_at)
                    self._alerts(pk, row, commune)
                    self.writers["dossier"].add(row)
                    self.totals.add("open_awaiting_supplement")
                    return
                if supplement == "closed":
                    closed_at = times.instant(cal, deadline + timedelta(hours=rng.uniform(1, 72)))
                    if closed_at >= now:
                        row.update(status=S.AWAITING_SUPPLEMENT, version=version, updated_at=last_at)
                        self._alerts(pk, row, commune)
                        self.writers["dossier"].add(row)
                        self.totals.add("open_awaiting_supplement")
                        return
                    row.update(supplement_deadline=deadline)
                    step(closed_at, Action.CLOSE, S.CLOSED, clerk, note="Quá hạn bổ sung hồ sơ")
                    self._resolve(row, closed_at, due)
                    row.update(status=S.CLOSED, finished_at=closed_at, version=version, updated_at=closed_at)
                    self.writers["dossier"].add(row)
                    self.totals.add("closed")
                    return
                # restart: the papers come within the waiting period
                came = times.instant(cal, asked + timedelta(days=rng.uniform(0.5, 10)))
                if came >= now:
                    came = max(asked + timedelta(minutes=5), now - timedelta(minutes=10))
                previous_due = due
                due = times.due(cal, came, amount, unit)
                clock_started = came
                row.update(clock_started_at=came, due_at=due, original_due_at=due, supplement_deadline=None)
                step(
                    came,
                    Action.SUPPLEMENT,
                    S.IN_PROGRESS,
                    clerk,
                    data={"previous_due_at": previous_due.isoformat(), "due_at": due.isoformat()},
                )
                asked = min(came + (due - came) * rng.uniform(0.1, 0.5), now - timedelta(minutes=2))
                asked = max(asked, last_at + timedelta(minutes=1))

        # Extension (Mẫu 04) before the due time, once.
        if rng.random() < (0.03 if not is_open else 0.05):
            at = min(last_at + (due - last_at) * rng.uniform(0.5, 0.9), due - timedelta(minutes=5))
            if at > last_at and at < now:
                new_due = times.due(cal, due, rng.choice((2, 3, 5)), TimeUnit.WORKING_DAYS)
                self.writers["extension"].add(
                    {
                        "id": self._next("extension"),
                        "dossier_id": pk,
                        "reason": "Cần xác minh thêm thông tin tại cơ quan liên quan",
                        "previous_due_at": due,
                        "new_due_at": new_due,
                        "created_by_id": officer,
                        "created_at": at,
                    }
                )
                step(
                    at,
                    Action.EXTEND,
                    status,
                    officer,
                    note="Cần xác minh thêm thông tin tại cơ quan liên quan",
                    data={"previous_due_at": due.isoformat(), "new_due_at": new_due.isoformat()},
                )
                due = new_due
                row["due_at"] = due

        # The outcome: when handling ends, measured against the due time in force.
        span = max(due - clock_started, timedelta(minutes=30))
        u = rng.random()
        if u < 0.62:
            resolved = clock_started + span * rng.uniform(0.05, 0.8)
            resolved = times.instant(cal, resolved)
        elif u < 0.93:
            resolved = due - min(span * 0.2, timedelta(hours=3)) * rng.random()
        else:
            resolved = due + timedelta(minutes=10) + timedelta(hours=rng.uniform(1, 80))
            resolved = times.instant(cal, resolved)
        resolved = max(resolved, last_at + timedelta(minutes=1))
        if is_open and not (rng.random() < 0.2 and resolved < now):
            # Open ones: still in progress (overdue now when the due time has passed), or the result
            # is ready and waiting for the citizen.
            resolved = max(resolved, now + timedelta(minutes=1))
        if resolved >= now:
            row.update(status=status, version=version, updated_at=last_at, assignee_id=officer)
            self._alerts(pk, row, commune)
            self.writers["dossier"].add(row)
            self.totals.add("open_in_progress")
            return

        outcome = rng.random()
        if not is_open and outcome < 0.035:
            step(resolved, Action.REFUSE, S.REFUSED, officer, note="Không đủ điều kiện theo quy định")
            self._resolve(row, resolved, due)
            row.update(status=S.REFUSED, finished_at=resolved, version=version, updated_at=resolved)
            self.writers["dossier"].add(row)
            self.totals.add("refused")
            return
        if not is_open and outcome < 0.055:
            step(resolved, Action.WITHDRAW, S.WITHDRAWN, clerk, note="Công dân xin rút hồ sơ")
            self._resolve(row, resolved, due)
            row.update(status=S.WITHDRAWN, finished_at=resolved, version=version, updated_at=resolved)
            self.writers["dossier"].add(row)
            self.totals.add("withdrawn")
            return
        step(resolved, Action.APPROVE, S.RESULT_READY, commune.leader)
        self._resolve(row, resolved, due)
        row.update(result_ready_at=resolved)
        returned = times.instant(cal, resolved + timedelta(hours=rng.expovariate(1 / 20)))
        if is_open or returned >= now:
            row.update(status=S.RESULT_READY, version=version, updated_at=resolved)
            self.writers["dossier"].add(row)
            self.totals.add("open_result_ready")
            return
        tracking = f"EB{rng.randrange(10**8, 10**9)}VN" if by_post else ""
        step(
            returned,
            Action.RETURN,
            S.RETURNED,
            clerk,
            data={"received_by": "" if by_post else name, "tracking_number": tracking},
        )
        row.update(
            status=S.RETURNED,
            finished_at=returned,
            returned_to="" if by_post else name,
            tracking_number=tracking,
            version=version,
            updated_at=returned,
        )
        self.writers["dossier"].add(row)
        self.totals.add("returned")
        if "evaluation" in self.writers and rng.random() < 0.3:
            at = returned + (
                timedelta(minutes=rng.uniform(1, 30)) if rng.random() < 0.6 else timedelta(days=rng.uniform(0, 5))
            )
            if at < now:
                overall = rng.choice(RATINGS)
                self.writers["evaluation"].add(
                    {
                        "id": self._next("evaluation"),
                        "dossier_id": pk,
                        "agency_id": commune.centre.pk,
                        "overall": overall,
                        "criteria": {"time": row["timeliness"], "visits": "1" if rng.random() < 0.85 else "2"},
                        "comment": "" if overall >= 3 or rng.random() < 0.5 else "Chờ lâu, cần cải thiện.",
                        "channel": "kiosk" if at - returned < timedelta(hours=1) else "qr",
                        "created_at": at,
                    }
                )

    def _resolve(self, row, resolved, due):
        row["resolved_at"] = resolved
        row["timeliness"] = classify(resolved, due, row["supplement_count"], self.tz)
        self.totals.add(f"timeliness_{row['timeliness']}")

    def _alerts(self, pk, row, commune):
        """What the deadline sweep would already have done for an open dossier."""
        now = self.now
        status, due = row["status"], row["due_at"]
        if status in (S.RECEIVED, S.IN_PROGRESS):
            if due < now:
                self.writers["alert"].add(
                    {
                        "id": self._next("alert"),
                        "dossier_id": pk,
                        "kind": AlertKind.OVERDUE,
                        "deadline": due,
                        "created_at": due,
                    }
                )
                self.writers["apology"].add({"id": self._next("apology"), "dossier_id": pk, "drafted_at": due})
                self.totals.add("open_overdue")
            elif due <= self.soon_threshold[commune.calendar]:
                self.writers["alert"].add(
                    {
                        "id": self._next("alert"),
                        "dossier_id": pk,
                        "kind": AlertKind.DUE_SOON,
                        "deadline": due,
                        "created_at": now,
                    }
                )
                self.totals.add("open_due_soon")
        elif status == S.AWAITING_SUPPLEMENT and row.get("supplement_deadline") and row["supplement_deadline"] < now:
            deadline = row["supplement_deadline"]
            self.writers["alert"].add(
                {
                    "id": self._next("alert"),
                    "dossier_id": pk,
                    "kind": AlertKind.SUPPLEMENT_OVERDUE,
                    "deadline": deadline,
                    "created_at": deadline,
                }
            )
            self.totals.add("open_supplement_overdue")

    # -- PostgreSQL: indexes dropped during the load, rebuilt after; FK checks skipped (consistent by
    # construction); sequences moved past the ids written; statistics refreshed.
    LOAD_TABLES = (
        "dossiers_dossier",
        "dossiers_dossierevent",
        "dossiers_extension",
        "dossiers_supplementrequest",
        "dossiers_deadlinealert",
        "dossiers_applicant",
        "surveys_evaluation",
    )

    def _drop_indexes(self):
        with connection.cursor() as cursor:
            try:
                cursor.execute("SET session_replication_role = replica")
                self.replica = True
            except Exception:  # noqa: BLE001 - not a superuser: keep the foreign-key checks
                self.replica = False
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [list(self.LOAD_TABLES)],
            )
            dropped = cursor.fetchall()
            for name, _definition in dropped:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self.say(f"Dropped {len(dropped)} secondary indexes for the load (rebuilt at the end).")
        return dropped

    def _restore_indexes(self, dropped):
        t = clock.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
            for _name, definition in dropped:
                cursor.execute(definition)
            if getattr(self, "replica", False):
                cursor.execute("SET session_replication_role = DEFAULT")
        self.say(f"Rebuilt {len(dropped)} indexes in {clock.monotonic() - t:.1f}s.")

    def _finish_postgres(self):
        t = clock.monotonic()
        with connection.cursor() as cursor:
            for model in (
                Applicant,
                Dossier,
                DossierEvent,
                Extension,
                SupplementRequest,
                DeadlineAlert,
                LateApology,
                DailyCounter,
                _evaluation_model(),
            ):
                if model is None:
                    continue
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                    [table],
                )
            cursor.execute("ANALYZE")
        self.say(f"Sequences set and statistics refreshed in {clock.monotonic() - t:.1f}s.")


def classify(resolved_at: datetime, due_at: datetime, supplement_count: int, tz) -> str:
    """reports.definitions.classify_resolution without the per-call time-zone lookup (same rule:
    tests/perf checks they agree)."""
    if supplement_count > 1 or resolved_at > due_at:
        return Timeliness.LATE
    if resolved_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def _evaluation_model():
    try:
        model = apps.get_model("surveys", "Evaluation")
    except LookupError:
        return None
    names = {f.name for f in model._meta.concrete_fields}
    needed = {"dossier", "agency", "overall", "criteria", "channel", "created_at"}
    return model if needed <= names else None


def generate(options: Options, stdout=None) -> dict:
    generator = Generator(options, stdout)
    generator.check()
    generator.setup()
    generator.plan()
    with transaction.atomic():
        generator.run()
    elapsed = clock.monotonic() - generator.started
    counts = dict(sorted(generator.totals.counts.items()))
    generator.say(f"Done in {elapsed:.1f}s: {counts}")
    return {"seconds": elapsed, "counts": counts, "written": {k: v.written for k, v in generator.writers.items()}}
