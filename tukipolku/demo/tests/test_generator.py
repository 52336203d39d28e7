"""The synthetic data generator: deterministic, valid test-range identity codes, consistent episodes."""

import datetime
import io
import itertools
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from stdnum.fi import hetu

from tukipolku.audit import chain
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess
from tukipolku.cases.choices import OUTCOMES_WITHOUT_FOLLOW_UP, AssignmentKind, EpisodeStatus, Outcome, StepStatus
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS, TEAM_PROFESSIONS
from tukipolku.demo.generator import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    build_demo_users,
    build_organisations,
    generate,
    identity_codes,
)
from tukipolku.handovers.models import Handover
from tukipolku.intake.models import NeedNotification
from tukipolku.meetings.models import Meeting
from tukipolku.notifications.models import Notification
from tukipolku.pathways.models import PathwayStep
from tukipolku.plans.models import Plan
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant
from tukipolku.referrals.models import Referral

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


def quiet(_message: str) -> None:
    pass


@pytest.fixture
def demo_users(shipped_pathways):
    return build_demo_users(build_organisations(random.Random(0)))


def run(clients, seed, users, **kw):
    return generate(clients=clients, seed=seed, now=NOW, demo_users=users, log=quiet, **kw)


def test_identity_codes__deterministic_valid_and_in_test_range():
    codes = identity_codes(seed=1, count=3000, today=TODAY)

    assert codes == identity_codes(seed=1, count=3000, today=TODAY)
    assert codes != identity_codes(seed=2, count=3000, today=TODAY)
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert hetu.validate(code, allow_temporary=True) == code
        assert 900 <= int(code[7:10]) <= 999
        born = identity.birth_date(code)
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        assert 17 <= age <= 64
    signs = Counter(code[6] for code in codes)
    assert {"-", "A"} <= set(signs)
    assert set(signs) & set("YXWVU"), "the 2023 century signs of the 1900s appear"
    assert set(signs) & set("BCDEF"), "the 2023 century signs of the 2000s appear"


def _snapshot():
    return (
        list(Client.objects.order_by("id").values_list("identity_code", "first_names", "last_name", "birth_date")),
        list(
            Episode.objects.order_by("id").values_list(
                "team_id", "status", "current_step_id", "outcome", "opened_at", "closed_at"
            )
        ),
        list(AuditEvent.objects.order_by("id").values_list("verb", "occurred_at", "episode_id")),
    )


@pytest.mark.django_db
def test_generate__same_seed_same_data(demo_users):
    snapshots = []
    for _ in range(2):
        with transaction.atomic():  # roll back to the same fresh database each time
            run(50, 1, demo_users)
            snapshots.append(_snapshot())
            transaction.set_rollback(True)

    assert Client.objects.count() == 0
    assert snapshots[0] == snapshots[1]
    codes = [row[0] for row in snapshots[0][0]]
    assert codes == identity_codes(seed=1, count=50, today=TODAY)


@pytest.mark.django_db
def test_generate__clients_are_valid(demo_users):
    run(50, 1, demo_users)

    clients = list(Client.objects.all())
    assert len(clients) == 50
    for client in clients:
        assert identity.is_valid(client.identity_code)
        assert 900 <= int(client.identity_code[7:10]) <= 999
        assert client.birth_date == identity.birth_date(client.identity_code)
        assert client.first_names and client.last_name and client.municipality


@pytest.mark.django_db
def test_generate__episode_states_are_consistent(demo_users):
    result = run(50, 1, demo_users)

    episodes = list(Episode.objects.prefetch_related("step_records", "assignments", "members", "follow_ups"))
    professionals = set(User.objects.filter(profession__in=TEAM_PROFESSIONS).values_list("pk", flat=True))
    assert len(episodes) == result.episodes
    assert 50 <= len(episodes) <= 110
    for episode in episodes:
        records = sorted(episode.step_records.all(), key=lambda r: (r.started_at, r.id))
        active = [r for r in records if r.status == StepStatus.ACTIVE]
        active_members = [m.user_id for m in episode.members.all() if m.removed_at is None]
        assert len(set(active_members)) == len(active_members)
        members = set(active_members) & professionals
        assert 2 <= len(members) <= 4
        assert episode.opened_by_id in members
        assert records[0].started_at == episode.opened_at
        for earlier, later in itertools.pairwise(records):
            assert earlier.ended_at == later.started_at
        if episode.status == EpisodeStatus.OPEN:
            assert len(active) == 1
            assert active[0].step_id == episode.current_step_id
            assert active[0].due_on == episode.current_step_due
            assert records[-1] is active[0]
            assert not episode.outcome and episode.closed_at is None
        else:
            assert episode.outcome in Outcome.values
            assert episode.current_step_id is None and episode.current_step_due is None
            assert not active
            assert records[-1].status in (StepStatus.COMPLETED, StepStatus.CLOSED)
            assert records[-1].ended_at == episode.closed_at
            assert episode.closed_by_id and episode.outcome_on
            assert episode.outcome_on >= episode.opened_at.date() - datetime.timedelta(days=1)
            follow_ups = list(episode.follow_ups.all())
            if episode.outcome in OUTCOMES_WITHOUT_FOLLOW_UP:
                assert not follow_ups
            else:
                assert follow_ups and all(f.due_on > episode.outcome_on for f in follow_ups)
        for kind in AssignmentKind.values:
            current = [a for a in episode.assignments.all() if a.kind == kind and a.ended_at is None]
            assert len(current) <= 1
            assert all(a.user_id in members for a in current)
        assert episode.opened_at < NOW

    assert Plan.objects.count() == len(episodes)
    for plan in Plan.objects.prefetch_related("goals", "actions", "versions"):
        assert plan.revision >= 1
        assert sorted(v.number for v in plan.versions.all()) == list(range(1, plan.revision + 1))
        assert 1 <= len({g.domain for g in plan.goals.all()}) <= 4
        assert plan.actions.exists()
    opened = Counter(AuditEvent.objects.filter(verb=EventType.EPISODE_OPENED).values_list("episode_id", flat=True))
    assert set(opened) == {e.pk for e in episodes} and set(opened.values()) == {1}
    closed = set(AuditEvent.objects.filter(verb=EventType.EPISODE_CLOSED).values_list("episode_id", flat=True))
    assert closed == {e.pk for e in episodes if e.status == EpisodeStatus.CLOSED}
    step_event = AuditEvent.objects.filter(verb=EventType.STEP_COMPLETED).first()
    assert set(step_event.payload["step"]) == {"order", "name"}
    assert set(step_event.payload["step"]["name"]) == {"fi", "sv", "en"}


@pytest.mark.django_db
def test_generate__covers_every_outcome_and_step(demo_users):
    run(300, 2026, demo_users)

    episodes = Episode.objects.all()
    closed_share = episodes.filter(status=EpisodeStatus.CLOSED).count() / episodes.count()
    assert 0.25 <= closed_share <= 0.45
    assert set(episodes.exclude(outcome="").values_list("outcome", flat=True)) == set(Outcome.values)
    current_steps = set(episodes.filter(status=EpisodeStatus.OPEN).values_list("current_step_id", flat=True))
    for code in ("satakunta", "eura"):
        steps = set(PathwayStep.objects.filter(version__pathway__code=code).values_list("id", flat=True))
        assert steps and steps <= current_steps, code
    assert episodes.values("source").distinct().count() >= 8
    assert set(episodes.values_list("pathway_version__pathway__code", flat=True)) == {
        "satakunta",
        "eura",
        "rauma_study_end",
        "escorted_handover",
        "ips",
        "unemployed_health_check",
    }
    assert Assignment.objects.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=False).exists()
    assert Assignment.objects.filter(kind=AssignmentKind.OWN_WORKER).exists()
    assert FollowUp.objects.exists()


@pytest.mark.django_db
def test_generate__creates_teams_when_asked(shipped_pathways):
    result = generate(clients=20, seed=3, teams=3, now=NOW, log=quiet)

    teams = Team.objects.all()
    assert teams.count() == 3
    for team in teams:
        assert TeamMembership.objects.filter(team=team).count() == 8
    assert Episode.objects.count() == result.episodes
    assert Episode.objects.values("team").distinct().count() >= 2
    team_of = dict(TeamMembership.objects.values_list("user_id", "team_id"))
    assert not User.objects.filter(profession__in=PARTNER_PROFESSIONS).exists(), "no partner organisations"
    for member in CaseTeamMember.objects.select_related("episode"):
        assert team_of[member.user_id] == member.episode.team_id


@pytest.mark.django_db
def test_generate__skips_identity_codes_in_use(demo_users):
    taken = identity_codes(seed=5, count=3, today=TODAY)
    for code in taken:
        Client.objects.create(identity_code=code, first_names="Testi", last_name="Olemassa", birth_date="1980-01-01")

    run(10, 5, demo_users)

    assert Client.objects.count() == 13
    assert Client.objects.filter(identity_code__in=taken).count() == 3


@pytest.mark.django_db
def test_generate__consents_as_the_services_record_them(demo_users):
    run(120, 4, demo_users)

    consents = {c.pk: c for c in Consent.objects.select_related("recipient_organisation")}
    assert consents
    recorded = {
        e.target_id: e
        for e in AuditEvent.objects.filter(verb__in=[EventType.CONSENT_RECORDED, EventType.PROHIBITION_RECORDED])
    }
    withdrawn = {e.target_id: e for e in AuditEvent.objects.filter(verb=EventType.CONSENT_WITHDRAWN)}
    assert set(recorded) == set(consents)
    assert set(withdrawn) == {pk for pk, c in consents.items() if c.withdrawn_at is not None}
    episodes = {e.pk: e for e in Episode.objects.all()}
    for pk, consent in consents.items():
        event = recorded[pk]
        episode = episodes[event.episode_id]
        assert event.target_type == "privacy.consent" and event.client_id == consent.client_id == episode.client_id
        assert event.actor_id == consent.recorded_by_id and event.occurred_at == consent.recorded_at
        assert event.verb == (
            EventType.PROHIBITION_RECORDED if consent.kind == ConsentKind.PROHIBITION else EventType.CONSENT_RECORDED
        )
        with translation.override("fi"):  # the generator names recipients as the Finnish demo user saw them
            recipient = consent.recipient_label()
        assert event.payload == {
            "recipient": recipient,
            "categories": consent.categories,
            "purpose": consent.purpose,
            "valid_from": consent.valid_from.isoformat(),
            "valid_until": consent.valid_until.isoformat() if consent.valid_until else None,
            "given_how": consent.given_how,
        }
        assert consent.categories == [c for c in DataCategory.values if c in consent.categories]
        assert (consent.recipient_organisation is None) == bool(consent.recipient_kind)
        assert consent.valid_from >= episode.opened_at.date() and consent.recorded_at <= NOW
        assert consent.valid_until is None or consent.valid_until >= consent.valid_from
        assert consent.given_how != GivenHow.ORAL or consent.given_note
        if consent.withdrawn_at is not None:
            assert consent.recorded_at < consent.withdrawn_at <= NOW and consent.withdrawn_by_id
            assert withdrawn[pk].payload == {"kind": consent.kind, "recipient": consent.recipient_label()}
    region = demo_users["nurse"].organisation.parent
    to_region = [c for c in consents.values() if c.recipient_organisation == region and c.kind == ConsentKind.CONSENT]
    assert to_region and all(c.categories == ["shared_plan", "health", "social"] for c in to_region)
    assert all(c.purpose == Purpose.WORK_ABILITY and c.given_how == GivenHow.WRITTEN for c in to_region)

    # Partner staff are in open episodes' teams where their organisation has (or had) the client's consent.
    partners = CaseTeamMember.objects.filter(user__profession__in=PARTNER_PROFESSIONS).select_related("user", "episode")
    assert partners.exists()
    for member in partners:
        assert member.episode.status == EpisodeStatus.OPEN
        assert any(
            c.client_id == member.episode.client_id
            and c.kind == ConsentKind.CONSENT
            and c.covers_recipient(member.user.organisation)
            for c in consents.values()
        )
        assert AuditEvent.objects.filter(verb=EventType.TEAM_MEMBER_ADDED, target_id=member.pk).count() == 1


@pytest.mark.django_db
def test_generate__consents_leave_the_other_data_as_it_was(demo_users):
    """Consents draw from their own random generator: a seed gives the same clients and episodes
    whatever the partner organisations."""
    snapshots = []
    for partners in (True, False):
        with transaction.atomic():
            if not partners:
                User.objects.filter(profession__in=PARTNER_PROFESSIONS).update(is_active=False)
                Organisation.objects.exclude(kind__in=["welfare_region", "sote_centre"]).update(kind="ngo")
            run(40, 7, demo_users)
            snapshots.append(_snapshot()[:2])
            transaction.set_rollback(True)

    assert snapshots[0] == snapshots[1]


@pytest.mark.django_db
def test_load_demo__idempotent(shipped_pathways):
    def counts():
        return [
            m.objects.count()
            for m in (
                Client,
                Episode,
                AuditEvent,
                User,
                Consent,
                LegalBasisGrant,
                EmergencyAccess,
                PersonalDataAccess,
                NeedNotification,
                Referral,
                Handover,
                Meeting,
                Notification,
            )
        ]

    first = io.StringIO()
    call_command("load_demo", stdout=first)
    before = counts()
    second = io.StringIO()
    call_command("load_demo", stdout=second)

    assert 300 <= before[0] <= 310  # the generator's 300 and the people of the escorted-handover demo
    assert all(before[8:]), before  # notifications of need, referrals, handovers, meetings, notifications
    assert counts() == before
    assert list(chain.verify(PersonalDataAccess)) == [] and list(chain.verify(Disclosure)) == []
    assert "already loaded" in second.getvalue()
    for output in (first.getvalue(), second.getvalue()):
        assert DEMO_PASSWORD in output
        for login in DEMO_LOGINS:
            assert login.username in output
    nurse = User.objects.get(username="nurse")
    assert CaseTeamMember.objects.filter(user=nurse, removed_at__isnull=True).count() >= 100
    contact_of_open = Assignment.objects.filter(
        user=nurse, kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True, episode__status=EpisodeStatus.OPEN
    ).count()
    assert 10 <= contact_of_open <= 40
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and not admin.memberships.exists()
    dpo = User.objects.get(username="dpo")
    assert not dpo.is_staff and not dpo.is_superuser and not dpo.memberships.exists()
    assert "Data protection officer" in first.getvalue()
    assert User.objects.get(username="manager").memberships.get().role == "manager"
    assert nurse.check_password(DEMO_PASSWORD)
