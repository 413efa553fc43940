"""The plan between checklist items: which item waits for which (``ItemDependency``, and on templates
``TemplateItemDependency``, copied when a template is applied), and the forecast the rescheduling last computed
(``PlanForecast``: one row per engagement, read by the pages and the health signal).

Both ends of a dependency belong to one engagement (one template): ``plan_services.dependency_add`` refuses
another's item and a cycle in words; the database refuses an item waiting for itself and the same pair twice.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.policy import ScopedQuerySet

from ..schedule import Edge, refuse_cycle


class DependencyKind(models.TextChoices):
    # The dependent starts once the predecessor is finished (plus the lag): the usual case.
    FINISH_TO_START = "fs", _("Starts after it finishes")
    # The dependent may start once the predecessor has started (plus the lag): work that runs alongside.
    START_TO_START = "ss", _("Starts after it starts")


class TemplateItemDependency(models.Model):
    predecessor = models.ForeignKey(
        "checklists.TemplateItem", on_delete=models.CASCADE, related_name="dependents", verbose_name=_("waits for")
    )
    successor = models.ForeignKey(
        "checklists.TemplateItem", on_delete=models.CASCADE, related_name="predecessors", verbose_name=_("item")
    )
    kind = models.CharField(
        _("kind"), max_length=2, choices=DependencyKind.choices, default=DependencyKind.FINISH_TO_START
    )
    lag_days = models.PositiveSmallIntegerField(_("lag (working days)"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("template dependency")
        verbose_name_plural = _("template dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="template_dependency_once"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="template_dependency_not_self"),
        ]

    def __str__(self):
        return f"{self.successor} ← {self.predecessor}"

    def clean(self):
        super().clean()
        if not (self.successor_id and self.predecessor_id):
            return
        successor = type(self.successor).objects.select_related("stage").get(pk=self.successor_id)
        predecessor = type(self.predecessor).objects.select_related("stage").get(pk=self.predecessor_id)
        if successor.stage.template_id != predecessor.stage.template_id:
            raise ValidationError({"predecessor": _("Choose an item of the same checklist template.")})
        if successor.pk == predecessor.pk:
            raise ValidationError({"predecessor": _("An item cannot wait for itself.")})
        edges = [
            Edge(p, s)
            for p, s in TemplateItemDependency.objects.filter(successor__stage__template_id=successor.stage.template_id)
            .exclude(pk=self.pk)
            .values_list("predecessor_id", "successor_id")
        ]
        titles = dict(
            type(successor).objects.filter(stage__template_id=successor.stage.template_id).values_list("pk", "title")
        )
        refuse_cycle([*edges, Edge(predecessor.pk, successor.pk)], titles)


class ItemDependencyQuerySet(ScopedQuerySet):
    engagement_path = "successor__stage__engagement"


class ItemDependency(models.Model):
    """``successor`` waits for ``predecessor`` (finish-to-start or start-to-start), ``lag_days`` working days
    after it on the engagement's business calendar."""

    # Denormalized so that the rescheduling reads an engagement's edges with one indexed query, and a
    # dependency can never join two engagements' items (checked by the service before it is written).
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="item_dependencies")
    predecessor = models.ForeignKey(
        "checklists.ChecklistItem", on_delete=models.CASCADE, related_name="dependents", verbose_name=_("waits for")
    )
    successor = models.ForeignKey(
        "checklists.ChecklistItem", on_delete=models.CASCADE, related_name="predecessors", verbose_name=_("item")
    )
    kind = models.CharField(
        _("kind"), max_length=2, choices=DependencyKind.choices, default=DependencyKind.FINISH_TO_START
    )
    lag_days = models.PositiveSmallIntegerField(_("lag (working days)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ItemDependencyQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="item_dependency_once"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="item_dependency_not_self"),
        ]

    def __str__(self):
        return f"{self.successor_id} ← {self.predecessor_id}"


class PlanForecast(models.Model):
    """What the last rescheduling forecast for an engagement: the go-live the plan reaches, against the target,
    and the items on the critical path (``critical``: item ids, in order)."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="plan_forecast")
    forecast_on = models.DateField(_("forecast go-live"), null=True, blank=True)
    # Working days the forecast is after the target (negative: ahead); empty without a target or a plan.
    behind_days = models.IntegerField(_("working days behind the target"), null=True, blank=True)
    critical = models.JSONField(_("critical path"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan forecast")
        verbose_name_plural = _("plan forecasts")

    def __str__(self):
        return f"{self.engagement_id}: {self.forecast_on}"
