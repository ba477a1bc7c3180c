"""Item 3: retention periods are settings; the nightly job (Celery beat, and the management command)
removes or blanks what passed its period, keeps the dossier record the archive rules require, and
logs what it removed."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dossiers.models import (
    Applicant,
    ApplicantChange,
    ApplicantContact,
    Attachment,
    Dossier,
    Guidance,
    PersonalDataAccess,
    RetentionRun,
)
from dossiers.retention import retention_sweep, retention_sweep_task
from tests.privacy.conftest import ID_NUMBER, NAME


def test_the_job_is_scheduled_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["personal-data-retention"]
    assert entry["task"] == retention_sweep_task.name == "dossiers.retention.retention_sweep_task"
    assert "dossiers.retention" in settings.CELERY_IMPORTS


@pytest.mark.django_db
def test_nothing_within_its_period_is_touched(client, world):
    client.force_login(world["users"]["clerk"])
    client.get(reverse("dossiers:detail", args=[world["returned"].code]))
    assert sum(retention_sweep().values()) == 0
    assert PersonalDataAccess.objects.count() == 1 and not RetentionRun.objects.exists()


@pytest.mark.django_db
def test_past_their_periods_contacts_scans_and_logs_go_and_the_dossier_record_stays(client, world, settings):
    settings.RETENTION_CONTACT_DAYS = 730
    settings.RETENTION_SCAN_DAYS = 1825
    settings.RETENTION_ACCESS_LOG_DAYS = 1825
    returned, open_dossier = world["returned"], world["open"]
    # A scan of the returned dossier, and a read of it today
    from dossiers.services import Upload, dossier_attach

    scan = Attachment.objects.create(
        dossier=returned,
        original_name="old.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=returned.created_by,
    )
    fresh = dossier_attach(
        dossier=open_dossier, uploads=[Upload.from_bytes("a.pdf", b"%PDF-1.4 a")], by=returned.created_by
    )[0]
    from django.core.files.base import ContentFile

    scan.file.save("old.pdf", ContentFile(b"%PDF-1.4 old"), save=True)
    storage, name = scan.file.storage, scan.file.name
    client.force_login(world["users"]["clerk"])
    client.get(reverse("dossiers:detail", args=[returned.code]))

    # Three years later: contacts (2 years) are past, scans and logs (5 years) are not
    with time_machine.travel(timezone.now() + timedelta(days=3 * 365), tick=False):
        counts = retention_sweep()
    returned.refresh_from_db()
    open_dossier.refresh_from_db()
    assert counts["dossier_contacts"] == 1
    assert (returned.applicant_phone, returned.applicant_email, returned.applicant_address) == ("", "", "")
    # The record the archive keeps: code, procedure, name, ID number, dates, status, history
    assert (returned.applicant_name, returned.applicant_id_number, returned.status) == (NAME, ID_NUMBER, "returned")
    assert returned.events.count() >= 4
    assert open_dossier.applicant_phone != ""  # still open: untouched
    assert ApplicantContact.objects.filter(applicant__id_number=ID_NUMBER).exists()  # an open dossier remains
    assert Guidance.objects.get().applicant_phone == ""
    assert counts["scans"] == 0 and storage.exists(name)
    assert PersonalDataAccess.objects.count() == 1

    # Six years later: the scan's file and the access log go; the Attachment row stays, marked
    with time_machine.travel(timezone.now() + timedelta(days=6 * 365), tick=False):
        out = io.StringIO()
        call_command("purge_personal_data", stdout=out)
    assert "scans: 1" in out.getvalue() and "access_log: 1" in out.getvalue()
    scan.refresh_from_db()
    fresh.refresh_from_db()
    assert scan.removed_at is not None and scan.file.name == "" and not storage.exists(name)
    assert fresh.removed_at is None  # its dossier is open
    assert PersonalDataAccess.objects.count() == 0
    assert not ApplicantChange.objects.filter(applicant__id_number=ID_NUMBER).exists()
    assert Dossier.objects.filter(pk=returned.pk).exists() and Applicant.objects.filter(id_number=ID_NUMBER).exists()
    client.force_login(world["users"]["clerk"])
    assert client.get(reverse("dossiers:attachment", args=[returned.code, scan.pk])).status_code == 404

    # What was removed is logged, per kind
    runs = {run.kind: run for run in RetentionRun.objects.all()}
    assert runs["dossier_contacts"].detail["dossiers"] == [returned.code]
    assert runs["scans"].detail["scans"][0]["attachment"] == scan.pk
    assert runs["access_log"].count == 1
    assert runs["guidance_contacts"].detail["guidance"] == [world["guidance"].number]
    with pytest.raises(PermissionError):
        RetentionRun.objects.first().delete()


@pytest.mark.django_db
def test_running_twice_removes_nothing_more(world):
    with time_machine.travel(timezone.now() + timedelta(days=10 * 365), tick=False):
        first = retention_sweep()
        runs = RetentionRun.objects.count()
        second = retention_sweep()
    assert sum(first.values()) > 0 and sum(second.values()) == 0
    assert RetentionRun.objects.count() == runs


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_lets_only_the_retention_job_delete_access_records(client, world):
    from django.db import DatabaseError, connection, transaction

    client.force_login(world["users"]["clerk"])
    client.get(reverse("dossiers:detail", args=[world["open"].code]))
    for sql in ("DELETE FROM dossiers_personaldataaccess", "UPDATE dossiers_personaldataaccess SET what = 'x'"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL onestop.retention_purge = 'on'")
        cursor.execute("UPDATE dossiers_personaldataaccess SET what = 'x'")  # updates: never
    assert PersonalDataAccess.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(days=6 * 365), tick=False):
        assert retention_sweep()["access_log"] == 1
    assert PersonalDataAccess.objects.count() == 0
