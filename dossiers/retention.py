"""Retention of citizens' personal data (Law 91/2025/QH15, Decree 356/2025; issue 16, item 3).

Each kind of data has its period in settings (days; the defaults and their legal basis are in the
README's retention table, the unconfirmed ones marked). Once a period has passed, the nightly job
(``retention_sweep_task``, Celery beat; ``python manage.py purge_personal_data`` runs the same code)
removes or blanks what is no longer needed, and writes what it removed to ``RetentionRun``:

- ``access_log``: access records older than RETENTION_ACCESS_LOG_DAYS are deleted;
- ``applicant_changes``: the history of citizens' details older than RETENTION_CONTACT_DAYS;
- ``dossier_contacts``: the phone, e-mail, address and return address of dossiers finished more
  than RETENTION_CONTACT_DAYS ago are blanked (the dossier record stays: code, procedure, name and ID
  number, dates, status and history are what the archive rules keep);
- ``commune_contacts``: each commune's details of a citizen without an open dossier, last updated
  more than RETENTION_CONTACT_DAYS ago, are deleted (the shared ID-number record stays, its old
  contacts blanked);
- ``scans``: the files of scans of dossiers finished more than RETENTION_SCAN_DAYS ago are deleted;
  the Attachment row stays, marked removed;
- ``guidance_contacts``: phone and address of guidance slips older than RETENTION_GUIDANCE_DAYS.

Not yet: the recipients of citizens' messages (notifications.Message), which PostgreSQL's message
guard keeps unchangeable; blanking them needs that guard to allow it under the retention flag.

Safe to run twice and concurrently: each pass only touches what is still there.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .choices import FINISHED_STATUSES, OPEN_STATUSES
from .models import (
    Applicant,
    ApplicantChange,
    ApplicantContact,
    Attachment,
    Dossier,
    Guidance,
    PersonalDataAccess,
    RetentionRun,
)

logger = logging.getLogger(__name__)


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def _batch() -> int:
    return int(getattr(settings, "RETENTION_BATCH", 2000))


def _log(kind, cutoff, count, detail) -> None:
    if count:
        RetentionRun.objects.create(kind=kind, cutoff=cutoff, count=count, detail=detail)
        logger.info("retention %s: %s removed (older than %s)", kind, count, cutoff.isoformat())


def _allow_purge() -> None:
    """On PostgreSQL the append-only triggers let this transaction (only) delete expired rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL onestop.retention_purge = 'on'")


def _purge(model, cutoff, kind) -> int:
    """Delete append-only rows older than the cutoff, in batches, each in its own transaction."""
    total = 0
    while True:
        with transaction.atomic():
            _allow_purge()
            ids = list(model.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[: _batch()])
            if not ids:
                break
            model.objects.filter(pk__in=ids)._raw_delete(model.objects.db)  # the model's delete() refuses
            _log(kind, cutoff, len(ids), {"first_id": ids[0], "last_id": ids[-1]})
        total += len(ids)
    return total


def _blank_dossier_contacts(cutoff) -> int:
    total = 0
    has_contact = ~Q(applicant_phone="") | ~Q(applicant_email="") | ~Q(applicant_address="") | ~Q(return_address="")
    while True:
        with transaction.atomic():
            rows = list(
                Dossier.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
                .filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)
                .filter(has_contact)
                .order_by("pk")
                .values_list("pk", "code")[: _batch()]
            )
            if not rows:
                break
            Dossier.objects.filter(pk__in=[pk for pk, _code in rows]).update(
                applicant_phone="", applicant_email="", applicant_address="", return_address=""
            )
            _log(
                "dossier_contacts",
                cutoff,
                len(rows),
                {
                    "fields": ["applicant_phone", "applicant_email", "applicant_address", "return_address"],
                    "dossiers": [code for _pk, code in rows],
                },
            )
        total += len(rows)
    return total


def _forget_commune_contacts(cutoff) -> int:
    open_ids = Dossier.objects.filter(status__in=OPEN_STATUSES).values("applicant_id")
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                ApplicantContact.objects.filter(updated_at__lt=cutoff)
                .exclude(applicant_id__in=open_ids)
                .order_by("pk")
                .values_list("pk", "applicant__id_number", "agency__code")[: _batch()]
            )
            if not rows:
                break
            ApplicantContact.objects.filter(pk__in=[pk for pk, *_rest in rows]).delete()
            _log(
                "commune_contacts",
                cutoff,
                len(rows),
                {"contacts": [f"{idn}@{agency}" for _pk, idn, agency in rows]},
            )
        total += len(rows)
    # The shared record's contacts from before per-commune details (issue 16): blanked likewise.
    stale = (
        Applicant.objects.filter(updated_at__lt=cutoff)
        .exclude(pk__in=open_ids)
        .filter(~Q(phone="") | ~Q(email="") | ~Q(address=""))
    )
    ids = list(stale.values_list("id_number", flat=True)[: _batch()])
    if ids:
        Applicant.objects.filter(id_number__in=ids).update(phone="", email="", address="")
        _log("applicant_contacts", cutoff, len(ids), {"citizens": ids})
        total += len(ids)
    return total


def _remove_scans(cutoff, now) -> int:
    total = 0
    while True:
        with transaction.atomic():
            items = list(
                Attachment.objects.select_related("dossier")
                .filter(removed_at__isnull=True, dossier__status__in=FINISHED_STATUSES, dossier__finished_at__lt=cutoff)
                .order_by("pk")[: _batch()]
            )
            if not items:
                break
            removed = []
            for item in items:
                name = item.file.name
                if name:
                    try:
                        item.file.storage.delete(name)
                    except OSError:
                        logger.warning("retention: could not delete scan %s", name, exc_info=True)
                        continue
                removed.append({"attachment": item.pk, "dossier": item.dossier.code, "size": item.size})
            Attachment.objects.filter(pk__in=[r["attachment"] for r in removed]).update(file="", removed_at=now)
            _log("scans", cutoff, len(removed), {"scans": removed})
        total += len(removed)
        if len(removed) < len(items):
            break  # files that could not be deleted: tried again next night
    return total


def _blank_guidance(cutoff) -> int:
    rows = list(
        Guidance.objects.filter(given_at__lt=cutoff)
        .filter(~Q(applicant_phone="") | ~Q(applicant_address=""))
        .values_list("pk", "number")[: _batch() * 10]
    )
    if rows:
        Guidance.objects.filter(pk__in=[pk for pk, _n in rows]).update(applicant_phone="", applicant_address="")
        _log("guidance_contacts", cutoff, len(rows), {"guidance": [n for _pk, n in rows]})
    return len(rows)


def retention_sweep(*, now=None) -> dict[str, int]:
    """One pass over every kind of personal data with a retention period. Returns the counts."""
    now = now or timezone.now()
    contacts = now - _days("RETENTION_CONTACT_DAYS", 730)
    return {
        "access_log": _purge(PersonalDataAccess, now - _days("RETENTION_ACCESS_LOG_DAYS", 1825), "access_log"),
        "applicant_changes": _purge(ApplicantChange, contacts, "applicant_changes"),
        "dossier_contacts": _blank_dossier_contacts(contacts),
        "commune_contacts": _forget_commune_contacts(contacts),
        "scans": _remove_scans(now - _days("RETENTION_SCAN_DAYS", 1825), now),
        "guidance_contacts": _blank_guidance(now - _days("RETENTION_GUIDANCE_DAYS", 365)),
    }


@shared_task(ignore_result=True, name="dossiers.retention.retention_sweep_task")
def retention_sweep_task():
    """The nightly retention job (also: python manage.py purge_personal_data)."""
    return retention_sweep()
