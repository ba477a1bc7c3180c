"""The citizen's papers (kho giấy tờ của công dân; issue 14, item 7). Decree 309/2026: staff may not
ask for papers whose data the system already holds.

- **Filing.** Every scan stored with a dossier, at intake or attached later, is filed under the
  dossier's applicant ID number (``paper_file_scans``, called by ``dossiers.services.intake``);
  every signed result too (``paper_file_result``, called by ``results.services`` when a result is
  signed; a corrected result supersedes the paper of the version it replaces).
- **Offering.** ``paper_offer_list`` gives the citizen's papers still valid that match the required
  documents of a procedure version (``paper_names_match``), within this scope:

  * a signed result is offered anywhere in the province of the agency that issued it: it is a
    public act, signed, and anyone can check it from its QR code;
  * a scan is offered only at the commune whose desk took it: that desk compared it with the
    original and keeps it for the citizen's dealings with that commune; another commune has not
    seen the original (and Law 91/2025 limits personal data to the purpose it was given for).

  Showing the list is a read of the citizen's data: the view records it (``dossiers.access_log``,
  one record per answer).
- **Reusing.** ``paper_reuse_plan`` checks the ids a clerk ticked (or an API client sent);
  ``paper_reuse_attach`` links each paper to the new dossier (a DossierPaperReuse row: the file is
  never copied), ticks the matching DossierDocument (0 originals, 0 copies when the clerk had not
  ticked it: nothing was brought) and records each reuse in the access log (what="paper-reuse").
- **State.** ``paper_mark_superseded`` and ``paper_withdraw`` move a valid paper once, with who, when
  and why (CitizenPaperEvent); such a paper, an expired one (``valid_until``) or a scan whose file
  was removed by the retention job is no longer offered. Nothing is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from agencies.choices import AgencyKind
from common.text import search_key

from .access_log import record_access
from .exceptions import ActionForbidden
from .models import (
    AccessChannel,
    CitizenPaper,
    CitizenPaperEvent,
    DossierDocument,
    DossierPaperReuse,
    PaperAction,
    PaperSource,
    PaperState,
)
from .rules import commune_of
from .uploads import Upload

# At most this many papers are read for one offer, newest first (a citizen's lifetime of dossiers).
OFFER_LIMIT = 200
# At most this many papers reused by one dossier.
MAX_REUSED = 50


# ----- the matcher -------------------------------------------------------------------------------

_HEAD_END = re.compile(r"[;(:]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# "Bản sao", "Bản chính", "Bản sao có/được chứng thực (từ)": how the paper is brought, not what it is.
_QUALIFIERS = re.compile(r"^(?:ban (?:sao|chinh)(?: (?:co|duoc) chung thuc)?(?: tu)? )+")
# Papers written for the request itself: never taken from an earlier dossier.
_WRITTEN_FOR_THE_REQUEST = (
    "to khai",
    "don ",
    "giay de nghi",
    "van ban de nghi",
    "phieu yeu cau",
    "ban khai",
    "du thao",
    "van ban uy quyen",
    "giay to uy quyen",
    "van ban cam doan",
)


def _words(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces: "Bản sao Giấy khai-sinh" →
    "ban sao giay khai sinh"."""
    return _NON_WORD.sub(" ", search_key(text)).strip()


def _core(name: str) -> str:
    head = _HEAD_END.split(name or "", maxsplit=1)[0]
    return _QUALIFIERS.sub("", _words(head) + " ").strip()


def paper_names_match(required: str, paper: str) -> bool:
    """Is a held paper named ``paper`` the procedure's paper named ``required``?

    Accents, case and punctuation are ignored; each name is read up to its first ";", "(" or ":"
    (what follows is the procedure's explanation) and without "Bản sao / Bản chính (có, được chứng
    thực) (từ)"; then one must contain the other as whole words, the shorter having at least two
    words and eight letters. A paper written for the request itself (a declaration, an application,
    a draft, an authorisation) is never reused."""
    want, have = _core(required), _core(paper)
    if not want or not have or want.startswith(_WRITTEN_FOR_THE_REQUEST):
        return False
    shorter, longer = sorted((want, have), key=len)
    return len(shorter) >= 8 and " " in shorter and f" {shorter} " in f" {longer} "


# ----- validity ----------------------------------------------------------------------------------


def paper_valid_until(name: str, issued_on: date) -> date | None:
    """The expiry of a paper of this name issued on that day: settings.CITIZEN_PAPER_VALIDITY_DAYS
    ({name: days}, names compared without accents or case); None (no expiry) for any other."""
    words = f" {_words(name)} "
    for rule, days in (getattr(settings, "CITIZEN_PAPER_VALIDITY_DAYS", None) or {}).items():
        key = _words(rule)
        if key and f" {key} " in words:
            return issued_on + timedelta(days=int(days))
    return None


# ----- scans carry the paper they are of ---------------------------------------------------------


@dataclass(frozen=True)
class PaperScan(Upload):
    """An upload that says which of the procedure's required documents it is a scan of (the intake
    page has a file input beside each paper). A plain Upload is matched by its file name."""

    required_document_id: int | None = None

    @classmethod
    def from_django(cls, uploaded, required_document_id: int | None = None) -> PaperScan:
        return cls(
            name=uploaded.name or "",
            file=uploaded,
            content_type=getattr(uploaded, "content_type", "") or "",
            required_document_id=required_document_id,
        )


# ----- filing ------------------------------------------------------------------------------------


def province_of(agency):
    """The province an agency belongs to (the top of its tree when none is marked a province)."""
    node = agency
    while node.kind != AgencyKind.PROVINCE and node.parent_id is not None:
        node = node.parent
    return node


def _stem(file_name: str) -> str:
    return file_name.rsplit(".", 1)[0] if "." in file_name else file_name


def _file(paper: CitizenPaper, *, by) -> CitizenPaper:
    paper.valid_until = paper_valid_until(paper.name, paper.issued_on)
    paper.filed_by = by
    paper.filed_at = timezone.now()
    paper.save()
    CitizenPaperEvent.objects.create(paper=paper, at=paper.filed_at, by=by, action=PaperAction.FILED)
    return paper


def paper_file_scans(*, dossier, scans, by=None, received_on: date | None = None) -> list[CitizenPaper]:
    """File scans just stored with a dossier under its applicant's ID number (inside the caller's
    transaction). ``scans``: (Attachment, required document id or None) pairs. A scan's paper is the
    required document it was put beside; else the one paper of the dossier its file name matches;
    else its file name. ``received_on``: the dossier's receipt day unless given (a later scan)."""
    if not scans:
        return []
    from procedures.models import RequiredDocument

    commune = commune_of(dossier.receiving_agency)
    province = province_of(commune)
    received = list(dossier.documents.select_related("required_document"))
    hinted = {hint for _scan, hint in scans if hint}
    # A hint names one of the papers of the dossier's own procedure version, or is ignored.
    required = RequiredDocument.objects.filter(pk__in=hinted, version=dossier.procedure_version_id).in_bulk()
    day = received_on or timezone.localdate(dossier.received_at)
    papers = []
    for attachment, hint in scans:
        stem = _stem(attachment.original_name).strip()
        document = required.get(hint) if hint else None
        name = document.name if document is not None else ""
        if document is None:
            matches = [d for d in received if paper_names_match(d.name, stem)]
            if len(matches) == 1:
                document, name = matches[0].required_document, matches[0].name
        papers.append(
            _file(
                CitizenPaper(
                    id_number=dossier.applicant_id_number,
                    name=name or stem or attachment.original_name,
                    required_document=document,
                    received_as=document.name if document is not None else "",
                    source=PaperSource.SCAN,
                    attachment=attachment,
                    dossier=dossier,
                    agency=commune,
                    province=province,
                    issued_on=day,
                ),
                by=by,
            )
        )
    return papers


def paper_file_result(*, result, replaces=None) -> CitizenPaper:
    """File a signed result under its dossier's applicant (inside the signing transaction). Its kind
    is the procedure version's result (e.g. "Giấy khai sinh"). A corrected result supersedes the
    paper of the version it replaces."""
    dossier = result.dossier
    version = dossier.procedure_version
    agency = result.agency
    paper = _file(
        CitizenPaper(
            id_number=dossier.applicant_id_number,
            name=(version.result or "").strip() or version.name,
            source=PaperSource.RESULT,
            result=result,
            dossier=dossier,
            agency=agency,
            province=province_of(agency),
            issued_on=timezone.localdate(result.signed_at or timezone.now()),
        ),
        by=result.signer,
    )
    if replaces is not None:
        earlier = CitizenPaper.objects.filter(result=replaces, state=PaperState.VALID).first()
        if earlier is not None:
            _change_state(
                earlier,
                to=PaperState.SUPERSEDED,
                action=PaperAction.SUPERSEDED,
                by=result.signer,
                reason=_("Replaced by the corrected result (version %(version)s): %(reason)s")
                % {"version": result.version, "reason": result.reason},
            )
    return paper


# ----- offering ----------------------------------------------------------------------------------


@dataclass
class OfferedPaper:
    """A paper the citizen need not bring: the held paper and the required document it stands for."""

    paper: CitizenPaper
    document: object  # procedures.RequiredDocument

    @property
    def document_name(self) -> str:
        return re.split(r"[;(:]", self.document.name, maxsplit=1)[0].strip() or self.document.name


def _offerable(*, agency, id_number: str, version, today: date | None = None) -> list[OfferedPaper]:
    documents = list(version.documents.all())
    if not documents or not id_number:
        return []
    commune = commune_of(agency)
    today = today or timezone.localdate()
    papers = (
        CitizenPaper.objects.filter(id_number=id_number, state=PaperState.VALID)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(
            Q(source=PaperSource.SCAN, agency=commune, attachment__removed_at__isnull=True)
            | Q(source=PaperSource.RESULT, province=province_of(commune))
        )
        .select_related("dossier", "agency", "attachment", "result")
        .order_by("-issued_on", "-pk")[:OFFER_LIMIT]
    )
    offered = []
    for paper in papers:
        document = next((d for d in documents if paper_names_match(d.name, paper.name)), None)
        if document is not None:
            offered.append(OfferedPaper(paper=paper, document=document))
    return offered


def paper_offer_list(*, user, id_number: str, version, today: date | None = None) -> list[OfferedPaper]:
    """The citizen's papers still valid that this procedure version asks for, as the desk of
    ``user`` may reuse them (scans of its own commune, signed results of its province). The caller
    records the read."""
    if user.agency_id is None:
        return []
    return _offerable(agency=user.agency, id_number=id_number, version=version, today=today)


def paper_reuse_plan(*, agency, id_number: str, version, paper_ids) -> list[OfferedPaper]:
    """Check the papers a dossier is to reuse: each must be offered to this desk for this citizen
    and this procedure version now. Raises ValidationError({"reused_papers": [...]})."""
    ids = []
    for value in paper_ids or []:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = 0
        if not 0 < pk < 2**63:  # a number the database can hold
            raise ValidationError({"reused_papers": [_("Papers to reuse are given by their numbers.")]})
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_REUSED:
        raise ValidationError({"reused_papers": [_("Reuse at most %(n)s papers.") % {"n": MAX_REUSED}]})
    if not ids:
        return []
    offered = {o.paper.pk: o for o in _offerable(agency=agency, id_number=id_number, version=version)}
    refused = [pk for pk in ids if pk not in offered]
    if refused:
        raise ValidationError(
            {
                "reused_papers": [
                    _(
                        "Paper no. %(numbers)s cannot be reused here: it is not this citizen's, is no "
                        "longer valid, is not asked for by this procedure or was filed by another commune."
                    )
                    % {"numbers": ", ".join(str(pk) for pk in refused)}
                ]
            }
        )
    return [offered[pk] for pk in ids]


def paper_reuse_attach(*, dossier, plan: list[OfferedPaper], by) -> list[DossierPaperReuse]:
    """Attach the planned papers to a new dossier (inside the intake's transaction): one
    DossierPaperReuse row each, the matching DossierDocument ticked, one access record each."""
    if not plan:
        return []
    ids = [offered.paper.pk for offered in plan]
    locked = {p.pk: p for p in CitizenPaper.objects.select_for_update().filter(pk__in=ids)}
    stale = [pk for pk in ids if pk not in locked or locked[pk].state != PaperState.VALID]
    if stale:  # superseded or withdrawn since the list was shown
        raise ValidationError(
            {
                "reused_papers": [
                    _("Paper no. %(numbers)s was just marked superseded or withdrawn: ask for it instead.")
                    % {"numbers": ", ".join(str(pk) for pk in stale)}
                ]
            }
        )
    documents = {d.required_document_id: d for d in dossier.documents.all() if d.required_document_id}
    order = (dossier.documents.aggregate(last=Max("order"))["last"] or 0) + 1
    now = timezone.now()
    reuses = []
    for offered in plan:
        paper = locked[offered.paper.pk]
        document = documents.get(offered.document.pk)
        if document is None:
            document = DossierDocument.objects.create(
                dossier=dossier,
                required_document=offered.document,
                name=offered.document.name,
                original_count=0,
                copy_count=0,
                order=order,
            )
            documents[offered.document.pk] = document
            order += 1
        reuses.append(DossierPaperReuse.objects.create(dossier=dossier, paper=paper, document=document, by=by, at=now))
        record_access(
            user=by,
            what="paper-reuse",
            channel=AccessChannel.PAGE,
            subject=f"{dossier.code}: paper {paper.pk} ({paper.source}) from {paper.dossier.code}",
            dossier=dossier,
        )
    return reuses


# ----- state -------------------------------------------------------------------------------------


def _check_may_change(by, paper) -> None:
    role = Role.ADMIN if by.is_superuser else by.role
    if not by.is_active or role not in (Role.ADMIN, Role.CLERK, Role.LEADER):
        raise ActionForbidden(_("Only the desk, a leader or an administrator may change a citizen's paper."))
    if role != Role.ADMIN and (by.agency_id is None or commune_of(by.agency).pk != paper.agency_id):
        raise ActionForbidden(_("Only the agency that filed this paper may change it."))


def _change_state(paper, *, to, action, by, reason) -> CitizenPaper:
    with transaction.atomic():
        locked = CitizenPaper.objects.select_for_update().get(pk=paper.pk)
        if locked.state != PaperState.VALID:
            raise ValidationError(
                _("This paper is already “%(state)s”: its state cannot change again.")
                % {"state": locked.get_state_display()}
            )
        now = timezone.now()
        locked.state = to
        locked.save(update_fields=["state"])
        CitizenPaperEvent.objects.create(paper=locked, at=now, by=by, action=action, reason=reason)
    return locked


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("The reason is longer than 2000 characters.")]})
    return reason


def paper_mark_superseded(*, paper: CitizenPaper, by, reason: str) -> CitizenPaper:
    """A newer paper replaces this one (a new certificate was issued): no longer offered."""
    reason = _reason(reason)
    _check_may_change(by, paper)
    return _change_state(paper, to=PaperState.SUPERSEDED, action=PaperAction.SUPERSEDED, by=by, reason=reason)


def paper_withdraw(*, paper: CitizenPaper, by, reason: str) -> CitizenPaper:
    """The paper must not be used any more (wrong, revoked, filed under the wrong citizen)."""
    reason = _reason(reason)
    _check_may_change(by, paper)
    return _change_state(paper, to=PaperState.WITHDRAWN, action=PaperAction.WITHDRAWN, by=by, reason=reason)


# ----- reads -------------------------------------------------------------------------------------


def paper_list(*, id_number: str):
    """Every paper held for a citizen, any state (the citizen's data report, the admin)."""
    return (
        CitizenPaper.objects.filter(id_number=id_number)
        .select_related("dossier", "agency", "attachment", "result")
        .prefetch_related("events")
        .order_by("-issued_on", "-pk")
    )


def paper_open(paper: CitizenPaper):
    """The paper's stored file opened for reading (the scan's or the signed result's), or None when
    the scan's file was removed by the retention job. The caller checks access and records it."""
    if paper.source == PaperSource.SCAN:
        if paper.attachment.removed_at is not None or not paper.attachment.file:
            return None
        return paper.attachment.file.open("rb")
    return paper.result.file.open("rb")
