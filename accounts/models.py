from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role


class User(AbstractUser):
    """A member of staff. Citizens never have accounts."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CLERK)
    job_title = models.CharField(_("job title"), max_length=150, blank=True, help_text=_("Chức danh"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self):
        """Vietnamese order: family and middle names, then the given name ("Nguyễn Thị Lan")."""
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    @property
    def is_clerk(self):
        return self.role == Role.CLERK

    @property
    def is_officer(self):
        return self.role == Role.OFFICER

    @property
    def is_leader(self):
        return self.role == Role.LEADER

    @property
    def is_administrator(self):
        return self.is_superuser or self.role == Role.ADMIN


class ApprovalDelegationQuerySet(models.QuerySet):
    def active(self, *, on):
        return self.filter(valid_from__lte=on).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on))


class ApprovalDelegation(models.Model):
    """A leader of an agency delegates approving, signing and refusing its dossiers (ủy quyền)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("competent authority"),
        on_delete=models.PROTECT,
        related_name="approval_delegations",
    )
    delegate = models.ForeignKey(
        User, verbose_name=_("delegate"), on_delete=models.PROTECT, related_name="approval_delegations"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decision = models.CharField(_("delegation decision"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApprovalDelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
        ordering = ["agency", "-valid_from"]

    def __str__(self):
        return f"{self.delegate} → {self.agency}"
