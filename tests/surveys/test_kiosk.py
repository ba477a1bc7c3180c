"""The desk kiosk: lookup by scanning or typing, rating tablet, scoped to the kiosk's agency."""

import pytest
from django.urls import reverse

from dossiers.codes import format_lookup_key
from surveys.choices import EvaluationChannel
from surveys.models import Evaluation
from tests.factories import UserFactory

from .conftest import APPLICANT


@pytest.mark.django_db
def test_kiosk_needs_a_staff_login(client):
    assert client.get(reverse("surveys:kiosk")).status_code == 302
    assert client.get(reverse("surveys:kiosk_rate", args=["X"])).status_code == 302


@pytest.mark.django_db
def test_kiosk_lookup_by_scanned_url_or_typed_code(client, clerk, returned):
    client.force_login(clerk)
    home = client.get(reverse("surveys:kiosk")).content.decode()
    assert 'name="scan"' in home and "setTimeout" in home
    scanned = f"http://testserver/tra-cuu/{returned.code}/?key={returned.lookup_key}"
    html = client.get(reverse("surveys:kiosk"), {"scan": scanned}).content.decode()
    assert 'data-testid="kiosk-status" data-status="returned"' in html
    assert APPLICANT.full_name not in html and APPLICANT.id_number not in html
    typed = {"code": returned.code, "key": format_lookup_key(returned.lookup_key).lower()}
    assert 'data-testid="kiosk-status"' in client.get(reverse("surveys:kiosk"), typed).content.decode()
    wrong = client.get(reverse("surveys:kiosk"), {"code": returned.code, "key": "AAAA"}).content.decode()
    assert 'data-testid="kiosk-not-found"' in wrong


@pytest.mark.django_db
def test_kiosk_of_another_commune_does_not_find_the_dossier(client, other_commune, returned):
    client.force_login(UserFactory(username="kiosk2", role="clerk", agency=other_commune))
    html = client.get(reverse("surveys:kiosk"), {"code": returned.code, "key": returned.lookup_key}).content.decode()
    assert 'data-testid="kiosk-not-found"' in html
    assert client.get(reverse("surveys:kiosk_rate", args=[returned.code])).status_code == 404


@pytest.mark.django_db
def test_kiosk_rating_once(client, clerk, returned):
    client.force_login(clerk)
    url = reverse("surveys:kiosk_rate", args=[returned.code])
    assert 'data-testid="evaluation-form"' in client.get(url).content.decode()
    response = client.post(url, {"overall": "4", "c_attitude": "courteous"})
    assert response.status_code == 302 and response["Location"] == reverse("surveys:kiosk_thanks")
    evaluation = Evaluation.objects.get(dossier=returned)
    assert (evaluation.overall, evaluation.channel, evaluation.criteria) == (
        4,
        EvaluationChannel.KIOSK,
        {"attitude": "courteous"},
    )
    again = client.post(url, {"overall": "1"})
    assert 'data-testid="kiosk-thanks"' in again.content.decode()
    assert Evaluation.objects.count() == 1


@pytest.mark.django_db
def test_kiosk_rating_before_return_is_refused(client, clerk, open_dossier):
    client.force_login(clerk)
    url = reverse("surveys:kiosk_rate", args=[open_dossier.code])
    assert 'data-testid="kiosk-error"' in client.get(url).content.decode()
    assert 'data-testid="kiosk-error"' in client.post(url, {"overall": "5"}).content.decode()
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_a_staff_login_cannot_use_up_a_citizens_rating_without_the_key(client, leader, returned):
    """Any logged-in member of staff could once rate a returned dossier on the tablet; now only
    with the receipt's key, or at the desk that returned it within the hour."""
    url = reverse("surveys:kiosk_rate", args=[returned.code])
    client.force_login(leader)  # sees the dossier, but is not the desk that returned it
    refused = client.post(url, {"overall": 1})
    assert refused.status_code == 403
    assert not Evaluation.objects.filter(dossier=returned).exists()
    with_key = client.post(f"{url}?key={returned.lookup_key}", {"overall": 5})
    assert with_key.status_code == 302
    assert Evaluation.objects.get(dossier=returned).overall == 5
