"""`generate`: the generation run, batch by batch, with background writers on PostgreSQL."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from tukipolku.cases.services import episodes_refresh_followed
from tukipolku.clients.models import Client
from tukipolku.core.models import User
from tukipolku.demo.generator.distributions import BATCH_CLIENTS
from tukipolku.demo.generator.episodes import _Generator
from tukipolku.demo.generator.identity import identity_code_stream
from tukipolku.demo.generator.partners import _load_partners
from tukipolku.demo.generator.pathways import _load_pathways
from tukipolku.demo.generator.people import _choose_staff
from tukipolku.demo.generator.rows import COLUMNS, _BackgroundWriters, _reset_sequences, _Table, _write_batch
from tukipolku.pathways.models import Pathway


@dataclass
class GenerationResult:
    """What `generate` wrote."""

    clients: int = 0
    episodes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(
    *,
    clients: int,
    seed: int,
    teams: int | None = None,
    now: datetime.datetime | None = None,
    demo_users: dict[str, User] | None = None,
    batch_size: int = BATCH_CLIENTS,
    writers: int = 2,
    log: Callable[[str], None] = print,
) -> GenerationResult:
    """Create `clients` synthetic clients with about 1.5 episodes each, with everything around them.

    Episodes are spread over `teams` teams (default: one per ~1,500 episodes, created as needed with
    eight professionals each; with `demo_users`, the demo users' teams). Clients' consents name the
    welfare region and the first organisation of each partner kind that exists; partner staff are
    generated for those organisations as needed and join clients' teams. Deterministic for the same
    seed on the same starting database. Writes in batches of `batch_size` clients, each in its own
    transaction; on PostgreSQL outside a transaction, `writers` threads write while the next batch
    is generated. Progress goes to `log`.
    """
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 – synthetic data, not security
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    pathways, pathway_cum = _load_pathways()
    staffs = _choose_staff(
        episodes=round(clients * 1.5), teams=teams, demo_users=demo_users, today=today, rng=rng, log=log
    )
    # Episodes open only on the pathways of the team's welfare region (ADR 11): the generated
    # pathways are the first region's, so other regions' teams get no generated clients.
    regions = set(Pathway.objects.filter(code__in=[p.code for p in pathways]).values_list("region_id", flat=True))
    staffs = [s for s in staffs if s.region_id in regions or None in regions]
    if not staffs:
        raise RuntimeError("No team with active professionals: create organisations and users first.")
    partners = _load_partners(clients=clients, seed=seed, log=log)
    existing = set(Client.objects.values_list("identity_code", flat=True)) if Client.objects.exists() else set()
    codes = (c for c in identity_code_stream(seed=seed, today=today) if c not in existing)
    gen = _Generator(
        rng=rng,
        now=now,
        staffs=staffs,
        pathways=pathways,
        pathway_cum=pathway_cum,
        codes=codes,
        partners=partners,
        privacy_rng=random.Random(f"privacy:{seed}"),  # noqa: S311 – synthetic data, not security
    )
    tables = {model: _Table(model, columns) for model, columns in COLUMNS.items()}
    use_copy = connection.vendor == "postgresql"
    background = use_copy and writers > 0 and not connection.in_atomic_block
    writer = _BackgroundWriters(tables, writers) if background else None
    result = GenerationResult()
    log(f"Generating {clients} clients in {len(staffs)} teams ({'COPY' if use_copy else 'bulk_create'}).")
    done = 0
    try:
        while done < clients:
            size = min(batch_size, clients - done)
            for _ in range(size):
                gen.client()
            rows = gen.take_rows()
            for model, model_rows in rows.items():
                result.rows[model._meta.label] = result.rows.get(model._meta.label, 0) + len(model_rows)
            if writer is not None:
                writer.submit(rows)
            else:
                _write_batch(tables, rows, use_copy)
            done += size
            log(
                f"  {done}/{clients} clients, {gen.episodes} episodes, {result.total_rows} rows, "
                f"{time.monotonic() - started:.1f} s"
            )
    finally:
        if writer is not None:
            try:
                writer.close()
            finally:
                _reset_sequences()  # writers finish in any order: the last reset must see every batch
    # The rows went around the services: what the sweep reads from the episode row (the contact person,
    # the last activity) is computed once from the assignments and events written (ADR 0019).
    episodes_refresh_followed()
    result.clients, result.episodes = clients, gen.episodes
    result.seconds = time.monotonic() - started
    return result
