"""The dossier lifecycle through its services: every transition, allowed and refused."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dossiers.choices import DossierStatus
from dossiers.models import Dossier, DossierEvent, Extension
from dossiers.services import (
    ActionForbidden,
    ApplicantData,
    TransitionNotAllowed,
    dossier_approve,
    dossier_assign,
    dossier_close,
    dossier_extend,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_supplement,
    dossier_transfer,
    dossier_withdraw,
)
from procedures.models import Procedure
from procedures.services import agency_procedure_configure, catalog_apply
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = DossierStatus


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


# ----- intake ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_receive_gives_code_due_time_key_and_history(receive, clerk, center, office):
    dossier = receive("1.001193", at=at(2026, 3, 9, 10))  # same-day procedure
    assert re.fullmatch(r"H99\.01\.01-260309-0001", dossier.code)
    assert dossier.status == S.RECEIVED
    assert dossier.received_at == at(2026, 3, 9, 10)
    assert dossier.due_at == at(2026, 3, 9, 17) == dossier.original_due_at
    assert dossier.handover_due_at == at(2026, 3, 9, 17)
    assert re.fullmatch(r"[A-Z2-9]{14}", dossier.lookup_key)
    assert dossier.receiving_agency == center
    assert dossier.competent_agency == center.commune()
    event = dossier.events.get()
    assert (event.action, event.actor, event.from_status, event.to_status) == ("receive", clerk, "", "received")
    assert dossier.handovers.count() == 4


@pytest.mark.django_db
def test_daily_sequence_counts_per_agency_and_day(receive):
    first = receive(at=at(2026, 3, 9, 8))
    second = receive(at=at(2026, 3, 9, 9))
    next_day = receive(at=at(2026, 3, 10, 8))
    assert [first.code[-4:], second.code[-4:], next_day.code] == ["0001", "0002", "H99.01.01-260310-0001"]


@pytest.mark.django_db
def test_received_after_15h_is_handed_over_next_morning(receive):
    dossier = receive("1.001193", at=at(2026, 3, 13, 15, 30))  # Friday
    assert dossier.handover_due_at == at(2026, 3, 16, 7, 30)
    assert dossier.due_at == at(2026, 3, 16, 17)


@pytest.mark.django_db
def test_shortened_time_of_the_competent_commune_is_applied(receive, commune):
    procedure = Procedure.objects.filter(
        versions__processing_unit="working_days", versions__processing_amount=3
    ).first()
    agency_procedure_configure(
        agency=commune, procedure=procedure, shortened_time={"amount": 2, "unit": "working_days"}
    )
    dossier = receive(procedure.code, at=at(2026, 3, 9, 9))
    assert dossier.shortened
    assert dossier.due_at == at(2026, 3, 11, 9)


@pytest.mark.django_db
def test_a_new_version_of_the_procedure_never_moves_an_existing_dossier(receive, catalog):
    dossier = receive("1.000656", at=at(2026, 3, 9, 9))
    due, version = dossier.due_at, dossier.procedure_version
    record = next(p for p in catalog["procedures"] if p["code"] == "1.000656")
    changed = {**record, "processing_time": {"amount": 10, "unit": "working_days"}, "fee": "50.000 đồng"}
    catalog_apply([("test", {**changed, "effective_from": date(2026, 3, 10)})])
    dossier.refresh_from_db()
    assert (dossier.due_at, dossier.procedure_version) == (due, version)
    later = receive("1.000656", at=at(2026, 3, 10, 9), id_number="001099000002")
    assert later.procedure_version != version
    assert later.due_at == at(2026, 3, 24, 9)
    assert later.fee == "50.000 đồng"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        (ApplicantData(full_name="", id_number="001099012345"), "applicant.full_name"),
        (ApplicantData(full_name="Lê Văn B", id_number="12345"), "applicant.id_number"),
        (ApplicantData(full_name="Lê Văn B", id_number="001099012345", phone="12ab"), "applicant.phone"),
        (ApplicantData(full_name="Lê Văn B", id_number="001099012345", email="not-an-email"), "applicant.email"),
    ],
)
def test_bad_applicant_data_changes_nothing(receive, applicant, field):
    with pytest.raises(ValidationError) as caught:
        receive(applicant=applicant)
    assert field in caught.value.message_dict
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_post_return_needs_an_address_and_future_times_are_refused(receive):
    with pytest.raises(ValidationError) as caught:
        receive(return_method="post", applicant=ApplicantData(full_name="Lê Văn B", id_number="001099012345"))
    assert "return_address" in caught.value.message_dict
    with pytest.raises(ValidationError):
        receive(received_at=datetime.now(tz=VN) + timedelta(hours=2))
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_unconfirmed_processing_time_cannot_be_received(receive):
    with pytest.raises(ValidationError) as caught:
        receive("1.004772")
    assert "procedure" in caught.value.message_dict


@pytest.mark.django_db
def test_only_clerks_receive(receive, officer):
    with pytest.raises(ActionForbidden):
        receive(by=officer)


# ----- transitions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_happy_path_records_who_when_and_why(receive, clerk, officer, leader):
    dossier = receive("1.000656", at=at(2026, 3, 9, 9))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        dossier = dossier_transfer(dossier=dossier, by=clerk)
    with time_machine.travel(at(2026, 3, 9, 11), tick=False):
        dossier = dossier_assign(dossier=dossier, officer=officer, by=leader, note="Giao anh Minh")
    with time_machine.travel(at(2026, 3, 9, 14), tick=False):
        dossier = dossier_submit(dossier=dossier, by=officer)
        dossier = dossier_approve(dossier=dossier, by=leader)
    with time_machine.travel(at(2026, 3, 9, 16), tick=False):
        dossier = dossier_return(dossier=dossier, by=clerk, received_by_name="Nguyễn Văn An")
    rows = list(dossier.events.values_list("action", "actor__username", "from_status", "to_status", "at"))
    assert rows == [
        ("receive", "clerk1", "", "received", at(2026, 3, 9, 9)),
        ("transfer", "clerk1", "received", "in_progress", at(2026, 3, 9, 10)),
        ("assign", "leader1", "in_progress", "in_progress", at(2026, 3, 9, 11)),
        ("submit", "officer1", "in_progress", "in_progress", at(2026, 3, 9, 14)),
        ("approve", "leader1", "in_progress", "result_ready", at(2026, 3, 9, 14)),
        ("return", "clerk1", "result_ready", "returned", at(2026, 3, 9, 16)),
    ]
    assert dossier.finished_at == at(2026, 3, 9, 16)
    assert dossier.returned_to == "Nguyễn Văn An"
    assert all(h.completed_at for h in dossier.handovers.all())


@pytest.mark.django_db
def test_supplement_restarts_the_deadline_from_zero(receive, officer, clerk):
    dossier = receive("1.000689", at=at(2026, 3, 9, 9))  # 3 working days
    assert dossier.due_at == at(2026, 3, 12, 9)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        dossier = dossier_request_supplement(
            dossier=dossier, by=officer, reason="Thiếu giấy", missing="Giấy chứng sinh"
        )
    assert dossier.status == S.AWAITING_SUPPLEMENT
    assert dossier.supplement_deadline == at(2026, 3, 25, 10)
    with time_machine.travel(at(2026, 3, 16, 14), tick=False):
        dossier = dossier_supplement(dossier=dossier, by=clerk)
    assert dossier.status == S.IN_PROGRESS
    assert dossier.clock_started_at == at(2026, 3, 16, 14)
    assert dossier.due_at == at(2026, 3, 19, 14)  # three full working days from the papers' arrival
    assert dossier.handovers.filter(cycle=2).count() == 4


@pytest.mark.django_db
def test_a_second_supplement_request_is_flagged(receive, officer, clerk):
    dossier = dossier_assign(dossier=receive("1.000689"), officer=officer, by=officer)
    dossier = dossier_request_supplement(dossier=dossier, by=officer, reason="a", missing="b")
    dossier = dossier_supplement(dossier=dossier, by=clerk)
    dossier = dossier_request_supplement(dossier=dossier, by=officer, reason="c", missing="d")
    assert list(dossier.supplement_requests.order_by("pk").values_list("flagged", flat=True)) == [False, True]
    assert dossier.supplement_count == 2


@pytest.mark.django_db
def test_closing_waits_for_the_supplement_deadline(receive, officer, clerk):
    dossier = dossier_assign(dossier=receive("1.000689", at=at(2026, 3, 9, 9)), officer=officer, by=officer)
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        dossier = dossier_request_supplement(dossier=dossier, by=officer, reason="a", missing="b")
    with time_machine.travel(at(2026, 3, 24, 10), tick=False), pytest.raises(TransitionNotAllowed):
        dossier_close(dossier=dossier, by=clerk)
    with time_machine.travel(at(2026, 3, 25, 10, 1), tick=False):
        dossier = dossier_close(dossier=dossier, by=clerk)
    assert dossier.status == S.CLOSED
    assert dossier.finished_at == at(2026, 3, 25, 10, 1)


@pytest.mark.django_db
def test_extension_once_only_and_only_before_the_due_time(receive, officer):
    dossier = dossier_assign(dossier=receive("1.000689", at=at(2026, 3, 9, 9)), officer=officer, by=officer)
    with time_machine.travel(at(2026, 3, 11, 9), tick=False):
        with pytest.raises(ValidationError):
            dossier_extend(dossier=dossier, by=officer, reason="x", new_due_at=at(2026, 3, 11, 9))
        dossier = dossier_extend(dossier=dossier, by=officer, reason="Chờ xác minh", new_due_at=at(2026, 3, 16, 17))
        assert (dossier.due_at, dossier.original_due_at) == (at(2026, 3, 16, 17), at(2026, 3, 12, 9))
        with pytest.raises(TransitionNotAllowed):
            dossier_extend(dossier=dossier, by=officer, reason="again", new_due_at=at(2026, 3, 20, 17))
    assert Extension.objects.filter(dossier=dossier).count() == 1

    late = dossier_assign(
        dossier=receive("1.000689", at=at(2026, 3, 9, 9), id_number="001099000009"), officer=officer, by=officer
    )
    with time_machine.travel(at(2026, 3, 12, 9, 1), tick=False), pytest.raises(TransitionNotAllowed):
        dossier_extend(dossier=late, by=officer, reason="late", new_due_at=at(2026, 3, 20, 17))


@pytest.mark.django_db
def test_one_extension_is_a_database_rule(receive, officer):
    dossier = receive("1.000689")
    Extension.objects.create(
        dossier=dossier, reason="a", previous_due_at=dossier.due_at, new_due_at=dossier.due_at, created_by=officer
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(
            dossier=dossier, reason="b", previous_due_at=dossier.due_at, new_due_at=dossier.due_at, created_by=officer
        )


@pytest.mark.django_db
def test_history_is_append_only(receive):
    event = receive().events.get()
    with pytest.raises(PermissionError):
        event.note = "rewritten"
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        DossierEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(PermissionError):
        DossierEvent.objects.all().delete()


@pytest.mark.django_db
def test_roles_and_agencies_are_checked(receive, clerk, officer, other_commune):
    dossier = receive("1.000656")
    with pytest.raises(ActionForbidden):
        dossier_approve(dossier=dossier, by=clerk)
    stranger = UserFactory(username="stranger", role="officer", agency=other_commune)
    with pytest.raises(ActionForbidden):
        dossier_assign(dossier=dossier, officer=stranger, by=stranger)
    with pytest.raises(ActionForbidden):
        dossier_assign(
            dossier=dossier, officer=officer, by=UserFactory(username="peer", role="officer", agency=officer.agency)
        )
    with pytest.raises(ValidationError):
        dossier_assign(
            dossier=dossier, officer=clerk, by=UserFactory(username="boss", role="leader", agency=officer.agency.parent)
        )
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED and dossier.events.count() == 1


@pytest.mark.django_db
def test_stale_version_is_a_conflict(receive, officer, clerk):
    dossier = receive("1.000656")
    stale = dossier.version
    dossier_assign(dossier=dossier, officer=officer, by=officer, expected_version=stale)
    with pytest.raises(TransitionNotAllowed) as caught:
        dossier_withdraw(dossier=dossier, by=clerk, reason="x", expected_version=stale)
    assert "người khác" in str(caught.value) or "someone else" in str(caught.value)


@pytest.mark.django_db
def test_inter_agency_dossier_is_tracked_by_both_communes(receive, clerk, other_commune):
    from dossiers.selectors import dossier_list

    other_office = UserFactory(username="nbk_officer", role="officer", agency=other_commune)
    dossier = receive("1.000656", competent_agency=other_commune)
    assert dossier.receiving_agency == clerk.agency
    assert dossier.competent_agency == other_commune
    assert dossier.code.startswith(clerk.agency.code)
    assert dossier in dossier_list(clerk)
    assert dossier in dossier_list(other_office)
    dossier = dossier_assign(dossier=dossier, officer=other_office, by=other_office)
    assert dossier.assignee == other_office
    with pytest.raises(ValidationError):
        dossier_assign(
            dossier=dossier,
            officer=UserFactory(username="home_officer", role="officer", agency=clerk.agency.parent),
            by=UserFactory(username="nbk_leader", role="leader", agency=other_commune),
        )
