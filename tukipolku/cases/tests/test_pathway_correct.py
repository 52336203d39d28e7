"""Correcting the pathway or the starting step afterwards: the service (rules, audit, concurrency) and its page
(allowed for the team, denied to others)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services
from tukipolku.cases.choices import StepStatus
from tukipolku.cases.presentation import describe_event
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_version_current

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, client):
    # The assertions use the English source texts (services, pages and history lines).
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _rauma_step(order: int):
    version = pathway_version_current(pathway=Pathway.objects.get(code="rauma_study_end"))
    return version, version.steps.get(order=order)


def correct(episode, actor, version, step, reason="Väärä toimintamalli valittiin vastaanotossa.", **kw):
    kw.setdefault("expected_step_id", episode.current_step_id)
    kw.setdefault("expected_version_id", episode.pathway_version_id)
    return services.episode_pathway_correct(
        actor=actor, episode=episode, pathway_version=version, step=step, reason=reason, **kw
    )


def test_episode_pathway_correct__moves_to_the_chosen_pathway_and_step_with_an_audit_event(episode, nurse):
    old_version, old_step = episode.pathway_version, episode.current_step
    version, step = _rauma_step(6)

    corrected = correct(episode, nurse, version, step)

    assert corrected.pathway_version == version and corrected.current_step == step
    record = corrected.step_records.get(step=old_step)
    assert record.status == StepStatus.CORRECTED and "Väärä toimintamalli" in record.reason
    assert corrected.step_records.get(status=StepStatus.ACTIVE).step == step
    event = AuditEvent.objects.get(verb=EventType.PATHWAY_CORRECTED, episode_id=episode.pk)
    assert event.actor_id == nurse.pk
    assert event.payload["old"]["version"] == old_version.number
    assert event.payload["old"]["step"]["order"] == old_step.order
    assert event.payload["new"]["step"]["order"] == 6
    assert event.payload["reason"] == "Väärä toimintamalli valittiin vastaanotossa."
    text = describe_event(event)
    assert "→" in text and "Väärä toimintamalli" in text


def test_episode_pathway_correct__only_the_starting_step_of_the_same_pathway(episode, nurse):
    step = episode.pathway_version.steps.get(order=3)
    corrected = correct(episode, nurse, episode.pathway_version, step)
    assert corrected.current_step.order == 3


def test_episode_pathway_correct__a_reason_is_required(episode, nurse):
    version, step = _rauma_step(6)
    with pytest.raises(ApplicationError) as exc:
        correct(episode, nurse, version, step, reason="  ")
    assert exc.value.field == "reason"
    assert not AuditEvent.objects.filter(verb=EventType.PATHWAY_CORRECTED).exists()


def test_episode_pathway_correct__the_same_step_is_no_correction(episode, nurse):
    with pytest.raises(ApplicationError) as exc:
        correct(episode, nurse, episode.pathway_version, episode.current_step)
    assert exc.value.field == "step"


def test_episode_pathway_correct__a_step_of_another_version_is_refused(episode, nurse):
    version, _step = _rauma_step(6)
    with pytest.raises(ApplicationError) as exc:
        correct(episode, nurse, version, episode.current_step)
    assert exc.value.field == "step"


def test_episode_pathway_correct__a_stale_form_is_a_conflict(episode, nurse):
    version, step = _rauma_step(6)
    stale_step = episode.current_step_id
    correct(episode, nurse, episode.pathway_version, episode.pathway_version.steps.get(order=2))
    with pytest.raises(ConflictError):
        correct(episode, nurse, version, step, expected_step_id=stale_step)
    with pytest.raises(ConflictError):
        correct(episode, nurse, version, step, expected_version_id=version.pk)


def test_episode_pathway_correct__not_after_the_team_has_moved_on(episode, nurse):
    moved = services.episode_step_complete(
        actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output="Tarve tunnistettu."
    )
    assert not services.pathway_correction_open(episode=moved)
    version, step = _rauma_step(6)
    with pytest.raises(ApplicationError):
        correct(moved, nurse, version, step)


def test_episode_pathway_correct__only_the_team(episode, outsider, physician):
    version, step = _rauma_step(6)
    with pytest.raises(ApplicationError):
        correct(episode, outsider, version, step)
    assert correct(episode, physician, version, step).current_step == step


# ------------------------------------------------------------------ the page


def url(episode):
    return reverse("cases:correct", args=[episode.pk])


def test_correct_page__the_team_corrects_and_the_history_shows_it(client, episode, nurse):
    client.force_login(nurse)
    page = client.get(reverse("cases:detail", args=[episode.pk]))
    assert url(episode) in page.content.decode()
    assert client.get(url(episode)).status_code == 200
    _version, step = _rauma_step(6)

    response = client.post(
        url(episode),
        {
            "step_id": episode.current_step_id,
            "version_id": episode.pathway_version_id,
            "step": step.pk,
            "reason": "Opiskelija tuli opiskeluterveydenhuollosta.",
        },
    )

    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.current_step == step
    page = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert "Opiskelija tuli opiskeluterveydenhuollosta." in page


def test_correct_page__a_missing_reason_is_said_next_to_the_field_and_the_choice_kept(client, episode, nurse):
    client.force_login(nurse)
    _version, step = _rauma_step(6)
    response = client.post(
        url(episode),
        {"step_id": episode.current_step_id, "version_id": episode.pathway_version_id, "step": step.pk, "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert f'value="{step.pk}" selected' in response.content.decode()


def test_correct_page__a_stale_form_is_refused(client, episode, nurse):
    client.force_login(nurse)
    _version, step = _rauma_step(6)
    data = {"step_id": episode.current_step_id + 999, "version_id": episode.pathway_version_id, "step": step.pk}
    response = client.post(url(episode), {**data, "reason": "Korjaus."})
    assert response.status_code == 400
    assert "changed the pathway or the step meanwhile" in response.content.decode()


def test_correct_page__after_the_team_moved_on_the_page_says_so_and_the_case_page_has_no_link(client, episode, nurse):
    services.episode_step_complete(
        actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output="Tarve tunnistettu."
    )
    client.force_login(nurse)
    assert url(episode) not in client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    response = client.get(url(episode))
    assert response.status_code == 200 and not response.context["allowed"]


def test_correct_page__another_team_gets_404(client, episode, outsider):
    client.force_login(outsider)
    assert client.get(url(episode)).status_code == 404
    _version, step = _rauma_step(6)
    response = client.post(
        url(episode),
        {"step_id": episode.current_step_id, "version_id": episode.pathway_version_id, "step": step.pk, "reason": "x"},
    )
    assert response.status_code == 404
    episode.refresh_from_db()
    assert episode.current_step.order == 1


def test_correct_page__a_closed_episode_is_404(client, episode, nurse):
    from tukipolku.cases.models import Episode

    Episode.objects.filter(pk=episode.pk).update(status="closed", outcome="other")
    client.force_login(nurse)
    assert client.get(url(episode)).status_code == 404
