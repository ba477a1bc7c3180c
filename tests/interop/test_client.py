"""The portal client over real HTTP against the stand-in portal: tokens, answers, failures."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from interop import portal
from interop.portal import PortalClient, PortalError, parse_portal_datetime, portal_datetime

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_dates_travel_as_yyyymmddhhmmss_in_vietnam_time():
    utc = datetime(2026, 3, 9, 2, 5, 7, tzinfo=ZoneInfo("UTC"))
    assert portal_datetime(utc) == "20260309090507"
    assert portal_datetime(None) == ""
    assert parse_portal_datetime("20260309090507") == datetime(2026, 3, 9, 9, 5, 7, tzinfo=VN)
    assert parse_portal_datetime("20260309") == datetime(2026, 3, 9, tzinfo=VN)
    assert parse_portal_datetime("") is None
    with pytest.raises(ValueError):
        parse_portal_datetime("09/03/2026")


def test_catalogue_services_answer_from_the_seed(portal_standin):
    client = PortalClient()
    procedures = client.call(portal.LIST_PROCEDURES)
    assert len(procedures) == 80
    birth = client.call(portal.GET_PROCEDURE, MaTTHC="1.001193")[0]
    assert birth["TENTTHC"] == "Đăng ký khai sinh"
    assert birth["LINHVUCTHUCHIEN"] == [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}]
    assert "ngày" in birth["THOIHANGIAIQUYET"].lower() and birth["PHILEPHI"]
    fields = client.call(portal.LIST_FIELDS)
    assert {"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"} in fields
    agencies = client.call(portal.LIST_AGENCIES)
    assert {"MADONVI", "TENDONVI", "CAPDONVI"} <= set(agencies[0])
    with pytest.raises(PortalError) as error:
        client.call(portal.GET_PROCEDURE, MaTTHC="9.999999")
    assert error.value.error_code == -1 and "9.999999" in error.value.message


def test_the_token_is_fetched_once_and_renewed_when_it_expires(portal_standin):
    client = PortalClient()
    client.call(portal.LIST_FIELDS)
    client.call(portal.LIST_FIELDS)
    assert portal_standin.control("stats")["tokens_issued"] == 1
    # Tokens now live one second: the client renews before using an expired one.
    portal_standin.control("tokens", ttl=1)
    client.token(renew=True)
    time.sleep(1.1)
    client.call(portal.LIST_FIELDS)
    stats = portal_standin.control("stats")
    assert stats["tokens_issued"] == 3 and stats["unauthorised"] == 0


def test_a_401_renews_the_token_once(portal_standin):
    client = PortalClient()
    client.call(portal.LIST_FIELDS)
    portal_standin.control("tokens", expire=True)  # the portal forgot every token
    assert client.call(portal.LIST_FIELDS)
    stats = portal_standin.control("stats")
    assert (stats["unauthorised"], stats["tokens_issued"]) == (1, 2)


def test_wrong_credentials_are_a_portal_error(portal_standin, settings):
    settings.PORTAL_CLIENT_SECRET = "wrong"
    with pytest.raises(PortalError) as error:
        PortalClient().call(portal.LIST_FIELDS)
    assert "Sai thông tin xác thực" in error.value.message


@pytest.mark.parametrize(
    ("mode", "extra", "expected"),
    [
        ("error_code", {"error_code": 12, "message": "Mã đơn vị không hợp lệ"}, "Mã đơn vị không hợp lệ"),
        ("html", {}, "Hệ thống đang bảo trì"),
        ("outage", {}, "Không kết nối được Cổng"),
        ("timeout", {"delay": 2}, "Cổng không trả lời trong"),
    ],
    ids=["error_code", "html", "outage", "timeout"],
)
def test_failures_raise_portal_error_with_the_portals_message(portal_standin, settings, mode, extra, expected):
    settings.PORTAL_TIMEOUT = 0.5
    client = PortalClient()
    client.token()  # the failure is the call's, not the token's
    portal_standin.control("fail", mode=mode, count=1, **extra)
    with pytest.raises(PortalError) as error:
        client.call(portal.LIST_FIELDS)
    assert expected in str(error.value)
    if mode == "error_code":
        assert error.value.error_code == 12
        assert error.value.message == "Mã đơn vị không hợp lệ"
    if mode == "html":
        assert error.value.error_code is None and "<h1>" in error.value.body
    assert client.call(portal.LIST_FIELDS)  # the failure was one request only


def test_online_dossiers_are_listed_and_decisions_recorded(portal_standin):
    from interop.online import online_decision_send, online_dossiers_fetch

    created = portal_standin.control(
        "online-dossiers",
        dossiers=[
            {
                "MaHoSo": "G22.99-260309-0001",
                "MaTTHC": "1.001193",
                "TenTTHC": "Đăng ký khai sinh",
                "MaDonVi": "H31.101",
                "ChuHoSo": "Trần Thị Bình",
                "SoGiayToChuHoSo": "001099012399",
                "LoaiDoiTuong": "1",
                "SoDienThoai": "0912000111",
                "NgayNopHoSo": "20260309080000",
                "TaiLieuNop": [{"TenTepDinhKem": "Tờ khai", "DuongDanTaiTepTin": "https://dvc.example/f/1"}],
            },
            {
                "MaHoSo": "G22.99-260309-0002",
                "MaTTHC": "2.000815",
                "MaDonVi": "H31.102",
                "NgayNopHoSo": "20260310080000",
            },
        ],
    )
    assert created["created"] == ["G22.99-260309-0001", "G22.99-260309-0002"]
    found = online_dossiers_fetch(agency_code="H31.101", since=datetime(2026, 3, 9, tzinfo=VN))
    assert [d.external_code for d in found] == ["G22.99-260309-0001"]
    dossier = found[0]
    assert (dossier.procedure_code, dossier.applicant_name, dossier.applicant_is_organisation) == (
        "1.001193",
        "Trần Thị Bình",
        False,
    )
    assert dossier.filed_at == datetime(2026, 3, 9, 8, tzinfo=VN)
    assert dossier.documents[0].url == "https://dvc.example/f/1"

    online_decision_send(
        external_code="G22.99-260309-0001",
        decision="accept",
        at=datetime(2026, 3, 9, 9, tzinfo=VN),
        dossier_code="H31.101.01-260309-0001",
        due_at=datetime(2026, 3, 9, 17, tzinfo=VN),
    )
    decisions = portal_standin.control("decisions")["items"]
    assert [(d["MaHoSo"], d["payload"]["QuyetDinh"]) for d in decisions] == [("G22.99-260309-0001", "1")]
    with pytest.raises(PortalError):
        online_decision_send(external_code="UNKNOWN", decision="refuse", at=datetime(2026, 3, 9, tzinfo=VN))
