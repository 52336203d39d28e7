"""The one service plan (palvelusuunnitelma) of an episode: goals in four domains and actions.

`revision` is the optimistic lock: every change increments it and writes a `PlanVersion` snapshot.
A save that started from an older revision is refused, so nobody's work is silently overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.models import Episode
from tukipolku.core.models import BaseModel
from tukipolku.plans.choices import ActionSource, ActionStatus, AgreementMethod, GoalDomain, GoalStatus


class Plan(BaseModel):
    """The service plan of one episode, shared within the client's team (coordination register)."""

    episode = models.OneToOneField(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="plan")
    revision = models.PositiveIntegerField(_("version"), default=0)
    summary = models.TextField(_("situation and the client's own view"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")

    def __str__(self) -> str:
        return f"plan {self.episode_id} v{self.revision}"


class Goal(BaseModel):
    """A goal of the plan in one domain, in the professional's and, where given, the client's words."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("domain"), max_length=30, choices=GoalDomain.choices)
    description = models.CharField(_("goal"), max_length=500)
    client_wording = models.CharField(_("in the client's own words"), max_length=500, blank=True)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class Action(BaseModel):
    """Something someone does by a date: from the plan (linked to a goal) or a meeting decision."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="plan_actions"
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    source = models.CharField(_("source"), max_length=20, choices=ActionSource.choices, default=ActionSource.PLAN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["plan", "status", "due_on"], name="action_plan_open"),
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_open"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """A snapshot of the plan at one revision, and the client's agreement to it when given."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("saved at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    agreed_on = models.DateField(_("client agreed on"), null=True, blank=True)
    agreement_method = models.CharField(
        _("how the client agreed"), max_length=20, choices=AgreementMethod.choices, blank=True
    )
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreement recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"
