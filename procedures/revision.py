"""The catalogue's revision, and the intake's per-process copy of the catalogue that it keeps exact.

Every intake needs its procedure with the version in force, that version's workflow steps and the
competent commune's setting: four queries and about 4 ms of ORM work on each of the 100 dossiers a
second a province registers at its peak (issue 17), for rows that change a few times a year. Each
process keeps what it read under the catalogue's revision stamp (``CatalogRevision``: one row, given
a new random stamp in the same transaction as every change of a catalogue row,
procedures/receivers.py), and reads the stamp, one primary-key read, before using its copy: a
committed change is seen by the very next intake in every process. A copy read inside a transaction
that changed the catalogue is kept under that transaction's own stamp, which nobody sees again if
it rolls back (stamps are random, never reused). Nothing is shared between processes, so nothing can
go stale in a shared cache.
"""

from __future__ import annotations

import secrets
import threading

from django.db import connections
from django.utils import timezone

from .models import CatalogRevision

_lock = threading.Lock()
_copy: dict = {}  # (code, day) → procedure; ("setting", commune id, procedure id) → its setting or None
_copy_revision: list = [None]
_COPY_SIZE = 20000  # procedures × days in use, plus communes × procedures (a province: about 8,000)


def catalog_revision(using: str = "default") -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {CatalogRevision._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def catalog_changed(using: str = "default") -> None:
    """Give the catalogue a new stamp (in the caller's transaction, if any)."""
    stamp = secrets.randbits(62) + 1
    manager = CatalogRevision.objects.using(using)
    if not manager.filter(pk=1).update(stamp=stamp):
        manager.update_or_create(pk=1, defaults={"stamp": stamp})


def _kept(revision: int, key, read):
    """The value kept under ``key`` if the copy is at ``revision``, else ``read()``, kept."""
    with _lock:
        if _copy_revision[0] == revision and key in _copy:
            return _copy[key]
    value = read()
    with _lock:
        if _copy_revision[0] != revision:
            _copy.clear()
            _copy_revision[0] = revision
        if len(_copy) >= _COPY_SIZE:
            _copy.clear()
        _copy[key] = value
    return value


def procedure_for_intake(code: str, *, day=None):
    """``procedures.selectors.procedure_get(code, documents=False)`` served from this process's copy
    while the catalogue's revision is the one the copy was read at. The procedure returned is shared
    by the requests of this process: read it, never change it."""
    from .selectors import normalize_procedure_code, procedure_get

    code = normalize_procedure_code(code)
    day = day or timezone.localdate()
    revision = catalog_revision()

    def read():
        procedure = procedure_get(code, day=day, documents=False)
        if procedure is not None:
            # Read everything the intake touches now, while the copy is private to this request.
            _ = procedure.field, procedure.current and list(procedure.current.workflow_steps.all())
            procedure.catalog_stamp = revision
        return procedure

    return _kept(revision, (code, day), read)


def setting_for_intake(commune, procedure):
    """``procedures.selectors.agency_settings_for(commune, [procedure])[procedure.pk]`` (or None)
    from the same copy, under the same stamp."""
    from .selectors import agency_settings_for

    if commune is None or commune.pk is None:
        return None
    # The stamp this request already checked with procedure_for_intake, else read now.
    revision = getattr(procedure, "catalog_stamp", None)
    if revision is None:
        revision = catalog_revision()

    def read():
        setting = agency_settings_for(commune, [procedure]).get(procedure.pk)
        if setting is not None:
            _ = setting.processing_office  # read ahead: shared once kept
        return setting

    return _kept(revision, ("setting", commune.pk, procedure.pk), read)


def clear_intake_copy() -> None:
    with _lock:
        _copy.clear()
        _copy_revision[0] = None
