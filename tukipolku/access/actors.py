"""Who asks: the type of an actor, the person on whose behalf a service changes or a selector reads.

An actor is a user of the installation (`core.User`: a team professional, partner staff, the data
protection officer, an administrator) or, where a page is reached before signing in, Django's
`AnonymousUser`. The access policy answers every question about an anonymous visitor with "no";
services are only reached after a view's capability check, so their actor is a signed-in user in
practice, but the type says what a view can hand over (`request.user`).

The kinds of reader the policy tells apart (professional, partner, DPO, client, system client) are
in `readers.py`; this module only names the type.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from tukipolku.core.models import User

Actor: TypeAlias = User | AnonymousUser
"""A user (`request.user`), signed in or not."""


def signed_in(actor: Actor) -> User:
    """The actor as a signed-in user, for a service or selector that records who acted or filters by
    them. Views reach these only after their capability check; an anonymous actor here is a bug, and
    is refused (403) rather than written anywhere."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise PermissionDenied
    return actor


__all__ = ["Actor", "AnonymousUser", "User", "signed_in"]
