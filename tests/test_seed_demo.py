from io import StringIO

import pytest
from django.core.management import call_command

from dossiers.deadlines import deadline_sweep
from dossiers.models import Dossier, LetterTemplate
from procedures.models import AgencyProcedure, Procedure


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_leaves_an_overdue_dossier_for_the_watch():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert "clerk" in out.getvalue() and "motcua@2026" in out.getvalue()
    assert Procedure.objects.count() == 80
    assert AgencyProcedure.objects.filter(agency__code="H31.101").count() == 80
    assert Dossier.objects.count() == 8
    assert {d.status for d in Dossier.objects.all()} >= {"returned", "in_progress", "awaiting_supplement", "received"}
    assert LetterTemplate.objects.count() == 2
    assert deadline_sweep().counts()["overdue"] == 1


@pytest.mark.django_db
def test_letters_print_with_the_result(client):
    call_command("seed_demo", stdout=StringIO())
    from accounts.models import User

    client.force_login(User.objects.get(username="clerk"))
    marriage = Dossier.objects.get(procedure__code="1.000894")
    page = client.get(f"/ho-so/{marriage.code}/").content.decode()
    assert "chuc-mung-ket-hon" in page
    letter = client.get(f"/ho-so/{marriage.code}/in/thu/chuc-mung-ket-hon/").content.decode()
    assert "THƯ CHÚC MỪNG" in letter and marriage.applicant_name in letter
    death = Dossier.objects.get(procedure__code="1.000656")
    assert client.get(f"/ho-so/{death.code}/in/thu/chuc-mung-ket-hon/").status_code == 404
    assert "THƯ CHIA BUỒN" in client.get(f"/ho-so/{death.code}/in/thu/chia-buon/").content.decode()
