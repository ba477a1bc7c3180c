"""Demo dossiers with realistic histories, built through the services (the clock is moved with
time-machine, so every history row is what the services would have written at that time)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.models import User
from agencies.calendar import calendar_for
from procedures.models import Procedure

from .letters import seed_default_letters
from .models import Dossier
from .services import (
    ApplicantData,
    ReceivedDocument,
    dossier_approve,
    dossier_assign,
    dossier_extend,
    dossier_receive,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_transfer,
)

CITIZENS = [
    ("Nguyễn Văn Hùng", "031085001234", "0912000111"),
    ("Trần Thị Mai", "031190002345", "0983000222"),
    ("Lê Minh Tuấn", "031078003456", "0904000333"),
    ("Phạm Thị Thu", "031201004567", "0936000444"),
    ("Hoàng Văn Nam", "031066005678", "0977000555"),
    ("Vũ Thị Lan", "031199006789", "0868000666"),
    ("Đặng Quốc Bảo", "031088007890", "0395000777"),
    ("Bùi Thị Hạnh", "031092008901", "0326000888"),
]


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _receive(code, citizen, moment, clerk):
    name, id_number, phone = citizen
    procedure = Procedure.objects.get(code=code)
    version = procedure.version_on()
    documents = [
        ReceivedDocument(
            name=d.name, original_count=d.original_count, copy_count=d.copy_count, required_document_id=d.pk
        )
        for d in version.documents.filter(mandatory=True)
    ]
    with _at(moment):
        return dossier_receive(
            procedure=procedure,
            applicant=ApplicantData(full_name=name, id_number=id_number, phone=phone, address="Xã Vĩnh Bảo, Hải Phòng"),
            received_by=clerk,
            documents=documents,
        )


def seed_demo_dossiers(*, stdout=None):
    seed_default_letters()
    if Dossier.objects.exists():
        return 0
    clerk = User.objects.get(username="clerk")
    officer = User.objects.get(username="officer")
    head = User.objects.get(username="head")
    leader = User.objects.get(username="leader")
    now = timezone.now().replace(second=0, microsecond=0)
    day = timedelta(days=1)
    calendar = calendar_for(clerk.agency)

    def working(moment):
        """Demo dossiers arrive in working hours (the next working instant, at most now)."""
        return min(calendar.next_working_instant(moment), now)

    # Returned on time: a marriage, a birth, a death registration (with their letters).
    for code, citizen, ago in (
        ("1.000894", CITIZENS[0], 9),
        ("1.001193", CITIZENS[1], 8),
        ("1.000656", CITIZENS[2], 7),
    ):
        start = working(now - ago * day)
        dossier = _receive(code, citizen, start, clerk)
        with _at(start + timedelta(hours=1)):
            dossier = dossier_transfer(dossier=dossier, by=clerk)
            dossier = dossier_assign(dossier=dossier, officer=officer, by=head)
        with _at(start + timedelta(hours=2)):
            dossier = dossier_submit(dossier=dossier, by=officer)
            dossier = dossier_approve(dossier=dossier, by=leader)
        with _at(start + timedelta(hours=3)):
            dossier_return(dossier=dossier, by=clerk)

    # Extended with an apology, then resolved within the new date.
    start = working(now - 12 * day)
    dossier = _receive("1.000689", CITIZENS[3], start, clerk)
    with _at(start + timedelta(hours=1)):
        dossier = dossier_assign(dossier=dossier, officer=officer, by=head)
    with _at(dossier.due_at - timedelta(days=1)):
        dossier = dossier_extend(
            dossier=dossier,
            by=officer,
            reason="Cần xác minh thông tin với UBND xã nơi cư trú trước đây",
            new_due_at=dossier.due_at + 3 * day,
        )
    with _at(dossier.due_at - timedelta(hours=5)):
        dossier = dossier_submit(dossier=dossier, by=officer)
        dossier = dossier_approve(dossier=dossier, by=leader)

    # Waiting for a supplement.
    start = working(now - 4 * day)
    dossier = _receive("1.000689", CITIZENS[4], start, clerk)
    with _at(start + timedelta(hours=2)):
        dossier = dossier_assign(dossier=dossier, officer=officer, by=head)
    with _at(start + day):
        dossier_request_supplement(
            dossier=dossier, by=officer, reason="Giấy tờ chưa hợp lệ", missing="Bản sao giấy chứng sinh có chứng thực"
        )

    # Overdue now (the deadline watch alerts on its first run after start-up).
    start = working(now - 6 * day)
    dossier = _receive("1.000689", CITIZENS[5], start, clerk)
    with _at(start + timedelta(hours=1)):
        dossier_assign(dossier=dossier, officer=officer, by=head)

    # Appraised by the officer, waiting for the leader's approval (and signature).
    start = working(now - day)
    dossier = _receive("1.000689", CITIZENS[8 % len(CITIZENS)], start, clerk)
    # Never later than now, whatever day and hour the demo is seeded (a night or a weekend).
    with _at(min(start + timedelta(hours=1), now)):
        dossier = dossier_assign(dossier=dossier, officer=officer, by=head)
    with _at(min(start + timedelta(hours=3), now)):
        dossier_submit(dossier=dossier, by=officer, note="Đủ điều kiện, trình ký")

    # In progress, within time; and just received, waiting to be transferred.
    dossier = _receive("2.000815", CITIZENS[6], now - timedelta(minutes=30), clerk)
    dossier_assign(dossier=dossier, officer=officer, by=head)
    _receive("1.001193", CITIZENS[7], now - timedelta(minutes=5), clerk)
    count = Dossier.objects.count()
    if stdout is not None:
        stdout.write(f"Demo dossiers: {count}, one of them overdue (the deadline watch alerts within minutes).")
    return count
