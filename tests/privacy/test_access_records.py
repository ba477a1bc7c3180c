"""Item 1: what each read records, through which channel, in one INSERT."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.api import DossierOut
from dossiers.models import PersonalDataAccess
from tests.privacy.conftest import ID_NUMBER, last_pk, new_rows


def api(user):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_api_detail_is_one_insert_with_channel_dossier_and_citizen(world):
    clerk, dossier = world["users"]["clerk"], world["open"]
    client = api(clerk)
    client.get(f"/api/v1/dossiers/{dossier.code}/")  # warm-up: token, sessions
    before = last_pk()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 200
    inserts = [q["sql"] for q in captured if "dossiers_personaldataaccess" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    (row,) = new_rows(before)
    assert (row.user, row.channel, row.what, row.dossier_id, row.citizen_id_number, row.subject_kind) == (
        clerk,
        "api",
        "api-detail",
        dossier.pk,
        ID_NUMBER,
        "dossier",
    )


@pytest.mark.django_db
def test_api_action_answer_is_recorded(world):
    clerk, dossier = world["users"]["clerk"], world["open"]
    before = last_pk()
    response = api(clerk).post(f"/api/v1/dossiers/{dossier.code}/transfer/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["applicant"]["id_number"] == ID_NUMBER
    (row,) = new_rows(before)
    assert (row.what, row.channel, row.dossier_id) == ("api-action:transfer", "api", dossier.pk)


@pytest.mark.django_db
def test_a_refused_action_records_nothing(world):
    officer, dossier = world["users"]["officer"], world["returned"]
    before = last_pk()
    response = api(officer).post(f"/api/v1/dossiers/{dossier.code}/transfer/", {}, format="json")
    assert response.status_code in (403, 409)
    assert new_rows(before) == []


@pytest.mark.django_db
def test_api_list_search_by_id_number_is_a_read_of_that_citizen_found_or_not(world):
    clerk = world["users"]["clerk"]
    client = api(clerk)
    before = last_pk()
    assert client.get(f"/api/v1/dossiers/?q={ID_NUMBER}").json()["count"] == 2
    assert client.get("/api/v1/dossiers/?q=001099999999").json()["count"] == 0
    hit, miss = new_rows(before)
    assert (hit.what, hit.subject_kind, hit.citizen_id_number, hit.found, hit.channel) == (
        "api-list",
        "search",
        ID_NUMBER,
        True,
        "api",
    )
    assert (miss.citizen_id_number, miss.found, miss.subject) == ("001099999999", False, "001099999999")


@pytest.mark.django_db
def test_api_list_without_search_lists_the_citizens_shown(world):
    before = last_pk()
    api(world["users"]["clerk"]).get("/api/v1/dossiers/")
    (row,) = new_rows(before)
    assert row.subject_kind == "list" and f" {ID_NUMBER} " in row.listed


@pytest.mark.django_db
def test_worklist_search_records_the_search(client, world):
    client.force_login(world["users"]["officer"])
    before = last_pk()
    response = client.get(reverse("dossiers:worklist") + f"?q={ID_NUMBER}&tab=all")
    assert response.status_code == 200
    (row,) = new_rows(before)
    assert (row.what, row.subject, row.citizen_id_number, row.channel) == ("worklist", ID_NUMBER, ID_NUMBER, "page")


@pytest.mark.django_db
def test_an_empty_worklist_without_search_records_nothing(client, world):
    client.force_login(world["users"]["stranger"])
    before = last_pk()
    assert client.get(reverse("dossiers:worklist")).status_code == 200
    assert new_rows(before) == []


@pytest.mark.django_db
def test_prints_letters_guidance_and_feedback_are_recorded_with_their_channel(client, world):
    clerk = world["users"]["clerk"]
    client.force_login(clerk)
    returned, guidance, feedback = world["returned"], world["guidance"], world["feedback"]
    before = last_pk()
    assert client.get(reverse("dossiers:print", args=[returned.code, "01"])).status_code == 200
    assert client.get(reverse("dossiers:print_letter", args=[returned.code, "chia-buon"])).status_code == 200
    assert client.get(reverse("dossiers:print_guidance", args=[guidance.number])).status_code == 200
    assert client.get(reverse("surveys:feedback_detail", args=[feedback.pk])).status_code == 200
    rows = new_rows(before)
    assert [(r.what, r.channel) for r in rows] == [
        ("print-01", "print"),
        ("letter-chia-buon", "print"),
        ("print-guidance", "print"),
        ("feedback", "page"),
    ]
    assert rows[2].subject == guidance.number
    assert rows[3].dossier_id == returned.pk and rows[3].subject == f"feedback #{feedback.pk}"


@pytest.mark.django_db
def test_register_export_goes_through_the_one_mechanism(client, world):
    client.force_login(world["users"]["clerk"])
    before = last_pk()
    assert client.get(reverse("dossiers:register")).status_code == 200  # the form: nothing read
    response = client.get(reverse("dossiers:register") + "?date_from=2025-01-01&date_to=2030-12-31")
    assert response.status_code == 200
    (row,) = new_rows(before)
    assert (row.what, row.channel, row.subject_kind, row.subject) == (
        "register-export",
        "export",
        "export",
        "2025-01-01..2030-12-31",
    )


@pytest.mark.django_db
def test_serializing_a_dossier_outside_a_recording_view_is_refused(world):
    with pytest.raises(ImproperlyConfigured):
        _data = DossierOut(world["open"]).data


@pytest.mark.django_db
def test_access_records_stay_append_only(client, world):
    client.force_login(world["users"]["clerk"])
    client.get(reverse("dossiers:detail", args=[world["open"].code]))
    row = PersonalDataAccess.objects.get()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(PermissionError):
        PersonalDataAccess.objects.update(what="x")
