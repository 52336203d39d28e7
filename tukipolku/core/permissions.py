"""Role → capability mapping, declared once (STYLE.md §3). Deny by default.

Object-level checks (may this user see this client?) live in `tukipolku/access/policy.py`, the access policy.
"""

from __future__ import annotations

from typing import Any

from tukipolku.core.choices import Profession

TEAM_PROFESSIONS: frozenset[str] = frozenset(
    {
        Profession.PUBLIC_HEALTH_NURSE,
        Profession.PHYSICIAN,
        Profession.SOCIAL_WORKER,
        Profession.SOCIAL_INSTRUCTOR,
        Profession.NURSE,
        Profession.PHYSIOTHERAPIST,
        Profession.PSYCHOLOGIST,
        Profession.REHABILITATION_COUNSELLOR,
        Profession.WORK_ABILITY_COORDINATOR,
        Profession.CASE_COORDINATOR,
        Profession.JOB_COACH,
        Profession.TEAM_MANAGER,
    }
)
"""Professions that work with clients inside a work ability support team."""

HEALTH_PROFESSIONS: frozenset[str] = frozenset(
    {
        Profession.PUBLIC_HEALTH_NURSE,
        Profession.PHYSICIAN,
        Profession.NURSE,
        Profession.PHYSIOTHERAPIST,
        Profession.PSYCHOLOGIST,
    }
)
"""Health-care professionals: their own entries default to the health register."""

SOCIAL_PROFESSIONS: frozenset[str] = frozenset({Profession.SOCIAL_WORKER, Profession.SOCIAL_INSTRUCTOR})
"""Social-care professionals: their own entries default to the social-care register."""

PARTNER_PROFESSIONS: frozenset[str] = frozenset(
    {
        Profession.EMPLOYMENT_COORDINATOR,
        Profession.KELA_EXPERT,
        Profession.OCCUPATIONAL_HEALTH,
        Profession.STUDENT_HEALTH,
    }
)
"""Partner staff: they see a client only when added to the client's team or a meeting, and then only
what the client's consents allow for their organisation."""


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_work_with_clients(user: Any) -> bool:
    """Team professionals may read and record client data of their own teams' episodes."""
    return _active(user) and user.profession in TEAM_PROFESSIONS


def can_administer(user: Any) -> bool:
    """Administrators configure organisations, teams, users and pathways. They see no client data."""
    return _active(user) and user.is_staff and user.profession == Profession.ADMINISTRATOR


def is_partner(user: Any) -> bool:
    """Staff of a partner organisation (employment services, Kela, occupational or student health)."""
    return _active(user) and user.profession in PARTNER_PROFESSIONS


def can_review_access(user: Any) -> bool:
    """The data protection officer and auditors: access and disclosure logs, exceptional accesses."""
    # Explicitly granted (a group in the admin): a superuser's blanket permissions do not count.
    return _active(user) and not user.is_superuser and user.has_perm("audit.review_access_log")


def can_share_on_legal_basis(user: Any) -> bool:
    """Authorised professionals may share data without consent on a documented legal basis."""
    return can_work_with_clients(user) and not user.is_superuser and user.has_perm("privacy.add_legalbasisgrant")
