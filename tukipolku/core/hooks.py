"""What core plugs in at start-up: the URL converters (`<id:...>`), the deploy checks of a shared cache,
the site address and the accessibility feedback address (core/checks.py), the receivers that keep
sessions in step with users' access (core/signals.py) and the one that counts an authenticator's
activation code as used (core/auth.py)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.core.checks import Tags
from django.core.checks import register as register_check
from django.db.models.signals import post_delete, post_save

from tukipolku.core import auth, checks, converters, signals
from tukipolku.core.models import TeamMembership, User


def register() -> None:
    converters.register()
    register_check(checks.shared_cache, Tags.caches, deploy=True)
    register_check(checks.site_url, deploy=True)
    register_check(checks.accessibility_feedback, deploy=True)
    user_logged_in.connect(signals.remember_login_time, dispatch_uid="tukipolku.core.login_at")
    post_save.connect(
        auth.record_activation_step, sender=Authenticator, dispatch_uid="tukipolku.core.totp_activation_step"
    )
    post_save.connect(signals.end_sessions_of_deactivated_user, sender=User, dispatch_uid="tukipolku.core.user_saved")
    post_save.connect(
        signals.end_sessions_when_membership_ends, sender=TeamMembership, dispatch_uid="tukipolku.core.membership_saved"
    )
    post_delete.connect(
        signals.end_sessions_when_membership_deleted,
        sender=TeamMembership,
        dispatch_uid="tukipolku.core.membership_deleted",
    )
