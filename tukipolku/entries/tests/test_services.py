"""Short entries on an episode, each in its register (health, social care, shared coordination)."""

import datetime

import pytest
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import Outcome
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import User
from tukipolku.core.tests.factories import member
from tukipolku.entries import services
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.entries.selectors import entry_list_for
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.tests.helpers import consent_for_team


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("author", "register"),
    [("nurse", Register.HEALTH), ("nurse", Register.SHARED), ("social_worker", Register.SOCIAL)],
)
def test_entry_write__stores_the_entry_in_the_chosen_register(request, episode, author, register):
    nurse = request.getfixturevalue(author)
    entry = services.entry_write(
        actor=nurse, episode=episode, register=register, text="  Soitin asiakkaalle.  ", ehr_reference=" Käynti 3.2. "
    )

    entry.refresh_from_db()
    assert (entry.episode, entry.register, entry.author) == (episode, register, nurse)
    assert (entry.text, entry.ehr_reference) == ("Soitin asiakkaalle.", "Käynti 3.2.")
    assert entry.written_at is not None
    event = AuditEvent.objects.get(verb=EventType.ENTRY_WRITTEN)
    assert (event.actor, event.client_id, event.episode_id) == (nurse, episode.client_id, episode.pk)
    assert (event.target_type, event.target_id) == ("entries.entry", entry.pk)
    assert event.payload == {"register": register}  # the text itself is not copied into the event log


@pytest.mark.django_db
@pytest.mark.parametrize("register", ["", "secret", "HEALTH"])
def test_entry_write__unknown_register_is_refused(nurse, episode, register):
    with pytest.raises(ApplicationError) as exc:
        services.entry_write(actor=nurse, episode=episode, register=register, text="Teksti")

    assert exc.value.field == "register"
    assert not Entry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "  \n "])
def test_entry_write__empty_text_is_refused(nurse, episode, text):
    with pytest.raises(ApplicationError) as exc:
        services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text=text)

    assert exc.value.field == "text"
    assert exc.value.message == "Write the entry."
    assert not AuditEvent.objects.filter(verb=EventType.ENTRY_WRITTEN).exists()


@pytest.mark.django_db
def test_entry_write__refused_for_outsiders_and_administrators(outsider, admin_user, episode):
    for actor in (outsider, admin_user):
        with pytest.raises(ApplicationError) as exc:
            services.entry_write(actor=actor, episode=episode, register=Register.SHARED, text="Ei kuulu minulle")
        assert exc.value.message == "This client relationship cannot be changed."

    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_entry_write__refused_on_a_closed_episode(nurse, episode):
    today = timezone.localdate()
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=today,
        follow_ups=[(today + datetime.timedelta(days=90), nurse)],
    )
    episode.refresh_from_db()

    with pytest.raises(ApplicationError):
        services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text="Myöhässä")

    assert not Entry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profession", "register"),
    [
        (Profession.PUBLIC_HEALTH_NURSE, Register.HEALTH),
        (Profession.PHYSICIAN, Register.HEALTH),
        (Profession.NURSE, Register.HEALTH),
        (Profession.PHYSIOTHERAPIST, Register.HEALTH),
        (Profession.PSYCHOLOGIST, Register.HEALTH),
        (Profession.SOCIAL_WORKER, Register.SOCIAL),
        (Profession.SOCIAL_INSTRUCTOR, Register.SOCIAL),
        (Profession.WORK_ABILITY_COORDINATOR, Register.SHARED),
        (Profession.CASE_COORDINATOR, Register.SHARED),
        (Profession.JOB_COACH, Register.SHARED),
        (Profession.REHABILITATION_COUNSELLOR, Register.SHARED),
    ],
)
def test_default_register_for__follows_the_profession(team, profession, register):
    assert services.default_register_for(user=member(team, profession=profession)) == register


@pytest.mark.django_db
def test_entry_list_for__newest_first_and_only_this_episode(nurse, social_worker, team, satakunta, episode):
    other = open_episode(nurse, team, satakunta)
    first = services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text="Ensimmäinen")
    second = services.entry_write(actor=social_worker, episode=episode, register=Register.SOCIAL, text="Toinen")
    services.entry_write(actor=nurse, episode=other, register=Register.SHARED, text="Toisen asiakkaan")

    # A nurse reads the health register; the social register only with the client's consent.
    physician_entries = entry_list_for(actor=nurse, episode=episode, view="test").entries
    consent_for_team(episode, nurse, [DataCategory.SOCIAL])
    entries = entry_list_for(actor=User.objects.get(pk=nurse.pk), episode=episode, view="test").entries

    assert physician_entries == [first]
    assert entries == [second, first]
    assert [e.author for e in entries] == [social_worker, nurse]
