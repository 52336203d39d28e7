"""Small things that make the client process feel finished (issue 10, item 7): the identified-need
box shows the notification's risk factors and what the sender had done; closing early asks for
confirmation; the own worker is a social-care professional; a malformed identity code is told next
to the search field, not searched as a name; a text longer than its field is refused, never cut."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, Outcome
from tukipolku.cases.models import Assignment, Episode
from tukipolku.cases.tests.test_client_details import details_post
from tukipolku.cases.tests.test_views import episode_fields, new_client_fields
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.tests.factories import member
from tukipolku.core.text import bounded
from tukipolku.intake import services as intake_services
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.tests.factories import partner_user, send_need
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.models import Consent
from tukipolku.privacy.tests.helpers import consent_for_team


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def need_box(body: str) -> str:
    found = re.search(r'<section class="card" aria-labelledby="need-h">(.*?)</section>', body, re.S)
    assert found is not None, "no identified-need box on the page"
    return found.group(1)


def field_errors(body: str, field_id: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', body, re.S)
    return found.group(1) if found else ""


# ---------------------------------------------------------------- a. the identified-need box


def _accepted(team, nurse, satakunta, **need_fields):
    need = send_need(partner_user(), team, **need_fields)
    return intake_services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)


@pytest.mark.django_db
def test_need_box__shows_the_notifications_risk_factors_and_what_the_sender_had_done(client, nurse, team, satakunta):
    episode = _accepted(
        team,
        nurse,
        satakunta,
        risk_factors=["chronic_illness", "life_management"],
        done_so_far="Työkokeilu keskeytyi selkäkipujen vuoksi.",
    )
    client.force_login(nurse)

    box = need_box(client.get(reverse("cases:detail", args=[episode.pk])).content.decode())

    assert "Risk factors" in box
    assert "Chronic illness" in box
    assert "Difficulties in managing everyday life" in box
    assert "Already done by the sender" in box
    assert "Työkokeilu keskeytyi selkäkipujen vuoksi." in box


@pytest.mark.django_db
def test_need_box__empty_parts_say_nothing(client, nurse, team, satakunta):
    episode = _accepted(team, nurse, satakunta, risk_factors=[], done_so_far="")
    client.force_login(nurse)

    body = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    box = need_box(body)

    assert "Risk factors" not in box
    assert "Already done by the sender" not in box
    assert "None" not in box
    assert "None marked" not in body


@pytest.mark.django_db
def test_need_box__direct_intake_has_no_notification_parts(client, nurse, episode):
    client.force_login(nurse)

    box = need_box(client.get(reverse("cases:detail", args=[episode.pk])).content.decode())

    assert episode.need_description in box
    assert "Already done by the sender" not in box


@pytest.mark.django_db
def test_need_box__another_teams_professional_gets_404(client, nurse, outsider, team, satakunta):
    episode = _accepted(team, nurse, satakunta, done_so_far="Työkokeilu keskeytyi.")
    client.force_login(outsider)

    response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 404
    assert "Työkokeilu keskeytyi." not in response.content.decode()


# ---------------------------------------------------------------- b. closing early asks for confirmation


def _close_data(owner, **extra):
    data = {
        "outcome": Outcome.STUDIES,
        "outcome_on": timezone.localdate().isoformat(),
        "outcome_detail": "",
        "follow_up_owner": str(owner.pk),
        "follow_up_months": ["3"],
        "follow_up_on": "",
    }
    data.update(extra)
    return data


def _at_last_step(episode):
    last = episode.pathway_version.steps.order_by("-order").first()
    Episode.objects.filter(pk=episode.pk).update(current_step=last)
    episode.step_records.filter(status="active").update(step=last)
    episode.refresh_from_db()
    return last


def _service_close(actor, episode, **kw):
    return case_services.episode_close(
        actor=actor,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=timezone.localdate(),
        follow_ups=[(timezone.localdate() + datetime.timedelta(days=90), actor)],
        **kw,
    )


@pytest.mark.django_db
def test_episode_close__early_without_confirmation_is_refused(nurse, episode):
    with pytest.raises(ApplicationError) as exc:
        _service_close(nurse, episode)

    assert exc.value.field == "confirm_early"
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN
    assert not AuditEvent.objects.filter(episode_id=episode.pk, verb=EventType.EPISODE_CLOSED).exists()


@pytest.mark.django_db
def test_episode_close__early_with_confirmation_closes(nurse, episode):
    closed = _service_close(nurse, episode, confirm_early=True)

    assert closed.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_episode_close__at_the_last_step_needs_no_confirmation(nurse, episode):
    _at_last_step(episode)

    closed = _service_close(nurse, episode)

    assert closed.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_close_page__early_lists_the_steps_not_done_and_asks_for_confirmation(client, nurse, episode):
    client.force_login(nurse)
    url = reverse("cases:close", args=[episode.pk])

    page = client.get(url).content.decode()
    refused = client.post(url, _close_data(nurse))
    confirmed = client.post(url, _close_data(nurse, confirm_early="on"))

    assert "The pathway is not finished" in page
    steps = re.search(r'<ul class="steps-not-done">(.*?)</ul>', page, re.S).group(1)
    assert steps.count("<li>") == 9  # at step 1 of the Satakunta model's nine, nothing is done
    assert 'name="confirm_early"' in page
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Confirm that you close the relationship although the steps listed above are not done." in field_errors(
        body, "id_confirm_early"
    )
    assert 'value="studies" selected' in body  # what was chosen is kept
    assert confirmed.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_close_page__at_the_last_step_is_unchanged(client, nurse, episode):
    _at_last_step(episode)
    client.force_login(nurse)
    url = reverse("cases:close", args=[episode.pk])

    page = client.get(url).content.decode()
    response = client.post(url, _close_data(nurse))

    assert "The pathway is not finished" not in page
    assert 'name="confirm_early"' not in page
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_close_page__another_teams_professional_gets_404(client, outsider, nurse, episode):
    client.force_login(outsider)
    url = reverse("cases:close", args=[episode.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _close_data(nurse, confirm_early="on")).status_code == 404
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN


# ---------------------------------------------------------------- c. the own worker is a social-care professional


@pytest.mark.django_db
def test_assignment_set__own_worker_must_be_a_social_care_professional(nurse, physician, episode):
    with pytest.raises(ApplicationError) as exc:
        case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.OWN_WORKER, user=physician)

    assert exc.value.field == "user"
    assert "social-care professional" in exc.value.message
    assert not Assignment.objects.filter(episode=episode).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("profession", [Profession.SOCIAL_WORKER, Profession.SOCIAL_INSTRUCTOR])
def test_assignment_set__social_worker_or_instructor_can_be_the_own_worker(nurse, team, episode, profession):
    worker = member(team, profession=profession, username=f"own-{profession}")

    assignment = case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.OWN_WORKER, user=worker)

    assert assignment.user == worker
    assert AuditEvent.objects.filter(episode_id=episode.pk, verb=EventType.OWN_WORKER_NAMED).exists()


@pytest.mark.django_db
def test_assignment_set__contact_person_may_still_be_any_team_professional(nurse, physician, episode):
    assignment = case_services.assignment_set(
        actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=physician
    )

    assert assignment.user == physician


@pytest.mark.django_db
def test_team_page__own_worker_choice_offers_only_social_care_professionals(
    client, nurse, physician, social_worker, episode
):
    client.force_login(nurse)

    body = client.get(reverse("cases:team", args=[episode.pk])).content.decode()
    own = re.search(r'<select name="own-user"[^>]*>(.*?)</select>', body, re.S).group(1)
    contact = re.search(r'<select name="contact-user"[^>]*>(.*?)</select>', body, re.S).group(1)

    assert f'value="{social_worker.pk}"' in own
    assert f'value="{physician.pk}"' not in own
    assert f'value="{nurse.pk}"' not in own
    assert f'value="{physician.pk}"' in contact  # the contact person can be any team professional


@pytest.mark.django_db
def test_team_page__naming_a_physician_own_worker_is_refused_next_to_the_field(client, nurse, physician, episode):
    client.force_login(nurse)
    url = reverse("cases:team", args=[episode.pk])

    refused = client.post(url, {"op": "own", "own-kind": AssignmentKind.OWN_WORKER, "own-user": str(physician.pk)})
    # A contact-person form whose hidden kind was changed by hand: the service refuses it too.
    forged = client.post(
        url, {"op": "contact", "contact-kind": AssignmentKind.OWN_WORKER, "contact-user": str(physician.pk)}
    )

    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "id_own-user")
    assert forged.status_code == 400
    assert "social-care professional" in field_errors(forged.content.decode(), "id_contact-user")
    assert not Assignment.objects.filter(episode=episode, kind=AssignmentKind.OWN_WORKER).exists()


@pytest.mark.django_db
def test_team_page__naming_a_social_worker_own_worker_works(client, nurse, social_worker, episode):
    client.force_login(nurse)

    response = client.post(
        reverse("cases:team", args=[episode.pk]),
        {"op": "own", "own-kind": AssignmentKind.OWN_WORKER, "own-user": str(social_worker.pk)},
    )

    assert response.status_code == 302
    assert Assignment.objects.get(episode=episode, kind=AssignmentKind.OWN_WORKER).user == social_worker


@pytest.mark.django_db
def test_team_page__another_teams_professional_cannot_name_the_own_worker(client, outsider, social_worker, episode):
    client.force_login(outsider)

    response = client.post(
        reverse("cases:team", args=[episode.pk]),
        {"op": "own", "own-kind": AssignmentKind.OWN_WORKER, "own-user": str(social_worker.pk)},
    )

    assert response.status_code == 404
    assert not Assignment.objects.filter(episode=episode).exists()


# ---------------------------------------------------------------- d. a malformed identity code is not a name search


def input_value(body: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', body)
    assert found is not None, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("120488X941A", "the check character (the last one) does not match"),
        ("120488Q941A", "“Q” is not a century sign"),
        ("310288-941A", "the birth date 310288 (ddmmyy) is not a real date"),
        ("120488-94", "it has 9 characters, an identity code has 11"),
        ("120488-000A", "cannot be 000 or 001"),
    ],
)
def test_intake_search__malformed_identity_code_is_told_next_to_the_field(client, nurse, typed, told):
    client.force_login(nurse)

    response = client.post(reverse("cases:intake"), {"q": typed})

    body = response.content.decode()
    error = field_errors(body, "id_q")
    assert "Invalid identity code" in error
    assert told in error
    assert input_value(body, "q") == typed  # what was typed is kept
    assert "Clients found" not in body
    assert not PersonalDataAccess.objects.exists()  # nothing was searched


@pytest.mark.django_db
def test_intake_search__a_name_is_still_a_name_search(client, nurse, episode):
    client.force_login(nurse)

    response = client.post(reverse("cases:intake"), {"q": episode.client.last_name})

    body = response.content.decode()
    assert not field_errors(body, "id_q")
    assert episode.client.full_name in body


@pytest.mark.django_db
def test_caseload_search__malformed_identity_code_is_told_next_to_the_field(client, nurse, episode):
    client.force_login(nurse)

    page = client.post(reverse("cases:caseload_search"), {"q": "120488Q941A"})
    partial = client.post(
        reverse("cases:caseload_search"), {"q": "120488X941A"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="id_q"
    )

    body = page.content.decode()
    assert "“Q” is not a century sign" in field_errors(body, "id_q")
    assert re.search(r'<input[^>]*name="q"[^>]*aria-invalid="true"', body)
    assert input_value(body, "q") == "120488Q941A"
    assert "check character" in field_errors(partial.content.decode(), "id_q")
    assert not PersonalDataAccess.objects.filter(view="cases:caseload_search").exists()


@pytest.mark.django_db
def test_caseload_search__a_code_still_being_typed_is_not_yet_an_error(client, nurse, episode):
    client.force_login(nurse)

    typing = client.post(
        reverse("cases:caseload_search"), {"q": "120488-9"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="id_q"
    )

    body = typing.content.decode()
    assert "Invalid identity code" not in body
    assert "None of your" not in body


@pytest.mark.django_db
def test_caseload_search__the_end_of_a_code_and_a_name_still_find(client, nurse, episode):
    client.force_login(nurse)
    code = episode.client.identity_code

    by_end = client.post(reverse("cases:caseload_search"), {"q": code[-4:]}, HTTP_HX_REQUEST="true")
    by_name = client.post(reverse("cases:caseload_search"), {"q": episode.client.last_name}, HTTP_HX_REQUEST="true")

    for response in (by_end, by_name):
        body = response.content.decode()
        assert "Invalid identity code" not in body
        assert reverse("cases:detail", args=[episode.pk]) in body


@pytest.mark.django_db
def test_caseload_search__partner_staff_is_refused(client, episode):
    client.force_login(partner_user())

    response = client.post(reverse("cases:caseload_search"), {"q": "120488X941A"})

    assert response.status_code == 403


# ---------------------------------------------------------------- e. too long: an error, never a silent cut


@pytest.mark.django_db
def test_client_details__a_name_longer_than_the_field_is_told_not_cut(client, nurse, episode):
    client.force_login(nurse)
    c = episode.client
    long_name = "Aino " + "Maria" * 30  # 155 characters, the field holds 120
    url = reverse("cases:client_details", args=[episode.pk])

    form = client.get(url).content.decode()
    response = client.post(url, details_post(c, first_names=long_name, email="a" * 250 + "@example.fi"))

    assert "maxlength" not in form  # the browser would cut a pasted name without a word
    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 120 characters" in field_errors(body, "id_first_names")
    assert "at most 254 characters" in field_errors(body, "id_email")
    assert input_value(body, "first_names") == long_name
    c.refresh_from_db()
    assert c.first_names != long_name
    assert c.revision == 0


@pytest.mark.django_db
def test_intake_new__a_last_name_longer_than_the_field_is_told(client, nurse, team, satakunta):
    client.force_login(nurse)
    long_name = "Virtanen-" * 15  # 135 characters

    response = client.post(
        reverse("cases:intake_new"),
        {
            **new_client_fields(ClientFactory.build().identity_code, **{"cl-last_name": long_name}),
            **episode_fields(team, satakunta),
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 120 characters" in field_errors(body, "id_cl-last_name")
    assert input_value(body, "cl-last_name") == long_name
    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_need_send__a_name_longer_than_the_field_is_told(client, team):
    sender = partner_user()
    client.force_login(sender)
    url = reverse("intake:send")

    form = client.get(url).content.decode()
    response = client.post(url, {"team": str(team.pk), "first_names": "Ilmari" * 25, "last_name": "Ilmoitettu"})

    assert "maxlength" not in form
    assert "at most 120 characters" in field_errors(response.content.decode(), "id_first_names")


@pytest.mark.django_db
def test_services__too_long_text_is_refused_never_cut(nurse, episode):
    assert bounded("  Lyhyt  ", limit=10) == "Lyhyt"
    with pytest.raises(ApplicationError) as exc:
        bounded("x" * 301, limit=300, field="note")

    assert exc.value.field == "note"
    assert "at most 300 characters" in exc.value.message
    assert "it has 301" in exc.value.message


@pytest.mark.django_db
def test_follow_up_record__a_note_too_long_is_refused(nurse, episode):
    closed = _service_close(nurse, episode, confirm_early=True)
    follow_up = closed.follow_ups.get()

    with pytest.raises(ApplicationError) as exc:
        case_services.follow_up_record(
            actor=nurse,
            episode=closed,
            follow_up_id=follow_up.pk,
            expected_status=follow_up.status,
            situation="working",
            situation_on=timezone.localdate(),
            note="x" * 301,
        )

    assert exc.value.field == "note"
    follow_up.refresh_from_db()
    assert follow_up.note == ""


@pytest.mark.django_db
def test_caseload_search__a_whole_valid_code_finds_only_an_own_client(client, nurse, outsider, episode, other_team):
    theirs = open_episode(outsider, other_team, episode.pathway_version.pathway)
    client.force_login(nurse)
    url = reverse("cases:caseload_search")

    own = client.post(url, {"q": episode.client.identity_code.lower()}, HTTP_HX_REQUEST="true")
    other = client.post(url, {"q": theirs.client.identity_code}, HTTP_HX_REQUEST="true")

    assert reverse("cases:detail", args=[episode.pk]) in own.content.decode()
    assert "Invalid identity code" not in own.content.decode()
    assert reverse("cases:detail", args=[theirs.pk]) not in other.content.decode()
    logged = set(PersonalDataAccess.objects.filter(view="cases:caseload_search").values_list("client_id", flat=True))
    assert logged == {episode.client_id}


@pytest.mark.django_db
def test_consent_withdraw__a_note_too_long_is_told_next_to_it_and_kept(client, nurse, episode):
    consent = consent_for_team(episode, nurse, [DataCategory.SHARED_PLAN])
    client.force_login(nurse)
    note = "Asiakas soitti. " * 25  # 400 characters, the column holds 300

    response = client.post(reverse("cases:consent_withdraw", args=[episode.pk, consent.pk]), {"withdraw-note": note})

    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 300 characters" in field_errors(body, f"withdraw-note-{consent.pk}")
    assert f'value="{note}"' in body
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
