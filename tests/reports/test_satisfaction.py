from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.services import dossier_return
from reports.satisfaction import satisfaction_report
from surveys.services import evaluation_submit
from tests.factories import approve_result


@pytest.fixture
def rated(receive, officer, clerk):
    def returned(n):
        dossier = receive("1.000656", id_number=f"00109900{n:04d}")
        dossier = approve_result(dossier, officer=officer)
        return dossier_return(dossier=dossier, by=clerk)

    ratings = [
        (5, {"attitude": "courteous"}),
        (4, {"attitude": "courteous"}),
        (2, {"attitude": "discourteous"}),
        (5, {}),
    ]
    for n, (overall, criteria) in enumerate(ratings):
        evaluation_submit(dossier=returned(n), overall=overall, criteria=criteria, comment="", channel="qr")


@pytest.mark.django_db
def test_satisfaction_figures(rated, commune, officer):
    today = timezone.localdate()
    report = satisfaction_report(
        commune.descendant_ids(), date_from=today, date_to=today, resolved_total=4, resolved_late=0
    )
    assert report["total"] == 4
    assert report["satisfied"] == 3 and report["satisfied_rate"] == 75.0
    assert [(row["value"], row["count"]) for row in report["overall"]] == [(5, 2), (4, 1), (3, 0), (2, 1), (1, 0)]
    attitude = next(c for c in report["criteria"] if c["answered"] == 3)
    assert [o["count"] for o in attitude["options"]] == [2, 0, 1]
    assert report["by_officer"][0] == {"label": officer.username, "count": 4, "average": 4.0, "satisfied_rate": 75.0}
    # The dissatisfied rating created a feedback item: one dossier of four has a complaint.
    assert report["complained"] == 1 and report["index_766"] == 75.0


@pytest.mark.django_db
def test_satisfaction_page_for_leaders(client, rated, leader, clerk):
    client.force_login(clerk)
    assert client.get(reverse("reports:satisfaction")).status_code == 403
    client.force_login(leader)
    page = client.get(reverse("reports:satisfaction"), {"period": "calendar_month"})
    assert page.status_code == 200
    assert 'data-testid="ratings-total">4<' in page.content.decode()
    dashboard = client.get(reverse("reports:dashboard"), {"period": "calendar_month"})
    assert dashboard.context["satisfaction"] == {"evaluations": 4, "satisfied": 3, "rate": 75.0}
    assert date.today()
