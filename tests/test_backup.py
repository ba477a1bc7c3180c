"""Backup and restore through the management commands, on the real database."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from dossiers.models import Dossier


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_the_database_back(tmp_path, receive):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("in-memory SQLite test database: nothing to back up from another connection")
    kept = receive("1.000656", id_number="001099000101")
    dump = tmp_path / "backup.dump"
    call_command("backup_db", output=str(dump), stdout=StringIO())
    assert dump.stat().st_size > 0
    lost = receive("1.000656", id_number="001099000102")
    assert Dossier.objects.count() == 2

    call_command("restore_db", str(dump), yes=True, stdout=StringIO())

    connection.close()
    codes = set(Dossier.objects.values_list("code", flat=True))
    assert kept.code in codes and lost.code not in codes
