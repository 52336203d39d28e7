"""The access tests share one world per module (tests/access/world.py)."""

import pytest
from django.db import transaction

from tests.access.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module; every test runs in a savepoint of this transaction, which is rolled
    back at the end of the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
