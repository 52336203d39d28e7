"""The Rauma study-end transition: a graduating student's handover opens the Rauma pathway, the steps student
health care already did are done by the handover with what it recorded, and the team starts at step 6."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases.choices import StepStatus
from tukipolku.cases.presentation import describe_event
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.dates import format_date
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.handovers import services
from tukipolku.handovers.choices import HandoverReason, HandoverStatus, InformationSource
from tukipolku.handovers.tests.factories import open_handover
from tukipolku.pathways.models import Pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduating(student_sender, team, satakunta):
    return open_handover(student_sender, team, reason=HandoverReason.GRADUATING)


def _rauma() -> Pathway:
    return Pathway.objects.get(code="rauma_study_end")


def test_pathway_default__follows_the_reason_in_the_pathway_data(graduating, handover):
    assert services.pathway_default(handover=graduating) == _rauma()
    assert services.pathway_default(handover=handover) == Pathway.objects.get(code="escorted_handover")


def test_pathway_default__an_administrator_may_point_a_reason_elsewhere(graduating, eura):
    Pathway.objects.filter(code="rauma_study_end").update(handover_reasons=[])
    Pathway.objects.filter(code="eura").update(handover_reasons=[HandoverReason.GRADUATING])
    assert services.pathway_default(handover=graduating) == eura


def test_handover_accept__graduating_student_starts_at_step_6_with_steps_1_to_5_done_by_the_handover(
    graduating, nurse, student_sender
):
    episode = services.handover_accept(actor=nurse, handover=graduating, expected_status=HandoverStatus.OPEN)

    assert episode.pathway_version.pathway == _rauma()
    assert episode.current_step.order == 6 and episode.current_step.code == "contact_made"
    done = list(episode.step_records.filter(status=StepStatus.COMPLETED).order_by("id").select_related("step"))
    assert [r.step.order for r in done] == [1, 2, 3, 4, 5]
    outputs = [r.output for r in done]
    who = student_sender.display_name
    assert who in outputs[0] and str(student_sender.organisation) in outputs[0]
    assert "teachers, study counsellor" in outputs[1] and "harjoittelu sujui tuettuna" in outputs[1]
    assert "Contact person named by the sending side: " + who in outputs[2]
    assert format_date(graduating.consent_on) in outputs[3]
    assert graduating.team.name in outputs[4]
    events = AuditEvent.objects.filter(episode_id=episode.pk, verb=EventType.STEP_COMPLETED).order_by("id")
    assert len(events) == 5
    for event in events:
        done_by = event.payload["done_by_handover"]
        assert done_by["handover"] == graduating.pk and done_by["organisation"] == str(student_sender.organisation)
        assert "Done by the escorted handover from" in describe_event(event)


def test_handover_accept__the_receiving_team_may_choose_another_pathway(graduating, nurse, satakunta):
    episode = services.handover_accept(
        actor=nurse, handover=graduating, expected_status=HandoverStatus.OPEN, pathway=satakunta
    )
    assert episode.pathway_version.pathway == satakunta
    assert episode.current_step.order == 1  # Satakunta's steps carry no part of a handover
    assert not episode.step_records.filter(status=StepStatus.COMPLETED).exists()


def test_handover_accept__a_pathway_of_another_region_is_refused(graduating, nurse):
    other = _rauma()
    other.pk, other.code = None, "other_region_rauma"
    other.region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    other.opened_by_handover = False
    other.save()

    with pytest.raises(ApplicationError) as exc:
        services.handover_accept(actor=nurse, handover=graduating, expected_status=HandoverStatus.OPEN, pathway=other)
    assert exc.value.field == "pathway"
    graduating.refresh_from_db()
    assert graduating.is_open


def test_handover_accept__employment_ending_starts_after_the_transfer_meeting_when_it_is_recorded(
    handover, sender, nurse
):
    from django.utils import timezone

    handover = services.handover_prepare(
        actor=sender, handover=handover, expected_revision=handover.revision, prep_met_on=timezone.localdate()
    )
    handover = services.handover_transfer(
        actor=sender, handover=handover, expected_revision=handover.revision, transfer_at=timezone.now()
    )
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.pathway_version.pathway.code == "escorted_handover"
    previous = episode.step_records.filter(status=StepStatus.COMPLETED).order_by("id").last()
    assert previous.step.handover_role == "transfer_meeting"
    assert episode.current_step.order == previous.step.order + 1


def test_handover_open__a_graduating_student_needs_the_information_gathered(student_sender, team):
    with pytest.raises(ApplicationError) as exc:
        open_handover(student_sender, team, reason=HandoverReason.GRADUATING, info_sources=[])
    assert exc.value.field == "info_sources"
    with pytest.raises(ApplicationError) as exc:
        open_handover(
            student_sender, team, reason=HandoverReason.GRADUATING, info_sources=["teachers"], info_summary=" "
        )
    assert exc.value.field == "info_summary"


def test_handover_open__information_is_kept_only_for_a_graduating_student(sender, team):
    handover = open_handover(sender, team, info_sources=[InformationSource.CURATOR], info_summary="Ei kuulu tähän")
    assert handover.info_sources == [] and handover.info_summary == ""


def test_handover_accept__information_step_waits_when_nothing_was_gathered(graduating, nurse):
    """A handover made before the information was asked for (none recorded) completes step 1 only."""
    from tukipolku.handovers.models import Handover

    Handover.objects.filter(pk=graduating.pk).update(info_sources=[], info_summary="")
    graduating.refresh_from_db()
    episode = services.handover_accept(actor=nurse, handover=graduating, expected_status=HandoverStatus.OPEN)
    assert episode.current_step.order == 2


# ------------------------------------------------------------------ the acceptance form


def test_accept_page__the_pathway_is_preselected_from_the_reason(client, graduating, nurse):
    client.force_login(nurse)
    response = client.get(reverse("handovers:detail", args=[graduating.pk]))
    assert response.status_code == 200
    assert response.context["accept_form"]["pathway"].value() == _rauma().pk


def test_accept_page__the_team_chooses_another_pathway(client, graduating, nurse, eura):
    client.force_login(nurse)
    response = client.post(
        reverse("handovers:accept", args=[graduating.pk]), {"status": HandoverStatus.OPEN, "pathway": eura.pk}
    )
    assert response.status_code == 302
    graduating.refresh_from_db()
    assert graduating.episode.pathway_version.pathway == eura


def test_accept_page__a_pathway_not_offered_is_refused_next_to_the_field(client, graduating, nurse):
    other = _rauma()
    other.pk, other.code, other.opened_by_handover = None, "other_region_rauma", False
    other.region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    other.save()
    client.force_login(nurse)
    response = client.post(
        reverse("handovers:accept", args=[graduating.pk]), {"status": HandoverStatus.OPEN, "pathway": other.pk}
    )
    assert response.status_code == 400
    assert response.context["accept_form"].errors["pathway"]
    graduating.refresh_from_db()
    assert graduating.is_open


def test_accept_page__the_sending_side_and_other_teams_cannot_choose(client, graduating, student_sender, outsider):
    for user, status in ((student_sender, 403), (outsider, 404)):
        client.force_login(user)
        response = client.post(
            reverse("handovers:accept", args=[graduating.pk]),
            {"status": HandoverStatus.OPEN, "pathway": _rauma().pk},
        )
        assert response.status_code == status
    graduating.refresh_from_db()
    assert graduating.is_open
