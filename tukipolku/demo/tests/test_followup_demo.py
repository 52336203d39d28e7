"""Demo follow-ups: done ones get a situation, deterministically, once."""

import datetime
import random

import pytest

from tukipolku.cases.choices import FollowUpStatus
from tukipolku.cases.models import FollowUp
from tukipolku.cases.selectors import follow_up_outcomes
from tukipolku.core.models import Team
from tukipolku.demo.followup_demo import build_follow_up_demo
from tukipolku.demo.generator import build_demo_users, build_organisations, generate

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def quiet(_message: str) -> None:
    pass


@pytest.mark.django_db
def test_build_follow_up_demo__gives_done_follow_ups_a_situation_once(shipped_pathways):
    users = build_demo_users(build_organisations(random.Random(0)))
    generate(clients=60, seed=7, now=NOW, demo_users=users, log=quiet)
    done = FollowUp.objects.filter(status=FollowUpStatus.DONE)
    assert done.exists()

    changed = build_follow_up_demo(seed=7)

    assert changed == done.count()
    assert not done.filter(situation="").exists()
    assert not FollowUp.objects.exclude(status=FollowUpStatus.DONE).exclude(situation="").exists()
    assert build_follow_up_demo(seed=7) == 0
    counts = follow_up_outcomes(
        team_ids=list(Team.objects.values_list("pk", flat=True)),
        since=datetime.date(2000, 1, 1),
        until=datetime.date(2100, 1, 1),
    )
    assert sum(counts.values()) == changed
    assert {months for months, _situation in counts} <= {3, 6, 12}
