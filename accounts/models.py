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
