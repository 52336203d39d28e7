"""Synthetic clients. Identity codes only from the test range (individual number 900–999)."""

import datetime
import itertools

import factory
from faker import Faker
from stdnum.fi import hetu

from tukipolku.clients.models import Client

fake = Faker("fi_FI")
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_counter = itertools.count()


def make_identity_code(birth: datetime.date, individual: int, sign: str | None = None) -> str:
    """A valid identity code with an individual number in the test range 900–999."""
    assert 900 <= individual <= 999
    if sign is None:
        sign = "-" if birth.year < 2000 else "A"
    digits = f"{birth:%d%m%y}{individual:03d}"
    code = f"{birth:%d%m%y}{sign}{individual:03d}{_CHECK[int(digits) % 31]}"
    hetu.validate(code, allow_temporary=True)
    return code


def next_identity_code() -> str:
    n = next(_counter)
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(n // 100) * 37 % 14000)
    return make_identity_code(birth, 900 + n % 100)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    identity_code = factory.LazyFunction(next_identity_code)
    first_names = factory.LazyFunction(fake.first_name)
    last_name = factory.LazyFunction(fake.last_name)
    birth_date = factory.LazyAttribute(lambda o: _birth(o.identity_code))


def _birth(code: str) -> datetime.date:
    from tukipolku.clients.identity import birth_date

    return birth_date(code)
