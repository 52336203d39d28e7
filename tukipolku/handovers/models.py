"""The escorted handover (saattaen vaihtaen): occupational or student health care walks a person over
to a work ability support team.

A handover is client data before any episode exists. Who may see it is decided in `permissions.py`
and every read goes through `selectors.py`, which logs it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import ConsentMethod, IdentificationSource
from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.core.models import BaseModel, Team
from tukipolku.handovers.choices import PREP_CHECKLIST, HandoverReason, HandoverStatus, InformationSource, JobSearch

WAS_MIN = 0
WAS_MAX = 10


class Handover(BaseModel):
    """One escorted handover from a sending organisation to a receiving team.

    It stays open until a member of the receiving team accepts it; acceptance opens (or links) the
    client's episode in the team, and from then on the handover is read only. `revision` rises with
    every change so that concurrent edits are detected.
    """

    client = models.ForeignKey(Client, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, verbose_name=_("receiving team"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.OPEN)
    revision = models.PositiveIntegerField(_("revision"), default=1)

    # The person as the sending side recorded them (the client register's row is not shown to them).
    first_names = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("last name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    # Opening
    reason = models.CharField(_("reason"), max_length=30, choices=HandoverReason.choices)
    source = models.CharField(_("sending side"), max_length=40, choices=IdentificationSource.choices)
    background = models.TextField(_("background"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    sending_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sending contact person"),
        on_delete=models.PROTECT,
        related_name="handovers_sent",
    )
    consent_on = models.DateField(_("the person agreed on"))
    consent_method = models.CharField(_("how the person agreed"), max_length=20, choices=ConsentMethod.choices)
    escort_consent = models.BooleanField(
        _("the sending contact person may follow the shared plan after the handover"), default=False
    )

    # A graduating student (the Rauma model's step 2): whom student health care gathered information from
    info_sources = models.JSONField(_("information gathered from"), default=list, blank=True)
    info_summary = models.TextField(_("what the gathered information shows"), blank=True)

    # Preparatory meeting: a checklist with dates
    prep_met_on = models.DateField(_("preparatory meeting held on"), null=True, blank=True)
    prep_agenda_agreed_on = models.DateField(_("what will be discussed agreed"), null=True, blank=True)
    prep_health_info_on = models.DateField(_("health information collected"), null=True, blank=True)
    prep_rehabilitation_on = models.DateField(_("rehabilitation so far collected"), null=True, blank=True)
    prep_statement_on = models.DateField(_("statement on work and functional capacity"), null=True, blank=True)
    prep_nurse_invited_on = models.DateField(_("team's public health nurse invited"), null=True, blank=True)
    prep_employment_invited_on = models.DateField(
        _("employment services' work ability coordinator invited"), null=True, blank=True
    )
    prep_time_place_agreed_on = models.DateField(
        _("time and place of the transfer meeting agreed"), null=True, blank=True
    )
    prep_notes = models.TextField(_("what will be discussed, notes"), blank=True)

    # Transfer meeting (siirtopalaveri)
    transfer_at = models.DateTimeField(_("transfer meeting date and time"), null=True, blank=True)
    transfer_place = models.CharField(_("transfer meeting place"), max_length=200, blank=True)
    transfer_participants = models.TextField(_("participants"), blank=True)
    own_view = models.TextField(_("the person's own view"), blank=True)
    readiness = models.TextField(_("readiness to return to work"), blank=True)
    own_assessment = models.TextField(_("own assessment of work ability"), blank=True)
    work_ability_score = models.PositiveSmallIntegerField(
        _("work ability score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(WAS_MIN), MaxValueValidator(WAS_MAX)],
    )
    resources = models.TextField(_("resources and limitations"), blank=True)
    skills = models.TextField(_("skills, education and work experience"), blank=True)
    receiving_nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiving nurse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )
    service_area = models.CharField(_("service area"), max_length=120, blank=True)
    job_search = models.CharField(_("job search"), max_length=20, choices=JobSearch.choices, blank=True)
    job_search_note = models.CharField(_("why job search was not started"), max_length=500, blank=True)
    other_help = models.TextField(_("other help secured"), blank=True)
    transfer_recorded_at = models.DateTimeField(_("transfer meeting recorded at"), null=True, blank=True)

    # Escalation and acceptance
    escalated_at = models.DateTimeField(_("escalated to the manager at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    episode = models.ForeignKey(
        Episode,
        verbose_name=_("client relationship"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("escorted handover")
        verbose_name_plural = _("escorted handovers")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "opened_at"], name="handover_team_status"),
            models.Index(fields=["opened_by", "opened_at"], name="handover_opened_by"),
            models.Index(fields=["sending_contact", "opened_at"], name="handover_sending_contact"),
            models.Index(fields=["opened_at"], condition=Q(status="open"), name="handover_open"),
            models.Index(fields=["episode"], name="handover_episode"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_ability_score__isnull=True)
                | Q(work_ability_score__gte=WAS_MIN, work_ability_score__lte=WAS_MAX),
                name="handover_was_range",
            ),
            models.CheckConstraint(
                condition=Q(status=HandoverStatus.OPEN) | Q(episode__isnull=False, accepted_at__isnull=False),
                name="handover_accepted_has_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_names}".strip()

    @property
    def is_open(self) -> bool:
        return self.status == HandoverStatus.OPEN

    def checklist(self) -> list[tuple[str, object]]:
        """(label, date or None) of each preparatory checklist item, in order."""
        fields = {f.name: f for f in self._meta.concrete_fields}
        return [(str(fields[name].verbose_name), getattr(self, name)) for name, _code in PREP_CHECKLIST]

    @property
    def checklist_done(self) -> int:
        return sum(1 for name, _code in PREP_CHECKLIST if getattr(self, name) is not None)

    def info_source_labels(self) -> list[str]:
        """The labels of the sources information was gathered from, in the choices' order."""
        return [str(label) for value, label in InformationSource.choices if value in (self.info_sources or [])]

    @property
    def transfer_recorded(self) -> bool:
        return self.transfer_recorded_at is not None
