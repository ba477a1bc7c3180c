"""The demo province: one province, two communes, each with its service centre and offices.

Codes follow the shape of the electronic identifier codes (mã định danh điện tử) but are demo
values, not the official codes of these places.
"""

from .choices import AgencyKind
from .models import Agency

DEMO_AGENCIES = [
    # code, name, kind, parent code, address, phone (short names: see SHORT_NAMES)
    (
        "H31",
        "Ủy ban nhân dân thành phố Hải Phòng",
        AgencyKind.PROVINCE,
        None,
        "18 Hoàng Diệu, Hải Phòng",
        "0225 3842 000",
    ),
    (
        "H31.101",
        "Ủy ban nhân dân xã Vĩnh Bảo",
        AgencyKind.COMMUNE,
        "H31",
        "Thị trấn Vĩnh Bảo cũ, xã Vĩnh Bảo, Hải Phòng",
        "0225 3884 100",
    ),
    (
        "H31.101.01",
        "Trung tâm Phục vụ hành chính công xã Vĩnh Bảo",
        AgencyKind.SERVICE_CENTER,
        "H31.101",
        "Số 1 đường 20/8, xã Vĩnh Bảo, Hải Phòng",
        "0225 3884 111",
    ),
    ("H31.101.02", "Văn phòng HĐND và UBND xã Vĩnh Bảo", AgencyKind.OFFICE, "H31.101", "", "0225 3884 112"),
    ("H31.101.03", "Phòng Văn hóa - Xã hội xã Vĩnh Bảo", AgencyKind.OFFICE, "H31.101", "", "0225 3884 113"),
    ("H31.101.04", "Phòng Kinh tế xã Vĩnh Bảo", AgencyKind.OFFICE, "H31.101", "", "0225 3884 114"),
    (
        "H31.102",
        "Ủy ban nhân dân xã Nguyễn Bỉnh Khiêm",
        AgencyKind.COMMUNE,
        "H31",
        "Xã Nguyễn Bỉnh Khiêm, Hải Phòng",
        "0225 3885 200",
    ),
    (
        "H31.102.01",
        "Trung tâm Phục vụ hành chính công xã Nguyễn Bỉnh Khiêm",
        AgencyKind.SERVICE_CENTER,
        "H31.102",
        "Xã Nguyễn Bỉnh Khiêm, Hải Phòng",
        "0225 3885 211",
    ),
    ("H31.102.02", "Văn phòng HĐND và UBND xã Nguyễn Bỉnh Khiêm", AgencyKind.OFFICE, "H31.102", "", "0225 3885 212"),
    ("H31.102.03", "Phòng Văn hóa - Xã hội xã Nguyễn Bỉnh Khiêm", AgencyKind.OFFICE, "H31.102", "", "0225 3885 213"),
    ("H31.102.04", "Phòng Kinh tế xã Nguyễn Bỉnh Khiêm", AgencyKind.OFFICE, "H31.102", "", "0225 3885 214"),
]


SHORT_NAMES = {"H31": "Hải Phòng", "H31.101": "Vĩnh Bảo", "H31.102": "Nguyễn Bỉnh Khiêm"}


def seed_demo_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for code, name, kind, parent_code, address, phone in DEMO_AGENCIES:
        agency, _created = Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": agencies.get(parent_code),
                "address": address,
                "phone": phone,
                "short_name": SHORT_NAMES.get(code, ""),
            },
        )
        agencies[code] = agency
    return agencies
