"""Seed the status table with the defaults of interop/portal.py, every row marked unconfirmed."""

from django.db import migrations

# A copy, not an import: a migration must not change when the module does.
DEFAULTS = {
    "awaiting_acceptance": ("1", "Mới đăng ký"),
    "received": ("2", "Được tiếp nhận"),
    "in_progress": ("4", "Đang xử lý"),
    "awaiting_supplement": ("5", "Yêu cầu bổ sung giấy tờ"),
    "result_ready": ("9", "Đã xử lý xong"),
    "returned": ("10", "Đã trả kết quả"),
    "refused": ("3", "Không được tiếp nhận / từ chối giải quyết"),
    "withdrawn": ("7", "Công dân yêu cầu rút hồ sơ"),
    "closed": ("8", "Dừng xử lý"),
}


def seed(apps, schema_editor):
    Mapping = apps.get_model("interop", "PortalStatusMapping")
    for status, (code, label) in DEFAULTS.items():
        Mapping.objects.get_or_create(
            status=status,
            defaults={
                "portal_code": code,
                "label": label,
                "unconfirmed": True,
                "note": "Default from published integrations; not checked against the portal's specification.",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("interop", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
