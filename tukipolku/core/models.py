"""Organisations, teams and users: who acts, and in which team.

These are the actor plumbing that the access policy (tukipolku/access/policy.py) reads; they hold no client
data. Every organisation belongs to a welfare region (`Organisation.region`, ADR 11); teams and users
belong to their organisation's region.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tukipolku.core.choices import OrganisationKind, Profession, TeamRole


class BaseModel(models.Model):
    """Creation and update timestamps for every domain table."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class LocalizedMixin:
    """Read the fi/sv/en variant of a field in the active language, falling back to Finnish."""

    def localized(self, field: str) -> str:
        lang = (get_language() or "fi")[:2]
        value: Any = getattr(self, f"{field}_{lang}", "") or getattr(self, f"{field}_fi", "")
        return str(value or "")


class Organisation(BaseModel):
    """A welfare region, a sote-centre or a partner organisation (employment services, Kela...)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    business_id = models.CharField(_("business ID"), max_length=20, blank=True)
    sote_oid = models.CharField(
        _("SOTE organisation register OID"),
        max_length=64,
        blank=True,
        validators=[
            RegexValidator(
                r"^1\.2\.246\.10\.\d+(\.\d+)*$",
                _("Enter the organisation's OID from the SOTE organisation register, e.g. 1.2.246.10.1234567.10.1."),
            )
        ],
        help_text=_(
            "The organisation's OID in the national SOTE organisation register (1.2.246.10...), when it has one. "
            "Sent to other systems as the organisation's identifier (FHIR)."
        ),
    )
    region = models.ForeignKey(
        "self",
        verbose_name=_("welfare region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="region_organisations",
        limit_choices_to={"kind": OrganisationKind.WELFARE_REGION},
        help_text=_("The welfare region the organisation belongs to (ADR 11). A welfare region belongs to itself."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A welfare region is its own region; another organisation takes its parent's unless set."""
        if self.kind != OrganisationKind.WELFARE_REGION and self.region_id is None and self.parent_id is not None:
            self.region_id = Organisation.objects.filter(pk=self.parent_id).values_list("region_id", flat=True).first()
        super().save(*args, **kwargs)
        if self.kind == OrganisationKind.WELFARE_REGION and self.region_id != self.pk:
            self.region_id = self.pk
            Organisation.objects.filter(pk=self.pk).update(region=self.pk)


class Team(BaseModel):
    """A multi-professional work ability support team of a sote-centre."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="teams"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_id(self) -> int | None:
        """The welfare region of the team's organisation."""
        return self.organisation.region_id


class User(AbstractUser):
    """A person who logs in: team professional, partner staff, manager or administrator.

    The profession decides capabilities; team memberships decide which clients are in reach.
    """

    profession = models.CharField(_("profession"), max_length=40, choices=Profession.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def region_id(self) -> int | None:
        """The welfare region of the user's organisation (None without one: no region's data)."""
        organisation = self.organisation
        return organisation.region_id if organisation is not None else None


class TeamMembershipQuerySet(models.QuerySet["TeamMembership"]):
    def active(self, on: Any = None) -> TeamMembershipQuerySet:
        today = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today)


class TeamMembership(BaseModel):
    """A user's membership of a team, for a period. Access to clients ends when the period ends."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role in team"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        indexes = [models.Index(fields=["user", "team"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.team}"
