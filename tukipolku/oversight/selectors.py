"""Reads for the data protection officer: the exceptional accesses to review, denied attempts, the
access and disclosure logs, and the client's log report (703/2023 § 11, reliability.md §1.2).

Nothing here checks the actor: the oversight views let only `can_review_access` users in, and they
call `log_shown` for every client whose identifying data a page shows (basis `data_protection_review`).
Every read takes the reviewer's welfare region (`region_id`, ADR 11): a log row is in a region when
the reader's organisation is, or the client has an episode in a team of the region.
The log is read by aggregate queries that return plain values; a page's query count does not grow
with the number of log rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessAction, AccessOutcome, Agent
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.audit.services import access_record
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation, User
from tukipolku.oversight import presentation as p
from tukipolku.oversight.constants import DENIED_REPEATED, LOG_PAGE_SIZE
from tukipolku.privacy.models import EmergencyAccess, LegalBasisGrant

HELSINKI = ZoneInfo("Europe/Helsinki")
"""Log times are stored in UTC and shown, and grouped into days, in Finnish time."""


def day_start(*, day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day in Finland, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=HELSINKI)


# ---------------------------------------------------------------- access-log rows of these pages


def log_shown(
    *,
    actor: Actor,
    view: str,
    client_ids: Iterable[int | None],
    resource: str,
    action: str = AccessAction.VIEW,
    reason: str = "",
) -> None:
    """One access-log row per client whose identifying data the page showed the reviewer."""
    ids = sorted({c for c in client_ids if c is not None})
    if ids:
        access_record(
            actor=actor,
            view=view,
            rows=[(c, None) for c in ids],
            action=action,
            basis=AccessGround.DATA_PROTECTION_REVIEW,
            resource=resource,
            reason=reason,
        )


# ---------------------------------------------------------------- names behind the ids in the log


@dataclass(frozen=True)
class ClientRef:
    """A client as the oversight pages show them: name and date of birth, never the identity code."""

    client_id: int
    name: str
    birth_date: datetime.date | None

    @classmethod
    def of(cls, client: Client) -> ClientRef:
        return cls(client.pk, client.full_name, client.birth_date)


def _region_organisations(region_id: int | None) -> QuerySet[Organisation]:
    """The organisations of a welfare region (without a region: the organisations without one)."""
    if region_id is None:
        return Organisation.objects.filter(region__isnull=True)
    return Organisation.objects.filter(region_id=region_id)


def _region_clients(region_id: int | None) -> QuerySet[Any]:
    return Episode.objects.filter(team__organisation__in=_region_organisations(region_id)).values("client_id")


def _region_log_q(region_id: int | None, organisation_field: str = "organisation_id") -> Q:
    """Log rows of a welfare region: its organisations' reads, any read of its clients, and the
    attempts of no organisation on no client (anonymous visitors: every region's officer sees them)."""
    return (
        Q(**{f"{organisation_field}__in": _region_organisations(region_id).values("pk")})
        | Q(client_id__in=_region_clients(region_id))
        | Q(**{f"{organisation_field}__isnull": True, "client_id__isnull": True})
    )


def client_in_region(*, client_id: int, region_id: int | None) -> bool:
    """Whether the client is not another region's: they have an episode in a team of the region, or
    the region's professionals read their data on grounds of their own (a notification of need, a
    handover), or no region has anything of them yet. Reviews and identity-code hits are no grounds."""
    episodes = Episode.objects.filter(client_id=client_id).values("team__organisation_id")
    reads = (
        PersonalDataAccess.objects.filter(client_id=client_id, outcome=AccessOutcome.ALLOWED)
        .exclude(basis__in=[AccessGround.DATA_PROTECTION_REVIEW, AccessGround.IDENTITY_CODE])
        .exclude(organisation_id__isnull=True)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    regions = set(Organisation.objects.filter(Q(pk__in=reads) | Q(pk__in=episodes)).values_list("region_id", flat=True))
    return not regions or region_id in regions


def client_find_by_identity_code(*, code: str) -> Client | None:
    """The client with this identity code (any spelling `identity.normalize` accepts), or None."""
    return Client.objects.filter(identity_code=identity.normalize(code)).first()


def client_for_review(*, client_id: int) -> Client | None:
    return Client.objects.filter(pk=client_id).first()


def _clients_by_id(ids: Iterable[int | None]) -> dict[int, ClientRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = Client.objects.filter(pk__in=wanted).only("id", "first_names", "last_name", "birth_date")
    return {c.pk: ClientRef.of(c) for c in rows}


def _users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=wanted).only("id", "username", "first_name", "last_name")}


def _organisation_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(Organisation.objects.filter(pk__in=wanted).values_list("id", "name"))


def _user_name(users: dict[int, User], user_id: int | None, agent: str = Agent.USER) -> str:
    if user_id is None:
        return str(Agent(agent).label) if agent == Agent.SYSTEM else _("Not logged in")
    user = users.get(user_id)
    return user.display_name if user is not None else f"#{user_id}"


def _org_name(orgs: dict[int, str], organisation_id: int | None) -> str:
    if organisation_id is None:
        return ""
    return orgs.get(organisation_id, f"#{organisation_id}")


# ---------------------------------------------------------------- review queue


def _pages_opened(user_field: str, since_field: str, until_field: str | None = None) -> Coalesce:
    """Flagged access-log rows of the user for the client since the exception opened (one subquery
    per list, on the (client_id, accessed_at) index)."""
    rows = PersonalDataAccess.objects.filter(
        user_id=OuterRef(user_field),
        client_id=OuterRef("client_id"),
        flagged=True,
        accessed_at__gte=OuterRef(since_field),
    )
    if until_field is not None:
        rows = rows.filter(accessed_at__lte=OuterRef(until_field))
    count = rows.order_by().values("client_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


@dataclass
class ReviewQueue:
    """Emergency accesses and legal-basis grants, unreviewed first, newest first within each."""

    emergency: list[EmergencyAccess]
    grants: list[LegalBasisGrant]
    emergency_more: bool
    grants_more: bool

    @property
    def client_ids(self) -> set[int]:
        return {e.client_id for e in self.emergency} | {g.client_id for g in self.grants}


def _review_scope(model: type[EmergencyAccess] | type[LegalBasisGrant], region_id: int | None) -> Q:
    """Exceptional accesses of the region's people (the one who opened it or was granted it)."""
    person = "user" if model is EmergencyAccess else "grantee"
    return Q(**{f"{person}__organisation__in": _region_organisations(region_id)})


def review_queue_for(*, include_reviewed: bool, limit: int, region_id: int | None) -> ReviewQueue:
    """Each item carries `pages_opened`: how many pages its user opened under it (flagged rows)."""
    emergency: QuerySet[EmergencyAccess] = EmergencyAccess.objects.select_related(
        "client", "user", "user__organisation", "reviewed_by"
    ).annotate(pages_opened=_pages_opened("user_id", "opened_at", "expires_at"))
    grants: QuerySet[LegalBasisGrant] = LegalBasisGrant.objects.select_related(
        "client", "grantee", "grantee__organisation", "granted_by", "reviewed_by"
    ).annotate(pages_opened=_pages_opened("grantee_id", "granted_at"))
    emergency = emergency.filter(_review_scope(EmergencyAccess, region_id))
    grants = grants.filter(_review_scope(LegalBasisGrant, region_id))
    if not include_reviewed:
        emergency = emergency.filter(reviewed_at__isnull=True)
        grants = grants.filter(reviewed_at__isnull=True)
    unreviewed_first = F("reviewed_at").desc(nulls_first=True)
    e = list(emergency.order_by(unreviewed_first, "-opened_at", "-pk")[: limit + 1])
    g = list(grants.order_by(unreviewed_first, "-granted_at", "-pk")[: limit + 1])
    return ReviewQueue(emergency=e[:limit], grants=g[:limit], emergency_more=len(e) > limit, grants_more=len(g) > limit)


def review_item_get(
    *, model: type[EmergencyAccess] | type[LegalBasisGrant], pk: int, region_id: int | None, any_region: bool = False
) -> Any:
    """An item of the region's review queue (`any_region`: of any region, to log a refusal)."""
    scope = Q() if any_region else _review_scope(model, region_id)
    return model.objects.filter(scope, pk=pk).first()


# ---------------------------------------------------------------- denied attempts


@dataclass(frozen=True)
class DeniedSummary:
    """Denied reads of one user in the window: repeated probing stands out by its count."""

    user_name: str
    profession: str
    organisation: str
    attempts: int
    clients: int
    first_at: datetime.datetime
    last_at: datetime.datetime

    @property
    def repeated(self) -> bool:
        return self.attempts >= DENIED_REPEATED


def denied_attempts_by_user(*, since: datetime.datetime, region_id: int | None, limit: int = 50) -> list[DeniedSummary]:
    """Users with denied access-log rows since the moment, the most attempts first. No client data.

    Refusals of a list (a partner's list leaving out clients whose consent does not reach them) are
    not attempts: they are in the log, but not counted here."""
    rows = list(
        PersonalDataAccess.objects.filter(
            _region_log_q(region_id), outcome=AccessOutcome.DENIED, accessed_at__gte=since
        )
        .exclude(action=AccessAction.LIST)
        .values("user_id")
        .annotate(
            attempts=Count("pk"),
            clients=Count("client_id", distinct=True),
            first_at=Min("accessed_at"),
            last_at=Max("accessed_at"),
        )
        .order_by("-attempts", "user_id")[:limit]
    )
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[r["user_id"] for r in rows if r["user_id"]]).select_related("organisation")
    }
    out = []
    for r in rows:
        user = users.get(r["user_id"]) if r["user_id"] is not None else None
        out.append(
            DeniedSummary(
                user_name=_user_name(users, r["user_id"]),
                profession=user.get_profession_display() if user is not None else "",
                organisation=str(user.organisation) if user is not None and user.organisation_id else "",
                attempts=r["attempts"],
                clients=r["clients"],
                first_at=r["first_at"],
                last_at=r["last_at"],
            )
        )
    return out


# ---------------------------------------------------------------- access and disclosure log search


@dataclass(frozen=True)
class LogFilters:
    user_id: int | None = None
    client_id: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None  # inclusive: the whole day
    outcome: str = ""
    flagged_only: bool = False
    ground: str = ""  # an `AccessGround` value: the basis of the read or of the disclosure


@dataclass(frozen=True)
class AccessRow:
    at: datetime.datetime
    user_name: str
    profession: str
    organisation: str
    client_id: int | None
    client: ClientRef | None
    what: str
    action: str
    basis: str
    outcome: str
    outcome_label: str
    reason: str
    flagged: bool


@dataclass(frozen=True)
class DisclosureRow:
    at: datetime.datetime
    user_name: str
    controller: str
    client_id: int
    client: ClientRef | None
    recipient_organisation: str
    recipient_user: str
    categories: str
    what: str
    basis: str
    consent_id: int | None
    grant_id: int | None


def _period(qs: QuerySet[Any], field_name: str, filters: LogFilters) -> QuerySet[Any]:
    if filters.since is not None:
        qs = qs.filter(**{f"{field_name}__gte": day_start(day=filters.since)})
    if filters.until is not None:
        qs = qs.filter(**{f"{field_name}__lt": day_start(day=filters.until + datetime.timedelta(days=1))})
    return qs


def access_log_page(
    *, filters: LogFilters, page_number: Any, region_id: int | None
) -> tuple[Page[Any], list[AccessRow]]:
    """One page (newest first) of the region's access log, with names for the ids on that page."""
    qs = PersonalDataAccess.objects.filter(_region_log_q(region_id)).order_by("-accessed_at", "-pk")
    if filters.user_id is not None:
        qs = qs.filter(user_id=filters.user_id)
    if filters.client_id is not None:
        qs = qs.filter(client_id=filters.client_id)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.ground:
        qs = qs.filter(basis=filters.ground)
    if filters.flagged_only:
        qs = qs.filter(flagged=True)
    page = Paginator(_period(qs, "accessed_at", filters), LOG_PAGE_SIZE).get_page(page_number)
    items: list[PersonalDataAccess] = list(page.object_list)
    users = _users_by_id(r.user_id for r in items)
    orgs = _organisation_names(r.organisation_id for r in items)
    clients = _clients_by_id(r.client_id for r in items)
    lab = p.Labels()
    rows = [
        AccessRow(
            at=r.accessed_at,
            user_name=_user_name(users, r.user_id, r.agent),
            profession=lab.profession(r.profession),
            organisation=_org_name(orgs, r.organisation_id),
            client_id=r.client_id,
            client=clients.get(r.client_id) if r.client_id is not None else None,
            what=lab.what(r.view, r.resource),
            action=lab.action(r.action),
            basis=lab.basis(r.basis),
            outcome=r.outcome,
            outcome_label=lab.outcome(r.outcome),
            reason=lab.reason(r.reason),
            flagged=r.flagged,
        )
        for r in items
    ]
    return page, rows


def disclosure_log_page(
    *, filters: LogFilters, page_number: Any, region_id: int | None
) -> tuple[Page[Any], list[DisclosureRow]]:
    """One page (newest first) of the region's disclosure log. `user_id` is who disclosed."""
    scope = _region_log_q(region_id, "controller_organisation_id")
    qs = Disclosure.objects.filter(scope).order_by("-disclosed_at", "-pk")
    if filters.user_id is not None:
        qs = qs.filter(user_id=filters.user_id)
    if filters.client_id is not None:
        qs = qs.filter(client_id=filters.client_id)
    if filters.ground:
        qs = qs.filter(basis=filters.ground)
    page = Paginator(_period(qs, "disclosed_at", filters), LOG_PAGE_SIZE).get_page(page_number)
    items: list[Disclosure] = list(page.object_list)
    users = _users_by_id([r.user_id for r in items] + [r.recipient_user_id for r in items])
    orgs = _organisation_names(
        [r.controller_organisation_id for r in items] + [r.recipient_organisation_id for r in items]
    )
    clients = _clients_by_id(r.client_id for r in items)
    lab = p.Labels()
    rows = [
        DisclosureRow(
            at=r.disclosed_at,
            user_name=_user_name(users, r.user_id),
            controller=_org_name(orgs, r.controller_organisation_id),
            client_id=r.client_id,
            client=clients.get(r.client_id),
            recipient_organisation=_org_name(orgs, r.recipient_organisation_id),
            recipient_user=_user_name(users, r.recipient_user_id) if r.recipient_user_id is not None else "",
            categories=lab.categories(r.categories),
            what=lab.view(r.view),
            basis=lab.basis(r.basis),
            consent_id=r.consent_id,
            grant_id=r.grant_id,
        )
        for r in items
    ]
    return page, rows


# ---------------------------------------------------------------- the client's log report


@dataclass(frozen=True)
class AccessSummary:
    """Reads of the client's data by one user on one day through one page, with the same basis
    and outcome: one SQL group of access-log rows."""

    day: datetime.date
    user_id: int | None
    user_name: str
    profession: str
    organisation: str
    what: str
    action: str
    basis: str
    outcome: str
    outcome_label: str
    count: int
    first_at: datetime.datetime
    last_at: datetime.datetime


@dataclass(frozen=True)
class DisclosureSummary:
    """Disclosures of the client's data to one recipient on one day on one ground."""

    day: datetime.date
    user_name: str
    controller: str
    recipient_organisation: str
    recipient_user: str
    categories: str
    what: str
    basis: str
    consent_id: int | None
    grant_id: int | None
    count: int
    first_at: datetime.datetime
    last_at: datetime.datetime


@dataclass(frozen=True)
class AccessDay:
    """Everything one user did with the client's data on one day."""

    day: datetime.date
    user_name: str
    profession: str
    organisation: str
    count: int
    lines: list[AccessSummary] = field(default_factory=list)


@dataclass
class ClientLogReport:
    """Who viewed or received the client's data in the period, as the client is told (703/2023 § 11)."""

    client_id: int
    since: datetime.datetime
    until: datetime.datetime
    accesses: list[AccessSummary]
    disclosures: list[DisclosureSummary]

    @property
    def access_count(self) -> int:
        return sum(a.count for a in self.accesses)

    @property
    def disclosure_count(self) -> int:
        return sum(d.count for d in self.disclosures)

    def by_user_and_day(self) -> list[AccessDay]:
        """The aggregated rows grouped for reading: one block per user and day (already in order)."""
        days = []
        for (day, _user, profession, organisation), group in groupby(
            self.accesses, key=lambda a: (a.day, a.user_id, a.profession, a.organisation)
        ):
            lines = list(group)
            days.append(
                AccessDay(
                    day=day,
                    user_name=lines[0].user_name,
                    profession=profession,
                    organisation=organisation,
                    count=sum(line.count for line in lines),
                    lines=lines,
                )
            )
        return days


def client_log_report(*, client_id: int, since: datetime.datetime, until: datetime.datetime) -> ClientLogReport:
    """The client's access and disclosure log for `since <= time < until`, aggregated in SQL per
    day (Finnish time), user and page: four queries whatever the number of rows.

    The access rows are found through the `(client_id, accessed_at)` index, the disclosures through
    `(client_id, disclosed_at)`. The caller logs that the report was shown.
    """
    accesses = list(
        PersonalDataAccess.objects.filter(client_id=client_id, accessed_at__gte=since, accessed_at__lt=until)
        .annotate(day=TruncDate("accessed_at", tzinfo=HELSINKI))
        .values(
            "day", "user_id", "agent", "profession", "organisation_id", "view", "resource", "action", "basis", "outcome"
        )
        .annotate(n=Count("pk"), first_at=Min("accessed_at"), last_at=Max("accessed_at"))
        .order_by("-day", "user_id", "profession", "organisation_id", "first_at", "view", "resource")
    )
    disclosures = list(
        Disclosure.objects.filter(client_id=client_id, disclosed_at__gte=since, disclosed_at__lt=until)
        .annotate(day=TruncDate("disclosed_at", tzinfo=HELSINKI))
        .values(
            "day",
            "user_id",
            "controller_organisation_id",
            "recipient_organisation_id",
            "recipient_user_id",
            "categories",
            "view",
            "basis",
            "consent_id",
            "grant_id",
        )
        .annotate(n=Count("pk"), first_at=Min("disclosed_at"), last_at=Max("disclosed_at"))
        .order_by("-day", "first_at", "recipient_organisation_id")
    )
    users = _users_by_id(
        [a["user_id"] for a in accesses]
        + [d["user_id"] for d in disclosures]
        + [d["recipient_user_id"] for d in disclosures]
    )
    orgs = _organisation_names(
        [a["organisation_id"] for a in accesses]
        + [d["controller_organisation_id"] for d in disclosures]
        + [d["recipient_organisation_id"] for d in disclosures]
    )
    lab = p.Labels()
    return ClientLogReport(
        client_id=client_id,
        since=since,
        until=until,
        accesses=[
            AccessSummary(
                day=a["day"],
                user_id=a["user_id"],
                user_name=_user_name(users, a["user_id"], a["agent"]),
                profession=lab.profession(a["profession"]),
                organisation=_org_name(orgs, a["organisation_id"]),
                what=lab.what(a["view"], a["resource"]),
                action=lab.action(a["action"]),
                basis=lab.basis(a["basis"]),
                outcome=a["outcome"],
                outcome_label=lab.outcome(a["outcome"]),
                count=a["n"],
                first_at=a["first_at"],
                last_at=a["last_at"],
            )
            for a in accesses
        ],
        disclosures=[
            DisclosureSummary(
                day=d["day"],
                user_name=_user_name(users, d["user_id"]),
                controller=_org_name(orgs, d["controller_organisation_id"]),
                recipient_organisation=_org_name(orgs, d["recipient_organisation_id"]),
                recipient_user=_user_name(users, d["recipient_user_id"]) if d["recipient_user_id"] is not None else "",
                categories=lab.categories(d["categories"]),
                what=lab.view(d["view"]),
                basis=lab.basis(d["basis"]),
                consent_id=d["consent_id"],
                grant_id=d["grant_id"],
                count=d["n"],
                first_at=d["first_at"],
                last_at=d["last_at"],
            )
            for d in disclosures
        ],
    )
