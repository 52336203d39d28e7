"""Deterministic synthetic data for the demo and the benchmarks (DESIGN.md "Synthetic data").

Everything comes from one `random.Random(seed)` (identity codes from a second generator derived from
the same seed), so the same seed on an empty database gives the same data. No real person's data is
used: identity codes are in the range reserved for testing (individual number 900–999) and names
are random combinations of common first names and surnames.

Rows are built as plain tuples with ids assigned up front and written in batches: with PostgreSQL's
COPY, elsewhere with `bulk_create`. Services are bypassed for speed, so this module writes the same
rows and audit events the services would (see cases/services.py, plans/services.py,
meetings/services/, entries/services.py, privacy/services.py) and must follow them when they change.
Consents and partner staff draw from a random generator of their own, so adding them left the rest
of the data as it was for a seed.

The package, in the order a run uses it: `accounts` (demo organisations and logins), `identity`
(identity codes), `distributions` (shares and tables), `pathways`, `people` (teams and staff),
`partners` (partner staff and consent shares), the row builders `batch` (shared state), `episodes`,
`plans` and `consents`, `rows` (how rows are written) and `run` (`generate`).
`scripts/demo_digest.py` prints a digest of the data to show that a change of structure changed no row.
"""

from tukipolku.demo.generator.accounts import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_SINCE,
    DPO_GROUP,
    OVERRIDE_GROUP,
    DemoLogin,
    DemoOrganisations,
    build_demo_users,
    build_organisations,
)
from tukipolku.demo.generator.identity import birth_date_of, identity_code, identity_code_stream, identity_codes
from tukipolku.demo.generator.run import GenerationResult, generate

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_SINCE",
    "DPO_GROUP",
    "OVERRIDE_GROUP",
    "DemoLogin",
    "DemoOrganisations",
    "GenerationResult",
    "birth_date_of",
    "build_demo_users",
    "build_organisations",
    "generate",
    "identity_code",
    "identity_code_stream",
    "identity_codes",
]
