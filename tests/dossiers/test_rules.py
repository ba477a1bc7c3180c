"""The rule table: an action is offered if and only if the service accepts it, for every status ×
person × condition; and the separation of duties the law expects.

Given a dossier driven through the services to a situation (status, extension taken or not,
supplement deadline passed or not, handed over or not, appraisal submitted or not, lodged at
another commune), when each person tries each action, then the service accepts exactly the actions
``allowed_actions`` offers, and a refusal is 403 (not theirs) or 409 (not now) as the table says.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from rest_framework.authtoken.models import Token

from accounts.models import ApprovalDelegation
from agencies.choices import AgencyKind
from dossiers import rules
from dossiers.choices import Action, DossierStatus
from dossiers.models import Dossier
from dossiers.services import (
    ActionForbidden,
    ApplicantData,
    OnlineFiling,
    ReceivedDocument,
    TransitionNotAllowed,
    allowed_actions,
    dossier_act,
    dossier_approve,
    dossier_assign,
    dossier_extend,
    dossier_receive,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_transfer,
    dossier_withdraw,
)
from procedures.models import Procedure
from tests.factories import AgencyFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = DossierStatus
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=VN)


class Rollback(Exception):
    pass


@pytest.fixture
def people(clerk, officer, leader, administrator, office, commune, other_commune, province):
    other_center = AgencyFactory(
        code="H99.02.01", name="Trung tâm xã Hai", kind=AgencyKind.SERVICE_CENTER, parent=other_commune
    )
    other_office = AgencyFactory(
        code="H99.02.03", name="Phòng VH-XH xã Hai", kind=AgencyKind.OFFICE, parent=other_commune
    )
    return {
        "clerk": clerk,
        "officer": officer,
        "officer2": UserFactory(username="officer2", role="officer", agency=office),
        "head": UserFactory(username="head1", role="leader", agency=office),
        "leader": leader,
        "other_clerk": UserFactory(username="clerk2", role="clerk", agency=other_center),
        "other_officer": UserFactory(username="officer_b", role="officer", agency=other_office),
        "other_leader": UserFactory(username="leader2", role="leader", agency=other_commune),
        "province_leader": UserFactory(username="leader_p", role="leader", agency=province),
        "admin": administrator,
    }


def _receive(clerk, *, code="1.000656", competent=None, online=False):
    applicant = ApplicantData(full_name="Nguyễn Văn An", id_number="001099012345", phone="0912345678")
    return dossier_receive(
        procedure=Procedure.objects.get(code=code),
        applicant=applicant,
        received_by=None if online else clerk,
        documents=[ReceivedDocument(name="Tờ khai", original_count=1)],
        competent_agency=competent,
        online=OnlineFiling(external_code="G22.99-260309-0001", receiving_agency=clerk.agency, filed_at=MONDAY_9)
        if online
        else None,
    )


def build(situation, p, other_commune):
    """Drive a dossier to a situation through the services. Returns (dossier, moment to test at)."""
    clerk, officer, leader = p["clerk"], p["officer"], p["leader"]
    later = MONDAY_9 + timedelta(hours=1)
    with time_machine.travel(MONDAY_9, tick=False):
        if situation == "awaiting_acceptance":
            return _receive(clerk, online=True), later
        if situation.startswith("cross"):
            dossier = _receive(clerk, competent=other_commune)
            if situation == "cross_in_progress":
                dossier = dossier_transfer(dossier=dossier, by=clerk)
            return dossier, later
        if situation == "received_short_path":
            dossier = _receive(clerk, code="2.000815")
            assert not dossier.requires_appraisal
            return dossier, later
        dossier = _receive(clerk)
        if situation == "received":
            return dossier, later
        if situation in ("refused_at_desk", "withdrawn"):
            if situation == "withdrawn":
                return dossier_withdraw(dossier=dossier, by=clerk, reason="Công dân rút"), later
            return dossier_refuse(dossier=dossier, by=clerk, reason="Sai thẩm quyền"), later
        dossier = dossier_transfer(dossier=dossier, by=clerk)
        if situation == "handed_over":
            return dossier, later
        dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
        if situation == "assigned":
            return dossier, later
        if situation == "extended":
            return dossier_extend(
                dossier=dossier, by=officer, reason="Cần xác minh", new_due_at=dossier.due_at + timedelta(days=3)
            ), later
        if situation == "overdue":
            return dossier, dossier.due_at + timedelta(hours=2)
        if situation.startswith("supplement"):
            dossier = dossier_request_supplement(dossier=dossier, by=officer, reason="Thiếu", missing=["Giấy báo tử"])
            moment = dossier.supplement_deadline + timedelta(hours=1) if situation == "supplement_past" else later
            return dossier, moment
        dossier = dossier_submit(dossier=dossier, by=officer)
        if situation == "submitted":
            return dossier, later
        dossier = dossier_approve(dossier=dossier, by=leader)
        if situation == "result_ready":
            return dossier, later
        if situation == "returned":
            return dossier_return(dossier=dossier, by=clerk), later
    raise AssertionError(situation)


SITUATIONS = [
    "awaiting_acceptance",
    "received",
    "received_short_path",
    "cross_received",
    "cross_in_progress",
    "refused_at_desk",
    "withdrawn",
    "handed_over",
    "assigned",
    "extended",
    "overdue",
    "supplement_waiting",
    "supplement_past",
    "submitted",
    "result_ready",
    "returned",
]


def inputs_for(action, dossier, user, p):
    """Valid inputs for each action, so that only the rules can refuse it."""
    if action == Action.ASSIGN:
        assignee = user if user.role == "officer" else p["officer"]
        if dossier.competent_agency_id != p["officer"].agency.commune().pk:
            assignee = user if user.role == "officer" else p["other_officer"]
        return {"officer": assignee}
    return {
        "reason": "Lý do",
        "missing": ["Bản sao giấy khai sinh"],
        "note": "",
        "new_due_at": dossier.due_at + timedelta(days=5),
        "expected_at": dossier.due_at + timedelta(days=5),
        "received_by_name": "Nguyễn Văn An",
        "tracking_number": "EB123456789VN",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("situation", SITUATIONS)
def test_offered_if_and_only_if_the_service_accepts(situation, people, other_commune, catalog):
    dossier, moment = build(situation, people, other_commune)
    mismatches = []
    with time_machine.travel(moment, tick=False):
        for name, user in people.items():
            fresh = Dossier.objects.get(pk=dossier.pk)
            offered = set(allowed_actions(user, fresh))
            for action in rules.RULES:
                verdict = rules.evaluate(user, fresh, action)
                try:
                    with transaction.atomic():
                        dossier_act(
                            dossier=fresh,
                            action=action,
                            by=user,
                            **inputs_for(action, fresh, user, people),
                        )
                        raise Rollback
                except Rollback:
                    accepted, code = True, 200
                except TransitionNotAllowed:
                    accepted, code = False, 409
                except ActionForbidden:
                    accepted, code = False, 403
                if (action in offered) != accepted or code != verdict.status_code:
                    mismatches.append((name, action, sorted(offered), accepted, code, verdict))
    assert not mismatches, "\n".join(map(str, mismatches))
    # Nothing was written by the refused or rolled-back attempts.
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def _api(client, user, path, data=None):
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if data is None:
        return client.get(path, **headers)
    return client.post(path, data, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("situation", ["received", "handed_over", "submitted", "extended", "cross_received"])
def test_the_api_offers_exactly_what_it_accepts(situation, people, other_commune, client, catalog):
    dossier, moment = build(situation, people, other_commune)
    with time_machine.travel(moment, tick=False):
        for name, user in people.items():
            answer = _api(client, user, f"/api/v1/dossiers/{dossier.code}/")
            if answer.status_code == 404:
                assert not rules.Facts(user, dossier).can_see, name
                continue
            offered = set(answer.json()["allowed_actions"])
            assert offered == set(allowed_actions(user, Dossier.objects.get(pk=dossier.pk))), name
            for action in rules.RULES:
                fresh = Dossier.objects.get(pk=dossier.pk)
                verdict = rules.evaluate(user, fresh, action)
                if verdict.allowed:
                    continue  # taking it would change the dossier for the next person
                body = {"reason": "x", "missing": ["y"], "new_due_at": "2027-01-01T10:00:00+07:00"}
                answer = _api(client, user, f"/api/v1/dossiers/{dossier.code}/{action}/", body)
                assert answer.status_code == verdict.status_code, (name, action, answer.json())
                assert answer.json()["detail"] == verdict.reason


@pytest.mark.django_db
def test_after_an_extension_extend_is_no_longer_offered(people, other_commune, client, catalog):
    dossier, moment = build("extended", people, other_commune)
    with time_machine.travel(moment, tick=False):
        answer = _api(client, people["officer"], f"/api/v1/dossiers/{dossier.code}/")
        assert "extend" not in answer.json()["allowed_actions"]
        again = _api(
            client,
            people["officer"],
            f"/api/v1/dossiers/{dossier.code}/extend/",
            {"reason": "x", "new_due_at": "2027-01-01T10:00:00+07:00"},
        )
        assert again.status_code == 409


# ----- separation of duties ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_submits_and_never_approves(people, other_commune, client, catalog):
    dossier, moment = build("assigned", people, other_commune)
    with time_machine.travel(moment, tick=False):
        answer = _api(client, people["officer"], f"/api/v1/dossiers/{dossier.code}/approve/", {})
        assert answer.status_code == 403
        assert "lãnh đạo" in answer.json()["detail"].lower() or "leader" in answer.json()["detail"].lower()
        with pytest.raises(ActionForbidden):
            dossier_approve(dossier=dossier, by=people["officer"])
        # A leader cannot skip the officer's appraisal either: received → handed over → appraised.
        answer = _api(client, people["leader"], f"/api/v1/dossiers/{dossier.code}/approve/", {})
        assert answer.status_code == 409
        dossier = dossier_submit(dossier=dossier, by=people["officer"])
        assert _api(client, people["leader"], f"/api/v1/dossiers/{dossier.code}/approve/", {}).status_code == 200
    steps = {h.step_name: h.completed_by.username for h in dossier.handovers.all() if h.completed_by}
    assert "leader1" in steps.values() and "officer1" in steps.values()


@pytest.mark.django_db
def test_an_officer_cannot_approve_a_dossier_still_received(people, other_commune, catalog):
    dossier, moment = build("received", people, other_commune)
    with time_machine.travel(moment, tick=False), pytest.raises(ActionForbidden):
        dossier_approve(dossier=dossier, by=people["officer"])
    assert Dossier.objects.get(pk=dossier.pk).status == S.RECEIVED


@pytest.mark.django_db
def test_the_receiving_communes_leader_does_not_decide_another_communes_dossier(people, other_commune, catalog):
    dossier, moment = build("cross_in_progress", people, other_commune)
    with time_machine.travel(moment, tick=False):
        assert rules.evaluate(people["leader"], dossier, Action.REFUSE).status_code == 403
        with pytest.raises(ActionForbidden):
            dossier_refuse(dossier=dossier, by=people["leader"], reason="x")
        assert rules.evaluate(people["other_leader"], dossier, Action.REFUSE).allowed


@pytest.mark.django_db
def test_a_province_leader_sees_but_acts_only_when_a_setting_grants_it(people, other_commune, client, catalog):
    dossier, moment = build("submitted", people, other_commune)
    boss = people["province_leader"]
    with time_machine.travel(moment, tick=False):
        assert _api(client, boss, f"/api/v1/dossiers/{dossier.code}/").status_code == 200
        assert allowed_actions(boss, dossier) == []
        assert _api(client, boss, f"/api/v1/dossiers/{dossier.code}/approve/", {}).status_code == 403
        with override_settings(ONESTOP_UPPER_LEADERS_MAY_ACT=True):
            assert Action.APPROVE in allowed_actions(boss, dossier)


@pytest.mark.django_db
def test_a_delegate_named_in_the_admin_approves(people, other_commune, commune, catalog):
    dossier, moment = build("submitted", people, other_commune)
    head = people["head"]
    with time_machine.travel(moment, tick=False):
        assert Action.APPROVE not in allowed_actions(head, dossier)
        ApprovalDelegation.objects.create(agency=commune, delegate=head, valid_from=moment.date())
        assert Action.APPROVE in allowed_actions(head, dossier)
        assert dossier_approve(dossier=dossier, by=head).status == S.RESULT_READY


@pytest.mark.django_db
def test_the_desk_approves_on_the_short_path_only_through_a_leader(people, other_commune, catalog):
    """A certification signed at the desk: no officer step, so the leader approves from received."""
    dossier, moment = build("received_short_path", people, other_commune)
    with time_machine.travel(moment, tick=False):
        assert Action.APPROVE in allowed_actions(people["leader"], dossier)
        assert Action.APPROVE not in allowed_actions(people["clerk"], dossier)


@pytest.mark.django_db
def test_the_kiosk_needs_the_key_or_a_dossier_just_returned_at_that_desk(people, other_commune, catalog):
    dossier, moment = build("returned", people, other_commune)
    clerk, officer = people["clerk"], people["officer"]
    with time_machine.travel(moment, tick=False):
        assert rules.kiosk_rating_open(clerk, dossier)
        assert not rules.kiosk_rating_open(officer, dossier)
        assert rules.kiosk_rating_open(officer, dossier, key=dossier.lookup_key)
    with time_machine.travel(moment + timedelta(hours=2), tick=False):
        verdict = rules.kiosk_rating_open(clerk, dossier)
        assert not verdict and verdict.status_code == 403
        assert rules.kiosk_rating_open(clerk, dossier, key=dossier.lookup_key)
