"""Item 2: a citizen's details are never overwritten by another agency; every change is kept with
who and when; the intake autofill offers only the clerk's own commune's details, to intake roles,
throttled per user, and every lookup is recorded (found or not)."""

import pytest
from django.urls import reverse

from dossiers.models import Applicant, ApplicantChange, ApplicantContact
from tests.factories import UserFactory
from tests.privacy.conftest import ADDRESS, EMAIL, ID_NUMBER, NAME, PHONE, demo_citizen, last_pk, new_rows


@pytest.fixture
def other_clerk(other_commune):
    from agencies.choices import AgencyKind
    from tests.factories import AgencyFactory

    desk = AgencyFactory(
        code="H99.02.01", name="Trung tâm HCC xã Hai", kind=AgencyKind.SERVICE_CENTER, parent=other_commune
    )
    return UserFactory(username="clerk2", role="clerk", agency=desk)


@pytest.mark.django_db
def test_another_commune_never_overwrites_the_details_and_every_change_is_kept(
    receive, clerk, other_clerk, commune, other_commune
):
    # Given the citizen's details recorded at commune one
    first = receive("1.001193", applicant=demo_citizen())
    # When commune two's clerk receives a dossier with another phone and e-mail
    second = receive("1.001193", by=other_clerk, applicant=demo_citizen(phone="0911111111", email="x@example.vn"))
    # Then commune one's details, the shared record and the first dossier are untouched
    mine = ApplicantContact.objects.get(applicant__id_number=ID_NUMBER, agency=commune)
    theirs = ApplicantContact.objects.get(applicant__id_number=ID_NUMBER, agency=other_commune)
    assert (mine.phone, mine.email, mine.address) == (PHONE, EMAIL, ADDRESS)
    assert (theirs.phone, theirs.email) == ("0911111111", "x@example.vn")
    first.refresh_from_db()
    assert (first.applicant_phone, first.applicant_email) == (PHONE, EMAIL)
    assert (second.applicant_phone, second.applicant_email) == ("0911111111", "x@example.vn")
    person = Applicant.objects.get(id_number=ID_NUMBER)
    assert person.full_name == NAME and first.applicant_id == second.applicant_id == person.pk
    # And each change has who, when, where and from which dossier
    changes = list(ApplicantChange.objects.filter(applicant=person).order_by("pk"))
    assert [(c.agency, c.changed_by, c.dossier_id, c.source) for c in changes] == [
        (commune, clerk, first.pk, "intake"),
        (other_commune, other_clerk, second.pk, "intake"),
    ]
    assert changes[0].changes["created"] is True and changes[0].changes["phone"] == ["", PHONE]
    # A later intake at commune one with a new phone changes only commune one's, with before/after
    receive("1.001193", applicant=demo_citizen(phone="0922222222", email=""))
    mine.refresh_from_db()
    assert (mine.phone, mine.email) == ("0922222222", EMAIL)  # a blank e-mail erases nothing
    assert ApplicantChange.objects.order_by("-pk").first().changes == {"phone": [PHONE, "0922222222"]}
    with pytest.raises(PermissionError):
        ApplicantChange.objects.first().delete()


@pytest.mark.django_db
def test_autofill_offers_only_the_clerks_own_commune_and_records_hits_and_misses(client, receive, clerk, other_clerk):
    receive("1.001193", by=other_clerk, applicant=demo_citizen(phone="0911111111"))
    url = reverse("dossiers:applicant_lookup") + f"?id_number={ID_NUMBER}"
    # Known only to commune two: commune one's clerk is offered nothing, and the miss is recorded
    client.force_login(clerk)
    before = last_pk()
    response = client.get(url)
    assert response.status_code == 204 and NAME not in response.content.decode()
    (miss,) = new_rows(before)
    assert (miss.what, miss.citizen_id_number, miss.found, miss.user) == ("applicant-lookup", ID_NUMBER, False, clerk)
    # Once the citizen gave the details at commune one's desk, its own details are offered
    receive("1.001193", applicant=demo_citizen())
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200 and PHONE in text and "0911111111" not in text
    assert new_rows(before)[-1].found is True


@pytest.mark.django_db
def test_lookup_is_for_intake_roles_only(client, receive, officer, leader):
    receive("1.001193", applicant=demo_citizen())
    url = reverse("dossiers:applicant_lookup") + f"?id_number={ID_NUMBER}"
    for user in (officer, leader):
        client.force_login(user)
        assert client.get(url).status_code == 403
    assert new_rows(0) == []


@pytest.mark.django_db
def test_lookup_is_throttled_per_user(client, receive, clerk, other_clerk, settings):
    settings.APPLICANT_LOOKUP_RATE = "3/m"
    url = reverse("dossiers:applicant_lookup") + f"?id_number={ID_NUMBER}"
    client.force_login(clerk)
    assert [client.get(url).status_code for _ in range(4)] == [204, 204, 204, 429]
    client.force_login(other_clerk)  # another user, same address: its own budget
    assert client.get(url).status_code == 204
    assert len(new_rows(0)) == 4  # the refused lookup read nothing
