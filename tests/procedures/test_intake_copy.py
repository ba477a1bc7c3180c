"""The intake's per-process copy of the catalogue (procedures.revision, issue 17): one primary-key
read when nothing changed, and every committed change of a catalogue row (a version, its steps, the
procedure, an agency's setting) seen by the very next intake; a rolled-back change is never served."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procedures.models import CatalogRevision, Procedure, ProcedureVersion, WorkflowStep
from procedures.revision import catalog_revision, clear_intake_copy, procedure_for_intake


@pytest.fixture(autouse=True)
def _empty_copy():
    clear_intake_copy()
    yield
    clear_intake_copy()


def _new_version(procedure, *, amount, days_ago=0):
    current = procedure.version_on()
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        effective_from=timezone.localdate() - timedelta(days=days_ago),
        name=current.name,
        processing_amount=Decimal(amount),
        processing_unit=current.processing_unit,
    )
    WorkflowStep.objects.create(version=version, order=1, name="Thẩm định", role="officer")
    return version


@pytest.mark.django_db
def test_kept_copy_costs_one_read(catalog):
    first = procedure_for_intake("1.001193")
    with CaptureQueriesContext(connection) as queries:
        again = procedure_for_intake("1.001193.000.00.00.H35")  # a suffixed code is the same procedure
    assert again is first
    assert len(queries) == 1 and "catalogrevision" in queries[0]["sql"]
    assert again.current is not None and again.current.workflow_steps.all()  # steps read ahead


@pytest.mark.django_db(transaction=True)
def test_committed_change_is_seen_by_the_next_intake(catalog):
    procedure = Procedure.objects.get(code="1.001193")
    before = procedure_for_intake("1.001193")
    stamp = catalog_revision()
    version = _new_version(procedure, amount="2")  # committed (autocommit)
    assert catalog_revision() != stamp
    after = procedure_for_intake("1.001193")
    assert after is not before
    assert after.current.pk == version.pk and after.current.processing_amount == Decimal("2")
    assert [s.name for s in after.current.workflow_steps.all()] == ["Thẩm định"]

    Procedure.objects.filter(pk=procedure.pk).update(is_active=True)  # a bulk write sends no signal…
    assert procedure_for_intake("1.001193") is after  # …and changes nothing the copy holds
    procedure.save()  # a saved row, even unchanged, gives a new stamp
    assert procedure_for_intake("1.001193") is not after


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_is_never_served(catalog):
    procedure = Procedure.objects.get(code="1.001193")
    committed = procedure_for_intake("1.001193").current.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        _new_version(procedure, amount="3")
        inside = procedure_for_intake("1.001193")  # this transaction sees its own change…
        assert inside.current.processing_amount == Decimal("3")
        raise RuntimeError("rolled back")
    assert procedure_for_intake("1.001193").current.pk == committed  # …nobody sees it after the rollback
    other = _new_version(procedure, amount="4", days_ago=1)  # another change, committed
    served = procedure_for_intake("1.001193")
    assert served.current.pk in (other.pk, committed)
    assert served.current.pk == procedure.version_on().pk


@pytest.mark.django_db
def test_stamp_row_is_created_by_the_first_change(catalog):
    CatalogRevision.objects.all().delete()
    assert catalog_revision() == 0
    Procedure.objects.get(code="1.001193").save()
    assert catalog_revision() != 0
