"""Who may see a dossier (what they may do with it is ``dossiers.rules``)."""

from accounts.scoping import can_see_agency


def can_access_dossier(user, dossier) -> bool:
    """The same rule as ``selectors.dossier_scope_q``, for one dossier in memory."""
    if any(
        agency_id is not None and can_see_agency(user, agency_id)
        for agency_id in (dossier.receiving_agency_id, dossier.competent_agency_id, dossier.handling_office_id)
    ):
        return True
    if dossier.assignee_id is not None and dossier.assignee_id == user.pk:
        return True
    return (
        dossier.handling_office_id is None
        and user.agency_id is not None
        and user.agency.commune().pk == dossier.competent_agency_id
    )
