import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render(client, nurse, episode):
    client.force_login(nurse)
    for url in [
        reverse("cases:caseload"),
        reverse("cases:board"),
        reverse("cases:intake"),
        reverse("cases:intake_new"),
        reverse("cases:detail", args=[episode.pk]),
        reverse("cases:team", args=[episode.pk]),
        reverse("cases:close", args=[episode.pk]),
        reverse("plans:edit", args=[episode.pk]),
        reverse("meetings:create", args=[episode.pk]),
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
