import factory

from accounts.choices import Role
from accounts.models import User
from agencies.choices import AgencyKind
from agencies.models import Agency

PASSWORD = "s3cret-Pass!"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Đơn vị {o.code}")
    kind = AgencyKind.COMMUNE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Lan"
    last_name = "Nguyễn Thị"
    role = Role.CLERK
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def approve_result(dossier, *, officer):
    """The only way to a result: the officer takes it and submits the appraisal, then a leader of
    the competent authority approves (dossiers.rules)."""
    from dossiers.services import dossier_approve, dossier_assign, dossier_submit

    if dossier.assignee_id is None or dossier.transferred_at is None:
        dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    if dossier.submitted_at is None:
        dossier = dossier_submit(dossier=dossier, by=officer)
    competent = dossier.competent_agency
    leader = UserFactory(username=f"leader-{competent.code}", role=Role.LEADER, agency=competent)
    return dossier_approve(dossier=dossier, by=leader)
