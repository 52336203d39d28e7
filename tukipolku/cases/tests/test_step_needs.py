"""The step card says before the button what the step still needs, with a link to do each, and the
button says what will happen (issue 10, item 4)."""

import html

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import open_episode
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.cases.models import Episode
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain
from tukipolku.plans.models import Plan


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def at_check(episode, code):
    """Move the episode to the first step of its pathway with the completion check `code`."""
    step = episode.pathway_version.steps.filter(completion_check=code).order_by("order").first()
    Episode.objects.filter(pk=episode.pk).update(current_step=step)
    episode.refresh_from_db()
    return step


def card(client, episode):
    response = client.get(reverse("cases:detail", args=[episode.pk]))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    return body[body.index('class="now card"') : body.index("</section>", body.index('class="now card"'))]


def add_goal(actor, episode):
    plan_services.plan_save(
        actor=actor,
        episode=episode,
        expected_revision=Plan.objects.filter(episode=episode).values_list("revision", flat=True).first() or 0,
        summary="",
        next_review_on=None,
        goals=[plan_services.GoalInput(id=None, domain=GoalDomain.WORK_CAPACITY, description="Kevyt työ", actions=[])],
        loose_actions=[],
    )


@pytest.mark.django_db
def test_step_card__lists_the_missing_contact_person_with_a_link_and_the_button_names_the_next_step(
    client, nurse, team, satakunta
):
    episode = open_episode(nurse, team, satakunta)
    step = at_check(episode, "contact_person")
    following = episode.pathway_version.steps.get(order=step.order + 1)
    client.force_login(nurse)

    text = card(client, episode)

    assert "Before this step can be marked done:</strong> A contact person is named." in text
    assert text.index("Before this step can be marked done") < text.index("What to do:")  # up front
    assert "This step still needs:" in text
    assert f'href="{reverse("cases:team", args=[episode.pk])}">Name the contact person</a>' in text
    assert f"Mark the step done and move on to step {following.order}: {following.name_en}" in text


@pytest.mark.django_db
def test_step_card__agreement_lists_the_goal_it_builds_on_first(client, nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    at_check(episode, "plan_agreed")
    client.force_login(nurse)
    plan_url = reverse("plans:edit", args=[episode.pk])

    text = card(client, episode)
    assert "Before this step can be marked done:</strong> The client has agreed to the current plan." in text
    text = text[text.index("This step still needs:") :]

    goal = text.index("The service plan has at least one goal")
    agreement = text.index("The client has agreed to the current plan")
    assert goal < agreement
    assert f'href="{plan_url}">Write a goal in the service plan</a>' in text
    assert (
        f'href="{plan_url}">Record the client&#x27;s agreement' in text
        or f'href="{plan_url}">Record the client' in text
    )

    add_goal(nurse, episode)
    text = card(client, episode)
    assert "Write a goal in the service plan" not in text  # done: ticked, no link
    assert "(done)" in text
    assert "Record the client's agreement on the service plan page" in text


@pytest.mark.django_db
def test_step_card__when_everything_is_there_it_says_so_and_lists_nothing(client, nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    at_check(episode, "contact_person")
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=nurse)
    client.force_login(nurse)

    text = card(client, episode)

    assert "✓ A contact person is named" in text
    assert "This step still needs:" not in text


@pytest.mark.django_db
def test_step_card__the_refusal_still_holds_if_the_button_is_pressed(client, nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    step = at_check(episode, "plan")
    client.force_login(nurse)

    response = client.post(
        reverse("cases:step", args=[episode.pk]),
        {"action": "complete", "complete-step_id": str(step.pk), "complete-output": "Arvioinnista sovittu."},
    )

    assert response.status_code == 400
    episode.refresh_from_db()
    assert episode.current_step_id == step.pk


@pytest.mark.django_db
def test_step_card__other_teams_professional_gets_404_and_no_needs(client, nurse, outsider, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    at_check(episode, "contact_person")
    client.force_login(outsider)

    response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 404
    assert "Name the contact person" not in response.content.decode()
