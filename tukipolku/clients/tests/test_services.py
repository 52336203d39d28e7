"""client_create: the identity code is normalised, validated and unique; every creation is audited."""

import datetime

import pytest
from django.utils import translation

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.clients.models import Client
from tukipolku.clients.services import DuplicateClientError, client_create
from tukipolku.clients.tests.factories import ClientFactory, make_identity_code
from tukipolku.core.exceptions import ApplicationError


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _create(actor, code, **kw):
    params = {"first_names": "Testi Henkilö", "last_name": "Esimerkki"}
    params.update(kw)
    return client_create(actor=actor, identity_code=code, **params)


@pytest.mark.django_db
def test_client_create__normalises_the_identity_code(nurse):
    code = make_identity_code(datetime.date(1979, 3, 8), 944, "-")
    typed = f"  {code[:6]} \u2013 {code[7:].lower()} "

    client = _create(nurse, typed)

    client.refresh_from_db()
    assert client.identity_code == code
    assert client.birth_date == datetime.date(1979, 3, 8)


@pytest.mark.django_db
def test_client_create__reads_the_birth_date_of_a_2023_century_sign(nurse):
    code = make_identity_code(datetime.date(2006, 9, 30), 911, "C")

    client = _create(nurse, code.lower())

    assert client.identity_code == code
    assert client.birth_date == datetime.date(2006, 9, 30)


@pytest.mark.django_db
def test_client_create__strips_the_other_fields(nurse):
    code = make_identity_code(datetime.date(1990, 1, 1), 900)

    client = _create(
        nurse,
        code,
        first_names="  Aino  ",
        last_name=" Testinen ",
        phone=" 040 000 0000 ",
        email=" aino@example.invalid ",
        municipality=" Pori ",
        language="sv",
        employment_status="unemployed",
    )

    client.refresh_from_db()
    assert (client.first_names, client.last_name) == ("Aino", "Testinen")
    assert (client.phone, client.email, client.municipality) == ("040 000 0000", "aino@example.invalid", "Pori")
    assert (client.language, client.employment_status) == ("sv", "unemployed")
    assert client.full_name == "Testinen Aino"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["", "010190-900B", "310299-901X", "010190-90", "010190-900AA", "<b>010190-900A</b>", "'; DROP TABLE x; --"],
)
def test_client_create__rejects_an_invalid_identity_code(nurse, typed):
    with pytest.raises(ApplicationError) as exc:
        _create(nurse, typed)

    assert exc.value.field == "identity_code"
    assert exc.value.message == "Enter a valid Finnish personal identity code."
    assert not Client.objects.exists()
    assert not AuditEvent.objects.filter(verb=EventType.CLIENT_CREATED).exists()


@pytest.mark.django_db
def test_client_create__duplicate_carries_the_existing_client(nurse):
    code = make_identity_code(datetime.date(1966, 6, 6), 966)
    existing = _create(nurse, code, first_names="Eka")

    with pytest.raises(DuplicateClientError) as exc:
        _create(nurse, f" {code.lower()} ", first_names="Toka")

    assert isinstance(exc.value, ApplicationError)
    assert exc.value.existing == existing
    assert exc.value.field == "identity_code"
    assert exc.value.message == "A client with this identity code already exists."
    assert list(Client.objects.values_list("first_names", flat=True)) == ["Eka"]
    assert AuditEvent.objects.filter(verb=EventType.CLIENT_CREATED).count() == 1


@pytest.mark.django_db
def test_client_create__duplicate_of_a_client_created_elsewhere(nurse):
    """A client of another organisation's team is still found: identity codes are unique system-wide."""
    other = ClientFactory()

    with pytest.raises(DuplicateClientError) as exc:
        _create(nurse, other.identity_code.replace("-", "\u2212"))

    assert exc.value.existing.pk == other.pk


@pytest.mark.django_db
def test_client_create__writes_a_client_created_event(nurse):
    code = make_identity_code(datetime.date(1990, 2, 3), 921)

    client = _create(nurse, code)

    event = AuditEvent.objects.get(verb=EventType.CLIENT_CREATED)
    assert event.actor == nurse
    assert event.client_id == client.pk
    assert event.episode_id is None
    assert (event.target_type, event.target_id) == ("clients.client", client.pk)
    assert code not in str(event.payload)  # the identity code is never copied into the log
