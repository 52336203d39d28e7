"""Follow-up after closing: due follow-ups in the owner's caseload, recording the client's situation on
a closed episode (the one change it accepts), cancelling with a reason, and the 3/6/12-month counts."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.access import policy
from tukipolku.audit.choices import AccessAction, EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.cases import selectors, services
from tukipolku.cases.choices import EpisodeStatus, FollowUpSituation, FollowUpStatus, Outcome
from tukipolku.cases.constants import FOLLOW_UP_LEAD_DAYS
from tukipolku.cases.models import Episode, FollowUp
from tukipolku.cases.presentation import describe_event
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import User
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.privacy import services as privacy_services


@pytest.fixture(autouse=True)
def _english_texts(settings):
    # The assertions use the English source texts (services and history lines too).
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def fresh(user):
    """The same user without what the gate remembered during an earlier call."""
    return User.objects.get(pk=user.pk)


def close(actor, episode, owner, months=(3, 6, 12)):
    """Close through the real service with follow-ups, then move the dates back as if it closed long ago."""
    services.episode_close(
        confirm_early=True,
        actor=actor,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=today(),
        follow_ups=[(today() + days(30 * m), owner) for m in months],
    )
    episode.refresh_from_db()
    return episode


def backdate(episode, *, closed_days_ago):
    """Pretend the episode closed `closed_days_ago` days ago, its follow-ups keeping their distance."""
    shift = days(closed_days_ago)
    Episode.objects.filter(pk=episode.pk).update(outcome_on=today() - shift)
    for f in FollowUp.objects.filter(episode=episode):
        FollowUp.objects.filter(pk=f.pk).update(due_on=f.due_on - shift)
    episode.refresh_from_db()


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def closed(nurse, team, satakunta):
    """A relationship closed 88 days ago: its 3-month follow-up is due in two days."""
    episode = close(nurse, open_episode(nurse, team, satakunta), nurse)
    backdate(episode, closed_days_ago=88)
    return episode


@pytest.fixture
def first(closed):
    return closed.follow_ups.order_by("due_on").first()


@pytest.fixture
def partner(db):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )


def record(actor, episode, follow_up, **kw):
    params = {
        "expected_status": FollowUpStatus.DUE,
        "situation": FollowUpSituation.WORKING,
        "situation_on": today(),
        "note": "Varastotyössä 30 h/vk.",
    }
    params.update(kw)
    return services.follow_up_record(actor=actor, episode=episode, follow_up_id=follow_up.pk, **params)


# ================================================================ services


@pytest.mark.django_db
def test_follow_up_record__on_a_closed_episode_marks_it_done_with_an_event(nurse, closed, first):
    done = record(nurse, closed, first)

    first.refresh_from_db()
    assert (first.status, first.situation, first.situation_on) == (
        FollowUpStatus.DONE,
        FollowUpSituation.WORKING,
        today(),
    )
    assert (first.recorded_by, first.note) == (nurse, "Varastotyössä 30 h/vk.")
    assert first.recorded_at is not None and done.pk == first.pk
    closed.refresh_from_db()
    assert closed.status == EpisodeStatus.CLOSED  # recording does not reopen anything
    event = AuditEvent.objects.get(verb=EventType.FOLLOW_UP_RECORDED)
    assert (event.actor, event.client_id, event.episode_id, event.target_id) == (
        nurse,
        closed.client_id,
        closed.pk,
        first.pk,
    )
    assert event.payload["situation"] == FollowUpSituation.WORKING
    assert "Working in the open labour market" in describe_event(event)


@pytest.mark.django_db
def test_follow_up_record__a_colleague_in_the_team_may_record_it(physician, closed, first):
    record(physician, closed, first, situation=FollowUpSituation.STUDYING)

    first.refresh_from_db()
    assert (first.status, first.recorded_by) == (FollowUpStatus.DONE, physician)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"situation": ""}, "situation", "Choose the client's situation."),
        ({"situation": "retired_rich"}, "situation", "Choose the client's situation."),
        ({"situation_on": 1}, "situation_on", "The date cannot be in the future."),
        (
            {"situation_on": -400},
            "situation_on",
            "The date cannot be before the outcome date of the relationship.",
        ),
    ],
)
def test_follow_up_record__refuses_bad_input(nurse, closed, first, change, field, message):
    if "situation_on" in change:  # days from today, resolved when the test runs (not when collected)
        change = {"situation_on": today() + days(change["situation_on"])}
    with pytest.raises(ApplicationError) as exc:
        record(nurse, closed, first, **change)

    assert (exc.value.field, exc.value.message) == (field, message)
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE
    assert not AuditEvent.objects.filter(verb=EventType.FOLLOW_UP_RECORDED).exists()


@pytest.mark.django_db
def test_follow_up_record__twice_is_a_conflict_and_keeps_the_first(nurse, physician, closed, first):
    record(nurse, closed, first)

    with pytest.raises(ConflictError):
        record(fresh(physician), closed, first, situation=FollowUpSituation.UNEMPLOYED)

    first.refresh_from_db()
    assert (first.situation, first.recorded_by) == (FollowUpSituation.WORKING, nurse)
    assert AuditEvent.objects.filter(verb=EventType.FOLLOW_UP_RECORDED).count() == 1


@pytest.mark.django_db
def test_follow_up_record__a_stale_form_is_a_conflict(nurse, closed, first):
    with pytest.raises(ConflictError):
        record(nurse, closed, first, expected_status=FollowUpStatus.DONE)


@pytest.mark.django_db
def test_follow_up_cancel__needs_a_reason(nurse, closed, first):
    with pytest.raises(ApplicationError) as exc:
        services.follow_up_cancel(
            actor=nurse, episode=closed, follow_up_id=first.pk, expected_status=FollowUpStatus.DUE, reason=" "
        )
    assert exc.value.field == "reason"

    services.follow_up_cancel(
        actor=nurse,
        episode=closed,
        follow_up_id=first.pk,
        expected_status=FollowUpStatus.DUE,
        reason="Asiakas muutti ulkomaille.",
    )

    first.refresh_from_db()
    assert (first.status, first.note, first.situation) == (FollowUpStatus.CANCELLED, "Asiakas muutti ulkomaille.", "")
    event = AuditEvent.objects.get(verb=EventType.FOLLOW_UP_RECORDED)
    assert event.payload["status"] == FollowUpStatus.CANCELLED
    assert "Asiakas muutti ulkomaille." in describe_event(event)


@pytest.mark.django_db
def test_can_record_follow_up__only_the_team_and_only_this_change_on_a_closed_episode(
    nurse, outsider, partner, org, closed
):
    colleague = member(TeamFactory(organisation=org, name="Toinen tiimi"), profession=Profession.PUBLIC_HEALTH_NURSE)
    privacy_services.emergency_access_open(actor=colleague, client=closed.client, reason="Asiakas soitti.")

    assert policy.can_record_follow_up(actor=fresh(nurse), episode=closed)
    assert not policy.can_change_episode(actor=fresh(nurse), episode=closed)  # the rest stays closed
    assert policy.can_view_episode(actor=fresh(colleague), episode=closed)
    assert not policy.can_record_follow_up(actor=fresh(colleague), episode=closed)  # emergency access reads only
    assert not policy.can_record_follow_up(actor=fresh(outsider), episode=closed)
    assert not policy.can_record_follow_up(actor=fresh(partner), episode=closed)


@pytest.mark.django_db
def test_follow_up_record__refused_for_other_teams(outsider, closed, first):
    with pytest.raises(ApplicationError):
        record(outsider, closed, first)
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE


# ================================================================ the page


def url(episode, follow_up):
    return reverse("cases:follow_up", args=[episode.pk, follow_up.pk])


def form(**kw):
    data = {"op": "record", "expected_status": "due", "situation": "working", "situation_on": "", "note": ""}
    data["situation_on"] = f"{today().day}.{today().month}.{today().year}"
    data.update(kw)
    return data


@pytest.mark.django_db
def test_follow_up_view__the_team_records_on_a_closed_episode(client, physician, closed, first):
    client.force_login(physician)

    page = client.get(url(closed, first))
    response = client.post(url(closed, first), form(note="Kokoaikatyö"))

    assert page.status_code == 200
    assert "Record the follow-up" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[closed.pk])
    first.refresh_from_db()
    assert (first.status, first.situation, first.note) == (FollowUpStatus.DONE, "working", "Kokoaikatyö")
    reads = PersonalDataAccess.objects.filter(user=physician, view="cases:follow_up", outcome="allowed")
    assert reads.count() == 2 and {r.client_id for r in reads} == {closed.client_id}
    detail = client.get(reverse("cases:detail", args=[closed.pk])).content.decode()
    assert "Working in the open labour market" in detail


@pytest.mark.django_db
def test_follow_up_view__situation_is_required_and_what_was_typed_stays(client, nurse, closed, first):
    client.force_login(nurse)

    response = client.post(url(closed, first), form(situation="", note="Ei tavoitettu vielä"))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the client&#x27;s situation." in body
    assert 'value="Ei tavoitettu vielä"' in body
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE


@pytest.mark.django_db
def test_follow_up_view__a_double_submit_is_told_and_changes_nothing(client, nurse, closed, first):
    client.force_login(nurse)

    ok = client.post(url(closed, first), form())
    again = client.post(url(closed, first), form(situation="unemployed"))

    assert ok.status_code == 302
    assert again.status_code == 400
    assert "already recorded or cancelled" in again.content.decode()
    first.refresh_from_db()
    assert first.situation == "working"
    assert AuditEvent.objects.filter(verb=EventType.FOLLOW_UP_RECORDED).count() == 1


@pytest.mark.django_db
def test_follow_up_view__cancel_with_a_reason(client, nurse, closed, first):
    client.force_login(nurse)

    missing = client.post(url(closed, first), {"op": "cancel", "cancel-expected_status": "due", "cancel-reason": ""})
    done = client.post(
        url(closed, first), {"op": "cancel", "cancel-expected_status": "due", "cancel-reason": "Uusi asiakkuus alkoi."}
    )

    assert missing.status_code == 400
    assert done.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.note) == (FollowUpStatus.CANCELLED, "Uusi asiakkuus alkoi.")


@pytest.mark.django_db
def test_follow_up_view__another_team_gets_404_and_the_refusal_is_logged(client, outsider, closed, first):
    client.force_login(outsider)

    assert client.get(url(closed, first)).status_code == 404
    assert client.post(url(closed, first), form()).status_code == 404

    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE
    denied = PersonalDataAccess.objects.filter(user=outsider, outcome="denied", view="cases:follow_up")
    assert denied.count() == 2 and {d.client_id for d in denied} == {closed.client_id}


@pytest.mark.django_db
def test_follow_up_view__partner_staff_are_refused(client, partner, closed, first):
    client.force_login(partner)

    assert client.get(url(closed, first)).status_code == 403
    assert client.post(url(closed, first), form()).status_code == 403
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE


@pytest.mark.django_db
def test_follow_up_view__emergency_access_may_read_but_not_record(client, org, closed, first):
    colleague = member(TeamFactory(organisation=org, name="Toinen tiimi"), profession=Profession.PUBLIC_HEALTH_NURSE)
    privacy_services.emergency_access_open(actor=colleague, client=closed.client, reason="Asiakas soitti.")
    client.force_login(colleague)

    page = client.get(url(closed, first))
    post = client.post(url(closed, first), form())

    assert page.status_code == 200
    assert "You can read this follow-up but not record it." in page.content.decode()
    assert post.status_code == 403
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DUE


@pytest.mark.django_db
def test_follow_up_view__anonymous_goes_to_login(client, closed, first):
    response = client.get(url(closed, first))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_follow_up_view__a_follow_up_of_another_episode_is_404(client, nurse, team, satakunta, closed, first):
    other = close(nurse, open_episode(nurse, team, satakunta), nurse)
    foreign = other.follow_ups.first()
    client.force_login(nurse)

    response = client.post(url(closed, foreign), form())

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == FollowUpStatus.DUE
    denied = PersonalDataAccess.objects.get(user=nurse, outcome="denied")
    assert (denied.client_id, denied.reason) == (other.client_id, "other_episode")


@pytest.mark.django_db
def test_case_page__a_closed_episode_offers_recording_its_due_follow_ups(client, nurse, partner, closed, first):
    client.force_login(nurse)

    body = client.get(reverse("cases:detail", args=[closed.pk])).content.decode()

    assert url(closed, first) in body
    assert reverse("cases:step", args=[closed.pk]) not in body  # nothing else can be changed


# ================================================================ the caseload


def caseload(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:caseload"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.django_db
def test_caseload__shows_my_due_and_overdue_follow_ups_only(client, nurse, physician, team, satakunta, closed, first):
    overdue = close(nurse, open_episode(nurse, team, satakunta), nurse, months=(3,))
    backdate(overdue, closed_days_ago=100)
    later = close(nurse, open_episode(nurse, team, satakunta), nurse, months=(3,))  # due in ~90 days
    # A name no generated staff member has (Faker's pool is shared: a professional in the header could
    # carry the same random surname).
    type(later.client).objects.filter(pk=later.client_id).update(last_name="Myöhemmäinen")
    later.client.refresh_from_db()
    someone_elses = close(nurse, open_episode(nurse, team, satakunta), physician, months=(3,))
    backdate(someone_elses, closed_days_ago=95)
    client.force_login(nurse)

    _n, response = caseload(client)

    due = response.context["follow_ups"]
    assert [f.episode_id for f in due.rows] == [overdue.pk, closed.pk]
    assert due.total == 2
    body = response.content.decode()
    assert "Follow-up due" in body and url(closed, first) in body
    assert later.client.last_name not in body
    logged = PersonalDataAccess.objects.filter(user=nurse, view="cases:caseload", action=AccessAction.LIST)
    assert {r.episode_id for r in logged} == {overdue.pk, closed.pk}
    assert FOLLOW_UP_LEAD_DAYS >= 2


@pytest.mark.django_db
def test_caseload__a_recorded_follow_up_leaves_the_list(client, nurse, closed, first):
    record(nurse, closed, first)
    client.force_login(nurse)

    _n, response = caseload(client)

    assert response.context["follow_ups"].rows == []
    assert "Follow-ups after closing" not in response.content.decode()


@pytest.mark.django_db
def test_caseload__follow_ups_of_clients_i_no_longer_see_are_not_listed(client, nurse, team, closed):
    from tukipolku.core.models import TeamMembership

    TeamMembership.objects.filter(user=nurse, team=team).update(ended_on=today() - days(1))
    elsewhere = TeamFactory(name="Toisen keskuksen tiimi")  # another organisation: the gate closes
    TeamMembership.objects.create(user=nurse, team=elsewhere, started_on=today() - days(10))
    client.force_login(nurse)

    _n, response = caseload(client)

    assert response.context["follow_ups"].total == 0


@pytest.mark.django_db
def test_caseload__same_number_of_queries_for_1_and_8_due_follow_ups(client, nurse, team, satakunta, closed):
    client.force_login(nurse)
    client.get(reverse("cases:caseload"))  # warm up: session, content types
    few, response = caseload(client)
    assert response.context["follow_ups"].total == 1

    for _ in range(7):
        backdate(close(nurse, open_episode(nurse, team, satakunta), nurse), closed_days_ago=80)
    many, response = caseload(client)

    assert response.context["follow_ups"].total == 8
    assert len(response.context["follow_ups"].rows) == 8
    assert many == few


# ================================================================ counting for the metrics


@pytest.mark.django_db
def test_follow_up_outcomes__counts_by_months_after_closing_and_situation(nurse, outsider, other_team, team, satakunta):
    one = close(nurse, open_episode(nurse, team, satakunta), nurse)
    two = close(nurse, open_episode(nurse, team, satakunta), nurse)
    backdate(one, closed_days_ago=400)
    backdate(two, closed_days_ago=400)
    f1 = {round((f.due_on - one.outcome_on).days / 30): f for f in one.follow_ups.all()}
    f2 = {round((f.due_on - two.outcome_on).days / 30): f for f in two.follow_ups.all()}
    record(nurse, one, f1[3], situation=FollowUpSituation.STUDYING, situation_on=f1[3].due_on)
    record(nurse, one, f1[6], situation=FollowUpSituation.WORKING, situation_on=f1[6].due_on)
    record(nurse, one, f1[12], situation=FollowUpSituation.WORKING, situation_on=f1[12].due_on)
    record(nurse, two, f2[3], situation=FollowUpSituation.STUDYING, situation_on=f2[3].due_on)
    services.follow_up_cancel(
        actor=nurse, episode=two, follow_up_id=f2[6].pk, expected_status=FollowUpStatus.DUE, reason="Ei tavoitettu."
    )
    elsewhere = close(outsider, open_episode(outsider, other_team, satakunta), outsider, months=(3,))
    backdate(elsewhere, closed_days_ago=100)
    record(outsider, elsewhere, elsewhere.follow_ups.get(), situation_on=today())

    counts = selectors.follow_up_outcomes(team_ids=[team.pk], since=today() - days(400), until=today())

    assert counts == {
        (3, FollowUpSituation.STUDYING): 2,
        (6, FollowUpSituation.WORKING): 1,
        (12, FollowUpSituation.WORKING): 1,
    }
    assert selectors.follow_up_outcomes(team_ids=[team.pk], since=today() + days(1), until=today() + days(9)) == {}
    assert selectors.follow_up_outcomes(team_ids=[other_team.pk], since=today() - days(1), until=today()) == {
        (3, FollowUpSituation.WORKING): 1
    }
