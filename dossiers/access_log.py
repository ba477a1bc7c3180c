"""Every read of citizens' personal data leaves one access record (Law 91/2025/QH15, Decree
356/2025; issue 16, item 1): who, when, which citizen (ID number) or dossier, what, and through
which channel (page, API, admin, export, print, the citizen's own key).

One mechanism, four doors:

- ``records_access(what, channel=...)``: a decorator for views. It opens a *note* on the request,
  calls the view and, when the answer is a success (2xx), writes **one** ``PersonalDataAccess`` row
  from the note (one INSERT, no other query). The view says what it showed with ``note_dossier``,
  ``note_citizen`` (an ID-number lookup, found or not), ``note_search`` / ``note_listed`` (a list
  and its search) or ``note_subject`` (a guidance slip, a feedback item); a view that says nothing
  still leaves a row naming its URL. ``nothing_read`` is for an answer that showed nobody.
- ``AccessRecordedAPIView``: the same for DRF views (the note opens in ``initial`` and is written in
  ``finalize_response``), and ``RecordsDossierAccess``: a serializer mixin that notes each dossier it
  serializes and **refuses** to serialize outside a recording view, so a new API view cannot forget.
- ``PersonalDataAdminMixin``: the same for a ModelAdmin's list, change, history and delete pages.
- ``record_access(...)``: one row written directly, for exports and jobs outside a request.

``tests/privacy/test_access_walk.py`` walks the URL conf and the admin, requests every view as staff
with a dossier in scope, and fails for any answer showing an applicant's ID number, name or phone
without exactly one new row.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import AccessChannel, AccessSubjectKind, PersonalDataAccess

NOTE_ATTRIBUTE = "_personal_data_access_note"
_ID_NUMBER = re.compile(r"^(\d{12}|\d{9}|[A-Z]\d{7,8})$")


def looks_like_id_number(text: str) -> bool:
    return bool(_ID_NUMBER.match("".join((text or "").split()).upper()))


@dataclass
class AccessNote:
    """What one request showed of whom; written as one row when the answer succeeds."""

    what: str
    channel: str
    user: object = None
    dossiers: dict = field(default_factory=dict)  # pk → (code, applicant ID number)
    citizen_id_number: str = ""
    found: bool = True
    search: str | None = None
    subject: str = ""
    subject_kind: str = ""
    listed: list = field(default_factory=list)
    nothing: bool = False
    depth: int = 0

    @property
    def empty(self) -> bool:
        return not (self.dossiers or self.citizen_id_number or self.search or self.subject or self.listed)

    def row(self, *, path: str = "") -> PersonalDataAccess:
        dossier_id, subject, kind = None, self.subject, self.subject_kind
        citizen = self.citizen_id_number
        listed = list(dict.fromkeys([*self.listed, *(idn for _code, idn in self.dossiers.values())]))
        if len(self.dossiers) == 1:
            dossier_id, (code, id_number) = next(iter(self.dossiers.items()))
            subject = subject or code
            citizen = citizen or id_number
        if self.search is not None:
            kind = kind or AccessSubjectKind.SEARCH
            subject = subject or self.search
            if not citizen and looks_like_id_number(self.search):
                citizen = "".join(self.search.split()).upper()
                self.found = bool(self.dossiers or self.listed)
        elif len(self.dossiers) > 1 or (self.listed and not self.dossiers and not citizen):
            kind = kind or AccessSubjectKind.LIST
            subject = subject or ", ".join(code for code, _idn in self.dossiers.values()) or path
        if not kind:
            kind = (
                AccessSubjectKind.DOSSIER
                if dossier_id
                else (AccessSubjectKind.CITIZEN if citizen else AccessSubjectKind.RECORD)
            )
        if len(listed) == 1 and listed[0] == citizen:
            listed = []
        return PersonalDataAccess(
            user=self.user if getattr(self.user, "is_authenticated", False) else None,
            at=timezone.now(),
            what=self.what[:40],
            subject=(subject or path)[:255],
            channel=self.channel,
            subject_kind=kind,
            citizen_id_number=(citizen or "")[:20],
            dossier_id=dossier_id,
            found=self.found,
            listed=f" {' '.join(listed)} " if listed else "",  # padded: " 001099000501 " matches whole numbers
        )


# ----- the note on the request -------------------------------------------------------------------


def _raw(request):
    """The Django request under a DRF request (both carry the same note)."""
    return getattr(request, "_request", request)


def current_note(request) -> AccessNote | None:
    return getattr(_raw(request), NOTE_ATTRIBUTE, None)


def begin(request, *, what: str, channel: str, user=None) -> AccessNote:
    """Open the request's note (a view called by another recording view shares the outer note)."""
    raw = _raw(request)
    note = getattr(raw, NOTE_ATTRIBUTE, None)
    if note is None:
        note = AccessNote(what=what, channel=channel, user=user or getattr(request, "user", None))
        setattr(raw, NOTE_ATTRIBUTE, note)
    else:
        note.depth += 1
    return note


def finish(request, response) -> PersonalDataAccess | None:
    """Close the note; write its one row if the answer succeeded and showed somebody."""
    raw = _raw(request)
    note = getattr(raw, NOTE_ATTRIBUTE, None)
    if note is None:
        return None
    if note.depth:
        note.depth -= 1
        return None
    delattr(raw, NOTE_ATTRIBUTE)
    if note.nothing or not 200 <= getattr(response, "status_code", 500) < 300:
        return None
    if note.channel == AccessChannel.API and note.empty:
        return None  # an API answer is noted by its serializers: nothing noted, nobody shown
    row = note.row(path=raw.get_full_path()[:255] if hasattr(raw, "get_full_path") else "")
    PersonalDataAccess.objects.bulk_create([row])  # one INSERT, whatever the model's save() does
    return row


def _require(request) -> AccessNote:
    note = current_note(request) if request is not None else None
    if note is None:
        raise ImproperlyConfigured(
            "Personal data read outside a recording view: decorate the view with "
            "dossiers.access_log.records_access (or use AccessRecordedAPIView / PersonalDataAdminMixin)."
        )
    return note


def note_dossier(request, dossier) -> None:
    note = _require(request)
    note.dossiers[dossier.pk] = (dossier.code, dossier.applicant_id_number)


def note_citizen(request, id_number: str, *, found: bool = True) -> None:
    note = _require(request)
    note.citizen_id_number = "".join((id_number or "").split()).upper()[:20]
    note.found = found
    note.subject_kind = AccessSubjectKind.CITIZEN


def note_search(request, term: str) -> None:
    """A list filtered by a search: the term is recorded (an ID number is a read of that citizen)."""
    _require(request).search = (term or "").strip()[:255]


def note_listed(request, id_numbers) -> None:
    note = _require(request)
    note.listed.extend(i for i in id_numbers if i)


def note_subject(request, subject: str, *, dossier=None, citizen_id_number: str = "") -> None:
    """A record that is not a dossier (a guidance slip, a feedback item, a message)."""
    note = _require(request)
    note.subject = subject[:255]
    if dossier is not None:
        note.dossiers[dossier.pk] = (dossier.code, dossier.applicant_id_number)
    if citizen_id_number:
        note.citizen_id_number = citizen_id_number


def note_export(request, subject: str) -> None:
    note = _require(request)
    note.subject = subject[:255]
    note.subject_kind = AccessSubjectKind.EXPORT


def note_what(request, what: str) -> None:
    _require(request).what = what


def nothing_read(request) -> None:
    """The answer showed nobody's data (an empty list without a search): no row."""
    _require(request).nothing = True


def record_access(
    *,
    user,
    what: str,
    channel: str = AccessChannel.EXPORT,
    subject: str = "",
    subject_kind: str = AccessSubjectKind.RECORD,
    dossier=None,
    citizen_id_number: str = "",
    found: bool = True,
) -> PersonalDataAccess:
    """One row written at once (exports and jobs outside a request)."""
    row = PersonalDataAccess(
        user=user,
        at=timezone.now(),
        what=what[:40],
        subject=(subject or (dossier.code if dossier else ""))[:255],
        channel=channel,
        subject_kind=subject_kind if not dossier else AccessSubjectKind.DOSSIER,
        citizen_id_number=(citizen_id_number or (dossier.applicant_id_number if dossier else ""))[:20],
        dossier=dossier,
        found=found,
    )
    PersonalDataAccess.objects.bulk_create([row])
    return row


# ----- door 1: views -----------------------------------------------------------------------------


def records_access(what: str, *, channel: str = AccessChannel.PAGE):
    """Decorate a view that can show personal data. ``what`` may name the view's arguments:
    ``"print-{form}"``."""

    def decorate(view):
        signature = inspect.signature(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # The view's arguments by name, however it was called (results' PDFs pass them by position).
            label = what.format(**signature.bind_partial(request, *args, **kwargs).arguments) if "{" in what else what
            begin(request, what=label, channel=channel)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                note = current_note(request)
                if note is not None and note.depth:
                    note.depth -= 1
                elif note is not None:
                    delattr(_raw(request), NOTE_ATTRIBUTE)
                raise
            finish(request, response)
            return response

        wrapper.records_personal_data_access = True
        return wrapper

    return decorate


# ----- door 2: the API ---------------------------------------------------------------------------


class AccessRecordedAPIView:
    """Mixin for DRF views answering with personal data (put it before GenericAPIView)."""

    access_what = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        what = self.access_what or f"api-{type(self).__name__}"
        if "{" in what:
            what = what.format(**kwargs)
        begin(request, what=what, channel=AccessChannel.API, user=request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        finish(request, response)
        return response


class RecordsDossierAccess:
    """Serializer mixin: each dossier serialized is noted on the request's access note; serializing
    one outside a recording view is a programming error (ImproperlyConfigured)."""

    def to_representation(self, instance):
        note_dossier(self.context.get("request"), instance)
        return super().to_representation(instance)


# ----- door 3: the admin -------------------------------------------------------------------------


class PersonalDataAdminMixin:
    """For a ModelAdmin whose pages show personal data: one row per list, change, history or
    delete page. Override ``access_dossier`` / ``access_citizen`` to name whose data a row is."""

    def access_dossier(self, obj):
        return obj if isinstance(obj, _dossier_model()) else getattr(obj, "dossier", None)

    def access_citizen(self, obj) -> str:
        dossier = self.access_dossier(obj)
        return dossier.applicant_id_number if dossier is not None else ""

    def _what(self, page):
        return f"admin:{self.model._meta.model_name}:{page}"[:40]

    def _recorded(self, request, page, call):
        begin(request, what=self._what(page), channel=AccessChannel.ADMIN)
        try:
            response = call()
        except BaseException:
            note = current_note(request)
            if note is not None:
                delattr(_raw(request), NOTE_ATTRIBUTE)
            raise
        if page == "list":
            note = current_note(request)
            search = request.GET.get("q", "")
            if search:
                note_search(request, search)
            changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
            if changelist is not None and note is not None:
                rows = list(changelist.result_list)
                note.listed.extend(c for c in (self.access_citizen(obj) for obj in rows) if c)
                if not note.subject:
                    note.subject = f"{self.model._meta.label}: {len(rows)}"
                if not rows and not search:
                    note.nothing = True
        finish(request, response)
        return response

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        note = current_note(request)
        if obj is not None and note is not None:
            dossier = self.access_dossier(obj)
            note_subject(
                request,
                f"{self.model._meta.label} #{obj.pk}" if dossier is None or dossier is not obj else dossier.code,
                dossier=dossier,
                citizen_id_number=self.access_citizen(obj),
            )
        return obj

    def changelist_view(self, request, extra_context=None):
        return self._recorded(
            request, "list", lambda: super(PersonalDataAdminMixin, self).changelist_view(request, extra_context)
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:  # the add page shows nobody
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._recorded(
            request,
            "change",
            lambda: super(PersonalDataAdminMixin, self).changeform_view(request, object_id, form_url, extra_context),
        )

    def history_view(self, request, object_id, extra_context=None):
        return self._recorded(
            request,
            "history",
            lambda: super(PersonalDataAdminMixin, self).history_view(request, object_id, extra_context),
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._recorded(
            request,
            "delete",
            lambda: super(PersonalDataAdminMixin, self).delete_view(request, object_id, extra_context),
        )


def _dossier_model():
    from .models import Dossier

    return Dossier
