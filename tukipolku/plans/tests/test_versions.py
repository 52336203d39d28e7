"""A plan's earlier version: its own page and its comparison with the current version (issue 10,
item 7). Both read through the access gate and are logged like the plan; other teams and partners
without a consent get 404, logged as refused; the query count does not grow with the plan."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.plans import services
from tukipolku.plans.choices import GoalDomain
from tukipolku.plans.compare import plan_compare
from tukipolku.plans.models import Plan
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for

DUE = datetime.date(2031, 3, 1)


def save(actor, episode, goals, summary="Tilanne."):
    """Save the whole plan: `goals` is a list of (id or None, description, [(id or None, title)]); a
    description None deletes the goal."""
    plan = Plan.objects.filter(episode=episode).first()
    return services.plan_save(
        actor=actor,
        episode=episode,
        expected_revision=plan.revision if plan else 0,
        summary=summary,
        next_review_on=None,
        goals=[
            services.GoalInput(
                id=gid,
                domain=GoalDomain.EMPLOYMENT,
                description=text or "",
                client_wording="",
                target_on=None,
                status="open",
                delete=text is None,
                actions=[
                    services.ActionInput(id=aid, title=title, owner=actor, due_on=DUE, status="open", delete=False)
                    for aid, title in actions
                ],
            )
            for gid, text, actions in goals
        ],
        loose_actions=[],
    )


@pytest.fixture
def two_versions(nurse, episode):
    """Version 1: two goals, one with an action. Version 2: one goal reworded, one removed, one added."""
    plan = save(
        nurse, episode, [(None, "Työkokeilu kaupassa", [(None, "Soita TE-toimistoon")]), (None, "Liikunta", [])]
    )
    kept, dropped = plan.goals.order_by("id")
    action = plan.actions.get()
    save(
        nurse,
        episode,
        [
            (kept.pk, "Työkokeilu kirjastossa", [(action.pk, "Soita TE-toimistoon")]),
            (dropped.pk, None, []),
            (None, "Ammattikoulun haku", []),
        ],
        summary="Tilanne muuttui.",
    )
    return plan


@pytest.fixture
def partner(db):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )


def test_plan_compare__goals_added_removed_changed_by_id():
    older = {
        "summary": "A",
        "goals": [
            {"id": 1, "domain": "employment", "description": "Kauppa", "status": "open"},
            {"id": 2, "domain": "studies", "description": "Liikunta", "status": "open"},
        ],
        "actions": [{"id": 7, "goal_id": 1, "title": "Soita", "owner": "N", "due_on": "2031-03-01", "status": "open"}],
    }
    newer = {
        "summary": "B",
        "goals": [
            {"id": 1, "domain": "employment", "description": "Kirjasto", "status": "in_progress"},
            {"id": 3, "domain": "studies", "description": "Haku", "status": "open"},
        ],
        "actions": [{"id": 7, "goal_id": 1, "title": "Soita", "owner": "N", "due_on": "2031-03-01", "status": "done"}],
    }

    c = plan_compare(older=older, newer=newer)

    assert [(g.kind, g.title_before, g.title_after) for g in c.goals] == [
        ("changed", "Kauppa", "Kirjasto"),
        ("added", "", "Haku"),
        ("removed", "Liikunta", ""),
    ]
    assert [f.label for f in c.goals[0].shown_fields] == ["Goal", "Status"]
    assert [(a.kind, [(f.before, f.after) for f in a.shown_fields]) for a in c.actions] == [
        ("changed", [("To do", "Done")])
    ]
    assert c.summary.changed and c.counts == {"added": 1, "removed": 1, "changed": 2}


def test_plan_compare__identical_versions_have_no_changes():
    snap = {"summary": "A", "goals": [{"id": 1, "domain": "employment", "description": "K"}], "actions": []}

    c = plan_compare(older=snap, newer=dict(snap))

    assert not c.has_changes
    assert [s.unchanged for s in c.sections] == [1, 0]


def url(name, episode, number):
    return reverse(f"plans:{name}", args=[episode.pk, number])


@pytest.fixture
def client(client):
    """Pages in English (the default language is Finnish)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
def test_version_page__shows_the_version_as_it_was_and_logs_the_read(client, nurse, episode, two_versions):
    client.force_login(nurse)

    response = client.get(url("version", episode, 1))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Työkokeilu kaupassa" in body and "Liikunta" in body
    assert "Työkokeilu kirjastossa" not in body and "Ammattikoulun haku" not in body
    assert "This is an earlier version. The plan is now at version 2." in body
    assert url("version_compare", episode, 1) in body
    assert PersonalDataAccess.objects.filter(
        user=nurse, view="plans:version", outcome="allowed", client_id=episode.client_id
    ).exists()


@pytest.mark.django_db
def test_version_page__the_plan_links_every_version_and_its_comparison(client, nurse, episode, two_versions):
    client.force_login(nurse)

    body = client.get(reverse("plans:edit", args=[episode.pk])).content.decode()

    assert url("version", episode, 1) in body and url("version", episode, 2) in body
    assert url("version_compare", episode, 1) in body
    assert url("version_compare", episode, 2) not in body  # the current one has nothing to compare with


@pytest.mark.django_db
def test_compare_page__added_removed_changed_in_words_with_ins_and_del(client, nurse, episode, two_versions):
    client.force_login(nurse)

    response = client.get(url("version_compare", episode, 1))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Added" in body and "Removed" in body and "Changed" in body
    assert "<del>Liikunta</del>" in body
    assert '<ins><span class="visually-hidden">added: </span>Työkokeilu kirjastossa</ins>' in body
    assert '<del><span class="visually-hidden">removed: </span>Työkokeilu kaupassa</del>' in body
    assert "Ammattikoulun haku" in body
    assert "1 added" in body and "1 removed" in body
    assert PersonalDataAccess.objects.filter(user=nurse, view="plans:version_compare", outcome="allowed").exists()


@pytest.mark.django_db
def test_compare_page__the_current_version_has_nothing_to_compare(client, nurse, episode, two_versions):
    client.force_login(nurse)

    body = client.get(url("version_compare", episode, 2)).content.decode()

    assert "This is the current version: there is nothing to compare it with." in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["version", "version_compare"])
def test_version_pages__a_missing_version_is_404(client, nurse, episode, two_versions, name):
    client.force_login(nurse)

    assert client.get(url(name, episode, 9)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["version", "version_compare"])
def test_version_pages__another_team_gets_404_logged_as_refused(client, outsider, episode, two_versions, name):
    client.force_login(outsider)

    response = client.get(url(name, episode, 1))

    assert response.status_code == 404
    assert "Liikunta" not in response.content.decode()
    rows = PersonalDataAccess.objects.filter(user=outsider, view=f"plans:{name}")
    assert list(rows.values_list("outcome", "client_id")) == [("denied", episode.client_id)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["version", "version_compare"])
def test_version_pages__a_partner_reads_only_with_a_plan_consent(client, nurse, partner, episode, two_versions, name):
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    client.force_login(partner)

    refused = client.get(url(name, episode, 1))

    assert refused.status_code == 404
    denied = PersonalDataAccess.objects.get(user=partner, view=f"plans:{name}")
    assert denied.outcome == "denied" and denied.client_id == episode.client_id

    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=partner.organisation, purpose=Purpose.EMPLOYMENT)
    assert client.get(url(name, episode, 1)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["version", "version_compare"])
def test_version_pages__query_count_does_not_grow_with_the_plan(client, nurse, episode, two_versions, name):
    client.force_login(nurse)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(name, episode, 1)).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session does more (session, language)
    few = count()
    plan = Plan.objects.get(episode=episode)
    goals = [(g.pk, g.description, []) for g in plan.goals.all()]
    save(nurse, episode, goals + [(None, f"Tavoite {i}", [(None, f"Toimi {i}")]) for i in range(8)])

    assert count() == few
