"""Test helpers: the reviewers' group, access- and disclosure-log rows at chosen times, browsers."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client as HttpClient

from tukipolku.audit import chain
from tukipolku.audit.choices import AccessAction, AccessOutcome, Agent
from tukipolku.audit.models import Disclosure, PersonalDataAccess


def reviewer_group() -> Group:
    group, _created = Group.objects.get_or_create(name="Tietosuoja")
    group.permissions.add(Permission.objects.get(content_type__app_label="audit", codename="review_access_log"))
    return group


def log_rows(
    user: Any,
    client_id: int | None,
    times: list[datetime.datetime],
    *,
    view: str = "cases:detail",
    resource: str = "case",
    action: str = AccessAction.VIEW,
    basis: str = "team_membership",
    outcome: str = AccessOutcome.ALLOWED,
    reason: str = "",
    flagged: bool = False,
) -> None:
    """Access-log rows at the given times, appended to the chain as the application does."""
    chain.append(
        PersonalDataAccess,
        [
            PersonalDataAccess(
                accessed_at=at,
                agent=Agent.USER,
                user=user,
                profession=user.profession if user is not None else "",
                organisation_id=user.organisation_id if user is not None else None,
                client_id=client_id,
                view=view,
                resource=resource,
                action=action,
                basis=basis,
                outcome=outcome,
                reason=reason,
                flagged=flagged,
            )
            for at in times
        ],
    )


def disclosure_rows(user: Any, client_id: int, times: list[datetime.datetime], **kw: Any) -> None:
    chain.append(
        Disclosure,
        [
            Disclosure(
                disclosed_at=at,
                user=user,
                client_id=client_id,
                view=kw.get("view", "cases:detail"),
                basis=kw.get("basis", "consent"),
                categories=kw.get("categories", ["shared_plan"]),
                controller_organisation_id=kw.get("controller_organisation_id"),
                recipient_organisation_id=kw.get("recipient_organisation_id"),
                recipient_user_id=kw.get("recipient_user_id"),
                consent_id=kw.get("consent_id"),
            )
            for at in times
        ],
    )


def browser_as(user: Any = None) -> HttpClient:
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        c.force_login(user)
    return c


def review_rows(user: Any) -> list[PersonalDataAccess]:
    """The access-log rows the oversight pages wrote for the user."""
    return list(PersonalDataAccess.objects.filter(user=user, basis="data_protection_review").order_by("pk"))
