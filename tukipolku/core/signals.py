"""Receivers that keep sessions in step with users' access (connected by `core.hooks.register()`).

Model signals rather than admin hooks: they also catch the team page's membership inlines, deletes
cascading from a team or user, and changes made in the shell or by later services.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from tukipolku.core import services
from tukipolku.core.middleware import LOGIN_AT_KEY
from tukipolku.core.models import TeamMembership, User


def remember_login_time(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """The absolute session lifetime counts from here (`SessionRefreshMiddleware`)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LOGIN_AT_KEY] = int(time.time())


def end_sessions_of_deactivated_user(sender: Any, instance: User, **kwargs: Any) -> None:
    if not instance.is_active:
        services.user_sessions_end(user_id=instance.pk)


def end_sessions_when_membership_ends(sender: Any, instance: TeamMembership, **kwargs: Any) -> None:
    if instance.ended_on is not None and instance.ended_on <= timezone.localdate():
        services.user_sessions_end_if_no_team(user_id=instance.user_id)


def end_sessions_when_membership_deleted(sender: Any, instance: TeamMembership, **kwargs: Any) -> None:
    services.user_sessions_end_if_no_team(user_id=instance.user_id)
