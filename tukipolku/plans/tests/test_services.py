"""The service plan: one versioned plan per episode, goals in four domains, actions, client agreement."""

import datetime

import pytest
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import Outcome
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.plans import services
from tukipolku.plans.choices import ActionSource, ActionStatus, AgreementMethod, GoalDomain, GoalStatus
from tukipolku.plans.hooks import _current_agreed, _earliest_items, _has_goal
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion
from tukipolku.plans.selectors import plan_view_for


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def revision(episode):
    plan = Plan.objects.filter(episode=episode).first()
    return plan.revision if plan else 0


def save(actor, episode, goals=(), loose=(), *, expected=None, summary="Tilanne", next_review_on=None):
    return services.plan_save(
        actor=actor,
        episode=episode,
        expected_revision=revision(episode) if expected is None else expected,
        summary=summary,
        next_review_on=next_review_on,
        goals=list(goals),
        loose_actions=list(loose),
    )


def goal(description, domain=GoalDomain.EMPLOYMENT, actions=(), **kw):
    return services.GoalInput(id=None, domain=domain, description=description, actions=list(actions), **kw)


def action(title, owner, due_on=None, **kw):
    return services.ActionInput(id=None, title=title, owner=owner, due_on=due_on or today() + days(7), **kw)


def plan_events(episode, verb=EventType.PLAN_UPDATED):
    return list(AuditEvent.objects.filter(episode_id=episode.pk, verb=verb).order_by("id"))


# ================================================================ plan_save


@pytest.mark.django_db
def test_plan_save__first_save_creates_version_1_with_goals_in_four_domains(nurse, physician, episode):
    plan = save(
        nurse,
        episode,
        goals=[
            goal("Toimintakyky kohenee", GoalDomain.WORK_CAPACITY, client_wording="  Jaksan paremmin  "),
            goal("Työkokeilu", GoalDomain.EMPLOYMENT, actions=[action("Etsi paikka", physician)]),
            goal("Kurssi", GoalDomain.STUDIES, target_on=today() + days(100)),
            goal("Arki sujuu", GoalDomain.EVERYDAY_LIFE, status=GoalStatus.IN_PROGRESS),
        ],
        summary="  Asiakkaan oma näkemys.  ",
        next_review_on=today() + days(30),
    )

    plan.refresh_from_db()
    assert (plan.revision, plan.summary, plan.next_review_on, plan.updated_by) == (
        1,
        "Asiakkaan oma näkemys.",
        today() + days(30),
        nurse,
    )
    goals = {g.domain: g for g in plan.goals.all()}
    assert set(goals) == set(GoalDomain.values)
    assert goals[GoalDomain.WORK_CAPACITY].client_wording == "Jaksan paremmin"
    assert goals[GoalDomain.STUDIES].target_on == today() + days(100)
    assert goals[GoalDomain.EVERYDAY_LIFE].status == GoalStatus.IN_PROGRESS
    (act,) = plan.actions.all()
    assert (act.goal, act.title, act.owner, act.status, act.source) == (
        goals[GoalDomain.EMPLOYMENT],
        "Etsi paikka",
        physician,
        ActionStatus.OPEN,
        ActionSource.PLAN,
    )
    version = PlanVersion.objects.get(plan=plan)
    assert (version.number, version.created_by, version.agreed_on) == (1, nurse, None)
    assert version.snapshot["summary"] == "Asiakkaan oma näkemys."
    assert sorted(g["domain"] for g in version.snapshot["goals"]) == sorted(GoalDomain.values)
    assert version.snapshot["actions"][0]["owner"] == physician.display_name
    (event,) = plan_events(episode)
    assert event.payload == {"revision": 1, "goals": 4, "actions": 1}
    assert (event.actor, event.client_id, event.target_type) == (nurse, episode.client_id, "plans.plan")


@pytest.mark.django_db
def test_plan_save__each_save_is_a_new_version_and_old_snapshots_stay(nurse, episode):
    save(nurse, episode, goals=[goal("Ensimmäinen")])
    plan = save(nurse, episode, goals=[goal("Toinen")])

    assert plan.revision == 2
    snapshots = {v.number: [g["description"] for g in v.snapshot["goals"]] for v in plan.versions.all()}
    assert snapshots == {1: ["Ensimmäinen"], 2: ["Ensimmäinen", "Toinen"]}


@pytest.mark.django_db
def test_plan_save__updates_and_deletes_goals_and_actions(nurse, physician, episode):
    plan = save(nurse, episode, goals=[goal("Vanha", actions=[action("Tehtävä", nurse)]), goal("Poistuva")])
    old, leaving = plan.goals.order_by("id")
    task = plan.actions.get()

    plan = save(
        nurse,
        episode,
        goals=[
            services.GoalInput(
                id=old.pk,
                domain=GoalDomain.STUDIES,
                description="  Uusi muotoilu ",
                status=GoalStatus.ACHIEVED,
                actions=[
                    services.ActionInput(
                        id=task.pk, title="Tehtävä valmis", owner=physician, due_on=today(), status=ActionStatus.DONE
                    ),
                    services.ActionInput(id=None, title="Uusi tehtävä", owner=nurse, due_on=today() + days(3)),
                ],
            ),
            services.GoalInput(id=leaving.pk, domain=leaving.domain, description=leaving.description, delete=True),
        ],
    )

    old.refresh_from_db()
    task.refresh_from_db()
    assert (old.domain, old.description, old.status) == (GoalDomain.STUDIES, "Uusi muotoilu", GoalStatus.ACHIEVED)
    assert not Goal.objects.filter(pk=leaving.pk).exists()
    assert (task.title, task.owner, task.status) == ("Tehtävä valmis", physician, ActionStatus.DONE)
    assert task.completed_at is not None
    assert sorted(plan.actions.values_list("title", flat=True)) == ["Tehtävä valmis", "Uusi tehtävä"]
    assert plan_events(episode)[-1].payload == {"revision": 2, "goals": 1, "actions": 2}


@pytest.mark.django_db
def test_plan_save__reopening_an_action_clears_its_completion_time(nurse, episode):
    plan = save(nurse, episode, loose=[action("Tehty jo", nurse, status=ActionStatus.DONE)])
    done = plan.actions.get()
    assert done.completed_at is not None

    save(nurse, episode, loose=[services.ActionInput(id=done.pk, title=done.title, owner=nurse, due_on=done.due_on)])

    done.refresh_from_db()
    assert (done.status, done.completed_at) == (ActionStatus.OPEN, None)


@pytest.mark.django_db
def test_plan_save__loose_actions_and_deleted_actions(nurse, episode):
    plan = save(nurse, episode, loose=[action("Irrallinen", nurse), action("Turha", nurse)])
    keep, drop = plan.actions.order_by("id")

    save(nurse, episode, loose=[services.ActionInput(id=drop.pk, title="", owner=nurse, due_on=today(), delete=True)])

    assert list(Action.objects.filter(plan=plan).values_list("pk", "goal")) == [(keep.pk, None)]


@pytest.mark.django_db
def test_plan_save__ids_of_another_plan_are_ignored(nurse, team, satakunta, episode):
    other = open_episode(nurse, team, satakunta)
    other_plan = save(nurse, other, goals=[goal("Toisen tavoite", actions=[action("Toisen tehtävä", nurse)])])
    foreign_goal, foreign_action = other_plan.goals.get(), other_plan.actions.get()

    save(
        nurse,
        episode,
        goals=[services.GoalInput(id=foreign_goal.pk, domain=GoalDomain.STUDIES, description="Kaappaus", delete=False)],
        loose=[services.ActionInput(id=foreign_action.pk, title="Kaappaus", owner=nurse, due_on=today(), delete=True)],
    )

    foreign_goal.refresh_from_db()
    assert foreign_goal.description == "Toisen tavoite"
    assert Action.objects.filter(pk=foreign_action.pk, title="Toisen tehtävä").exists()


@pytest.mark.django_db
def test_plan_save__empty_new_rows_are_ignored(nurse, episode):
    plan = save(
        nurse, episode, goals=[goal("   ", actions=[action("Ei tallennu", nurse)])], loose=[action("  ", nurse)]
    )

    assert plan.revision == 1
    assert not plan.goals.exists()
    assert not plan.actions.exists()


@pytest.mark.django_db
def test_plan_save__unknown_domain_is_refused(nurse, episode):
    with pytest.raises(ApplicationError) as exc:
        save(nurse, episode, goals=[goal("Tavoite", "finances")])

    assert exc.value.message == "Choose the goal's domain."
    assert revision(episode) == 0
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_plan_save__stale_revision_is_a_conflict_and_nothing_changes(nurse, physician, episode):
    save(nurse, episode, goals=[goal("Hoitajan tavoite")], expected=0)

    with pytest.raises(ConflictError) as exc:
        save(physician, episode, goals=[goal("Lääkärin tavoite")], expected=0, summary="Lääkärin teksti")

    assert "Someone else saved this plan while you were editing it." in exc.value.message
    plan = Plan.objects.get(episode=episode)
    assert (plan.revision, plan.summary, plan.updated_by) == (1, "Tilanne", nurse)
    assert list(plan.goals.values_list("description", flat=True)) == ["Hoitajan tavoite"]
    assert plan.versions.count() == 1
    assert len(plan_events(episode)) == 1


@pytest.mark.django_db
def test_plan_save__refused_for_an_outsider_and_on_a_closed_episode(nurse, outsider, episode):
    with pytest.raises(ApplicationError):
        save(outsider, episode, goals=[goal("Ulkopuolisen tavoite")])
    case_services.episode_close(
        confirm_early=True, actor=nurse, episode=episode, outcome=Outcome.DECEASED, outcome_on=today(), follow_ups=[]
    )
    episode.refresh_from_db()
    with pytest.raises(ApplicationError):
        save(nurse, episode, goals=[goal("Liian myöhään")])

    assert not Plan.objects.filter(revision__gt=0).exists()


# ================================================================ the client's agreement


@pytest.mark.django_db
def test_plan_agree__records_the_agreement_on_the_current_version(nurse, episode):
    save(nurse, episode, goals=[goal("Työkokeilu")])

    version = services.plan_agree(
        actor=nurse, episode=episode, revision=1, agreed_on=today() - days(1), method=AgreementMethod.WRITTEN
    )

    version.refresh_from_db()
    assert (version.number, version.agreed_on, version.agreement_method, version.agreement_recorded_by) == (
        1,
        today() - days(1),
        AgreementMethod.WRITTEN,
        nurse,
    )
    (event,) = plan_events(episode, EventType.PLAN_AGREED)
    assert event.payload == {
        "revision": 1,
        "method": AgreementMethod.WRITTEN,
        "agreed_on": (today() - days(1)).isoformat(),
    }
    assert _current_agreed(episode.__class__.objects.get(pk=episode.pk))


@pytest.mark.django_db
def test_plan_agree__a_change_needs_a_new_agreement_and_history_is_kept(nurse, episode):
    save(nurse, episode, goals=[goal("Työkokeilu")])
    services.plan_agree(actor=nurse, episode=episode, revision=1, agreed_on=today(), method=AgreementMethod.ORAL)

    save(nurse, episode, goals=[goal("Lisätavoite")])

    fresh = episode.__class__.objects.get(pk=episode.pk)
    assert not _current_agreed(fresh)
    view = plan_view_for(episode=fresh)
    assert view.revision == 2
    assert not view.is_agreed
    assert view.agreed_version.number == 1
    assert [v.number for v in view.versions] == [2, 1]
    services.plan_agree(actor=nurse, episode=episode, revision=2, agreed_on=today(), method=AgreementMethod.DIGITAL)
    assert plan_view_for(episode=fresh).is_agreed
    assert list(PlanVersion.objects.order_by("number").values_list("agreement_method", flat=True)) == [
        AgreementMethod.ORAL,
        AgreementMethod.DIGITAL,
    ]


@pytest.mark.django_db
def test_plan_agree__refusals(nurse, outsider, episode):
    with pytest.raises(ApplicationError) as no_plan:
        services.plan_agree(actor=nurse, episode=episode, revision=0, agreed_on=today(), method=AgreementMethod.ORAL)
    save(nurse, episode, goals=[goal("Työkokeilu")])
    save(nurse, episode, goals=[goal("Toinen")])
    with pytest.raises(ConflictError):
        services.plan_agree(actor=nurse, episode=episode, revision=1, agreed_on=today(), method=AgreementMethod.ORAL)
    with pytest.raises(ApplicationError) as method:
        services.plan_agree(actor=nurse, episode=episode, revision=2, agreed_on=today(), method="telepathy")
    with pytest.raises(ApplicationError) as future:
        services.plan_agree(
            actor=nurse, episode=episode, revision=2, agreed_on=today() + days(1), method=AgreementMethod.ORAL
        )
    with pytest.raises(ApplicationError):
        services.plan_agree(actor=outsider, episode=episode, revision=2, agreed_on=today(), method=AgreementMethod.ORAL)

    assert no_plan.value.message == "Write the plan before recording the client's agreement."
    assert method.value.field == "method"
    assert future.value.field == "agreed_on"
    assert not PlanVersion.objects.filter(agreed_on__isnull=False).exists()
    assert not plan_events(episode, EventType.PLAN_AGREED)


# ================================================================ single actions


@pytest.mark.django_db
def test_action_create__adds_an_action_and_a_version(nurse, physician, episode):
    created = services.action_create(
        actor=nurse,
        episode=episode,
        title="  B-lausunto  ",
        owner=physician,
        due_on=today() + days(5),
        source=ActionSource.MEETING,
    )

    assert (created.title, created.owner, created.source, created.goal, created.status) == (
        "B-lausunto",
        physician,
        ActionSource.MEETING,
        None,
        ActionStatus.OPEN,
    )
    assert revision(episode) == 1
    (event,) = plan_events(episode)
    assert event.payload == {"revision": 1, "added_action": "B-lausunto", "source": ActionSource.MEETING}


@pytest.mark.django_db
def test_action_create__needs_a_title_and_a_changeable_episode(nurse, outsider, episode):
    with pytest.raises(ApplicationError) as exc:
        services.action_create(actor=nurse, episode=episode, title=" ", owner=nurse, due_on=today())
    with pytest.raises(ApplicationError):
        services.action_create(actor=outsider, episode=episode, title="Ulkopuolinen", owner=outsider, due_on=today())

    assert exc.value.field == "title"
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_action_set_status__done_and_back_to_open(nurse, episode):
    task = services.action_create(actor=nurse, episode=episode, title="Soita", owner=nurse, due_on=today())

    done = services.action_set_status(actor=nurse, episode=episode, action_id=task.pk, status=ActionStatus.DONE)
    assert (done.status, done.completed_at is not None, revision(episode)) == (ActionStatus.DONE, True, 2)
    same = services.action_set_status(actor=nurse, episode=episode, action_id=task.pk, status=ActionStatus.DONE)
    assert revision(episode) == 2  # no change, no new version
    reopened = services.action_set_status(actor=nurse, episode=episode, action_id=task.pk, status=ActionStatus.OPEN)

    assert same.pk == task.pk
    assert (reopened.status, reopened.completed_at) == (ActionStatus.OPEN, None)
    events = plan_events(episode, EventType.ACTION_STATUS_CHANGED)
    assert [e.payload["status"] for e in events] == [ActionStatus.DONE, ActionStatus.OPEN]
    assert events[0].payload["action"] == "Soita"


@pytest.mark.django_db
def test_action_set_status__refusals(nurse, outsider, team, satakunta, episode):
    other = open_episode(nurse, team, satakunta)
    foreign = services.action_create(actor=nurse, episode=other, title="Toisen", owner=nurse, due_on=today())
    own = services.action_create(actor=nurse, episode=episode, title="Oma", owner=nurse, due_on=today())

    with pytest.raises(ApplicationError) as missing:
        services.action_set_status(actor=nurse, episode=episode, action_id=foreign.pk, status=ActionStatus.DONE)
    with pytest.raises(ApplicationError) as status:
        services.action_set_status(actor=nurse, episode=episode, action_id=own.pk, status="someday")
    with pytest.raises(ApplicationError):
        services.action_set_status(actor=outsider, episode=episode, action_id=own.pk, status=ActionStatus.DONE)

    assert missing.value.message == "This action no longer exists."
    assert status.value.message == "Unknown status."
    assert set(Action.objects.values_list("status", flat=True)) == {ActionStatus.OPEN}


# ================================================================ what cases reads from plans


@pytest.mark.django_db
def test_plan_hooks__goal_check_and_earliest_open_action(nurse, physician, team, satakunta, episode):
    other = open_episode(nurse, team, satakunta)
    assert not _has_goal(episode)
    save(
        nurse,
        episode,
        goals=[goal("Tavoite", actions=[action("Myöhemmin", nurse, today() + days(9))])],
        loose=[
            action("Ensin", physician, today() + days(2)),
            action("Jo tehty", nurse, today() - days(5), status=ActionStatus.DONE),
        ],
    )

    items = _earliest_items([episode.pk, other.pk])

    assert _has_goal(episode)
    assert set(items) == {episode.pk}
    assert (items[episode.pk].title, items[episode.pk].due_on, items[episode.pk].owner_name) == (
        "Ensin",
        today() + days(2),
        physician.display_name,
    )


@pytest.mark.django_db
def test_plan_view_for__groups_goals_by_domain(nurse, episode):
    assert plan_view_for(episode=episode).plan is None
    save(
        nurse,
        episode,
        goals=[goal("Opiskelu", GoalDomain.STUDIES), goal("Työ 1"), goal("Työ 2")],
        loose=[action("Irrallinen", nurse)],
    )

    view = plan_view_for(episode=episode)

    assert [d.domain for d in view.domains] == list(GoalDomain)
    by_domain = {d.domain: [g.description for g in d.goals] for d in view.domains}
    assert by_domain == {
        GoalDomain.WORK_CAPACITY: [],
        GoalDomain.EMPLOYMENT: ["Työ 1", "Työ 2"],
        GoalDomain.STUDIES: ["Opiskelu"],
        GoalDomain.EVERYDAY_LIFE: [],
    }
    assert [a.title for a in view.loose_actions] == ["Irrallinen"]
    assert view.current_version.number == view.revision == 1
