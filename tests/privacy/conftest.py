"""A demo citizen with two dossiers at the desk of ``clerk`` (tests/conftest.py): one returned (its
letter, result message and feedback), one open (a scan), plus a guidance slip: the data every
privacy test reads."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from dossiers.models import PersonalDataAccess
from dossiers.services import ApplicantData, Upload, dossier_attach, dossier_return, guidance_record
from procedures.models import Procedure
from surveys.models import Campaign
from surveys.services import feedback_submit
from tests.factories import UserFactory, approve_result

NAME = "Trịnh Thị Kiều Oanh"
ID_NUMBER = "001099777123"
PHONE = "0987654321"
EMAIL = "kieu.oanh@example.vn"
ADDRESS = "Số 7, thôn Đông, xã Một"
MARKERS = (ID_NUMBER, NAME, PHONE)


def demo_citizen(**overrides):
    values = {"full_name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "email": EMAIL, "address": ADDRESS}
    values.update(overrides)
    return ApplicantData(**values)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PUBLIC_LOOKUP_RATE = "100000/min"
    settings.PUBLIC_FORM_RATE = "100000/m"
    settings.APPLICANT_LOOKUP_RATE = "100000/m"
    settings.TRUSTED_PROXIES = []
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, catalog, province, commune, other_commune, center, office, clerk, officer, leader, receive):
    """The shape of tests/test_permission_matrix.py's world (its ``build`` works on it), with the
    demo citizen's full details everywhere."""
    admin = UserFactory(username="root", role="admin", agency=province, is_superuser=True, is_staff=True)
    stranger = UserFactory(username="stranger", role="clerk", agency=other_commune)
    returned = receive("1.000656", applicant=demo_citizen())
    returned = approve_result(returned, officer=officer)
    returned = dossier_return(dossier=returned, by=clerk)
    open_dossier = receive("1.000656", applicant=demo_citizen())
    attachment = dossier_attach(
        dossier=open_dossier, uploads=[Upload.from_bytes("scan.pdf", b"%PDF-1.4 test")], by=clerk
    )[0]
    guidance = guidance_record(
        procedure=Procedure.objects.get(code="1.001193"),
        kind="incomplete",
        given_by=clerk,
        applicant_name=NAME,
        applicant_phone=PHONE,
        missing="Giấy chứng sinh",
    )
    campaign = Campaign.objects.create(
        title="Khảo sát 2026",
        slug="khao-sat-2026",
        agency=commune,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=30),
    )
    feedback = feedback_submit(agency=center, content="Thái độ chưa tốt", name=NAME, contact=PHONE, dossier=returned)
    users = {"clerk": clerk, "officer": officer, "leader": leader, "admin": admin, "stranger": stranger}
    return {
        "users": users,
        "returned": returned,
        "open": open_dossier,
        "attachment": attachment,
        "guidance": guidance,
        "campaign": campaign,
        "feedback": feedback,
    }


def new_rows(before_pk):
    return list(PersonalDataAccess.objects.filter(pk__gt=before_pk).order_by("pk"))


def last_pk():
    return PersonalDataAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
