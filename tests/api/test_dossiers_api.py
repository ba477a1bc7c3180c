"""The staff dossier API of ../shared/api.md: paths, fields, statuses and error codes."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import Dossier
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = {
    "full_name": "Lê Thị Cúc",
    "id_number": "031190001234",
    "phone": "0901234567",
    "email": "cuc@example.vn",
    "address": "Thôn Nam, xã Một",
}


def api_for(user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="vi")
    return client


def create(client, **overrides):
    body = {
        "procedure": "1.000656",
        "channel": "direct",
        "applicant": APPLICANT,
        "return_method": "desk",
        "documents": [{"name": "Tờ khai đăng ký khai tử", "original_count": 1, "copy_count": 0}, "Giấy báo tử"],
        **overrides,
    }
    return client.post("/api/v1/dossiers/", body, format="json")


@pytest.mark.django_db
def test_create_answers_201_with_the_contract_fields(catalog, clerk):
    with time_machine.travel(datetime(2026, 3, 10, 14, 0, tzinfo=VN), tick=False):
        response = create(api_for(clerk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"code", "status", "received_at", "due_at", "lookup_key", "lookup_url"} <= set(body)
    assert re.fullmatch(r"H99\.01\.01-260310-\d{4}", body["code"])
    assert body["status"] == "received"
    assert body["received_at"] == "2026-03-10T14:00:00+07:00"
    assert body["due_at"] == "2026-03-10T17:00:00+07:00"  # khai tử: same day
    assert body["lookup_url"].endswith(f"/tra-cuu/{body['code']}/?key={body['lookup_key']}")
    assert len(body["lookup_key"]) >= 13
    assert [d["name"] for d in body["documents"]] == ["Tờ khai đăng ký khai tử", "Giấy báo tử"]


@pytest.mark.django_db
def test_received_at_may_be_given_and_drives_the_due_time(catalog, clerk):
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=VN), tick=False):
        response = create(
            api_for(clerk),
            procedure="1.000689",
            received_at="2026-03-10T15:30:00+07:00",
            received_at_reason="Hồ sơ giấy nhận chiều qua, nay nhập",
        )
    assert response.status_code == 201
    assert response.json()["due_at"] == "2026-03-13T15:30:00+07:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"procedure": "9.999999"}, "procedure"),
        ({"channel": "fax"}, "channel"),
        ({"return_method": "drone"}, "return_method"),
        ({"applicant": {**APPLICANT, "id_number": "abc"}}, "applicant.id_number"),
        ({"applicant": {**APPLICANT, "phone": "12"}}, "applicant.phone"),
        ({"applicant": {**APPLICANT, "full_name": ""}}, "applicant"),
        ({"return_method": "post", "applicant": {**APPLICANT, "address": ""}}, "return_address"),
        ({"received_at": "hôm qua"}, "received_at"),
        ({"documents": [{"name": "x", "original_count": -1}]}, "documents"),
        ({"procedure": "1.004772"}, "procedure"),  # processing time not confirmed
    ],
)
def test_bad_input_is_400_in_vietnamese_and_creates_nothing(catalog, clerk, overrides, field):
    response = create(api_for(clerk), **overrides)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert any(key == field or key.startswith(field) for key in body["errors"]), body
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_authentication_is_required(catalog, client):
    assert client.get("/api/v1/dossiers/").status_code in (401, 403)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    response = bad.get("/api/v1/dossiers/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_full_lifecycle_through_the_api(catalog, clerk, officer, leader):
    desk, office, boss = api_for(clerk), api_for(officer), api_for(leader)
    code = create(desk).json()["code"]

    def act(client, action, body=None):
        return client.post(f"/api/v1/dossiers/{code}/{action}/", body or {}, format="json")

    assert act(boss, "assign", {"officer": "officer1"}).json()["status"] == "in_progress"
    assert act(office, "approve").status_code == 403  # an officer submits, never approves
    assert act(office, "submit").json()["status"] == "in_progress"
    assert act(boss, "approve").json()["status"] == "result_ready"
    returned = act(desk, "return")
    assert returned.status_code == 200
    body = returned.json()
    assert body["status"] == "returned"
    assert body["finished_at"] is not None
    assert body["assignee"] == "officer1"
    assert [e["action"] for e in body["events"]] == ["receive", "assign", "submit", "approve", "return"]
    assert {"at", "actor", "action", "note"} <= set(body["events"][0])
    assert body["events"][1]["actor"] == "leader1"

    detail = desk.get(f"/api/v1/dossiers/{code}/").json()
    assert {"status", "received_at", "due_at", "original_due_at", "finished_at", "assignee", "events"} <= set(detail)


@pytest.mark.django_db
def test_transition_not_allowed_is_409_and_changes_nothing(catalog, clerk):
    desk = api_for(clerk)
    code = create(desk).json()["code"]
    before = desk.get(f"/api/v1/dossiers/{code}/").json()
    for action, body in [("return", {}), ("supplement", {}), ("close", {})]:
        response = desk.post(f"/api/v1/dossiers/{code}/{action}/", body, format="json")
        assert response.status_code == 409, (action, response.content)
        assert set(response.json()) == {"detail", "errors"}
    assert desk.get(f"/api/v1/dossiers/{code}/").json() == before


@pytest.mark.django_db
def test_extend_and_supplement_through_the_api(catalog, clerk, officer):
    desk, office = api_for(clerk), api_for(officer)
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=VN), tick=False):
        code = create(desk, procedure="1.000689").json()["code"]  # 3 working days → 12/03 09:00
        office.post(f"/api/v1/dossiers/{code}/assign/", {"officer": "officer1"}, format="json")
        missing = office.post(f"/api/v1/dossiers/{code}/extend/", {"reason": "Cần xác minh"}, format="json")
        assert missing.status_code == 400 and "new_due_at" in missing.json()["errors"]
        extended = office.post(
            f"/api/v1/dossiers/{code}/extend/",
            {"reason": "Cần xác minh", "new_due_at": "2026-03-16T17:00:00+07:00"},
            format="json",
        ).json()
        assert extended["due_at"] == "2026-03-16T17:00:00+07:00"
        assert extended["original_due_at"] == "2026-03-12T09:00:00+07:00"
        again = office.post(
            f"/api/v1/dossiers/{code}/extend/",
            {"reason": "Lần hai", "new_due_at": "2026-03-18T17:00:00+07:00"},
            format="json",
        )
        assert again.status_code == 409
        asked = office.post(
            f"/api/v1/dossiers/{code}/request_supplement/",
            {"reason": "Thiếu giấy", "missing": "Giấy chứng sinh"},
            format="json",
        ).json()
        assert asked["status"] == "awaiting_supplement"
    with time_machine.travel(datetime(2026, 3, 13, 10, 0, tzinfo=VN), tick=False):
        restarted = desk.post(f"/api/v1/dossiers/{code}/supplement/", {}, format="json").json()
    assert restarted["status"] == "in_progress"
    assert restarted["due_at"] == "2026-03-18T10:00:00+07:00"


@pytest.mark.django_db
def test_list_filters(catalog, clerk, officer, receive):
    desk = api_for(clerk)
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=VN), tick=False):
        late = create(desk, procedure="1.000656").json()["code"]
        create(desk, procedure="1.000689")
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=VN), tick=False):
        body = desk.get("/api/v1/dossiers/", {"overdue": "true"}).json()
        assert [d["code"] for d in body["results"]] == [late]
        assert body["results"][0]["overdue"] is True
        assert desk.get("/api/v1/dossiers/", {"status": "received"}).json()["count"] == 2
        assert desk.get("/api/v1/dossiers/", {"procedure": "1.000689"}).json()["count"] == 1
        assert desk.get("/api/v1/dossiers/", {"received_from": "2026-03-10"}).json()["count"] == 0
        assert desk.get("/api/v1/dossiers/", {"received_to": "2026-03-09"}).json()["count"] == 2
        bad = desk.get("/api/v1/dossiers/", {"status": "lost"})
        assert bad.status_code == 400 and "status" in bad.json()["errors"]


@pytest.mark.django_db
def test_other_communes_see_nothing_and_roles_are_enforced(catalog, clerk, other_commune):
    code = create(api_for(clerk)).json()["code"]
    stranger = api_for(UserFactory(username="nbk_clerk", role="clerk", agency=other_commune))
    assert stranger.get(f"/api/v1/dossiers/{code}/").status_code == 404
    assert stranger.post(f"/api/v1/dossiers/{code}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    assert stranger.get("/api/v1/dossiers/").json()["count"] == 0
    forbidden = api_for(clerk).post(f"/api/v1/dossiers/{code}/approve/", {}, format="json")
    assert forbidden.status_code == 403
    assert set(forbidden.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_unknown_action_and_code_are_404(catalog, clerk):
    desk = api_for(clerk)
    code = create(desk).json()["code"]
    assert desk.post(f"/api/v1/dossiers/{code}/explode/", {}, format="json").status_code == 404
    assert desk.get("/api/v1/dossiers/H00-000000-0000/").status_code == 404


@pytest.mark.django_db
def test_stale_version_is_409(catalog, clerk, officer):
    desk = api_for(clerk)
    created = create(desk).json()
    api_for(officer).post(f"/api/v1/dossiers/{created['code']}/assign/", {"officer": "officer1"}, format="json")
    stale = desk.post(
        f"/api/v1/dossiers/{created['code']}/withdraw/", {"reason": "x", "version": created["version"]}, format="json"
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_the_desk_hands_a_dossier_to_an_officer(catalog, clerk, officer):
    desk = api_for(clerk)
    code = create(desk).json()["code"]
    body = desk.post(f"/api/v1/dossiers/{code}/assign/", {"officer": "officer1"}, format="json").json()
    assert (body["status"], body["assignee"]) == ("in_progress", "officer1")
    assert desk.post(f"/api/v1/dossiers/{code}/approve/", {}, format="json").status_code == 403
