"""Demo data for follow-up after closing: the follow-ups the generator marked done get the client's
situation as a professional would have recorded it, so the 3/6/12-month counts have something to show.

Synthetic and deterministic (seeded); safe to run again (only follow-ups without a situation change).
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tukipolku.cases.choices import FollowUpSituation, FollowUpStatus, Outcome
from tukipolku.cases.models import FollowUp

SITUATION_AFTER: dict[str, str] = {
    Outcome.OPEN_LABOUR_MARKET: FollowUpSituation.WORKING,
    Outcome.PAY_SUBSIDY: FollowUpSituation.WORKING_SUBSIDISED,
    Outcome.SELF_EMPLOYED: FollowUpSituation.SELF_EMPLOYED,
    Outcome.STUDIES: FollowUpSituation.STUDYING,
    Outcome.VOCATIONAL_REHABILITATION: FollowUpSituation.REHABILITATION,
    Outcome.MEDICAL_REHABILITATION: FollowUpSituation.REHABILITATION,
    Outcome.SOCIAL_INCLUSION: FollowUpSituation.INCLUSION,
    Outcome.DISABILITY_PENSION: FollowUpSituation.PENSION,
    Outcome.PENSION_PROCESS: FollowUpSituation.PENSION,
}
"""The usual situation after each outcome; anything else is found unemployed, not reached or other."""


def build_follow_up_demo(*, seed: int) -> int:
    """Give each done follow-up without a situation one, checked within ten days of its due date."""
    rng = random.Random(f"follow-ups-{seed}")  # noqa: S311 – synthetic data, not security
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    changed = []
    rows = (
        FollowUp.objects.filter(status=FollowUpStatus.DONE, situation="")
        .only("pk", "due_on", "owner_id", "episode__outcome")
        .select_related("episode")
        .order_by("pk")
    )
    for f in rows:
        usual = SITUATION_AFTER.get(f.episode.outcome)
        if usual is None or rng.random() < 0.2:
            usual = rng.choice([FollowUpSituation.UNEMPLOYED, FollowUpSituation.NOT_REACHED, FollowUpSituation.OTHER])
        f.situation = usual
        f.situation_on = min(today, f.due_on + datetime.timedelta(days=rng.randint(0, 10)))
        f.recorded_by_id = f.owner_id
        f.recorded_at = datetime.datetime.combine(f.situation_on, datetime.time(10, rng.randint(0, 59)), tzinfo=tz)
        changed.append(f)
    FollowUp.objects.bulk_update(changed, ["situation", "situation_on", "recorded_by", "recorded_at"], batch_size=500)
    return len(changed)
