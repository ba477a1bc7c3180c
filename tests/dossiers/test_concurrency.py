"""Concurrent intake and concurrent actions on PostgreSQL, with real threads and connections."""

import threading

import pytest
from django.db import connection

from dossiers.models import Dossier, DossierEvent
from dossiers.services import ApplicantData, TransitionNotAllowed, dossier_receive, dossier_transfer, dossier_withdraw
from procedures.models import Procedure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    """Start every function at the same instant in its own thread; return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_fifty_intakes_at_once_get_fifty_consecutive_unique_codes(catalog, clerk):
    procedure = Procedure.objects.get(code="1.000656")

    def intake(n):
        return lambda: (
            dossier_receive(
                procedure=procedure,
                applicant=ApplicantData(full_name=f"Công dân {n}", id_number=f"0010990{n:05d}"),
                received_by=clerk,
            ).code
        )

    codes = run_together([intake(n) for n in range(50)])

    errors = [c for c in codes if isinstance(c, Exception)]
    assert not errors, errors[:3]
    assert len(set(codes)) == 50
    assert Dossier.objects.count() == 50
    prefix = {code.rsplit("-", 1)[0] for code in codes}
    assert len(prefix) == 1
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, 51))


def test_two_clerks_on_one_dossier_one_wins_the_other_gets_a_conflict(catalog, clerk, center):
    from tests.factories import UserFactory

    second_clerk = UserFactory(username="clerk2", role="clerk", agency=center)
    dossier = dossier_receive(
        procedure=Procedure.objects.get(code="1.000656"),
        applicant=ApplicantData(full_name="Đào Văn Em", id_number="001099054321"),
        received_by=clerk,
    )
    version = dossier.version
    results = run_together(
        [
            lambda: dossier_withdraw(dossier=dossier, by=clerk, reason="Công dân rút", expected_version=version),
            lambda: dossier_transfer(dossier=dossier, by=second_clerk, expected_version=version),
        ]
    )
    winners = [r for r in results if isinstance(r, Dossier)]
    losers = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(winners) == 1 and len(losers) == 1, results
    dossier.refresh_from_db()
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("pk"))
    assert len(events) == 2
    assert events[1].to_status == dossier.status
    assert dossier.version == version + 1


def test_the_database_itself_refuses_to_rewrite_history(catalog, clerk):
    from django.db import DatabaseError, transaction

    dossier = dossier_receive(
        procedure=Procedure.objects.get(code="1.000656"),
        applicant=ApplicantData(full_name="Đào Văn Em", id_number="001099054322"),
        received_by=clerk,
    )
    event = dossier.events.get()
    for sql in (
        "UPDATE dossiers_dossierevent SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert DossierEvent.objects.get(pk=event.pk).note == ""
