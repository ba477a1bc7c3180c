"""The menu of each role. Items whose page does not exist (yet) are left out."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role

# (url name, label, bootstrap icon, roles that see it)
MENU = [
    ("dossiers:intake", _("Receive a dossier"), "bi-box-arrow-in-down", {Role.CLERK}),
    ("dossiers:worklist", _("Dossiers"), "bi-folder2-open", {Role.CLERK, Role.OFFICER, Role.LEADER, Role.ADMIN}),
    ("reports:dashboard", _("Dashboard"), "bi-speedometer2", {Role.LEADER, Role.ADMIN}),
    ("reports:periodic", _("Reports"), "bi-table", {Role.LEADER, Role.ADMIN}),
    ("reports:satisfaction", _("Satisfaction"), "bi-emoji-smile", {Role.LEADER, Role.ADMIN}),
    ("surveys:feedback_queue", _("Feedback"), "bi-chat-left-text", {Role.CLERK, Role.LEADER, Role.ADMIN}),
    ("dossiers:citizen_data", _("A citizen's personal data"), "bi-person-vcard", {Role.CLERK, Role.ADMIN}),
    ("dossiers:corrections", _("Requests to correct personal data"), "bi-pencil-square", {Role.CLERK, Role.ADMIN}),
    ("procedures:catalog", _("Procedures"), "bi-journal-text", {Role.CLERK, Role.OFFICER, Role.LEADER, Role.ADMIN}),
    ("procedures:excel", _("Catalogue in Excel"), "bi-file-earmark-excel", {Role.ADMIN}),
    ("procedures:annex_import", _("Import a province's annex"), "bi-file-earmark-arrow-down", {Role.ADMIN}),
    ("interop:queue", _("Interconnection (national portal)"), "bi-arrow-left-right", {Role.ADMIN}),
    ("agencies:calendar", _("Working calendar"), "bi-calendar3", {Role.CLERK, Role.OFFICER, Role.LEADER, Role.ADMIN}),
    ("admin:index", _("Administration"), "bi-gear", {Role.ADMIN}),
]


def menu_for(user):
    if not user.is_authenticated:
        return []
    role = Role.ADMIN if user.is_superuser else user.role
    items = []
    for url_name, label, icon, roles in MENU:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "icon": icon, "url_name": url_name})
    return items
