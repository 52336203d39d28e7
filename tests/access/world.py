"""The world of the access tests: two care organisations, partner organisations, one user per role of
docs/access-policy.md and a client with data in every register. All data is synthetic.

`build_world()` is called once per test module (inside a transaction that is rolled back at the end,
see `world` in test_matrix.py); each test runs in a savepoint of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from tukipolku.cases import services as case_services
from tukipolku.cases.choices import ConsentMethod, IdentificationSource, Outcome
from tukipolku.cases.models import Episode, FollowUp
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.handovers import services as handover_services
from tukipolku.handovers.choices import HandoverReason
from tukipolku.handovers.models import Handover
from tukipolku.intake import services as intake_services
from tukipolku.intake.models import NeedNotification
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Meeting
from tukipolku.notifications.models import Notification
from tukipolku.pathways.loader import load_pathways
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain
from tukipolku.plans.models import Action, Plan
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, GivenHow, LegalBasis, Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind
from tukipolku.referrals.models import Referral

# What must never show on a page the reader may not see (and must show where they may).
FIRST_NAMES = "Sylvikki Annukka"
LAST_NAME = "Näkymätön"
HEALTH_MARKER = "TERVEYSMERKKI-7F3A uniapnea"
SOCIAL_MARKER = "SOSIAALIMERKKI-2B9C toimeentulotuki"
SHARED_MARKER = "YHTEISMERKKI-5D1E työkokeilu sovittu"
GOAL_MARKER = "TAVOITEMERKKI-8C4D kaupan ala"
MINUTES_MARKER = "MUISTIOMERKKI-3E6F jatko sovittu"
CLOSED_FIRST = "Kerttu"
CLOSED_LAST = "Suljettu-Testinen"
OTHER_FIRST = "Ulla"
OTHER_LAST = "Ulkopuolinen-Testinen"
HANDOVER_FIRST = "Hilppa Ornella"
HANDOVER_LAST = "Saatettava-Testinen"
NEED_MARKER = "TARVEMERKKI-4A7B toistuvat poissaolot"
REFERRAL_MARKER = "LÄHETEMERKKI-6C2D työkyvyn arvio"
BACKGROUND_MARKER = "TAUSTAMERKKI-9E1F työsuhde päättyy"

ROLE_KEYS = (
    "nurse",
    "social_worker",
    "job_coach",
    "case_member",
    "org_colleague",
    "emergency",
    "outsider",
    "partner_plan",
    "partner_health",
    "partner_none",
    "partner_withdrawn",
    "partner_outside",
    "ended",
    "deactivated",
    "admin",
    "dpo",
    "region_nurse",
    "region_partner",
    "region_admin",
    "region_dpo",
    "anonymous",
)


@dataclass
class World:
    region: Organisation
    other_region: Organisation
    region_pathway: Pathway  # region S's own pathway
    org: Organisation
    team: Team
    sister_team: Team
    other_org: Organisation
    other_team: Team
    employment_org: Organisation
    occupational_org: Organisation
    kela_org: Organisation
    second_employment_org: Organisation
    pathway: Pathway
    client: Client
    episode: Episode
    plan: Plan
    action: Action
    meeting: Meeting
    consent: Consent
    grant: LegalBasisGrant
    emergency_access: EmergencyAccess
    closed: Episode
    other: Episode
    other_action: Action
    other_meeting: Meeting
    other_consent: Consent
    other_grant: LegalBasisGrant
    # Coordination across organisations (issue 4): see `_coordination`.
    need: NeedNotification
    other_need: NeedNotification
    outside_referral: Referral
    other_referral: Referral
    handover: Handover
    other_handover: Handover
    scheduled: Meeting
    other_scheduled: Meeting
    follow_up: FollowUp
    other_closed: Episode
    other_follow_up: FollowUp
    notification: Notification
    other_notification: Notification
    users: dict[str, User] = field(default_factory=dict)
    referral: Referral | None = None  # set by `send_partner_referral` in the rows that need it

    def user(self, role: str) -> User | None:
        return self.users.get(role)

    @property
    def closed_client(self) -> Client:
        return self.closed.client

    @property
    def other_client(self) -> Client:
        return self.other.client

    @property
    def handover_client(self) -> Client:
        return self.handover.client


def _today() -> datetime.date:
    return timezone.localdate()


def _open(actor: User, team: Team, pathway: Pathway, client: Client) -> Episode:
    return case_services.episode_open(
        actor=actor,
        client=client,
        team=team,
        pathway=pathway,
        source=IdentificationSource.EMPLOYMENT_SERVICES,
        situations=["long_unemployment"],
        need_description="Pitkittynyt työttömyys ja toistuvia sairauspoissaoloja.",
        consent_on=_today() - datetime.timedelta(days=1),
        consent_method=ConsentMethod.ORAL,
    )


def _plan(actor: User, episode: Episode, description: str) -> Plan:
    return plan_services.plan_save(
        actor=actor,
        episode=episode,
        expected_revision=0,
        summary="Asiakas haluaa töihin.",
        next_review_on=None,
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.EMPLOYMENT,
                description=description,
                actions=[
                    plan_services.ActionInput(
                        id=None, title="Varaa aika", owner=actor, due_on=_today() + datetime.timedelta(days=7)
                    )
                ],
            )
        ],
        loose_actions=[],
    )


def _consent(actor: User, episode: Episode, organisation: Organisation, categories: list[str], purpose: str) -> Consent:
    return privacy_services.consent_record(
        actor=actor,
        client=episode.client,
        episode_id=episode.pk,
        kind="consent",
        recipient_organisation=organisation,
        recipient_kind="",
        categories=categories,
        purpose=purpose,
        valid_from=_today(),
        valid_until=None,
        given_how=GivenHow.WRITTEN,
    )


def _grant(actor: User, episode: Episode, grantee: User) -> LegalBasisGrant:
    return privacy_services.legal_basis_grant(
        actor=actor,
        client=episode.client,
        episode_id=episode.pk,
        grantee=grantee,
        categories=[DataCategory.HEALTH],
        legal_basis=LegalBasis.SHL_41,
        reason="Monialainen yhteistyö, asiakas ei tavoitettavissa.",
        valid_until=_today() + datetime.timedelta(days=30),
    )


def _need(sender: User, team: Team, person: Client, description: str) -> NeedNotification:
    return intake_services.need_send(
        actor=sender,
        team=team,
        identity_code=person.identity_code,
        first_names=person.first_names,
        last_name=person.last_name,
        need_description=description,
        consent_given=True,
        consent_on=_today(),
        consent_method=ConsentMethod.ORAL,
    )


def _outside_referral(actor: User, episode: Episode) -> Referral:
    """A referral to a recipient outside Tukipolku: the team records its status on their behalf."""
    return referral_services.referral_send(
        actor=actor,
        episode=episode,
        kind=ReferralKind.SPECIALIST_CARE,
        recipient_name="Keskussairaalan poliklinikka",
        reason="Erikoissairaanhoidon arvio.",
        categories=[],
        due_on=_today() + datetime.timedelta(days=14),
    )


def send_partner_referral(w: World) -> Referral:
    """The team refers the target client to employment services, sending the shared plan (the client
    has consented). An open referral makes the organisation's partner staff participants of the
    episode, which would change the rows of *partner, not in team* (same organisation) everywhere:
    so it is sent only in the rows that are about it, inside the test's savepoint."""
    w.referral = referral_services.referral_send(
        actor=w.users["nurse"],
        episode=w.episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        recipient_organisation=w.employment_org,
        reason=REFERRAL_MARKER,
        categories=[DataCategory.SHARED_PLAN],
        due_on=_today() + datetime.timedelta(days=14),
    )
    return w.referral


def _handover(sender: User, team: Team, first_names: str, last_name: str) -> Handover:
    return handover_services.handover_open(
        actor=sender,
        identity_code=ClientFactory.build().identity_code,
        first_names=first_names,
        last_name=last_name,
        team=team,
        reason=HandoverReason.EMPLOYMENT_ENDING,
        sending_contact=sender,
        consent_on=_today(),
        consent_method=ConsentMethod.ORAL,
        background=BACKGROUND_MARKER if team.name.endswith(" A") else "Työsuhde päättyy.",
    )


def _schedule(actor: User, episode: Episode, users: list[User]) -> Meeting:
    """A meeting scheduled in advance, then held this morning (moved to the past, as if the day had
    come), so that it can be changed, cancelled and recorded as held."""
    starts = timezone.now() + datetime.timedelta(days=1)
    meeting = meeting_services.meeting_schedule(
        actor=actor,
        episode=episode,
        data=meeting_services.MeetingInput(
            kind=MeetingKind.NETWORK,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            location="Neuvotteluhuone 3",
            agenda="Verkostopalaveri",
            users=users,
        ),
    )
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(hours=2), ends_at=now - datetime.timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


def _coordination(u: dict[str, User], team: Team, other_team: Team, pathway: Pathway, episode: Episode) -> dict:
    """Issue 4's objects, made with the modules' services: a notification of need for the target client
    from employment services (waiting), a referral to an outside recipient, an escorted handover of
    another person from occupational health (open), a scheduled meeting with a partner participant,
    the closed episode's follow-up; and the same kinds of objects of the other organisation."""
    nurse, outsider = u["nurse"], u["outsider"]
    need = _need(u["partner_plan"], team, episode.client, NEED_MARKER)
    outside_referral = _outside_referral(nurse, episode)
    handover = _handover(u["partner_health"], team, HANDOVER_FIRST, HANDOVER_LAST)
    # Invited: team members, a case-team colleague, partners with and without the client's consent.
    scheduled = _schedule(
        nurse, episode, [nurse, u["social_worker"], u["case_member"], u["partner_plan"], u["partner_none"]]
    )

    other_closed = _open(outsider, other_team, pathway, ClientFactory(first_names="Oona", last_name="Toinen-Testinen"))
    case_services.episode_close(
        confirm_early=True,
        actor=outsider,
        episode=other_closed,
        outcome=Outcome.STUDIES,
        outcome_on=_today(),
        follow_ups=[(_today() + datetime.timedelta(days=90), outsider)],
    )
    return {
        "need": need,
        "outside_referral": outside_referral,
        "handover": handover,
        "scheduled": scheduled,
        "other_closed": other_closed,
        "other_follow_up": other_closed.follow_ups.get(),
    }


def _other_coordination(u: dict[str, User], other_team: Team, other: Episode) -> dict:
    outsider = u["outsider"]
    return {
        "other_need": _need(outsider, other_team, other.client, "Toisen asiakkaan tarve."),
        "other_referral": _outside_referral(outsider, other),
        "other_handover": _handover(u["partner_health"], other_team, "Otto", "Toinen-Saatettava"),
        "other_scheduled": _schedule(outsider, other, [outsider]),
    }


def _region_pathway(pathway: Pathway, region: Organisation) -> Pathway:
    """Region S's own pathway: a published copy of the first two steps of the world's pathway."""
    own = Pathway.objects.create(
        code="alue-s", name_fi="Alueen S malli", name_sv="Område S modell", name_en="Region S model", region=region
    )
    version = PathwayVersion.objects.create(pathway=own, number=1, status="published", published_at=timezone.now())
    source = PathwayVersion.objects.filter(pathway=pathway, status="published").latest("number")
    for step in source.steps.order_by("order")[:2]:
        step.pk = None
        step.version = version
        step.save()
    return own


def build_world() -> World:  # noqa: PLR0915  # the matrix's cast, named in one place, read top to bottom
    if not Pathway.objects.filter(code="satakunta").exists():
        load_pathways(Pathway, PathwayVersion, PathwayStep)
    # Everything of the world is in welfare region R; the region boundary roles are of region S.
    region = OrganisationFactory(name="Testialueen hyvinvointialue R", kind=OrganisationKind.WELFARE_REGION)
    Pathway.objects.update(region=region)
    pathway = Pathway.objects.get(code="satakunta")
    org = OrganisationFactory(name="Testikeskus A", parent=region)
    team = TeamFactory(organisation=org, name="Työkykytiimi A")
    sister_team = TeamFactory(organisation=org, name="Kuntoutustiimi A2")
    other_org = OrganisationFactory(name="Toinen keskus B", parent=region)
    other_team = TeamFactory(organisation=other_org, name="Työkykytiimi B")
    employment_org = OrganisationFactory(
        name="Työllisyyspalvelut P1", kind=OrganisationKind.EMPLOYMENT_SERVICES, region=region
    )
    occupational_org = OrganisationFactory(
        name="Työterveys P2", kind=OrganisationKind.OCCUPATIONAL_HEALTH, region=region
    )
    kela_org = OrganisationFactory(name="Kela P3", kind=OrganisationKind.KELA, region=region)
    second_employment_org = OrganisationFactory(
        name="Työllisyyspalvelut P4", kind=OrganisationKind.EMPLOYMENT_SERVICES, region=region
    )
    other_region = OrganisationFactory(name="Toisen alueen hyvinvointialue S", kind=OrganisationKind.WELFARE_REGION)
    region_centre = OrganisationFactory(name="Alueen S keskus", parent=other_region)
    region_team = TeamFactory(organisation=region_centre, name="Työkykytiimi S")
    region_employment_org = OrganisationFactory(
        name="Työllisyyspalvelut S1", kind=OrganisationKind.EMPLOYMENT_SERVICES, region=other_region
    )
    region_pathway = _region_pathway(pathway, other_region)

    u: dict[str, User] = {}
    u["nurse"] = member(team, profession=Profession.PUBLIC_HEALTH_NURSE, username="m-nurse")
    # The nurse is the professional authorised to share data without consent on a legal basis.
    u["nurse"].user_permissions.add(Permission.objects.get(codename="add_legalbasisgrant"))
    u["social_worker"] = member(team, profession=Profession.SOCIAL_WORKER, username="m-socialworker")
    u["job_coach"] = member(team, profession=Profession.JOB_COACH, username="m-jobcoach")
    u["case_member"] = member(sister_team, profession=Profession.PHYSIOTHERAPIST, username="m-casemember")
    u["org_colleague"] = member(sister_team, profession=Profession.NURSE, username="m-colleague")
    u["emergency"] = member(sister_team, profession=Profession.NURSE, username="m-emergency")
    u["outsider"] = member(other_team, profession=Profession.PUBLIC_HEALTH_NURSE, username="m-outsider")
    u["partner_plan"] = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="m-partnerplan"
    )
    u["partner_health"] = UserFactory(
        profession=Profession.OCCUPATIONAL_HEALTH, organisation=occupational_org, username="m-partnerhealth"
    )
    u["partner_none"] = UserFactory(profession=Profession.KELA_EXPERT, organisation=kela_org, username="m-partnernone")
    u["partner_withdrawn"] = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR, organisation=second_employment_org, username="m-partnerwithdrawn"
    )
    # Same organisation as partner_plan (the consent covers it) but not in the client's team.
    u["partner_outside"] = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="m-partneroutside"
    )
    u["ended"] = member(team, profession=Profession.PHYSICIAN, username="m-ended")
    u["deactivated"] = member(team, profession=Profession.PUBLIC_HEALTH_NURSE, username="m-deactivated")
    u["admin"] = UserFactory(
        profession=Profession.ADMINISTRATOR,
        first_name="Ansa",  # fixed: a random first name could equal a marker name (CLOSED_FIRST)
        organisation=org,
        is_staff=True,
        is_superuser=True,
        username="m-admin",
    )
    u["dpo"] = UserFactory(profession=Profession.ADMINISTRATOR, organisation=org, username="m-dpo")
    reviewers, _created = Group.objects.get_or_create(name="Tietosuojavastaavat (testi)")
    reviewers.permissions.add(Permission.objects.get(codename="review_access_log"))
    u["dpo"].groups.add(reviewers)
    # The region boundary (ADR 11): people of region S, each with what would open the client to them
    # were it not for the region. A nurse of region S's own team; a partner of region S in the
    # client's team with the client's consent for their organisation; region S's administrator and
    # data protection officer.
    u["region_nurse"] = member(
        region_team, profession=Profession.PUBLIC_HEALTH_NURSE, username="m-regionnurse", first_name="Selja"
    )
    u["region_partner"] = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=region_employment_org,
        username="m-regionpartner",
        first_name="Senja",
    )
    u["region_admin"] = UserFactory(
        profession=Profession.ADMINISTRATOR,
        organisation=other_region,
        is_staff=True,
        username="m-regionadmin",
        first_name="Sakari",
    )
    u["region_dpo"] = UserFactory(
        profession=Profession.DATA_PROTECTION_OFFICER,
        organisation=other_region,
        username="m-regiondpo",
        first_name="Sointu",
    )
    u["region_dpo"].groups.add(reviewers)

    person = ClientFactory(first_names=FIRST_NAMES, last_name=LAST_NAME)
    nurse = u["nurse"]
    episode = _open(nurse, team, pathway, person)
    plan = _plan(nurse, episode, GOAL_MARKER)
    for key in ("social_worker", "job_coach", "case_member", "ended", "deactivated"):
        case_services.case_member_add(actor=nurse, episode=episode, user=u[key])
    for key in ("partner_plan", "partner_health", "partner_none", "partner_withdrawn", "region_partner"):
        case_services.case_member_add(actor=nurse, episode=episode, user=u[key])
    meeting = meeting_services.meeting_record(
        actor=nurse,
        episode=episode,
        kind=MeetingKind.TEAM,
        starts_at=timezone.now(),
        participants=[nurse],
        minutes=MINUTES_MARKER,
    )
    entry_services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text=HEALTH_MARKER)
    entry_services.entry_write(actor=u["social_worker"], episode=episode, register=Register.SOCIAL, text=SOCIAL_MARKER)
    entry_services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text=SHARED_MARKER)

    # The client's consents: health data may be read inside the team's organisation; the partners'
    # organisations get what their row of the policy says.
    consent = _consent(nurse, episode, org, [DataCategory.HEALTH], Purpose.WORK_ABILITY)
    _consent(nurse, episode, employment_org, [DataCategory.SHARED_PLAN], Purpose.EMPLOYMENT)
    _consent(nurse, episode, occupational_org, [DataCategory.HEALTH], Purpose.WORK_ABILITY)
    _consent(nurse, episode, region_employment_org, [DataCategory.SHARED_PLAN], Purpose.EMPLOYMENT)
    withdrawn = _consent(nurse, episode, second_employment_org, [DataCategory.SHARED_PLAN], Purpose.EMPLOYMENT)
    privacy_services.consent_withdraw(actor=nurse, consent=withdrawn, episode_id=episode.pk, note="Asiakas perui.")
    # A legal-basis grant to someone without any relationship: a grant opens categories, never a client.
    grant = _grant(nurse, episode, u["org_colleague"])
    emergency_access = privacy_services.emergency_access_open(
        actor=u["emergency"], client=person, reason="Asiakas soitti kriisissä, tiimi ei tavoitettavissa."
    )

    TeamMembership.objects.filter(user=u["ended"], team=team).update(ended_on=_today() - datetime.timedelta(days=1))
    User.objects.filter(pk=u["deactivated"].pk).update(is_active=False)

    closed = _open(nurse, team, pathway, ClientFactory(first_names=CLOSED_FIRST, last_name=CLOSED_LAST))
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=closed,
        outcome=Outcome.STUDIES,
        outcome_on=_today(),
        follow_ups=[(_today() + datetime.timedelta(days=90), nurse)],
    )

    # Another organisation's client with the same kinds of objects: the IDOR probes ask for these.
    outsider = u["outsider"]
    other = _open(outsider, other_team, pathway, ClientFactory(first_names=OTHER_FIRST, last_name=OTHER_LAST))
    other_plan = _plan(outsider, other, "Toisen asiakkaan tavoite")
    other_meeting = meeting_services.meeting_record(
        actor=outsider, episode=other, kind=MeetingKind.TEAM, starts_at=timezone.now(), participants=[outsider]
    )
    other_consent = _consent(outsider, other, other_org, [DataCategory.HEALTH], Purpose.WORK_ABILITY)
    outsider.user_permissions.add(Permission.objects.get(codename="add_legalbasisgrant"))
    outsider = User.objects.get(pk=outsider.pk)  # permissions are cached on the object
    other_grant = _grant(outsider, other, outsider)

    coordination = _coordination(u, team, other_team, pathway, episode)
    coordination.update(_other_coordination(u, other_team, other))
    coordination["follow_up"] = closed.follow_ups.get()
    # The nurse's notice of the waiting notification of need; one of the other nurse's own notices.
    coordination["notification"] = Notification.objects.get(
        recipient=nurse, key=f"need_received:{coordination['need'].pk}"
    )
    coordination["other_notification"] = Notification.objects.filter(recipient=outsider).earliest("pk")

    for key in list(u):
        u[key] = User.objects.get(pk=u[key].pk)
    episode.refresh_from_db()
    closed.refresh_from_db()
    return World(
        region=region,
        other_region=other_region,
        region_pathway=region_pathway,
        org=org,
        team=team,
        sister_team=sister_team,
        other_org=other_org,
        other_team=other_team,
        employment_org=employment_org,
        occupational_org=occupational_org,
        kela_org=kela_org,
        second_employment_org=second_employment_org,
        pathway=pathway,
        client=person,
        episode=episode,
        plan=plan,
        action=plan.actions.get(),
        meeting=meeting,
        consent=consent,
        grant=grant,
        emergency_access=emergency_access,
        closed=closed,
        other=other,
        other_action=other_plan.actions.get(),
        other_meeting=other_meeting,
        other_consent=other_consent,
        other_grant=other_grant,
        users=u,
        **coordination,
    )


def client_texts(client: Client, *extra: str) -> list[str]:
    """What of a client must not show on a refused page."""
    return [client.first_names, client.last_name, client.identity_code, *extra]


def markers() -> list[str]:
    return [HEALTH_MARKER, SOCIAL_MARKER, SHARED_MARKER, GOAL_MARKER, MINUTES_MARKER, NEED_MARKER, REFERRAL_MARKER]
