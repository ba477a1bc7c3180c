"""The national portal's catalogue into procedure versions: pure conversion over the portal's
objects, then the pull over real HTTP against the stand-in portal, previewed and applied."""

from datetime import date

import pytest
from django.urls import reverse

from agencies.calendar import TimeUnit
from interop.testing import portal_standin  # noqa: F401 - the stand-in portal fixture
from procedures.annex import plan_apply
from procedures.catalog_sync import catalog_fetch, portal_agencies, portal_fields, portal_plan, portal_published
from procedures.models import Field, Procedure, ProcedureVersion

EFFECTIVE = date(2026, 2, 2)
WD = TimeUnit.WORKING_DAYS

NEW_PROCEDURE = {
    "MATTHC": "1.999001.000.00.00.H35",
    "TENTTHC": "Đăng ký thử nghiệm từ cổng",
    "CAPTHUCHIEN": "Cấp Xã",
    "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-TP01", "TENLINHVUC": "Hộ tịch"}],
    "THOIHANGIAIQUYET": "05 ngày làm việc kể từ ngày nhận đủ hồ sơ",
    "PHILEPHI": "8.000 đồng/bản",
    "KETQUATHUCHIEN": [{"TENKETQUA": "Trích lục"}],
    "CANCUPHAPLY": [{"SOVANBAN": "60/2014/QH13", "TENVANBAN": "Luật Hộ tịch"}],
    "THANHPHANHOSO": [
        {"TENGIAYTO": "Tờ khai", "SOBANCHINH": "1", "SOBANSAO": "0", "BATBUOC": "1"},
        {"TENGIAYTO": "Giấy ủy quyền", "SOBANCHINH": 1, "SOBANSAO": 0, "BATBUOC": False},
    ],
}
PROSE_PROCEDURE = {
    "MATTHC": "1.999002",
    "TENTTHC": "Thủ tục thời hạn văn xuôi",
    "LINHVUCTHUCHIEN": [{"MALINHVUC": "NEWF", "TENLINHVUC": ""}],
    "THOIHANGIAIQUYET": [{"THOIGIANGIAIQUYET": "5", "DONVITINH": "Khác", "MOTA": ""}],
    "PHILEPHI": [{"MOTA": "Lệ phí do HĐND cấp tỉnh quyết định", "SOTIEN": "0"}],
}
FIELDS = [{"MALINHVUC": "NEWF", "TENLINHVUC": "Lĩnh vực mới từ cổng"}, {"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}]


def test_a_portal_procedure_becomes_published_values():
    item = portal_published(NEW_PROCEDURE)
    assert (item.code, item.name, item.field_code, item.field_name) == (
        "1.999001",
        "Đăng ký thử nghiệm từ cổng",
        "G09-TP01",
        "Hộ tịch",
    )
    assert item.time_text == "05 ngày làm việc kể từ ngày nhận đủ hồ sơ"
    assert item.fee == "8.000 đồng/bản"
    assert item.result == "Trích lục"
    assert item.legal_basis == "Luật Hộ tịch 60/2014/QH13"
    assert item.level == "commune"
    assert item.documents == [
        {"name": "Tờ khai", "original_count": 1, "copy_count": 0, "mandatory": True},
        {"name": "Giấy ủy quyền", "original_count": 1, "copy_count": 0, "mandatory": False},
    ]
    prose = portal_published(PROSE_PROCEDURE)
    assert prose.time_text == "5 Khác"
    assert prose.fee == "Lệ phí do HĐND cấp tỉnh quyết định: 0 đồng"
    assert prose.result is None and prose.documents is None  # not published: kept as they are


def test_fields_and_agencies_from_the_portal(db):
    from tests.factories import AgencyFactory

    AgencyFactory(code="H31.101", name="Ủy ban nhân dân xã Vĩnh Bảo")
    assert portal_fields(FIELDS + [{"MALINHVUC": "", "TENLINHVUC": "x"}]) == [
        {"code": "NEWF", "name": "Lĩnh vực mới từ cổng"},
        {"code": "HT", "name": "Hộ tịch"},
    ]
    agencies = portal_agencies(
        [
            {"MADONVI": "H31.101", "TENDONVI": "UBND xã Vĩnh Bảo", "CAPDONVI": "Cấp Xã", "MADONVICHA": "H31"},
            {"MADONVI": "000.00.99", "TENDONVI": "ủy ban nhân dân xã vĩnh bảo", "CAPDONVI": "Cấp Xã"},
            {"MADONVI": "000.00.98", "TENDONVI": "Xã khác", "CAPDONVI": "Cấp Xã"},
        ]
    )
    assert [a["local"] for a in agencies] == ["Ủy ban nhân dân xã Vĩnh Bảo"] * 2 + [None]


@pytest.mark.django_db
def test_a_pulled_catalogue_is_previewed_then_applied(catalog):
    birth = Procedure.objects.get(code="1.001193").version_on(EFFECTIVE)
    changed_birth = {
        "MATTHC": "1.001193",
        "TENTTHC": "Đăng ký khai sinh",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}],
        "THOIHANGIAIQUYET": birth.processing_time_text,
        "PHILEPHI": "Miễn lệ phí",
        "CANCUPHAPLY": birth.legal_basis + "; Nghị định 120/2025/NĐ-CP",
        "THANHPHANHOSO": [{"TENGIAYTO": "Tờ khai", "SOBANCHINH": 1}],
    }
    data = {"procedures": [NEW_PROCEDURE, PROSE_PROCEDURE, changed_birth], "fields": FIELDS, "agencies": []}
    before = ProcedureVersion.objects.count()
    plan = portal_plan(data, effective_from=EFFECTIVE)
    assert plan.errors == []
    assert ProcedureVersion.objects.count() == before
    status = {item.code: (item.status, [c["key"] for c in item.changes]) for item in plan.preview.items}
    # The source travels with a real change.
    assert status == {
        "1.999001": ("new", []),
        "1.999002": ("new", []),
        "1.001193": ("changed", ["legal_basis", "source"]),
    }

    plan_apply(plan)

    new = Procedure.objects.get(code="1.999001")
    version = new.version_on(EFFECTIVE)
    assert new.field.code == "HT"  # matched by name, not by the portal's code
    assert version.processing_time == {"amount": 5, "unit": WD}
    assert version.documents.count() == 2 and "documents" not in version.unconfirmed
    prose = Procedure.objects.get(code="1.999002").version_on(EFFECTIVE)
    assert prose.procedure.field.name == "Lĩnh vực mới từ cổng"
    assert prose.processing_time is None and {"processing_time", "fee"} <= set(prose.unconfirmed)
    assert prose.processing_time_text == "5 Khác"
    kept = Procedure.objects.get(code="1.001193").version_on(EFFECTIVE)
    assert kept.documents.count() == 5  # the curated list is not replaced by the portal's one line


# ----- over real HTTP, against the stand-in portal -------------------------------------------------


@pytest.mark.django_db
def test_the_stand_in_catalogue_pulls_and_a_second_pull_changes_nothing(catalog, portal_standin):  # noqa: F811
    portal_standin.control("catalogue", procedures=[NEW_PROCEDURE, PROSE_PROCEDURE], fields=FIELDS)
    data = catalog_fetch()
    assert [p["MATTHC"] for p in data["procedures"]] == [NEW_PROCEDURE["MATTHC"], "1.999002"]
    assert data["errors"] == [] and data["agencies"]
    plan_apply(portal_plan(data, effective_from=EFFECTIVE))
    assert Procedure.objects.get(code="1.999001").version_on(EFFECTIVE).fee == "8.000 đồng/bản"
    versions = ProcedureVersion.objects.count()
    again = portal_plan(catalog_fetch(), effective_from=EFFECTIVE)
    assert {item.status for item in again.preview.items} == {"unchanged"}
    assert ProcedureVersion.objects.count() == versions


@pytest.mark.django_db
def test_a_summary_list_is_completed_by_laythutuc(catalog, portal_standin):  # noqa: F811
    data = catalog_fetch(codes=["1.001193", "9.999999"])
    assert [p["TENTTHC"] for p in data["procedures"]] == ["Đăng ký khai sinh"]
    assert len(data["errors"]) == 1 and "9.999999" in data["errors"][0]
    plan = portal_plan(data, effective_from=EFFECTIVE)
    assert [str(e) for e in plan.errors] == [f"Cổng Dịch vụ công quốc gia: {data['errors'][0]}"]
    assert not plan.can_apply


@pytest.mark.django_db
def test_the_portal_page_previews_and_applies(client, catalog, administrator, portal_standin, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    portal_standin.control("catalogue", procedures=[NEW_PROCEDURE], fields=FIELDS)
    client.force_login(administrator)
    url = reverse("procedures:portal_sync")
    fields = Field.objects.count()
    response = client.post(url, {"effective_from": "2026-02-02"})
    html = response.content.decode()
    assert 'data-code="1.999001" data-status="new"' in html
    assert 'data-testid="portal-agencies"' in html
    assert not Procedure.objects.filter(code="1.999001").exists()
    # The portal changing after the preview does not change what is applied.
    portal_standin.control("catalogue", procedures=[PROSE_PROCEDURE])
    response = client.post(
        url, {"token": response.context["token"], "fingerprint": response.context["fingerprint"], "apply": "1"}
    )
    assert response.status_code == 302
    assert Procedure.objects.filter(code="1.999001").exists()
    assert not Procedure.objects.filter(code="1.999002").exists()
    assert Field.objects.count() == fields


@pytest.mark.django_db
def test_the_portal_page_shows_the_portals_own_message_when_it_fails(
    client,
    catalog,
    administrator,
    portal_standin,  # noqa: F811
):
    portal_standin.control("fail", mode="error_code", error_code=99, message="Hệ thống bận")
    client.force_login(administrator)
    response = client.post(reverse("procedures:portal_sync"), {"effective_from": "2026-02-02"})
    html = response.content.decode()
    assert 'data-testid="portal-error"' in html and "Hệ thống bận" in html
    portal_standin.control("fail", mode="html")
    response = client.post(reverse("procedures:portal_sync"), {"effective_from": "2026-02-02"})
    assert 'data-testid="portal-error"' in response.content.decode()
