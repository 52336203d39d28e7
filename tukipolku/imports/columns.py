"""The columns an import understands, their headings in the template, and the guess of which of a
team's own columns is which (headings in Finnish, Swedish or English, in any case and spacing)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # the stubs' name for a lazy translation


@dataclass(frozen=True)
class Column:
    """One thing a row can say. `aliases` are headings seen in teams' own sheets (normalised)."""

    key: str
    label: _StrPromise
    required: bool
    help: _StrPromise
    aliases: tuple[str, ...]
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "identity_code",
        _("Identity code"),
        True,
        _("Finnish personal identity code, such as 010190-900P. Matches an existing client."),
        (
            "hetu",
            "henkilotunnus",
            "henkilotunnus hetu",
            "sotu",
            "personbeteckning",
            "personnummer",
            "identity code",
            "personal identity code",
            "ssn",
            "pic",
            "id code",
        ),
        "010190-900P",
    ),
    Column(
        "last_name",
        _("Last name"),
        True,
        _("For a new client. An existing client's names are not changed."),
        ("sukunimi", "efternamn", "last name", "surname", "family name"),
        "Virtanen",
    ),
    Column(
        "first_names",
        _("First names"),
        True,
        _("For a new client."),
        ("etunimet", "etunimi", "fornamn", "förnamn", "first names", "first name", "given names"),
        "Aino Maria",
    ),
    Column(
        "team",
        _("Team"),
        False,
        _("The team's name as in Tukipolku. Empty: the team chosen at upload."),
        ("tiimi", "tyokykytiimi", "team", "tiimin nimi"),
        "",
    ),
    Column(
        "start_date",
        _("Start date"),
        True,
        _(
            "When the client relationship began and the client agreed to it (d.m.yyyy or yyyy-mm-dd). "
            "Not in the future."
        ),
        (
            "alkupaiva",
            "aloituspaiva",
            "asiakkuus alkoi",
            "alkanut",
            "startdatum",
            "borjade",
            "start date",
            "started",
            "start",
            "opened",
        ),
        "15.1.2026",
    ),
    Column(
        "municipality",
        _("Municipality"),
        False,
        _("Municipality of residence, for a new client."),
        ("kunta", "kotikunta", "asuinkunta", "kommun", "hemkommun", "municipality"),
        "Pori",
    ),
    Column(
        "language",
        _("Language of service"),
        False,
        _("fi, sv or en (or the language's name). Empty: Finnish."),
        ("kieli", "asiointikieli", "sprak", "språk", "language"),
        "fi",
    ),
    Column(
        "phone",
        _("Phone"),
        False,
        _("For a new client."),
        ("puhelin", "puhelinnumero", "puh", "telefon", "phone", "telephone"),
        "040 123 4567",
    ),
    Column(
        "email",
        _("E-mail"),
        False,
        _("For a new client."),
        ("sahkoposti", "sposti", "e-post", "epost", "email", "e-mail"),
        "",
    ),
    Column(
        "contact_person",
        _("Contact person"),
        False,
        _("User name or e-mail address of a professional of the team. Empty: named later in Tukipolku."),
        (
            "vastuutyontekija",
            "yhteyshenkilo",
            "omatyontekija",
            "kontaktperson",
            "ansvarig",
            "contact person",
            "contact",
            "worker",
        ),
        "",
    ),
    Column(
        "pathway",
        _("Pathway"),
        False,
        _("The operating model's code or name. Empty: the team's usual pathway."),
        ("polku", "palvelupolku", "toimintamalli", "servicestig", "verksamhetsmodell", "pathway"),
        "",
    ),
    Column(
        "source",
        _("Where the need was noticed"),
        False,
        _("One of the choices of a new client relationship, by name. Empty: Other."),
        ("lahde", "tunnistettu", "mista", "kalla", "källa", "source", "referral source"),
        "",
    ),
    Column(
        "special_situation",
        _("Special situation"),
        False,
        _("One or more of the special situations, by name, separated by a vertical bar (|)."),
        ("erityistilanne", "erityistilanteet", "tilanne", "sarskild situation", "special situation", "situation"),
        "",
    ),
    Column(
        "need",
        _("Description of the need"),
        False,
        _("Empty: “Imported from a spreadsheet”."),
        ("tarve", "tuen tarve", "kuvaus", "behov", "need", "description"),
        "",
    ),
    Column(
        "consent_method",
        _("How the client agreed"),
        False,
        _("In writing, orally or digitally (by name). Empty: orally."),
        ("suostumus", "suostumustapa", "samtycke", "consent", "consent method"),
        "",
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)


def normalise_heading(text: object) -> str:
    """Lower case, accents off, punctuation and repeated spaces folded: 'Henkilötunnus (HETU)' →
    'henkilotunnus hetu'."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _heading_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    from django.utils import translation

    for column in COLUMNS:
        for alias in column.aliases:
            keys.setdefault(normalise_heading(alias), column.key)
        keys.setdefault(normalise_heading(column.key), column.key)
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                keys.setdefault(normalise_heading(str(column.label)), column.key)
    return keys


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Which column (by index) holds each field, guessed from the headings; the first match wins."""
    keys = _heading_keys()
    mapping: dict[str, int] = {}
    for index, heading in enumerate(headers):
        key = keys.get(normalise_heading(heading))
        if key is not None and key not in mapping:
            mapping[key] = index
    return mapping
