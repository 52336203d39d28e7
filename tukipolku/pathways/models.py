"""Operating models as data (DESIGN principle 1).

A `Pathway` (toimintamalli) has numbered versions; a version has ordered steps. Published versions
are never edited: a change is a new draft that is then published. Episodes point at the version
they started with, so a change never alters a running episode.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import BaseModel, LocalizedMixin
from tukipolku.pathways.choices import CompletionCheck, HandoverReason, HandoverRole, VersionStatus


class Pathway(LocalizedMixin, BaseModel):
    """An operating model such as the Satakunta 9-step team process."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fi = models.TextField(_("description (Finnish)"), blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("available for new episodes"), default=True)
    opened_by_handover = models.BooleanField(
        _("opened by escorted handovers"),
        default=False,
        help_text=_(
            "Acceptance of an escorted handover preselects this pathway when no pathway of the region lists the "
            "handover's reason. One pathway of a region at most."
        ),
    )
    handover_reasons = models.JSONField(
        _("suits escorted handovers for"),
        default=list,
        blank=True,
        help_text=_(
            "The reasons of escorted handover (employment_ending, graduating) for which acceptance preselects "
            "this pathway. The receiving team may choose another pathway of its region."
        ),
    )
    region = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("welfare region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pathways",
        limit_choices_to={"kind": OrganisationKind.WELFARE_REGION},
        help_text=_("The welfare region whose teams use the pathway and whose administrators manage it (ADR 11)."),
    )
    teams = models.ManyToManyField(
        "core.Team",
        verbose_name=_("teams working on this model"),
        blank=True,
        related_name="usual_pathways",
        help_text=_("Preselected as the operating model when one of these teams opens a client relationship."),
    )

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "opened_by_handover"],
                condition=Q(opened_by_handover=True),
                name="pathway_one_opened_by_handover_per_region",
                violation_error_message=_("Another pathway of this region is already opened by escorted handovers."),
            )
        ]

    def __str__(self) -> str:
        return self.localized("name")

    def clean(self) -> None:
        super().clean()
        reasons = self.handover_reasons
        if not isinstance(reasons, list) or any(r not in HandoverReason.values for r in reasons):
            message = _("List reasons of escorted handover: %(codes)s.") % {"codes": ", ".join(HandoverReason.values)}
            raise ValidationError({"handover_reasons": message})


class PathwayVersion(BaseModel):
    """One version of a pathway's steps. Only drafts may be edited."""

    pathway = models.ForeignKey(Pathway, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    change_note = models.TextField(_("what changed"), blank=True)

    class Meta:
        verbose_name = _("pathway version")
        verbose_name_plural = _("pathway versions")
        ordering = ["pathway", "-number"]
        constraints = [models.UniqueConstraint(fields=["pathway", "number"], name="pathway_version_unique")]

    def __str__(self) -> str:
        return f"{self.pathway} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class PathwayStep(LocalizedMixin, BaseModel):
    """One step of a pathway version: who is responsible, how long it takes, what it produces."""

    version = models.ForeignKey(
        PathwayVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=60)
    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    guidance_fi = models.TextField(_("what to do (Finnish)"), blank=True)
    guidance_sv = models.TextField(_("what to do (Swedish)"), blank=True)
    guidance_en = models.TextField(_("what to do (English)"), blank=True)
    produces_fi = models.TextField(_("what the step must produce (Finnish)"))
    produces_sv = models.TextField(_("what the step must produce (Swedish)"))
    produces_en = models.TextField(_("what the step must produce (English)"))
    responsible_role = models.CharField(_("responsible role"), max_length=40, choices=Profession.choices)
    expected_duration_days = models.PositiveSmallIntegerField(_("expected duration (days)"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    completion_check = models.CharField(
        _("checked before completion"), max_length=30, choices=CompletionCheck.choices, default=CompletionCheck.NONE
    )
    handover_role = models.CharField(
        _("done by an escorted handover"),
        max_length=30,
        choices=HandoverRole.choices,
        default=HandoverRole.NONE,
        blank=True,
        help_text=_(
            "When a handover opens an episode on this pathway, the first steps whose part the handover "
            "already did are marked done. At most one step of a version for each part."
        ),
    )

    class Meta:
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="pathway_step_order_unique"),
            models.UniqueConstraint(fields=["version", "code"], name="pathway_step_code_unique"),
            models.UniqueConstraint(
                fields=["version", "handover_role"],
                condition=~Q(handover_role=""),
                name="pathway_step_handover_role_unique",
                violation_error_message=_("Another step of this version already has this part of the handover."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.localized('name')}"
