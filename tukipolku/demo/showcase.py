"""The privacy features in the demo: exceptions for the data protection officer to review, the access
and disclosure log rows of earlier reads, and guaranteed examples for the demo logins.

Runs once in `load_demo`, after `generate` has written the clients and their consents (benchmarks
do not need it). It writes the rows the services would, dated in the past: privacy/services.py
(`legal_basis_grant`, `legal_basis_end`, `emergency_access_open`, `review_record`) and the access
gate's logging in access/log.py. Access and disclosure rows go through `audit.chain.append`
in time order, never straight into their tables.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from tukipolku.access import consent as privacy
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import EpisodeAccess, episode_access
from tukipolku.audit import chain
from tukipolku.audit.choices import AccessAction, AccessOutcome, EventType
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess
from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.cases.services import episodes_refresh_followed
from tukipolku.core.choices import Profession
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator import DEMO_PASSWORD, DEMO_SINCE
from tukipolku.demo.generator.people import _random_name
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.privacy.choices import DataCategory, GivenHow, LegalBasis, Purpose, ReviewOutcome
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant

PARTNER_LOGINS = ("employment", "kela", "occupational", "student")
MIN_SHARED_WITH_EMPLOYMENT = 3
"""The `employment` login sees at least this many clients on "Clients shared with you"."""


@dataclass
class Showcase:
    """What the demo shows of the privacy features, for the summary `load_demo` prints."""

    hidden_social: Episode | None = None  # nurse: social-care register hidden (no consent)
    shown_social: Episode | None = None  # nurse: social-care register shown on consent
    grants: list[LegalBasisGrant] = field(default_factory=list)
    emergencies: list[EmergencyAccess] = field(default_factory=list)
    shared: dict[str, int] = field(default_factory=dict)  # partner login → clients they see
    refused: dict[str, int] = field(default_factory=dict)  # partner login → client teams they are refused
    access_rows: int = 0
    disclosure_rows: int = 0

    @property
    def waiting_review(self) -> int:
        return sum(1 for item in [*self.grants, *self.emergencies] if item.reviewed_at is None)


class _Writer:
    """Collects events and log rows; writes them at the end, the logs through their hash chains."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.events: list[AuditEvent] = []
        self.accesses: list[PersonalDataAccess] = []
        self.disclosures: list[Disclosure] = []

    def request_id(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex

    def event(
        self,
        at: datetime.datetime,
        actor: User,
        verb: str,
        *,
        client_id: int,
        episode_id: int | None,
        target: models.Model,
        payload: dict[str, Any],
    ) -> None:
        self.events.append(
            AuditEvent(
                occurred_at=at,
                actor=actor,
                verb=verb,
                client_id=client_id,
                episode_id=episode_id,
                target_type=target._meta.label_lower,
                target_id=target.pk,
                payload=payload,
            )
        )

    def access(
        self,
        at: datetime.datetime,
        user: User,
        *,
        client_id: int,
        episode_id: int | None,
        view: str,
        basis: str,
        action: str = AccessAction.VIEW,
        outcome: str = AccessOutcome.ALLOWED,
        resource: str = "",
        reason: str = "",
        flagged: bool = False,
        request_id: str = "",
    ) -> None:
        self.accesses.append(
            PersonalDataAccess(
                accessed_at=at,
                user=user,
                profession=user.profession,
                organisation_id=user.organisation_id,
                client_id=client_id,
                episode_id=episode_id,
                view=view,
                resource=resource,
                action=action,
                basis=basis,
                outcome=outcome,
                reason=reason[:500],
                flagged=flagged,
                request_id=request_id or self.request_id(),
            )
        )

    def case_read(self, at: datetime.datetime, user: User, episode: Episode, access: EpisodeAccess) -> None:
        """A read of the case page as `access.log.log_episode_read` logs it (partners: disclosures)."""
        request_id = self.request_id()
        self.access(
            at,
            user,
            client_id=episode.client_id,
            episode_id=episode.pk,
            view="cases:detail",
            basis=access.basis,
            resource="case",
            reason=access.emergency_reason,
            flagged=access.flagged,
            request_id=request_id,
        )
        if not access.partner:
            return
        grounds: dict[tuple[int | None, int | None], list[str]] = {}
        for category, ground in access.categories.items():
            grounds.setdefault((ground.consent_id, ground.grant_id), []).append(category)
        for (consent_id, grant_id), categories in grounds.items():
            self.disclosures.append(
                Disclosure(
                    disclosed_at=at,
                    user=user,
                    client_id=episode.client_id,
                    episode_id=episode.pk,
                    controller_organisation_id=episode.team.organisation_id,
                    recipient_organisation_id=user.organisation_id,
                    recipient_user_id=user.pk,
                    categories=sorted(set(categories)),
                    view="cases:detail",
                    basis=AccessGround.CONSENT if consent_id is not None else AccessGround.LEGAL_BASIS,
                    consent_id=consent_id,
                    grant_id=grant_id,
                    request_id=request_id,
                )
            )

    def write(self) -> None:
        AuditEvent.objects.bulk_create(sorted(self.events, key=lambda e: e.occurred_at))
        # Backdated events around `event_record`: the episodes' last activity from their events.
        episodes_refresh_followed(episode_ids={e.episode_id for e in self.events if e.episode_id is not None})
        self.accesses.sort(key=lambda r: r.accessed_at)
        self.disclosures.sort(key=lambda r: r.disclosed_at)
        chain.append(PersonalDataAccess, self.accesses)
        chain.append(Disclosure, self.disclosures)


def _at(now: datetime.datetime, days: float, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A working-hours time `days` days before now (local time)."""
    local = timezone.localtime(now) - datetime.timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


class _Cases:
    """The open episodes of one demo team with their clients' consents, for picking examples."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.episodes = list(
            Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)
            .select_related("client", "team__organisation__parent")
            .order_by("pk")
        )
        self.consents = privacy.consents_by_client(client_ids=(e.client_id for e in self.episodes))
        self.with_social = set(
            Entry.objects.filter(episode__in=self.episodes, register=Register.SOCIAL).values_list(
                "episode_id", flat=True
            )
        )
        self.used: set[int] = set()  # clients already chosen for an example

    def permits(self, episode: Episode, category: str, recipient: Organisation) -> dict[str, privacy.Permit]:
        consents = self.consents.get(episode.client_id, [])
        return privacy.permits(categories=[category], recipient=recipient, consents=consents, grants=[])

    def no_consent_at_all(self, episode: Episode, recipient: Organisation) -> bool:
        """No consent or prohibition in force for the recipient, of any category."""
        return not any(
            c.is_in_force() and c.covers_recipient(recipient) for c in self.consents.get(episode.client_id, [])
        )

    def pick(self, rng: random.Random, ok: Any) -> Episode | None:
        found = [e for e in self.episodes if e.client_id not in self.used and ok(e)]
        if not found:
            return None
        episode = rng.choice(found)
        self.used.add(episode.client_id)
        return episode


def _social_examples(
    cases: _Cases, users: dict[str, User], writer: _Writer, now: datetime.datetime
) -> tuple[Episode | None, Episode | None]:
    """The nurse's two examples: an episode whose social-care entries are hidden for want of consent,
    and one where the client's consent shows them. Adds the missing piece when the data lacks one."""
    rng = writer.rng
    centre = cases.team.organisation
    nurse = users["nurse"]

    def hidden_ok(e: Episode) -> bool:
        return e.pk in cases.with_social and cases.no_consent_at_all(e, centre)

    def shown_ok(e: Episode) -> bool:
        permit = cases.permits(e, DataCategory.SOCIAL, centre).get(DataCategory.SOCIAL)
        return e.pk in cases.with_social and permit is not None and permit.consent_id is not None

    hidden = cases.pick(rng, hidden_ok)
    if hidden is None:
        hidden = cases.pick(rng, lambda e: cases.no_consent_at_all(e, centre))
        if hidden is not None:
            entry = Entry.objects.create(
                episode=hidden,
                register=Register.SOCIAL,
                text=voc.ENTRIES[Register.SOCIAL][0],
                author=users["socialworker"],
                written_at=_at(now, 6),
            )
            writer.event(
                entry.written_at,
                users["socialworker"],
                EventType.ENTRY_WRITTEN,
                client_id=hidden.client_id,
                episode_id=hidden.pk,
                target=entry,
                payload={"register": Register.SOCIAL},
            )
    shown = cases.pick(rng, shown_ok)
    if shown is None:
        shown = cases.pick(
            rng, lambda e: e.pk in cases.with_social and not cases.permits(e, DataCategory.SOCIAL, centre)
        )
        if shown is not None:
            region = centre.parent or centre
            consent = Consent.objects.create(
                client=shown.client,
                recipient_organisation=region,
                categories=[DataCategory.SHARED_PLAN, DataCategory.HEALTH, DataCategory.SOCIAL],
                purpose=Purpose.WORK_ABILITY,
                valid_from=timezone.localdate(shown.opened_at),
                given_how=GivenHow.WRITTEN,
                recorded_by=nurse,
                recorded_at=shown.opened_at,
            )
            writer.event(
                shown.opened_at,
                nurse,
                EventType.CONSENT_RECORDED,
                client_id=shown.client_id,
                episode_id=shown.pk,
                target=consent,
                payload={
                    "recipient": region.name,
                    "categories": consent.categories,
                    "purpose": consent.purpose,
                    "valid_from": consent.valid_from.isoformat(),
                    "valid_until": None,
                    "given_how": consent.given_how,
                },
            )
    return hidden, shown


def _join(episode: Episode, user: User, by: User, at: datetime.datetime, writer: _Writer) -> None:
    """Add a partner to the client's team unless they are in it already."""
    if CaseTeamMember.objects.filter(episode=episode, user=user, removed_at__isnull=True).exists():
        return
    member = CaseTeamMember.objects.create(
        episode=episode, user=user, added_by=by, added_at=at, created_at=at, role_in_case=""
    )
    writer.event(
        at,
        by,
        EventType.TEAM_MEMBER_ADDED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=member,
        payload={"member": user.display_name, "role": ""},
    )


@dataclass(frozen=True)
class _Review:
    review: str = ""  # outcome, or "" for waiting
    review_note: str = ""


@dataclass(frozen=True)
class _GrantPlan:
    granter: str
    grantee: str
    categories: tuple[str, ...]
    legal_basis: str
    reason: str
    days_ago: int
    valid_days: int
    ended_days_ago: int | None = None
    review: str = ""  # outcome, or "" for waiting
    review_note: str = ""


GRANTS = (
    _GrantPlan(
        "physician",
        "employment",
        (DataCategory.SHARED_PLAN,),
        LegalBasis.ACT_381_2023,
        voc.LEGAL_BASIS_REASONS[0],
        9,
        90,
    ),
    _GrantPlan(
        "socialworker", "physician", (DataCategory.SOCIAL,), LegalBasis.SHL_41, voc.LEGAL_BASIS_REASONS[1], 5, 60
    ),
    _GrantPlan(
        "physician2",
        "kela",
        (DataCategory.SHARED_PLAN, DataCategory.HEALTH),
        LegalBasis.ACT_703_2023,
        voc.LEGAL_BASIS_REASONS[2],
        30,
        180,
        review=ReviewOutcome.APPROPRIATE,
    ),
    _GrantPlan(
        "socialworker",
        "employment",
        (DataCategory.SHARED_PLAN, DataCategory.SOCIAL),
        LegalBasis.SHL_41,
        voc.LEGAL_BASIS_REASONS[3],
        60,
        90,
        ended_days_ago=40,
        review=ReviewOutcome.QUESTIONABLE,
        review_note=voc.REVIEW_NOTES[1],
    ),
)
"""Sharing on a legal basis in the demo: two waiting for review, one reviewed, one ended and queried."""


def _review(
    item: LegalBasisGrant | EmergencyAccess,
    at: datetime.datetime,
    dpo: User,
    plan: _Review | _GrantPlan,
    writer: _Writer,
) -> None:
    """The data protection officer's review, as `review_record` writes it."""
    item.reviewed_at = at
    item.reviewed_by = dpo
    item.review_outcome = plan.review
    item.review_note = plan.review_note
    item.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note"])
    writer.event(
        at,
        dpo,
        EventType.ACCESS_REVIEWED,
        client_id=item.client_id,
        episode_id=None,
        target=item,
        payload={"outcome": plan.review},
    )


def _grants(
    cases_by_team: dict[int, _Cases], users: dict[str, User], writer: _Writer, now: datetime.datetime
) -> list[LegalBasisGrant]:
    rng = writer.rng
    team_of = dict(TeamMembership.objects.filter(user__in=users.values()).values_list("user_id", "team_id"))
    grants = []
    for plan in GRANTS:
        granter, grantee = users[plan.granter], users[plan.grantee]
        cases = cases_by_team[team_of[granter.pk]]
        partner = grantee.profession in PARTNER_PROFESSIONS
        recipient = grantee.organisation if partner else cases.team.organisation
        assert recipient is not None
        # Partners: none of the categories on consent. Team professionals: the other register, on an
        # episode that has entries in it.
        wanted = [c for c in plan.categories if partner or c != DataCategory.SHARED_PLAN]

        def lacks_consent(
            e: Episode,
            cases: _Cases = cases,
            recipient: Organisation = recipient,
            wanted: list[str] = wanted,
            partner: bool = partner,
        ) -> bool:
            return all(not cases.permits(e, c, recipient) for c in wanted) and (partner or e.pk in cases.with_social)

        episode = cases.pick(rng, lacks_consent)
        if episode is None:
            continue
        granted_at = _at(now, plan.days_ago, 9 + rng.randint(0, 6), rng.randint(0, 59))
        if partner:
            _join(episode, grantee, granter, granted_at - datetime.timedelta(minutes=20), writer)
        grant = LegalBasisGrant.objects.create(
            client=episode.client,
            episode_id=episode.pk,
            grantee=grantee,
            categories=list(plan.categories),
            legal_basis=plan.legal_basis,
            reason=plan.reason,
            valid_until=granted_at.date() + datetime.timedelta(days=plan.valid_days),
            granted_by=granter,
            granted_at=granted_at,
        )
        grants.append(grant)
        writer.event(
            granted_at,
            granter,
            EventType.LEGAL_BASIS_GRANTED,
            client_id=episode.client_id,
            episode_id=episode.pk,
            target=grant,
            payload={"grantee": grantee.display_name, "categories": grant.categories, "legal_basis": plan.legal_basis},
        )
        # The grantee read the case while the grant was in force: flagged for the review.
        access = episode_access(actor=grantee, episode=episode)
        if access is not None:
            writer.case_read(granted_at + datetime.timedelta(hours=2), grantee, episode, access)
        if plan.ended_days_ago is not None:
            grant.ended_at = _at(now, plan.ended_days_ago, 14)
            grant.save(update_fields=["ended_at"])
            writer.event(
                grant.ended_at,
                granter,
                EventType.LEGAL_BASIS_ENDED,
                client_id=episode.client_id,
                episode_id=episode.pk,
                target=grant,
                payload={"grantee": grantee.display_name},
            )
        if plan.review:
            _review(grant, _at(now, max(1, (plan.ended_days_ago or plan.days_ago) - 3), 13), users["dpo"], plan, writer)
    return grants


def _emergencies(
    cases: _Cases, users: dict[str, User], writer: _Writer, now: datetime.datetime
) -> list[EmergencyAccess]:
    """Nurses of the sote-centre's own appointment team break the glass for three clients of the work
    ability team: one reviewed, two waiting."""
    rng = writer.rng
    centre = cases.team.organisation
    reception = Team.objects.create(
        name=f"{centre.name.split()[0]} vastaanotto",
        organisation=centre,
        description="Sairaanhoitajien vastaanotto ja päivystysajat.",
    )
    hashed = make_password(DEMO_PASSWORD)
    nurses = []
    for n in (1, 2):
        first, last = _random_name(rng, female=rng.random() < 0.75)
        nurse = User.objects.create(
            username=f"t{reception.pk}-{n}",
            first_name=first.split()[0],
            last_name=last,
            profession=Profession.NURSE,
            organisation=centre,
            title="Sairaanhoitaja",
            password=hashed,
        )
        TeamMembership.objects.create(team=reception, user=nurse, started_on=DEMO_SINCE)
        nurses.append(nurse)
    minutes = settings.TUKIPOLKU_EMERGENCY_ACCESS_MINUTES
    accesses = []
    reviews = (_Review(ReviewOutcome.APPROPRIATE), _Review(), _Review())
    for n, (days, review) in enumerate(zip((12, 4, 1), reviews, strict=True)):
        episode = cases.pick(rng, lambda e: True)
        if episode is None:
            break
        user = nurses[n % 2]
        opened = _at(now, days, 15 + n, rng.randint(0, 59))
        access = EmergencyAccess.objects.create(
            client=episode.client,
            user=user,
            reason=voc.EMERGENCY_REASONS[n],
            opened_at=opened,
            expires_at=opened + datetime.timedelta(minutes=minutes),
        )
        accesses.append(access)
        writer.event(
            opened,
            user,
            EventType.EMERGENCY_ACCESS_OPENED,
            client_id=episode.client_id,
            episode_id=None,
            target=access,
            payload={"minutes": minutes},
        )
        if review.review:
            _review(access, _at(now, days - 3, 12), users["dpo"], review, writer)
        # Found by identity code, opened with a reason, then read the case page (flagged).
        minute = datetime.timedelta(minutes=1)
        lookups = (
            ("cases:intake", AccessAction.SEARCH, "", -3),
            ("cases:emergency_access", AccessAction.VIEW, "client", -1),
        )
        for view, action, resource, offset in lookups:
            writer.access(
                opened + offset * minute,
                user,
                client_id=episode.client_id,
                episode_id=None,
                view=view,
                action=action,
                basis=AccessGround.IDENTITY_CODE,
                resource=resource,
            )
        writer.access(
            opened + minute,
            user,
            client_id=episode.client_id,
            episode_id=episode.pk,
            view="cases:detail",
            basis=AccessGround.EMERGENCY,
            resource="case",
            reason=access.reason,
            flagged=True,
        )
    return accesses


def _partner_reads(users: dict[str, User], writer: _Writer, now: datetime.datetime, showcase: Showcase) -> None:
    """Each partner login has read two of its clients (disclosed on consent) and was refused where a
    consent had been withdrawn. Makes sure `employment` sees a handful of clients."""
    rng = writer.rng
    for login in PARTNER_LOGINS:
        user = users[login]
        members = list(
            CaseTeamMember.objects.filter(user=user, removed_at__isnull=True, episode__status=EpisodeStatus.OPEN)
            .select_related("episode__team__organisation__parent")
            .order_by("episode_id")
        )
        seen: list[tuple[CaseTeamMember, EpisodeAccess | None]] = []
        refused: list[tuple[CaseTeamMember, EpisodeAccess | None]] = []
        for member in members:
            access = episode_access(actor=user, episode=member.episode)
            (seen if access is not None else refused).append((member, access))
        if login == "employment" and len(seen) < MIN_SHARED_WITH_EMPLOYMENT:
            seen += _share_more(user, MIN_SHARED_WITH_EMPLOYMENT - len(seen), writer, now)
        for member, access in rng.sample(seen, min(2, len(seen))):
            assert access is not None
            writer.case_read(_at(now, rng.randint(1, 20), rng.randint(8, 15)), user, member.episode, access)
        for member, _none in refused:
            withdrawn = (
                Consent.objects.filter(client_id=member.episode.client_id, withdrawn_at__isnull=False)
                .order_by("-withdrawn_at")
                .values_list("withdrawn_at", flat=True)
                .first()
            )
            at = min(
                (withdrawn or member.added_at) + datetime.timedelta(days=rng.randint(1, 6), hours=1),
                now - datetime.timedelta(hours=1),
            )
            writer.access(
                at,
                user,
                client_id=member.episode.client_id,
                episode_id=member.episode_id,
                view="cases:detail",
                basis=AccessGround.NONE,
                outcome=AccessOutcome.DENIED,
                resource="case",
                reason="no_relationship",
            )
        showcase.shared[login] = len(seen)
        showcase.refused[login] = len(refused)


def _share_more(
    user: User, count: int, writer: _Writer, now: datetime.datetime
) -> list[tuple[CaseTeamMember, EpisodeAccess | None]]:
    """Add the partner to the teams of clients whose consents already let their organisation see them."""
    added: list[tuple[CaseTeamMember, EpisodeAccess | None]] = []
    candidates = (
        Episode.objects.filter(status=EpisodeStatus.OPEN, client__consents__recipient_organisation=user.organisation)
        .exclude(members__user=user)
        .select_related("team__organisation__parent")
        .distinct()
        .order_by("pk")
    )
    for episode in candidates:
        if len(added) >= count:
            break
        consents = privacy.consents_by_client(client_ids=[episode.client_id]).get(episode.client_id, [])
        if not privacy.permits(
            categories=[DataCategory.SHARED_PLAN], recipient=user.organisation, consents=consents, grants=[]
        ):
            continue
        _join(episode, user, episode.opened_by, _at(now, writer.rng.randint(5, 40)), writer)
        access = episode_access(actor=user, episode=episode)
        member = CaseTeamMember.objects.get(episode=episode, user=user, removed_at__isnull=True)
        added.append((member, access))
    return added


def build_privacy_showcase(*, users: dict[str, User], now: datetime.datetime, seed: int) -> Showcase:
    """Complete the demo's privacy features after `generate` (see the module docstring)."""
    rng = random.Random(f"showcase:{seed}")  # noqa: S311 – synthetic data, not security
    writer = _Writer(rng)
    showcase = Showcase()
    teams = {
        m.team_id: m.team
        for m in TeamMembership.objects.filter(user__in=[users["nurse"], users["nurse2"]]).select_related(
            "team__organisation__parent"
        )
    }
    cases_by_team = {team_id: _Cases(team) for team_id, team in teams.items()}
    nurse_cases = cases_by_team[TeamMembership.objects.get(user=users["nurse"]).team_id]
    showcase.hidden_social, showcase.shown_social = _social_examples(nurse_cases, users, writer, now)
    showcase.grants = _grants(cases_by_team, users, writer, now)
    showcase.emergencies = _emergencies(nurse_cases, users, writer, now)
    _partner_reads(users, writer, now, showcase)
    # The nurse looked at the two examples: ordinary reads on team membership.
    for n, episode in enumerate((showcase.hidden_social, showcase.shown_social)):
        if episode is not None:
            writer.access(
                _at(now, 2, 9 + n),
                users["nurse"],
                client_id=episode.client_id,
                episode_id=episode.pk,
                view="cases:detail",
                basis=AccessGround.TEAM,
                resource="case",
            )
    writer.write()
    showcase.access_rows, showcase.disclosure_rows = len(writer.accesses), len(writer.disclosures)
    return showcase
