from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FigureCounts(models.Model):
    """The counters of a summary cell (see Figure): a day or a month, of one competent agency."""

    DAY, MONTH = "day", "month"

    grain = models.CharField(max_length=5, choices=[(DAY, "day"), (MONTH, "month")])
    start = models.DateField(help_text=_("The day, or the first day of the month"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    received_online = models.PositiveIntegerField(default=0)
    received_direct = models.PositiveIntegerField(default=0)
    resolved_early = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_late = models.PositiveIntegerField(default=0)
    # Of the dossiers received that day: digitised (received online, or with at least one scan).
    received_digitised = models.PositiveIntegerField(default=0)
    # Of the dossiers resolved that day: with a result (approved), and with a signed electronic result.
    results_issued = models.PositiveIntegerField(default=0)
    results_signed = models.PositiveIntegerField(default=0)
    # Signed changes: dossiers becoming overdue (+) or leaving that state (−); waiting for a
    # supplement from (+) / until (−).
    overdue_delta = models.IntegerField(default=0)
    awaiting_delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Figure(FigureCounts):
    """Counts of dossiers received and resolved, per day and per month, per competent agency and
    procedure: the summary the dashboard and the periodic report read instead of scanning every
    dossier. Kept current in the same transaction as each dossier event (reports.receivers);
    ``python manage.py rebuild_figures`` recomputes it from the dossiers and their history.

    The two ``*_delta`` columns are signed changes, not counts: the number of dossiers overdue (or
    waiting for a supplement) at the start of a day is the sum of the deltas of every cell before
    that day (reports.definitions explains why this is exact)."""

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(fields=["grain", "start", "agency", "procedure"], name="figure_unique_cell"),
        ]
        indexes = [models.Index(fields=["grain", "start"], name="figure_period_idx")]

    def __str__(self):
        return f"{self.grain} {self.start} {self.agency_id} {self.procedure_id}"


class AgencyFigure(FigureCounts):
    """The same cells summed over the procedures: one row per agency and day or month, written in
    the same statement as the Figure cells (reports.summaries.cells_add). Reports by agency or for
    the whole scope read these, so that their cost follows the number of agencies and days, not of
    procedures × agencies × days, which grows with the dossiers (issue 17: a province's year by
    commune at 1,000,000 dossiers read about 40 times fewer rows)."""

    class Meta:
        verbose_name = _("report figure by agency")
        verbose_name_plural = _("report figures by agency")
        constraints = [models.UniqueConstraint(fields=["grain", "start", "agency"], name="agency_figure_unique_cell")]

    def __str__(self):
        return f"{self.grain} {self.start} {self.agency_id}"


class ManualIndicator(models.Model):
    """A Decision 766 indicator the system cannot measure (e.g. the procedures published on the
    portal), entered by hand for one commune and period, as a percentage achieved."""

    agency = models.ForeignKey("agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("indicator"), max_length=20)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    value = models.DecimalField(
        _("achieved (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The share of the indicator achieved, from 0 to 100."),
    )
    note = models.TextField(_("source or note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator entered by hand")
        verbose_name_plural = _("indicators entered by hand")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code", "date_from", "date_to"], name="manual_indicator_unique"),
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")), name="manual_indicator_dates"
            ),
        ]
        indexes = [models.Index(fields=["agency", "code", "date_to"], name="manual_indicator_idx")]

    def __str__(self):
        return f"{self.code} {self.agency_id} {self.date_from}–{self.date_to}: {self.value}%"
