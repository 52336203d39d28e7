from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from allauth.socialaccount.models import SocialApp
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from oauth2_provider import views as oauth2_views

from tukipolku.core.accessibility import AccessibilityStatementView
from tukipolku.core.views import HomeView, language_set, not_found

# A database that cannot be reached answers 503 with Retry-After, anything else the plain 500 page.
handler500 = "tukipolku.core.unavailable.server_error"

# The administration logs in through the same page, throttling and two-factor step (ADR 0007).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
# Identity providers are configured by environment variables only, never in the administration.
if admin.site.is_registered(SocialApp):
    admin.site.unregister(SocialApp)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("i18n/setlang/", login_not_required(language_set), name="set_language"),
    # The accessibility statement (public): in the user's language, and at a Finnish and a Swedish address.
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("saavutettavuusseloste/", AccessibilityStatementView.as_view(language="fi"), name="accessibility_fi"),
    path("tillganglighetsutlatande/", AccessibilityStatementView.as_view(language="sv"), name="accessibility_sv"),
    path("admin/", admin.site.urls),
    # allauth's own login address leads to ours. Users do not manage their e-mail addresses (they link
    # identity-provider logins to users) nor reset passwords by e-mail: administrators do.
    path(
        "accounts/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
        name="account_login",
    ),
    path("accounts/email/", not_found),
    re_path(r"^accounts/password/reset/", not_found),  # administrators set passwords (ADR 0007)
    path("accounts/3rdparty/", not_found),  # identity-provider accounts are linked at login only
    path("accounts/", include("allauth.urls")),
    path("", include("tukipolku.cases.urls")),
    path("", include("tukipolku.plans.urls")),
    path("", include("tukipolku.meetings.urls")),
    path("", include("tukipolku.entries.urls")),
    path("", include("tukipolku.intake.urls")),
    path("", include("tukipolku.referrals.urls")),
    path("", include("tukipolku.handovers.urls")),
    path("", include("tukipolku.sweep.urls")),
    path("", include("tukipolku.imports.urls")),
    path("oversight/", include("tukipolku.oversight.urls")),
    # The REST API (ADR 0015, docs/api.md) and the OAuth 2.0 endpoints of its system clients: the token
    # (client credentials), its revocation and introspection. The API authenticates every call itself.
    path("api/v1/", include("tukipolku.api.urls")),
    # FHIR bulk export ($export, its status and files; Group = a team) before the FHIR facade's own URLs.
    path("fhir/", include("tukipolku.bulkexport.urls")),
    path("o/token/", login_not_required(oauth2_views.TokenView.as_view()), name="oauth2_token"),
    path("o/revoke_token/", login_not_required(oauth2_views.RevokeTokenView.as_view()), name="oauth2_revoke_token"),
    # The FHIR R4 facade (docs/fhir.md): authenticated like the API, every read through the access policy.
    path("fhir/", include("tukipolku.fhir.urls")),
]
