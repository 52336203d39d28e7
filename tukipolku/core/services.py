"""State changes of the actor plumbing: a user's sessions end when their access ends.

Sessions are known from allauth's `UserSession` rows (`allauth.usersessions`), written at every
login through allauth (the login page, two-factor step, identity provider, admin login).
"""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.db import transaction

from tukipolku.core.models import TeamMembership


@transaction.atomic
def user_sessions_end(*, user_id: int) -> int:
    """End every session of the user: their next request goes to the login page.

    Called when the user is deactivated or loses their last team membership; also the user's own
    "sign out other sessions" goes through allauth's equivalent. Returns the number of sessions ended.
    """
    ended = 0
    for user_session in UserSession.objects.filter(user_id=user_id):
        user_session.end()  # deletes the Django session and the row
        ended += 1
    return ended


def user_sessions_end_if_no_team(*, user_id: int) -> int:
    """After a team membership ended or was removed: a user left without an active membership in
    any team is logged out everywhere (their access to the team's clients has ended)."""
    if TeamMembership.objects.filter(user_id=user_id).active().exists():
        return 0
    return user_sessions_end(user_id=user_id)
