"""The one vocabulary of access grounds: every ground a log writer stores has a label in every language."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.utils import translation

from tukipolku.access.choices import AccessGround, ground_label

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_ground_label__stored_values_are_unchanged():
    # Rows written before the vocabulary existed keep their meaning: the values are the old codes.
    assert set(AccessGround.values) == {
        "team_membership",
        "case_team_membership",
        "own_register",
        "identity_code_lookup",
        "emergency_access",
        "partner_consent",
        "consent",
        "legal_basis",
        "system_client_consent",
        "data_protection_review",
        "intake_sender",
        "intake_team",
        "handover_sender",
        "handover_receiving_team",
        "referral_recipient",
        "none",
    }


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_ground_label__every_ground_is_translated(language):
    with translation.override(language):
        for ground in AccessGround:
            with translation.override("en"):
                english = ground_label(ground)
            assert ground_label(ground) != english, (language, ground)


def test_ground_label__unknown_value_is_shown_as_stored():
    assert ground_label("some_later_ground") == "some_later_ground"


def test_access_ground__no_ground_is_written_as_a_bare_string_or_another_constant():
    # Log writers name grounds through AccessGround only: no BASIS_* constants, no basis="..." literals.
    offenders = []
    for path in (ROOT / "tukipolku").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^BASIS_[A-Z_]+ = ", text, re.M) or re.search(r"\bbasis=\"", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
