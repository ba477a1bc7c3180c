from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AgencyKind, CalendarDayKind


def default_working_sessions():
    return [list(pair) for pair in settings.ONESTOP_DEFAULT_SESSIONS]


def default_working_weekdays():
    return [0, 1, 2, 3, 4]


def default_same_day_cutoff():
    hour, minute = settings.ONESTOP_SAME_DAY_CUTOFF.split(":")
    return time(int(hour), int(minute))


class Agency(models.Model):
    """A body in the tree province → commune → offices (cơ quan, đơn vị).

    Agencies are never deleted: a merged or renamed agency gets ``valid_to`` and a
    ``successor``, so old dossiers keep their original receiving agency.
    """

    code = models.CharField(
        _("electronic identifier code"),
        max_length=40,
        unique=True,
        help_text=_("Mã định danh điện tử, used in dossier codes, e.g. H15.50.05.13"),
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The agency that took over after a merger or renaming."),
    )
    # Working calendar settings (lịch làm việc).
    working_sessions = models.JSONField(
        _("working sessions"),
        default=default_working_sessions,
        help_text=_('List of ["HH:MM", "HH:MM"] pairs, e.g. [["07:30", "11:30"], ["13:30", "17:00"]]'),
    )
    working_weekdays = models.JSONField(
        _("working weekdays"),
        default=default_working_weekdays,
        help_text=_("Weekday numbers, Monday = 0 … Sunday = 6"),
    )
    same_day_cutoff = models.TimeField(_("same-day cut-off"), default=default_same_day_cutoff)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        from .calendar import parse_sessions

        try:
            parse_sessions(self.working_sessions)
        except ValueError as exc:
            raise ValidationError({"working_sessions": str(exc)}) from exc
        if not isinstance(self.working_weekdays, list) or not all(
            isinstance(d, int) and 0 <= d <= 6 for d in self.working_weekdays
        ):
            raise ValidationError({"working_weekdays": _("Give weekday numbers from 0 (Monday) to 6 (Sunday).")})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("An agency cannot succeed itself.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An agency cannot be its own ancestor.")})
            ancestor = ancestor.parent

    def is_valid_on(self, day=None):
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_current(self):
        return self.is_valid_on()

    def current(self):
        """The agency now handling this one's work: follow successors to the end."""
        agency, seen = self, {self.pk}
        while agency.successor_id and agency.successor_id not in seen:
            seen.add(agency.successor_id)
            agency = agency.successor
        return agency

    def ancestors(self):
        """Parents from the nearest upwards."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def descendant_ids(self):
        """Ids of this agency and every agency below it: one recursive query (PostgreSQL and SQLite
        alike; UNION, not UNION ALL, so that a cycle in bad data ends)."""
        from django.db import connections, router

        table = self._meta.db_table
        with connections[router.db_for_read(Agency)].cursor() as cursor:
            cursor.execute(
                f"""WITH RECURSIVE tree(id) AS (
                        SELECT CAST(%s AS BIGINT) UNION SELECT a.id FROM {table} a JOIN tree ON a.parent_id = tree.id
                    ) SELECT id FROM tree""",
                [self.pk],
            )
            return {row[0] for row in cursor.fetchall()}

    def commune(self):
        """The commune (or province) this agency belongs to: itself or its nearest such ancestor
        (parents read one at a time, only as far as needed; none when already loaded)."""
        node = self
        while node is not None:
            if node.kind in (AgencyKind.COMMUNE, AgencyKind.PROVINCE):
                return node
            node = node.parent
        return self


class CalendarDay(models.Model):
    """A day an administrator declares off or working, overriding weekdays and public holidays.

    With no agency it applies everywhere; on an agency it applies to it and every agency below it.
    The nearest declaration wins.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
        help_text=_("Leave empty for a day that applies to every agency."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared day off or make-up day")
        verbose_name_plural = _("declared days off and make-up days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "date"], name="calendar_day_unique_per_agency"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(agency__isnull=True), name="calendar_day_unique_global"
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"
