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

from tukipolku.core.models import User

Actor: TypeAlias = User | AnonymousUser
"""A user (`request.user`), signed in or not."""

__all__ = ["Actor", "AnonymousUser", "User"]
