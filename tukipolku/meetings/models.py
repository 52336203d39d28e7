"""Meetings about a client's episode (tiimipalaveri, yhteispalaveri, verkostopalaveri).

A meeting is either scheduled in advance – participants from several organisations and the client get
a calendar invitation by e-mail – and later recorded as held, or recorded afterwards. Minutes and
decisions belong to the held meeting; a decision with a responsible person and a due date becomes an
action in the service plan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.models import Episode
from tukipolku.core.dates import format_date
from tukipolku.core.models import BaseModel
from tukipolku.meetings.choices import InvitationMethod, InvitationStatus, MeetingKind, MeetingStatus
from tukipolku.plans.models import Action


class Meeting(BaseModel):
    """A meeting about one episode. Shared coordination data of the client's team.

    `sequence` is the iCalendar SEQUENCE of the invitations: it grows by one on every change after
    scheduling (new time, place or participants, cancellation) and is what a change form carries to
    detect that someone else changed the meeting meanwhile."""

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind of meeting"), max_length=20, choices=MeetingKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    starts_at = models.DateTimeField(_("date and time"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    client_participated = models.BooleanField(_("the client took part"), default=False)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    sequence = models.PositiveIntegerField(_("invitation sequence"), default=0)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["episode", "starts_at"], name="meeting_episode")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    @property
    def video_link_is_web(self) -> bool:
        """Only an http(s) address becomes a link: anything else (say `javascript:`) stays text."""
        return self.video_link.strip().lower().startswith(("https://", "http://"))

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_date(self.starts_at)}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class Participant(models.Model):
    """Who takes (or took) part: a user of the system, a named outside person, or the client.

    The client's row holds no contact details: the invitation goes to `clients.Client.email` when
    `invited`. An outside person's e-mail address is kept only to send the invitations. A removed
    participant keeps the row (`removed_at`) so that they get the cancellation and lose access."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("professional"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_client = models.BooleanField(_("the client"), default=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    invited = models.BooleanField(_("gets invitations"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="meeting_participant_user_once"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(is_client=True), name="meeting_participant_client_once"
            ),
        ]

    def __str__(self) -> str:
        if self.is_client:
            return str(_("the client"))
        return self.name or str(self.user)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Invitation(models.Model):
    """One calendar e-mail to one participant for one version (`sequence`) of the meeting.

    Unique on (participant, sequence): creating it twice creates it once, and the sending task takes
    the row under a lock and marks it sent in the same transaction, so a retried task skips what was
    sent. Holds no content: the message is built from the meeting when it is sent."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="invitations"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    method = models.CharField(_("method"), max_length=10, choices=InvitationMethod.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar invitation")
        verbose_name_plural = _("calendar invitations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "sequence"], name="meeting_invitation_once"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="meeting_invitation_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.participant_id}#{self.sequence}"


class Decision(models.Model):
    """A decision written in the minutes; it may have created an action in the plan."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=500)
    action = models.ForeignKey(
        Action, verbose_name=_("action"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
