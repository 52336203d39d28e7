"""The notification list and the managers' unfinished processes: allowed and denied, logged, constant
queries."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases.choices import ConsentMethod
from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.sweep.tests.conftest import add_action, days, name_contact, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English, so that texts can be compared as written in the code."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


LIST = reverse("sweep:notifications")
UNFINISHED = reverse("sweep:unfinished")


def note(user, episode=None, *, key="k", kind=NotificationKind.ACTION_OVERDUE, read=False, url=None):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        key=key,
        episode_id=episode.pk if episode else None,
        due_on=today() - days(1),
        url=url if url is not None else (f"/episodes/{episode.pk}/#plan" if episode else ""),
        read_at=timezone.now() if read else None,
    )


def allowed_reads(user, view):
    return set(
        PersonalDataAccess.objects.filter(user=user, view=view, outcome="allowed").values_list("client_id", flat=True)
    )


# ---------------------------------------------------------------- notification list


def test_notifications__anonymous_is_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_notifications__own_rows_with_the_client_name_and_the_unread_badge(client, nurse, physician, episode):
    note(nurse, episode, key="a")
    note(nurse, episode, key="b", read=True)
    note(physician, episode, key="c", kind=NotificationKind.INACTIVE)
    client.force_login(nurse)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert episode.client.full_name in html
    assert html.count('class="is-unread"') == 1
    assert 'data-unread="1"' in html  # the navigation badge
    assert str(NotificationKind.INACTIVE.label) not in html  # the physician's row
    assert allowed_reads(nurse, "sweep:notifications") == {episode.client_id}


def test_notifications__episode_out_of_reach_is_shown_without_a_name(client, outsider, episode):
    episode.client.last_name = "Tavoittamaton"  # a marker no random name of the outsider can contain
    episode.client.save(update_fields=["last_name"])
    note(outsider, episode)
    client.force_login(outsider)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert episode.client.last_name not in html
    assert "No longer in your reach" in html
    assert reverse("sweep:notification_open", args=[Notification.objects.get().pk]) not in html
    assert allowed_reads(outsider, "sweep:notifications") == set()


def test_notifications__partner_without_consent_sees_no_name(client, episode):
    kela = OrganisationFactory(kind=OrganisationKind.KELA)
    partner = UserFactory(profession=Profession.KELA_EXPERT, organisation=kela)
    note(partner, episode, kind=NotificationKind.REFERRAL_RECEIVED)
    client.force_login(partner)
    html = client.get(LIST).content.decode()
    assert episode.client.last_name not in html
    assert allowed_reads(partner, "sweep:notifications") == set()


def test_notifications__administrator_sees_own_list_without_names(client, admin_user, episode):
    note(admin_user, episode)
    client.force_login(admin_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert episode.client.last_name not in response.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_notifications__query_count_is_the_same_for_5_and_50(client, nurse, team, satakunta):
    episodes = [open_episode(nurse, team, satakunta) for _ in range(3)]
    for i in range(5):
        note(nurse, episodes[i % 3], key=f"k{i}")
    client.force_login(nurse)
    client.get(LIST)  # the session's first use
    five = _queries(client, LIST)
    for i in range(5, 50):
        note(nurse, episodes[i % 3], key=f"k{i}")
    assert _queries(client, LIST) == five
    # session, user, unread badge, page count and rows, the gate (teams, emergency), the episodes,
    # other modules' navigation counts, the access-log write (chain head, insert, update)
    assert five <= 18


def test_notification_open__marks_read_and_goes_to_the_case(client, nurse, episode):
    n = note(nurse, episode)
    client.force_login(nurse)
    response = client.post(reverse("sweep:notification_open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/#plan"
    n.refresh_from_db()
    assert n.read_at is not None


def test_notification_open__never_leaves_the_site(client, nurse):
    n = note(nurse, url="//evil.example/")
    client.force_login(nurse)
    response = client.post(reverse("sweep:notification_open", args=[n.pk]))
    assert response["Location"] == LIST


def test_notification_open__someone_elses_is_404_and_get_is_not_allowed(client, nurse, physician, episode):
    n = note(physician, episode)
    client.force_login(nurse)
    assert client.post(reverse("sweep:notification_open", args=[n.pk])).status_code == 404
    assert client.get(reverse("sweep:notification_open", args=[n.pk])).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_notifications_read_all__only_own(client, nurse, physician, episode):
    note(nurse, episode, key="a")
    note(nurse, episode, key="b")
    theirs = note(physician, episode, key="c")
    client.force_login(nurse)
    response = client.post(reverse("sweep:notifications_read_all"), follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=nurse, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "data-unread" not in response.content.decode()


# ---------------------------------------------------------------- unfinished processes


@pytest.fixture
def lonely(nurse, team, satakunta):
    """An open episode without a contact person, with an overdue action."""
    episode = open_episode(nurse, team, satakunta)
    add_action(episode, nurse, today() - days(3))
    add_action(episode, nurse, today() - days(1))
    return episode


def test_unfinished__anonymous_is_sent_to_log_in(client):
    response = client.get(UNFINISHED)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["nurse", "admin_user", "partner"])
def test_unfinished__not_a_manager_is_403(client, request, who, lonely):
    if who == "partner":
        user = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(UNFINISHED).status_code == 403
    assert PersonalDataAccess.objects.filter(user=user, outcome="denied").exists()


def test_unfinished__manager_sees_what_is_wrong(client, manager, lonely, nurse, episode):
    name_contact(episode, nurse)
    client.force_login(manager)
    response = client.get(UNFINISHED)
    assert response.status_code == 200
    html = response.content.decode()
    assert lonely.client.full_name in html
    assert episode.client.full_name not in html  # has a contact person, nothing overdue
    assert "No contact person" in html and "2 overdue, the oldest due" in html
    assert 'href="/team/unfinished/"' in html  # the navigation link for managers
    assert allowed_reads(manager, "sweep:unfinished") == {lonely.client_id}


def test_unfinished__filter_by_problem(client, manager, lonely, nurse, team, satakunta):
    other = open_episode(nurse, team, satakunta)
    name_contact(lonely, nurse)
    client.force_login(manager)
    html = client.get(UNFINISHED + "?problem=no_contact_person").content.decode()
    assert other.client.full_name in html and lonely.client.full_name not in html
    html = client.get(UNFINISHED + "?problem=overdue_actions").content.decode()
    assert lonely.client.full_name in html and other.client.full_name not in html


def test_unfinished__manager_of_another_team_sees_none_of_ours(client, other_team, lonely):
    boss = member(other_team, profession=Profession.TEAM_MANAGER, role=TeamRole.MANAGER)
    client.force_login(boss)
    response = client.get(UNFINISHED)
    assert response.status_code == 200
    assert lonely.client.last_name not in response.content.decode()
    assert "Nothing unfinished" in response.content.decode()


def test_unfinished__query_count_is_the_same_for_3_and_12(client, manager, nurse, team, satakunta):
    def add(n):
        for _ in range(n):
            e = open_episode(nurse, team, satakunta, consent_method=ConsentMethod.WRITTEN)
            add_action(e, nurse, today() - days(2))

    add(3)
    client.force_login(manager)
    client.get(UNFINISHED)
    three = _queries(client, UNFINISHED)
    add(9)
    assert _queries(client, UNFINISHED) == three
    assert three <= 27
