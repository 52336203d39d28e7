"""The REST API's addresses, under /api/v1/ (config/urls.py). Resources register on the router."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tukipolku.api.problems import not_found_view
from tukipolku.api.resources.clients import ClientViewSet
from tukipolku.api.resources.episodes import EpisodeViewSet

app_name = "api"

router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("episodes", EpisodeViewSet, basename="episode")

urlpatterns = [
    # The schema and its documentation page describe the API, not client data: open to anyone.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    *router.urls,
    # Meetings, entries, referrals, handovers, notifications of need (docs/api-coordination.md).
    path("", include("tukipolku.api.v1.coordination_urls")),
    # Any other address under /api/v1/ (an id that is not a number, say): a problem-details 404.
    re_path(r"^.*$", login_not_required(not_found_view), name="not_found"),
]
