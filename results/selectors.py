"""Reads of electronic results shared by the pages, the API and the public verification."""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from .choices import ResultState
from .models import ResultDocument


def _with_superseded(qs):
    later = ResultDocument.objects.filter(replaces=OuterRef("pk"), state=ResultState.SIGNED)
    return qs.annotate(superseded=Exists(later))


def result_list(dossier, *, signed_only: bool = True):
    """A dossier's results, oldest first; each knows whether it was superseded (``superseded``)."""
    qs = ResultDocument.objects.filter(dossier=dossier).select_related("signer")
    if signed_only:
        qs = qs.filter(state=ResultState.SIGNED)
    return _with_superseded(qs).order_by("version", "created_at")


def result_get_by_token(token: str):
    if not token or len(token) > 40:
        return None
    qs = ResultDocument.objects.filter(token=token, state=ResultState.SIGNED).select_related("agency")
    return _with_superseded(qs).first()


def result_get_by_sha256(sha256: str):
    qs = ResultDocument.objects.filter(sha256=sha256, state=ResultState.SIGNED)
    return _with_superseded(qs).first()


def result_api_items(dossier, *, request=None) -> list[dict]:
    """The API's ``results: [{number, url, sha256, signer, signed_at}]`` (signed versions, oldest
    first; ``superseded`` and ``version`` added). ``url`` downloads with the caller's session or token."""
    items = []
    for doc in result_list(dossier):
        url = reverse("results:download", args=[doc.pk])
        items.append(
            {
                "number": doc.number,
                "version": doc.version,
                "url": request.build_absolute_uri(url) if request is not None else url,
                "sha256": doc.sha256,
                "signer": doc.signer_name,
                "signed_at": doc.signed_at,
                "superseded": bool(doc.superseded),
            }
        )
    return items
