"""Every oversight URL: the data protection officer gets in; a team nurse, partner staff and a
superuser (even in the reviewers' group) get 403 and a denied row in the access log; anonymous
visitors are sent to the login page (STYLE.md §7 permission matrix)."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from tukipolku.audit.choices import AccessOutcome
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.oversight.tests.helpers import browser_as

pytestmark = pytest.mark.django_db


def _urls(emergency, grant):
    """(method, url, data) for every oversight URL."""
    return [
        ("get", reverse("oversight:review"), None),
        ("post", reverse("oversight:review_emergency", args=[emergency.pk]), {"e-outcome": "appropriate"}),
        ("post", reverse("oversight:review_grant", args=[grant.pk]), {"g-outcome": "appropriate"}),
        ("get", reverse("oversight:log"), None),
        ("post", reverse("oversight:log"), {"identity_code": "010190-900A"}),
        ("get", reverse("oversight:report"), None),
        ("post", reverse("oversight:report"), {"identity_code": "010190-900A"}),
        ("post", reverse("oversight:report_period"), {"since": "1.1.2024", "until": "2.1.2024"}),
        ("post", reverse("oversight:report_clear"), {}),
        ("post", reverse("oversight:report_print"), {}),
        ("post", reverse("oversight:report_export"), {}),
    ]


def _oversight_url_names():
    for resolver in get_resolver().url_patterns:
        if getattr(resolver, "namespace", None) == "oversight":
            return {p.name for p in resolver.url_patterns if isinstance(p, URLPattern)}
    return set()


def test_matrix__covers_every_oversight_url(emergency, grant):
    covered = {url for _method, url, _data in _urls(emergency, grant)}
    names = _oversight_url_names()
    assert len(names) == 9
    for name in names:
        kwargs = {"review_emergency": {"pk": emergency.pk}, "review_grant": {"pk": grant.pk}}.get(name, {})
        assert reverse(f"oversight:{name}", kwargs=kwargs) in covered, name


def _call(c, method, url, data):
    return c.get(url) if method == "get" else c.post(url, data)


def test_matrix__reviewer_is_let_in_everywhere(reviewer, emergency, grant):
    c = browser_as(reviewer)
    for method, url, data in _urls(emergency, grant):
        response = _call(c, method, url, data)
        assert response.status_code in (200, 204, 302, 400), (method, url, response.status_code)
        assert response.status_code != 403


@pytest.mark.parametrize("who", ["nurse", "partner", "superuser_with_permission"])
def test_matrix__other_users_get_403_and_a_denied_row(request, who, emergency, grant):
    user = request.getfixturevalue(who)
    c = browser_as(user)
    for method, url, data in _urls(emergency, grant):
        response = _call(c, method, url, data)
        assert response.status_code == 403, (who, method, url, response.status_code)
    denied = PersonalDataAccess.objects.filter(user=user, outcome=AccessOutcome.DENIED, reason="not_a_reviewer")
    assert denied.count() == len(_urls(emergency, grant))
    emergency.refresh_from_db()
    grant.refresh_from_db()
    assert emergency.reviewed_at is None and grant.reviewed_at is None


def test_matrix__anonymous_is_sent_to_login(emergency, grant):
    c = browser_as()
    for method, url, data in _urls(emergency, grant):
        response = _call(c, method, url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login")), (method, url)
    emergency.refresh_from_db()
    assert emergency.reviewed_at is None


def test_matrix__unknown_review_item_is_404(reviewer):
    c = browser_as(reviewer)
    assert (
        c.post(reverse("oversight:review_emergency", args=[999999]), {"e999999-outcome": "appropriate"}).status_code
        == 404
    )
    assert (
        c.post(reverse("oversight:review_grant", args=[999999]), {"g999999-outcome": "appropriate"}).status_code == 404
    )


def test_home__sends_the_reviewer_to_the_review_queue(reviewer):
    response = browser_as(reviewer).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:review")


def test_navigation__reviewer_sees_the_oversight_links_others_do_not(reviewer, nurse):
    body = browser_as(reviewer).get(reverse("oversight:review")).content.decode()
    for url in (reverse("oversight:review"), reverse("oversight:log"), reverse("oversight:report")):
        assert f'href="{url}"' in body
    nurse_page = browser_as(nurse).get(reverse("cases:caseload")).content.decode()
    assert reverse("oversight:log") not in nurse_page
