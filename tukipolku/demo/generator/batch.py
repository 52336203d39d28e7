"""The state of one generation run shared by the row builders: ids, times, rows, audit events."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.utils import timezone

from tukipolku.audit.models import AuditEvent
from tukipolku.cases.choices import (
    Outcome,
)
from tukipolku.core.models import Organisation
from tukipolku.demo.generator.partners import _Partner
from tukipolku.demo.generator.pathways import _Pathway
from tukipolku.demo.generator.people import _Staff
from tukipolku.demo.generator.rows import COLUMNS, ID_MODELS, Rows


@dataclass(slots=True)
class _Visit:
    index: int
    status: str
    days: float
    start: float = 0.0
    end: float = 0.0


@dataclass(slots=True)
class _Sketch:
    pathway: _Pathway
    closed: bool
    outcome: str
    visits: list[_Visit]


class _Batch:
    """Builds rows for a batch of clients; times are float day numbers (ordinal + fraction of 08–16)."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime.datetime,
        staffs: list[_Staff],
        pathways: list[_Pathway],
        pathway_cum: list[float],
        codes: Iterator[str],
        partners: Sequence[_Partner] = (),
        privacy_rng: random.Random | None = None,
    ) -> None:
        self.rng = rng
        # Consents draw from their own generator: the rest of the data does not change with them.
        self.privacy_rng = privacy_rng or random.Random("privacy")  # noqa: S311 – synthetic data, not security
        self.partners = list(partners)
        self.partner_of_kind = {p.spec.kind: p for p in partners}
        region_ids = {s.region_id for s in staffs if s.region_id is not None}
        self.organisation_names = dict(Organisation.objects.filter(pk__in=region_ids).values_list("pk", "name"))
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localtime(now, self.tz).date()
        self.today_ord = self.today.toordinal()
        self.staffs = staffs
        self.staff_cum = list(accumulate(len(s.people) for s in staffs))
        self.pathways = pathways
        self.pathway_cum = pathway_cum
        self.codes = codes
        self.ids = {m: m._default_manager.aggregate(m=Max("id"))["m"] or 0 for m in ID_MODELS}
        self.rows: Rows = {m: [] for m in COLUMNS}
        # The first open episodes of each pathway visit every step and the first closed ones every
        # outcome, so that even a small data set shows them all.
        self.pending_steps = {p.code: list(range(len(p.steps) - 1, -1, -1)) for p in pathways}
        self.pending_outcomes = list(reversed(Outcome.values))
        self.episodes = 0

    # -- helpers

    def _id(self, model: type[models.Model]) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def dt(self, t: float) -> datetime.datetime:
        day = int(t)
        seconds = 28800 + int((t - day) * 28800)
        d = datetime.date.fromordinal(day)
        return datetime.datetime(
            d.year, d.month, d.day, seconds // 3600, seconds // 60 % 60, seconds % 60, tzinfo=self.tz
        )

    @staticmethod
    def date(t: float) -> datetime.date:
        return datetime.date.fromordinal(int(t))

    def between(self, a: float, b: float) -> float:
        return a + (b - a) * self.rng.random()

    def privacy_between(self, a: float, b: float) -> float:
        return a + (b - a) * self.privacy_rng.random()

    def event(
        self,
        t: float,
        actor: int | None,
        verb: str,
        client_id: int,
        episode_id: int | None,
        target_type: str,
        target_id: int | None,
        payload: dict[str, Any],
    ) -> None:
        self.rows[AuditEvent].append((self.dt(t), actor, verb, client_id, episode_id, target_type, target_id, payload))

    def take_rows(self) -> Rows:
        """Hand over the rows collected so far and start collecting anew."""
        rows, self.rows = self.rows, {m: [] for m in COLUMNS}
        return rows
