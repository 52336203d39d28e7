"""The client relationship (asiakkuus): an `Episode` of a client in a team, following a pathway.

Who may see an episode is decided by the access policy (`tukipolku/access/policy.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import (
    AssignmentKind,
    ConsentMethod,
    EpisodeStatus,
    FollowUpSituation,
    FollowUpStatus,
    IdentificationSource,
    Outcome,
    RiskFactor,
    SpecialSituation,
    StepStatus,
)
from tukipolku.clients.models import Client
from tukipolku.core.models import BaseModel, Team
from tukipolku.pathways.models import PathwayStep, PathwayVersion

SITUATION_FIELDS: dict[str, str] = {s.value: f"situation_{s.value}" for s in SpecialSituation}


class Episode(BaseModel):
    """One client relationship with a team, from identified need to closing with an outcome.

    It keeps the pathway version it started with; `current_step` is null once it is closed.
    """

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="episodes")
    pathway_version = models.ForeignKey(
        PathwayVersion, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="episodes"
    )
    status = models.CharField(_("status"), max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)
    current_step = models.ForeignKey(
        PathwayStep,
        verbose_name=_("current step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_step_due = models.DateField(_("current step due"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )

    # How the need was identified
    source = models.CharField(_("where the need was noticed"), max_length=40, choices=IdentificationSource.choices)
    situation_long_unemployment = models.BooleanField(SpecialSituation.LONG_UNEMPLOYMENT.label, default=False)
    situation_partial_ability_unemployed = models.BooleanField(
        SpecialSituation.PARTIAL_ABILITY_UNEMPLOYED.label, default=False
    )
    situation_graduating_partial_ability = models.BooleanField(
        SpecialSituation.GRADUATING_PARTIAL_ABILITY.label, default=False
    )
    situation_rehabilitative_work_health = models.BooleanField(
        SpecialSituation.REHABILITATIVE_WORK_HEALTH.label, default=False
    )
    situation_jobseeker_illness = models.BooleanField(SpecialSituation.JOBSEEKER_ILLNESS.label, default=False)
    need_description = models.TextField(_("description of the need"))
    risk_factors = models.JSONField(_("risk factors"), default=list, blank=True)  # RiskFactor codes

    # The client's agreement to be taken to the team
    team_consent_on = models.DateField(_("client agreed on"))
    team_consent_method = models.CharField(_("how the client agreed"), max_length=20, choices=ConsentMethod.choices)
    team_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agreement recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    # Closing
    outcome = models.CharField(_("outcome"), max_length=40, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    outcome_detail = models.CharField(_("outcome details"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Kept for the sweep (ADR 0021): what it looks for must be on an index of what is due, not found by
    # reading every open episode. `contact_person` is the user of the current contact-person
    # `Assignment` (set by `cases.services.assignment_set`); `last_activity_at` is the newest domain
    # event of the episode, or its opening (set by `audit.services.event_record`).
    # `cases.services.episodes_refresh_followed` recomputes both from their sources.
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_activity_at = models.DateTimeField(_("last activity"), db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("client relationship")
        verbose_name_plural = _("client relationships")
        indexes = [
            models.Index(fields=["team", "status"], name="episode_team_status"),
            models.Index(fields=["client", "status"], name="episode_client_status"),
            # The sweep's "no contact person" and "no activity" steps read only what is due.
            models.Index(
                fields=["opened_at"],
                condition=Q(status=EpisodeStatus.OPEN, contact_person__isnull=True),
                name="episode_open_no_contact",
            ),
            models.Index(
                fields=["last_activity_at"], condition=Q(status=EpisodeStatus.OPEN), name="episode_open_activity"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=EpisodeStatus.OPEN) | ~Q(outcome=""), name="episode_closed_has_outcome"
            ),
            models.UniqueConstraint(
                fields=["client", "team"], condition=Q(status=EpisodeStatus.OPEN), name="episode_one_open_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN

    @property
    def special_situations(self) -> list[SpecialSituation]:
        return [s for s in SpecialSituation if getattr(self, SITUATION_FIELDS[s.value])]

    @property
    def risk_factor_labels(self) -> list[str]:
        names = dict(RiskFactor.choices)
        return [str(names[c]) for c in self.risk_factors if c in names]


class StepRecord(BaseModel):
    """One visit of an episode to a pathway step: when it started, how it ended, what it produced."""

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="step_records"
    )
    step = models.ForeignKey(PathwayStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.ACTIVE)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    output = models.TextField(_("what was produced"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("step record")
        verbose_name_plural = _("step records")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(status=StepStatus.ACTIVE), name="step_record_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.episode_id}:{self.step_id}:{self.status}"


class CaseTeamMember(BaseModel):
    """A professional in this client's team, with their role in this case."""

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("professional"),
        on_delete=models.PROTECT,
        related_name="case_memberships",
    )
    role_in_case = models.CharField(_("role in this case"), max_length=120, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "user"], condition=Q(removed_at__isnull=True), name="case_member_unique_active"
            ),
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="case_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.episode_id}"


class Assignment(BaseModel):
    """A responsibility for the episode for a period: contact person or statutory own worker.

    Changing the contact person ends the current assignment and starts a new one: the history stays.
    """

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(_("responsibility"), max_length=20, choices=AssignmentKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("professional"), on_delete=models.PROTECT, related_name="assignments"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("named by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"], condition=Q(ended_at__isnull=True), name="assignment_one_current"
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "ended_at"], name="assignment_user")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.user_id}@{self.episode_id}"


class FollowUp(BaseModel):
    """A follow-up agreed at closing: who checks on the client, and when."""

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # What was found at the follow-up (recorded once; feeds the 3/6/12-month metrics)
    situation = models.CharField(_("client's situation"), max_length=30, choices=FollowUpSituation.choices, blank=True)
    situation_on = models.DateField(_("situation checked on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]
        indexes = [models.Index(fields=["due_on"], condition=Q(status="due"), name="follow_up_due")]

    def __str__(self) -> str:
        return f"{self.episode_id} {self.due_on}"
