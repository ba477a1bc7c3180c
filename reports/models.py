from django.db import models
from django.utils.translation import gettext_lazy as _


class Figure(models.Model):
    """Counts of dossiers received and resolved, per day and per month, per competent agency and
    procedure: the summary the dashboard and the periodic report read instead of scanning every
    dossier. Kept current in the same transaction as each dossier event (reports.receivers);
    ``python manage.py rebuild_figures`` recomputes it from the dossiers."""

    DAY, MONTH = "day", "month"

    grain = models.CharField(max_length=5, choices=[(DAY, "day"), (MONTH, "month")])
    start = models.DateField(help_text=_("The day, or the first day of the month"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    received_online = models.PositiveIntegerField(default=0)
    received_direct = models.PositiveIntegerField(default=0)
    resolved_early = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_late = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(fields=["grain", "start", "agency", "procedure"], name="figure_unique_cell"),
        ]
        indexes = [models.Index(fields=["grain", "start"], name="figure_period_idx")]

    def __str__(self):
        return f"{self.grain} {self.start} {self.agency_id} {self.procedure_id}"
