"""Every URL and API endpoint × anonymous, each role, and another commune's staff.

The list of URLs comes from the URL conf: a view added without an entry in EXPECTED fails
``test_every_url_is_in_the_matrix``, so a new page cannot be forgotten.
"""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from dossiers.services import (
    ApplicantData,
    Upload,
    dossier_attach,
    dossier_return,
    guidance_record,
)
from procedures.models import Procedure
from surveys.models import Campaign
from surveys.services import feedback_submit
from tests.factories import UserFactory, approve_result

USERS = ("anon", "clerk", "officer", "leader", "admin", "stranger")
STAFF = ("clerk", "officer", "leader", "admin", "stranger")
LOGIN = {302}
API_ANON = {401, 403}


def expect(anon=None, default=None, **per_user):
    """Allowed status codes per user kind: a user not named gets ``default``."""
    table = {"anon": anon}
    for user in STAFF:
        table[user] = per_user.get(user, default)
    return table


PUBLIC = expect(anon={200}, default={200})
STAFF_PAGE = expect(anon=LOGIN, default={200})
SCOPED = expect(anon=LOGIN, default={200}, stranger={404})
LEADERS = expect(anon=LOGIN, default={403}, leader={200}, admin={200})

# url name → (method, allowed statuses per user). Method POST sends an empty or minimal form.
EXPECTED = {
    "home": ("get", expect(anon={302}, default={200})),
    "healthz": ("get", PUBLIC),
    "set_language": ("get", expect(anon={302, 405}, default={302, 405})),
    "accounts:login": ("get", expect(anon={200}, default={302})),
    "accounts:logout": ("get", expect(anon={405}, default={405})),
    "accounts:password_change": ("get", STAFF_PAGE),
    "accounts:password_change_done": ("get", STAFF_PAGE),
    "agencies:calendar": ("get", STAFF_PAGE),
    "procedures:catalog": ("get", PUBLIC),
    "procedures:excel": ("get", expect(anon=LOGIN, default={403}, admin={200})),
    "procedures:annex_import": ("get", expect(anon=LOGIN, default={403}, admin={200})),
    "procedures:confirm_times": ("get", expect(anon=LOGIN, default={403}, admin={200})),
    "procedures:portal_sync": ("get", expect(anon=LOGIN, default={403}, admin={200})),
    "interop:queue": ("get", expect(anon=LOGIN, default={403}, admin={200})),
    "interop:resend": ("post", expect(anon=LOGIN, default={403}, admin={302})),
    "interop:resend_held": ("post", expect(anon=LOGIN, default={403}, admin={302})),
    "results:download": ("get", expect(anon=LOGIN, default={404})),
    "results:form_pdf": ("get", SCOPED),
    "results:letter_pdf": ("get", SCOPED),
    "results:guidance_pdf": ("get", expect(anon=LOGIN, default={200}, officer={404}, stranger={404})),
    "results:verify": ("get", expect(anon={404}, default={404})),
    "results:verify_upload": ("get", PUBLIC),
    "results:citizen_download": ("get", PUBLIC),
    "procedures:field_posters": ("get", PUBLIC),
    "procedures:detail": ("get", PUBLIC),
    "procedures:poster": ("get", PUBLIC),
    "procedures:qr": ("get", PUBLIC),
    "dossiers:worklist": ("get", STAFF_PAGE),
    "dossiers:intake": ("get", expect(anon=LOGIN, default={403}, clerk={200}, stranger={200}, admin={200})),
    "dossiers:intake_procedures": ("get", STAFF_PAGE),
    # Intake roles of a desk only (issue 16): another commune's clerk finds nothing of this one's.
    "dossiers:applicant_lookup": ("get", expect(anon=LOGIN, default={403}, clerk={200}, admin={204}, stranger={204})),
    "dossiers:citizen_data": ("get", expect(anon=LOGIN, default={403}, clerk={200}, admin={200}, stranger={200})),
    "dossiers:correction_new": ("post", expect(anon=LOGIN, default={403}, clerk={302}, admin={302}, stranger={302})),
    "dossiers:corrections": ("get", expect(anon=LOGIN, default={200}, officer={403})),
    "dossiers:correction_handle": ("post", expect(anon=LOGIN, default={404}, officer={403})),
    "dossiers:citizen_data_public": ("get", PUBLIC),
    "dossiers:register": ("get", expect(anon=LOGIN, default={200}, officer={403})),
    "dossiers:print_guidance": ("get", expect(anon=LOGIN, default={200}, officer={404}, stranger={404})),
    "dossiers:detail": ("get", SCOPED),
    "dossiers:print": ("get", SCOPED),
    "dossiers:print_letter": ("get", SCOPED),
    "dossiers:attachment": ("get", SCOPED),
    "dossiers:act": ("post", expect(anon=LOGIN, default={302}, stranger={404})),
    "notifications:inbox": ("get", STAFF_PAGE),
    "notifications:mark_read": ("post", expect(anon=LOGIN, default={302})),
    "reports:dashboard": ("get", LEADERS),
    "reports:periodic": ("get", LEADERS),
    "reports:index766": ("get", LEADERS),
    "reports:index766_dossiers": ("get", LEADERS),
    "reports:satisfaction": ("get", LEADERS),
    "reports:handling_xlsx": ("get", LEADERS),
    "reports:board": ("get", PUBLIC),
    "reports:widget": ("get", PUBLIC),
    "public_lookup": ("get", PUBLIC),
    "surveys:lookup": ("get", PUBLIC),
    "surveys:survey": ("get", PUBLIC),
    "surveys:survey_results": ("get", expect(anon=LOGIN, default={403, 404}, leader={200}, admin={200})),
    "surveys:survey_export": ("get", expect(anon=LOGIN, default={403, 404}, leader={200}, admin={200})),
    "surveys:feedback_new": ("get", PUBLIC),
    "surveys:feedback_public": ("get", PUBLIC),
    "surveys:feedback_queue": ("get", expect(anon=LOGIN, default={200}, officer={403})),
    "surveys:feedback_detail": ("get", expect(anon=LOGIN, default={200}, officer={403, 404}, stranger={404})),
    "surveys:feedback_step": ("post", expect(anon=LOGIN, default={200, 302}, officer={403, 404}, stranger={404})),
    "surveys:kiosk": ("get", STAFF_PAGE),
    "surveys:kiosk_thanks": ("get", STAFF_PAGE),
    "surveys:kiosk_rate": ("get", expect(anon=LOGIN, default={200, 403, 404}, clerk={200}, stranger={403, 404})),
    "api:calendar-due": ("get", PUBLIC),
    "api:procedure-list": ("get", PUBLIC),
    "api:procedure-detail": ("get", PUBLIC),
    "api:dossier-list": ("get", expect(anon=API_ANON, default={200})),
    "api:dossier-detail": ("get", expect(anon=API_ANON, default={200}, stranger={404})),
    # The codes come from the rule table itself (dossiers.rules): see test_permission_matrix.
    "api:dossier-action": ("post", "rules"),
    "api:reports-handling": ("get", expect(anon=API_ANON, default={403}, leader={200}, admin={200})),
    # The portal's push: only with its own bearer token, whoever is logged in.
    "api:portal-online-push": ("post", expect(anon={401}, default={401})),
    "api:public-dossier": ("get", PUBLIC),
    "api:public-dossier-evaluation": ("post", expect(anon={400, 409}, default={400, 409})),
    "api-schema": ("get", PUBLIC),
    "api-docs": ("get", PUBLIC),
    None: ("get", expect(anon={301, 302}, default={301, 302})),  # favicon.ico
}


def url_names():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                ns = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else (pattern.namespace or namespace)
                )
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name

    return list(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    missing = [name for name in url_names() if name not in EXPECTED]
    assert not missing, f"add these views to the permission matrix: {missing}"


@pytest.fixture
def world(db, catalog, province, commune, other_commune, center, office, clerk, officer, leader, receive):
    admin = UserFactory(username="root", role="admin", agency=province, is_superuser=True, is_staff=True)
    stranger = UserFactory(username="stranger", role="clerk", agency=other_commune)
    returned = receive("1.000656", applicant=ApplicantData(full_name="Hà Thị Em", id_number="001099000501"))
    returned = approve_result(returned, officer=officer)
    returned = dossier_return(dossier=returned, by=clerk)
    open_dossier = receive("1.000656", applicant=ApplicantData(full_name="Hà Văn Phúc", id_number="001099000502"))
    attachment = dossier_attach(
        dossier=open_dossier, uploads=[Upload.from_bytes("scan.pdf", b"%PDF-1.4 test")], by=clerk
    )[0]
    guidance = guidance_record(
        procedure=Procedure.objects.get(code="1.001193"),
        kind="incomplete",
        given_by=clerk,
        applicant_name="Hà Văn Phúc",
        missing="Giấy chứng sinh",
    )
    campaign = Campaign.objects.create(
        title="Khảo sát 2026",
        slug="khao-sat-2026",
        agency=commune,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=30),
    )
    feedback = feedback_submit(agency=center, content="Thái độ chưa tốt", dossier=returned)
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


def build(name, world):
    """The URL (and data) to request for a URL name."""
    returned, open_dossier = world["returned"], world["open"]
    key = f"?key={returned.lookup_key}"
    args = {
        "procedures:field_posters": ["HT"],
        "procedures:detail": ["1.001193"],
        "procedures:poster": ["1.001193"],
        "procedures:qr": ["1.001193"],
        "dossiers:print_guidance": [world["guidance"].number],
        "dossiers:detail": [open_dossier.code],
        "dossiers:print": [open_dossier.code, "01"],
        "dossiers:print_letter": [returned.code, "chia-buon"],
        "dossiers:attachment": [open_dossier.code, world["attachment"].pk],
        "dossiers:act": [open_dossier.code, "supplement"],
        "dossiers:correction_handle": [999999],
        "dossiers:citizen_data_public": [returned.code],
        "interop:resend": [1],
        "results:download": [999999],
        "results:form_pdf": [open_dossier.code, "01"],
        "results:letter_pdf": [returned.code, "chia-buon"],
        "results:guidance_pdf": [world["guidance"].number],
        "results:verify": ["khong-co"],
        "results:citizen_download": [returned.code],
        "public_lookup": [returned.code],
        "surveys:survey": [world["campaign"].slug],
        "surveys:survey_results": [world["campaign"].slug],
        "surveys:survey_export": [world["campaign"].slug],
        "surveys:feedback_detail": [world["feedback"].pk],
        "surveys:feedback_step": [world["feedback"].pk, "phan-loai"],
        "surveys:kiosk_rate": [returned.code],
        "api:procedure-detail": ["1.001193"],
        "api:dossier-detail": [open_dossier.code],
        "api:dossier-action": [open_dossier.code, "supplement"],
        "api:public-dossier": [returned.code],
        "api:public-dossier-evaluation": [returned.code],
    }.get(name, [])
    if name is None:
        return "/favicon.ico"
    url = reverse(name, args=args)
    query = {
        "public_lookup": key,
        "dossiers:citizen_data_public": key,
        "api:public-dossier": key,
        "api:public-dossier-evaluation": key,
        "api:calendar-due": "?received_at=2026-03-10T14:00:00%2B07:00&amount=1&unit=working_days",
        "api:reports-handling": "?from=2026-01-01&to=2026-01-31",
        "reports:handling_xlsx": "?from=2026-01-01&to=2026-01-31",
        "reports:index766_dossiers": "?from=2026-01-01&to=2026-01-31&indicator=3.1",
        "dossiers:applicant_lookup": "?id_number=001099000501",
    }.get(name, "")
    return url + query


def login(client, kind, world):
    if kind == "anon":
        return
    user = world["users"][kind]
    client.force_login(user)
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"


def rule_table_expectations(world, code, action):
    """What the API must answer each user for an action, as ``dossiers.rules`` decides it."""
    from dossiers import rules
    from dossiers.models import Dossier

    dossier = Dossier.objects.get(code=code)
    table = {"anon": API_ANON, "stranger": {404}}
    for kind in ("clerk", "officer", "leader", "admin"):
        verdict = rules.evaluate(world["users"][kind], dossier, action)
        table[kind] = {verdict.status_code if not verdict.allowed else 200}
    return table


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED), ids=lambda n: n or "favicon")
def test_permission_matrix(client, world, name, settings):
    settings.PUBLIC_LOOKUP_RATE = "10000/min"
    method, allowed = EXPECTED[name]
    url = build(name, world)
    if allowed == "rules":
        allowed = rule_table_expectations(world, *url.rstrip("/").split("/")[-2:])
    results = {}
    for kind in USERS:
        client.logout()
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        login(client, kind, world)
        if method == "post" and name.startswith("api"):
            response = client.post(url, {}, content_type="application/json")
        elif method == "post":
            response = client.post(url, {})
        else:
            response = client.get(url)
        results[kind] = response.status_code
    wrong = {kind: code for kind, code in results.items() if code not in allowed[kind]}
    assert not wrong, f"{name} {url}: got {results}, expected {allowed}"


@pytest.mark.django_db
def test_uploads_are_never_served_from_a_public_url(client, world, settings):
    attachment = world["attachment"]
    assert not attachment.file.url.startswith(settings.STATIC_URL)
    assert client.get(attachment.file.url).status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert len(attachment.file.name.rsplit("/", 1)[-1]) >= 32


@pytest.mark.django_db
def test_uploaded_file_from_a_form_is_checked_by_content(client, world):
    client.force_login(world["users"]["clerk"])
    fake = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    procedure = Procedure.objects.get(code="1.001193")
    response = client.post(
        reverse("dossiers:intake"),
        {
            "procedure": procedure.code,
            "id_number": "001099000777",
            "full_name": "A B",
            "channel": "direct",
            "return_method": "desk",
            "decision": "receive",
            "scans": [fake],
        },
    )
    assert response.status_code == 200
    assert "x.pdf" in response.content.decode()
