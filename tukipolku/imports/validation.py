"""The row check of an import, shared by the dry run and the commit (which checks again against the
database as it is then). One `Checker` per file: it knows the teams, pathways, team members and
choices once, checks one row at a time (`check_row`) and a chunk of rows against the database
(`resolve_chunk`). What it remembers across rows is one 64-bit key per row (duplicates in the file)."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tukipolku.access.policy import import_team_ids
from tukipolku.cases.choices import ConsentMethod, EpisodeStatus, IdentificationSource, SpecialSituation
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.models import Client
from tukipolku.core.dates import format_date
from tukipolku.core.models import Team, TeamMembership, User
from tukipolku.core.permissions import can_work_with_clients
from tukipolku.imports.choices import RowOutcome
from tukipolku.imports.columns import BY_KEY, normalise_heading
from tukipolku.imports.reading import Cell
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.selectors import pathway_list_for, pathway_usual_for, pathway_version_current

MAX_LENGTH = {
    "identity_code": 40,
    "last_name": 120,
    "first_names": 120,
    "team": 200,
    "start_date": 40,
    "municipality": 80,
    "language": 40,
    "phone": 40,
    "email": 254,
    "contact_person": 254,
    "pathway": 200,
    "source": 200,
    "special_situation": 1000,
    "need": 4000,
    "consent_method": 100,
}
CELL_LIMIT = 32_767
"""The most a spreadsheet cell holds (Excel's limit): a longer cell anywhere in a row refuses the row."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"^\+[0-9 ()-]{5,}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass(frozen=True)
class Target:
    """Where a relationship opens: the pathway's current version and its first step."""

    pathway: Pathway
    version: PathwayVersion
    first_step: PathwayStep


@dataclass
class Checked:
    """One row after the check: its values (normalised) and what is wrong with it."""

    number: int
    code: str = ""
    last_name: str = ""
    first_names: str = ""
    team: Team | None = None
    start_on: datetime.date | None = None
    municipality: str = ""
    language: str = ClientLanguage.FINNISH
    phone: str = ""
    email: str = ""
    contact_id: int | None = None
    target: Target | None = None
    source: str = IdentificationSource.OTHER
    situations: list[str] = field(default_factory=list)
    need: str = ""
    consent_method: str = ConsentMethod.ORAL
    messages: list[str] = field(default_factory=list)
    outcome: str = RowOutcome.NEW_CLIENT
    client_id: int | None = None

    @property
    def masked_code(self) -> str:
        return identity.mask(self.code) if self.code else ""  # set only when valid

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_names}".strip()[:250]


def _choices(choices: Any) -> dict[str, str]:
    """Normalised value and labels (fi, sv, en) of a choices class → value."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[normalise_heading(value)] = value
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                found.setdefault(normalise_heading(str(label)), value)
    return found


class Checker:
    """Checks the rows of one file for one actor; `default_team` is the team chosen at upload."""

    def __init__(self, *, actor: User, default_team: Team, mapping: dict[str, int]) -> None:
        self.actor = actor
        self.default_team = default_team
        self.mapping = {k: int(v) for k, v in mapping.items() if k in BY_KEY}
        self.today = timezone.localdate()
        team_ids = import_team_ids(actor)
        self.teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids).select_related("organisation")}
        self.team_by_name = {normalise_heading(t.name): t for t in self.teams.values()}
        self.sources = _choices(IdentificationSource)
        self.situations = _choices(SpecialSituation)
        self.languages = _choices(ClientLanguage)
        self.consent_methods = _choices(ConsentMethod)
        self._pathways = list(pathway_list_for(actor=actor))
        self.pathway_by_name: dict[str, Pathway] = {}
        for p in self._pathways:
            for name in (p.code, p.name_fi, p.name_sv, p.name_en):
                self.pathway_by_name.setdefault(normalise_heading(name), p)
        self._targets: dict[int, Target | None] = {}
        self._usual: dict[int, Pathway | None] = {}
        self._members: dict[int, dict[str, int]] = {}
        self.member_names: dict[int, str] = {}
        self.seen: set[int] = set()

    # ------------------------------------------------------------------ helpers

    def _target(self, pathway: Pathway) -> Target | None:
        if pathway.pk not in self._targets:
            version = pathway_version_current(pathway=pathway)
            step = version.steps.order_by("order").first() if version is not None else None
            self._targets[pathway.pk] = Target(pathway, version, step) if version and step else None
        return self._targets[pathway.pk]

    def _usual_pathway(self, team: Team) -> Pathway | None:
        if team.pk not in self._usual:
            ids = [p.pk for p in self._pathways if p.region_id == team.region_id]
            queryset = Pathway.objects.filter(pk__in=ids)
            self._usual[team.pk] = (
                pathway_usual_for(pathways=queryset, team_id=team.pk) or queryset.order_by("pk").first()
            )
        return self._usual[team.pk]

    def _members_of(self, team: Team) -> dict[str, int]:
        if team.pk not in self._members:
            found: dict[str, int] = {}
            memberships = TeamMembership.objects.active().filter(team=team).select_related("user")
            for m in memberships:
                if can_work_with_clients(m.user):
                    self.member_names[m.user.pk] = m.user.display_name
                    found[m.user.username.lower()] = m.user.pk
                    if m.user.email:
                        found[m.user.email.lower()] = m.user.pk
            self._members[team.pk] = found
        return self._members[team.pk]

    def _cell(self, cells: Sequence[Cell], key: str) -> Cell:
        index = self.mapping.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def _text(self, row: Checked, cells: Sequence[Cell], key: str) -> str:
        value = self._cell(cells, key)
        if value is None:
            return ""
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        label = BY_KEY[key].label
        stripped = text.strip()
        if stripped.startswith(FORMULA_START) and not (key == "phone" and _PHONE.match(stripped)):
            row.messages.append(
                _(
                    "%(column)s begins with “%(char)s”, which a spreadsheet program may run as a formula. "
                    "Remove it and upload the file again."
                )
                % {"column": label, "char": stripped[:1].replace("\t", "⇥").replace("\r", "↵")}
            )
            return ""
        if _CONTROL.search(stripped):
            row.messages.append(
                _("%(column)s contains a control character (such as NUL), which no value may have.") % {"column": label}
            )
            return ""
        if len(stripped) > MAX_LENGTH[key]:
            row.messages.append(
                _("%(column)s is too long: %(count)s characters, at most %(limit)s.")
                % {"column": label, "count": len(stripped), "limit": MAX_LENGTH[key]}
            )
            return ""
        return stripped

    def _choice(self, row: Checked, text: str, known: dict[str, str], key: str, default: str) -> str:
        if not text:
            return default
        value = known.get(normalise_heading(text))
        if value is None:
            row.messages.append(
                _("%(column)s: “%(value)s” is not one of the choices.")
                % {"column": BY_KEY[key].label, "value": text[:60]}
            )
            return default
        return value

    def _date(self, row: Checked, cells: Sequence[Cell]) -> datetime.date | None:
        raw = self._cell(cells, "start_date")
        label = BY_KEY["start_date"].label
        value: datetime.date | None = None
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        else:
            text = self._text(row, cells, "start_date")
            if not text:
                row.messages.append(_("%(column)s is missing.") % {"column": label})
                return None
            match = _FI_DATE.match(text) or _ISO_DATE.match(text)
            if match is None:
                row.messages.append(
                    _("%(column)s is not a date: write it as d.m.yyyy, such as 15.1.2026.") % {"column": label}
                )
                return None
            a, b, c = (int(g) for g in match.groups())
            try:
                value = datetime.date(c, b, a) if _FI_DATE.match(text) else datetime.date(a, b, c)
            except ValueError:
                row.messages.append(_("%(column)s is not a real date.") % {"column": label})
                return None
        if value > self.today:
            row.messages.append(
                _("%(column)s %(date)s is in the future.") % {"column": label, "date": format_date(value)}
            )
            return None
        return value

    # ------------------------------------------------------------------ one row

    def check_row(self, number: int, cells: Sequence[Cell]) -> Checked:  # noqa: PLR0915 – one check per column, in the order of the columns
        """The row's values and what is wrong with them, without the database's clients."""
        row = Checked(number)
        if any(isinstance(c, str) and len(c) > CELL_LIMIT for c in cells):
            row.messages.append(
                _("A cell of this row is longer than a spreadsheet cell can be (%(limit)s characters).")
                % {"limit": CELL_LIMIT}
            )
            row.outcome = RowOutcome.ERROR
            return row
        raw_code = self._text(row, cells, "identity_code")
        if not raw_code:
            if not row.messages:
                row.messages.append(_("%(column)s is missing.") % {"column": BY_KEY["identity_code"].label})
        else:
            code = identity.normalize(raw_code)
            if identity.is_valid(code):
                row.code = code
            else:
                row.messages.append(identity.problem(code) or identity.invalid_message())
        for key in ("last_name", "first_names"):
            value = self._text(row, cells, key)
            if not value and not any(str(BY_KEY[key].label) in m for m in row.messages):
                row.messages.append(_("%(column)s is missing.") % {"column": BY_KEY[key].label})
            setattr(row, key, value)
        team_text = self._text(row, cells, "team")
        if team_text:
            row.team = self.team_by_name.get(normalise_heading(team_text))
            if row.team is None:
                row.messages.append(
                    _("Team “%(team)s” is unknown, or not a team you may import into.") % {"team": team_text[:80]}
                )
        else:
            row.team = self.default_team if self.default_team.pk in self.teams else None
            if row.team is None:
                row.messages.append(_("You may not import into the team chosen at upload."))
        row.start_on = self._date(row, cells)
        if row.code and row.start_on and row.start_on < identity.birth_date(row.code):
            row.messages.append(_("The start date is before the client's birth date."))
        row.municipality = self._text(row, cells, "municipality")
        row.language = self._choice(
            row, self._text(row, cells, "language"), self.languages, "language", ClientLanguage.FINNISH
        )
        row.phone = self._text(row, cells, "phone")
        row.email = self._text(row, cells, "email")
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                row.messages.append(_("E-mail: “%(value)s” is not an e-mail address.") % {"value": row.email[:80]})
        row.source = self._choice(
            row, self._text(row, cells, "source"), self.sources, "source", IdentificationSource.OTHER
        )
        situations = self._text(row, cells, "special_situation")
        for part in (p for p in re.split(r"[|]", situations) if p.strip()) if situations else ():
            value = self._choice(row, part, self.situations, "special_situation", "")
            if value and value not in row.situations:
                row.situations.append(value)
        row.need = self._text(row, cells, "need")
        row.consent_method = self._choice(
            row, self._text(row, cells, "consent_method"), self.consent_methods, "consent_method", ConsentMethod.ORAL
        )
        pathway_text = self._text(row, cells, "pathway")
        if row.team is not None:
            pathway = (
                self.pathway_by_name.get(normalise_heading(pathway_text))
                if pathway_text
                else self._usual_pathway(row.team)
            )
            if pathway is not None and pathway.region_id != row.team.region_id:
                pathway = None
            row.target = self._target(pathway) if pathway is not None else None
            if row.target is None:
                row.messages.append(
                    _("Pathway “%(pathway)s” is not available to this team.") % {"pathway": pathway_text[:80]}
                    if pathway_text
                    else _("The team has no pathway to open client relationships on.")
                )
            contact = self._text(row, cells, "contact_person")
            if contact:
                row.contact_id = self._members_of(row.team).get(contact.lower())
                if row.contact_id is None:
                    row.messages.append(
                        _("Contact person “%(who)s” is not a professional of team %(team)s.")
                        % {"who": contact[:80], "team": row.team.name}
                    )
        if row.code and row.team is not None and not row.messages:
            digest = hashlib.blake2b(f"{row.code}|{row.team.pk}".encode(), digest_size=8).digest()
            seen_key = int.from_bytes(digest, "big")
            if seen_key in self.seen:
                row.messages.append(_("The same client appears on an earlier row for the same team."))
            self.seen.add(seen_key)
        if row.messages:
            row.outcome = RowOutcome.ERROR
        return row

    # ------------------------------------------------------------------ against the database

    def resolve_chunk(self, rows: Sequence[Checked], *, created: dict[str, int] | None = None) -> list[int]:
        """Match a chunk's valid rows to existing clients and relationships (by identity code, team and
        start date) and set each row's outcome. Returns the ids of the clients found, for the access log.
        `created` maps codes of clients created earlier in the same chunk (commit) to their ids."""
        valid = [r for r in rows if r.outcome != RowOutcome.ERROR]
        if not valid:
            return []
        codes = {r.code for r in valid}
        clients = dict(Client.objects.filter(identity_code__in=codes).values_list("identity_code", "pk"))
        if created:
            clients.update({c: i for c, i in created.items() if c in codes})
        episodes: dict[tuple[int, int], list[tuple[str, datetime.date]]] = {}
        if clients:
            team_ids = {r.team.pk for r in valid if r.team is not None}
            query = Episode.objects.filter(Q(client_id__in=clients.values()), Q(team_id__in=team_ids))
            for client_id, team_id, status, opened_at in query.values_list(
                "client_id", "team_id", "status", "opened_at"
            ):
                episodes.setdefault((client_id, team_id), []).append((status, timezone.localdate(opened_at)))
        for row in valid:
            assert row.team is not None and row.start_on is not None
            row.client_id = clients.get(row.code)
            if row.client_id is None:
                row.outcome = RowOutcome.NEW_CLIENT
                continue
            found = episodes.get((row.client_id, row.team.pk), [])
            if any(opened == row.start_on for _status, opened in found):
                row.outcome = RowOutcome.ALREADY_IMPORTED
            elif any(status == EpisodeStatus.OPEN for status, _opened in found):
                started = next(opened for status, opened in found if status == EpisodeStatus.OPEN)
                row.messages.append(
                    _("The client already has an open client relationship with this team, started %(date)s.")
                    % {"date": format_date(started)}
                )
                row.outcome = RowOutcome.ERROR
            else:
                row.outcome = RowOutcome.NEW_RELATIONSHIP
        return sorted(set(clients.values()))
