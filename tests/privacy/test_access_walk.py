"""Item 1's guard: walk the URL conf (as tests/test_permission_matrix.py does) and the admin,
request every view as each member of staff with the demo citizen's dossiers in scope, and fail
for any answer that shows the citizen's ID number, name or phone without exactly one new access
record by that user. A view added without ``dossiers.access_log`` fails here."""

import io
import zipfile

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.authtoken.models import Token

from dossiers.models import PersonalDataAccess
from tests.privacy.conftest import ID_NUMBER, MARKERS, last_pk, new_rows
from tests.test_permission_matrix import EXPECTED, build, url_names

STAFF = ("clerk", "officer", "leader", "admin")

# Views outside this files that show personal data without a record yet; each needs the
# one-line change named here (see the report of issue 16). The walk fails if one of them starts
# recording (remove it from here) or if any other view shows data without a record.
PENDING = {}
ADMIN_PENDING = {}


def _text(response) -> str:
    """What the answer shows: the body, the text of an Excel file's sheets; a PDF counts as
    showing everything (its text is compressed: the scan and the printed forms are personal)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    if kind.startswith("application/pdf"):
        return " ".join(MARKERS)
    return content.decode(errors="replace")


def _login(client, user):
    client.logout()
    client.force_login(user)
    token, _created = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"


def _request(client, method, url, name):
    if method == "post" and name.startswith("api"):
        return client.post(url, {}, content_type="application/json")
    if method == "post":
        return client.post(url, {})
    return client.get(url)


def _check(client, user, method, url, label, misses, shown, markers=MARKERS):
    before = last_pk()
    response = _request(client, method, url, label)
    text = _text(response)
    found = [m for m in markers if m in text]
    if not found:
        return
    shown.add(label)
    rows = [r for r in new_rows(before) if r.user_id == user.pk]
    if len(rows) != 1:
        misses.setdefault(label, []).append(f"{user.username} {url}: shows {found}, {len(rows)} records")


@pytest.mark.django_db
def test_every_view_showing_personal_data_records_one_access(client, world):
    misses, shown = {}, set()
    for name in url_names():
        if name is None or name not in EXPECTED:
            continue
        method = EXPECTED[name][0]
        url = build(name, world)
        if name == "dossiers:applicant_lookup":
            url = reverse(name) + f"?id_number={ID_NUMBER}"
        for kind in STAFF:
            user = world["users"][kind]
            _login(client, user)
            _check(client, user, method, url, name, misses, shown)
    # Searches by the citizen's ID number: the worklist and the API list.
    for label, url in (
        ("dossiers:worklist?q", reverse("dossiers:worklist") + f"?q={ID_NUMBER}&tab=all"),
        ("api:dossier-list?q", reverse("api:dossier-list") + f"?q={ID_NUMBER}"),
    ):
        for kind in STAFF:
            user = world["users"][kind]
            _login(client, user)
            _check(client, user, "get", url, label, misses, shown)
    unexpected = {name: lines for name, lines in misses.items() if name not in PENDING}
    assert not unexpected, f"views showing personal data without one access record: {unexpected}"
    assert set(PENDING) <= set(misses), f"now recorded, remove from PENDING: {set(PENDING) - set(misses)}"
    # The walk really met the views it guards.
    for name in (
        "dossiers:detail",
        "dossiers:print",
        "dossiers:print_letter",
        "dossiers:print_guidance",
        "dossiers:attachment",
        "dossiers:worklist",
        "dossiers:applicant_lookup",
        "dossiers:citizen_data_public",
        "api:dossier-detail",
        "api:dossier-list",
        "surveys:feedback_detail",
        "results:form_pdf",
        "dossiers:worklist?q",
        "api:dossier-list?q",
    ):
        assert name in shown, f"{name} showed nothing: the walk did not reach it"


@pytest.mark.django_db
def test_every_admin_page_showing_personal_data_records_one_access(client, world):
    user = world["users"]["admin"]
    client.force_login(user)
    misses, shown = {}, set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
        for url in urls:
            _check(client, user, "get", url, label, misses, shown)
        if model_admin.search_fields:
            # The search box repeats the number typed: only the name and phone tell a read here.
            search = urls[0] + f"?q={ID_NUMBER}"
            _check(client, user, "get", search, label, misses, shown, markers=MARKERS[1:])
    # A search of the dossiers by ID number is a read of that citizen, whatever the list shows.
    before = last_pk()
    client.get(reverse("admin:dossiers_dossier_changelist") + f"?q={ID_NUMBER}")
    (row,) = new_rows(before)
    assert (row.channel, row.subject_kind, row.citizen_id_number, row.found) == ("admin", "search", ID_NUMBER, True)
    unexpected = {name: lines for name, lines in misses.items() if name not in ADMIN_PENDING}
    assert not unexpected, f"admin pages showing personal data without one access record: {unexpected}"
    assert set(ADMIN_PENDING) <= set(misses), (
        f"now recorded, remove from ADMIN_PENDING: {set(ADMIN_PENDING) - set(misses)}"
    )
    for name in ("dossiers.dossier", "notifications.message", "dossiers.guidance"):
        assert name in shown, f"{name}: the walk did not see the citizen's data"
    assert PersonalDataAccess.objects.filter(channel="admin", citizen_id_number=ID_NUMBER).exists()
