"""Entries of a client relationship through the REST API (staff session): the registers the reader may
read, a register read on consent logged on its own row, and writing an entry."""

from __future__ import annotations

import pytest

from tukipolku.access.choices import AccessGround
from tukipolku.api.tests.coordination.conftest import CLIENT_LAST, log_of
from tukipolku.entries import services
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.tests.helpers import consent_for_team

pytestmark = pytest.mark.django_db

HEALTH = "Verenpaine koholla (terveysmerkintä)."
SOCIAL = "Toimeentulotuki haettu (sosiaalimerkintä)."
SHARED = "Yhteinen palaveri sovittu (yhteinen merkintä)."


@pytest.fixture
def entries(episode, nurse, social_worker):
    services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text=HEALTH)
    services.entry_write(actor=social_worker, episode=episode, register=Register.SOCIAL, text=SOCIAL)
    services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text=SHARED)
    return episode


def _url(episode):
    return f"/api/v1/episodes/{episode.pk}/entries/"


def test_entry_list__a_nurse_reads_the_health_and_shared_registers_not_social(api, nurse, entries):
    api.force_login(nurse)

    response = api.get(_url(entries))

    assert response.status_code == 200
    texts = [e["text"] for e in response.json()["results"]]
    assert set(texts) == {HEALTH, SHARED}
    assert SOCIAL not in response.content.decode()


def test_entry_list__the_other_register_on_consent_gets_its_own_log_row(api, nurse, social_worker, entries):
    consent_for_team(entries, nurse, [DataCategory.HEALTH])
    api.force_login(social_worker)

    response = api.get(_url(entries) + "?register=health")

    assert response.status_code == 200
    assert [e["text"] for e in response.json()["results"]] == [HEALTH]
    assert log_of(response).filter(basis=AccessGround.CONSENT, resource="entries:health").exists()


def test_entry_list__paged_by_cursor(api, nurse, entries):
    api.force_login(nurse)

    first = api.get(_url(entries) + "?page_size=1").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["id"] != second["results"][0]["id"]


@pytest.mark.parametrize("who", ["outsider", "kela_partner"])
def test_entry_list__out_of_reach_is_404_and_names_nobody(api, request, who, entries):
    api.force_login(request.getfixturevalue(who))

    response = api.get(_url(entries))

    assert response.status_code == 404
    body = response.content.decode()
    assert CLIENT_LAST not in body and HEALTH not in body
    assert log_of(response).get().outcome == "denied"


def test_entry_list__bad_register_is_400(api, nurse, entries):
    api.force_login(nurse)

    response = api.get(_url(entries) + "?register=<script>")

    assert response.status_code == 400


def test_entry_write__nurse_writes_to_the_health_register(api, nurse, episode):
    api.force_login(nurse)

    response = api.post(_url(episode), {"register": "health", "text": "Uusi merkintä."}, format="json")

    assert response.status_code == 201, response.content
    entry = Entry.objects.get(pk=response.json()["id"])
    assert (entry.register, entry.author_id, entry.text) == (Register.HEALTH, nurse.pk, "Uusi merkintä.")


def test_entry_write__nurse_is_refused_the_social_register_next_to_the_field(api, nurse, episode):
    api.force_login(nurse)

    response = api.post(_url(episode), {"register": "social", "text": "Ei kuulu."}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["register"] == ["Your profession does not write to this register."]
    assert not Entry.objects.filter(episode=episode).exists()


@pytest.mark.parametrize("who", ["partner", "admin_user"])
def test_entry_write__partner_and_administrator_are_refused_403(api, request, who, episode):
    api.force_login(request.getfixturevalue(who))

    response = api.post(_url(episode), {"register": "shared", "text": "Ei saa."}, format="json")

    assert response.status_code == 403
    assert not Entry.objects.filter(episode=episode).exists()


def test_entry_write__other_organisation_is_404(api, outsider, episode):
    api.force_login(outsider)

    response = api.post(_url(episode), {"register": "health", "text": "Ei saa."}, format="json")

    assert response.status_code == 404
    assert not Entry.objects.filter(episode=episode).exists()
