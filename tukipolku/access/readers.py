"""The kinds of reader the access policy tells apart, and the place for the two that come next.

Today's readers are users (`core.User`) whose profession decides their kind:

* **professional** — a member of the welfare region's teams (`core.permissions.TEAM_PROFESSIONS`):
  reads the clients of their teams and client teams, by register (`policy.py`);
* **partner** — staff of employment services, Kela, occupational and student health and education
  (`PARTNER_PROFESSIONS`): reads what the client's consents open to their organisation;
* **dpo** — the data protection officer (`core.permissions.can_review_access`): reads the logs and the
  review queue, never case data;
* anyone else (administrators, deactivated accounts, anonymous visitors): nothing.

The next two readers are written here as real kinds, so that the policy dispatches on them and the
issues that bring them only fill in their branch:

* **client** (`ClientReader`) — the client, signed in to the portal, reads their own data only,
  as the law allows (asiakaslaki, GDPR art. 15). The bound is already here: a client reader can only
  ever match episodes whose `client_id` is theirs. What of their own data they see is for the portal
  issue to decide; until then the branch answers "no access", and every refusal is logged.
* **system** (`SystemReader`) — another system calling the API (FHIR facade, an integration; an
  `api.SystemClient`), scoped by the organisation it acts for and the purposes it was granted. It
  reads through the consent rule like partner staff (`consent.permits` with its organisation, only
  consents for its purposes; `policy._system_access`), inside its organisation's welfare region, and
  changes nothing. `tukipolku.api.auth.reader_of` builds it for a request with a bearer token.

Each new reader needs its rows in `docs/access-policy.md` (the table run by the matrix test).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from tukipolku.access.actors import Actor, User
from tukipolku.core.permissions import can_review_access, can_work_with_clients, is_partner


class ReaderKind(StrEnum):
    PROFESSIONAL = "professional"
    PARTNER = "partner"
    DPO = "dpo"
    CLIENT = "client"
    SYSTEM = "system"
    NONE = "none"


@dataclass(frozen=True)
class ClientReader:
    """The client themself (the portal, later): `account` is the user they signed in as."""

    account: User
    client_id: int


@dataclass(frozen=True)
class SystemReader:
    """A system client of the API: `account` is its service account, `organisation_id` the
    organisation it acts for and `purposes` the purposes (`privacy.choices.Purpose`) it was granted."""

    account: User
    organisation_id: int
    purposes: frozenset[str]


AnyReader: TypeAlias = Actor | ClientReader | SystemReader
"""Whoever asks the policy: a user (signed in or not), a client, or a system client."""


def reader_kind(reader: AnyReader | None) -> ReaderKind:
    """Which branch of the policy answers this reader."""
    if isinstance(reader, ClientReader):
        return ReaderKind.CLIENT
    if isinstance(reader, SystemReader):
        return ReaderKind.SYSTEM
    if not isinstance(reader, User) or not reader.is_authenticated or not reader.is_active:
        return ReaderKind.NONE
    if can_work_with_clients(reader):
        return ReaderKind.PROFESSIONAL
    if is_partner(reader):
        return ReaderKind.PARTNER
    if can_review_access(reader):
        return ReaderKind.DPO
    return ReaderKind.NONE


def account_of(reader: AnyReader | None) -> Actor | None:
    """The user a read or a refusal is logged against (a client's or a system's account)."""
    if isinstance(reader, ClientReader | SystemReader):
        return reader.account
    return reader
