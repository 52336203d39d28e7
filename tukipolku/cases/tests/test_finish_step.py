"""Save and mark the step done (cases/steps.py): the plan, the client's agreement and a held meeting
finish the current step in the same press when it asks for what they record (issue 10, shorter
routine tasks). The step's check, the expected step and the gate still decide."""

import html

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.cases.models import Episode, StepRecord
from tukipolku.cases.tests.test_step_needs import add_goal, at_check
from tukipolku.cases.tests.test_views import meeting_payload, plan_payload
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Meeting
from tukipolku.plans.models import Plan


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def episode(nurse, team, satakunta):
    return open_episode(nurse, team, satakunta)


def page(client, name, episode):
    response = client.get(reverse(name, args=[episode.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def output_of(episode):
    """What the step marked done recorded (at_check moved the episode without records of its own)."""
    return StepRecord.objects.filter(episode=episode, status="completed").get().output


@pytest.mark.django_db
def test_plan_page__offers_to_finish_only_the_step_that_asks_for_a_goal(client, nurse, episode):
    client.force_login(nurse)
    assert "Save and mark step" not in page(client, "plans:edit", episode)  # step 1 asks for nothing

    step = at_check(episode, "plan")
    body = page(client, "plans:edit", episode)
    assert f'name="finish_step" value="{step.pk}">Save and mark step {step.order} done</button>' in body
    assert "Record and mark step" not in body  # the agreement is the next step's


@pytest.mark.django_db
def test_plan_save__and_finish_moves_on_with_the_plan_version_as_the_output(client, nurse, episode):
    step = at_check(episode, "plan")
    client.force_login(nurse)

    data = plan_payload(0, goals=[{"description": "Kevyt työ kahvilassa"}])
    response = client.post(reverse("plans:edit", args=[episode.pk]), {**data, "finish_step": str(step.pk)})

    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[episode.pk])
    episode.refresh_from_db()
    assert episode.current_step.order == step.order + 1
    assert output_of(episode) == "Recorded in the service plan, version 1."
    assert texts(response)[:1] == ["The plan is saved."]


@pytest.mark.django_db
def test_plan_save__finish_refused_by_the_check_keeps_the_plan_and_says_why(client, nurse, episode):
    step = at_check(episode, "plan")
    client.force_login(nurse)

    data = plan_payload(0, summary="Tilanne kirjattu, tavoite puuttuu")
    response = client.post(reverse("plans:edit", args=[episode.pk]), {**data, "finish_step": str(step.pk)})

    assert response.status_code == 302 and response["Location"] == reverse("plans:edit", args=[episode.pk])
    assert Plan.objects.get(episode=episode).summary == "Tilanne kirjattu, tavoite puuttuu"
    episode.refresh_from_db()
    assert episode.current_step_id == step.pk
    assert "Saved, but the step is not marked done: Write at least one goal in the service plan first." in texts(
        response
    )


@pytest.mark.django_db
def test_plan_save__finish_of_a_step_moved_meanwhile_is_refused(client, nurse, episode):
    step = at_check(episode, "plan")
    earlier = episode.pathway_version.steps.get(order=1)
    client.force_login(nurse)

    data = plan_payload(0, goals=[{"description": "Kevyt työ"}])
    response = client.post(reverse("plans:edit", args=[episode.pk]), {**data, "finish_step": str(earlier.pk)})

    assert response["Location"] == reverse("plans:edit", args=[episode.pk])
    episode.refresh_from_db()
    assert episode.current_step_id == step.pk  # nothing moved
    assert any("moved this client relationship to another step" in t for t in texts(response))


@pytest.mark.django_db
def test_agreement__and_finish_moves_on(client, nurse, episode):
    add_goal(nurse, episode)
    step = at_check(episode, "plan_agreed")
    client.force_login(nurse)
    assert f'value="{step.pk}">Record and mark step {step.order} done</button>' in page(client, "plans:edit", episode)

    response = client.post(
        reverse("plans:agree", args=[episode.pk]),
        {
            "revision": "1",
            "agreed_on": timezone.localdate().strftime("%d.%m.%Y"),
            "method": "in_meeting",
            "finish_step": str(step.pk),
        },
    )

    assert response["Location"] == reverse("cases:detail", args=[episode.pk])
    episode.refresh_from_db()
    assert episode.current_step.order == step.order + 1
    assert output_of(episode) == "The client agreed to version 1 of the service plan."


@pytest.mark.django_db
def test_finish__another_teams_professional_is_404_and_nothing_moves(client, outsider, episode):
    step = at_check(episode, "plan")
    client.force_login(outsider)

    data = plan_payload(0, goals=[{"description": "Kevyt työ"}])
    response = client.post(reverse("plans:edit", args=[episode.pk]), {**data, "finish_step": str(step.pk)})

    assert response.status_code == 404
    assert Episode.objects.get(pk=episode.pk).current_step_id == step.pk


@pytest.mark.django_db
def test_meeting_form__a_step_asking_for_a_joint_meeting_starts_with_the_client_taking_part(client, nurse, episode):
    client.force_login(nurse)
    body = page(client, "meetings:create", episode)
    assert '<option value="team" selected>' in body and "Save and mark step" not in body

    step = at_check(episode, "joint_meeting")
    body = page(client, "meetings:create", episode)
    assert '<option value="joint" selected>' in body
    assert 'name="client_participated" id="id_client_participated" checked' in body
    assert f'value="{step.pk}">Save and mark step {step.order} done</button>' in body


@pytest.mark.django_db
def test_meeting__save_and_finish_moves_on_with_the_meeting_as_the_output(client, nurse, episode):
    step = at_check(episode, "joint_meeting")
    client.force_login(nurse)

    data = meeting_payload([nurse], kind=MeetingKind.JOINT, client_participated="on", finish_step=str(step.pk))
    response = client.post(reverse("meetings:create", args=[episode.pk]), data)

    assert response["Location"] == reverse("cases:detail", args=[episode.pk])
    episode.refresh_from_db()
    assert episode.current_step.order == step.order + 1
    today = timezone.localdate()
    assert output_of(episode) == (
        f"Joint meeting with the client held on {today.day}.{today.month}.{today.year}: see its minutes and decisions."
    )


@pytest.mark.django_db
def test_meeting__without_the_client_is_saved_but_does_not_finish_a_joint_meeting_step(client, nurse, episode):
    step = at_check(episode, "joint_meeting")
    client.force_login(nurse)

    data = meeting_payload([nurse], kind=MeetingKind.TEAM, finish_step=str(step.pk))
    response = client.post(reverse("meetings:create", args=[episode.pk]), data)

    assert response["Location"] == reverse("cases:detail", args=[episode.pk]) + "#meetings"
    assert Meeting.objects.filter(episode=episode).count() == 1
    episode.refresh_from_db()
    assert episode.current_step_id == step.pk
    assert "Saved, but the step is not marked done: Record a meeting in which the client took part first." in texts(
        response
    )


def step_field(client, episode):
    body = page(client, "cases:detail", episode)
    start = body.index('name="complete-output"')
    return body[body.index(">", start) + 1 : body.index("</textarea>", start)].strip()


@pytest.mark.django_db
def test_refused_step__what_was_typed_waits_until_the_step_is_done(client, nurse, physician, episode):
    step = at_check(episode, "contact_person")
    client.force_login(nurse)
    url = reverse("cases:step", args=[episode.pk])
    typed = {"action": "complete", "complete-step_id": str(step.pk), "complete-output": "Terveystarkastus tehty."}

    assert client.post(url, typed).status_code == 400  # no contact person yet
    assert step_field(client, episode) == "Terveystarkastus tehty."  # back from naming one, still there
    other = open_episode(nurse, episode.team, episode.pathway_version.pathway)
    assert step_field(client, other) == ""  # another client's step is not given it

    response = client.post(
        reverse("cases:team", args=[episode.pk]),
        {"op": "contact", "contact-kind": "contact_person", "contact-user": str(physician.pk)},
    )
    assert response.status_code == 302
    assert client.post(url, typed).status_code == 302
    episode.refresh_from_db()
    assert episode.current_step.order == step.order + 1
    assert step_field(client, episode) == ""  # done: the next step starts empty
    assert client.session.get("step_drafts") == {}


@pytest.mark.django_db
def test_refused_step__a_step_moved_meanwhile_keeps_no_draft(client, nurse, episode):
    step = at_check(episode, "contact_person")
    earlier = episode.pathway_version.steps.get(order=1)
    client.force_login(nurse)

    typed = {"action": "complete", "complete-step_id": str(earlier.pk), "complete-output": "Vanha lomake."}
    assert client.post(reverse("cases:step", args=[episode.pk]), typed).status_code == 400

    assert step_field(client, episode) == ""
    episode.refresh_from_db()
    assert episode.current_step_id == step.pk
