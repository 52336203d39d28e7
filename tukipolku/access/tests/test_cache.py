"""The policy's answers are remembered for one request (or job) only, in a context variable, never on
the user object; a change within the request clears them (access/cache.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tukipolku.access import cache, policy
from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for


@pytest.fixture
def partner(nurse, episode):
    organisation = OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)
    user = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=organisation)
    case_services.case_member_add(actor=nurse, episode=episode, user=user)
    return user


@pytest.fixture
def consent(partner, nurse, episode):
    return consent_for(
        episode, nurse, [DataCategory.SHARED_PLAN], recipient=partner.organisation, purpose=Purpose.EMPLOYMENT
    )


def test_cache__middleware_sits_right_after_the_access_log():
    middleware = settings.MIDDLEWARE
    log = middleware.index("tukipolku.audit.middleware.AccessLogMiddleware")
    assert middleware[log + 1] == "tukipolku.access.cache.AccessCacheMiddleware"


@pytest.mark.django_db
def test_cache__a_consent_withdrawn_within_one_request_is_seen(rf: RequestFactory, partner, nurse, episode, consent):
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(policy.can_view_episode(actor=partner, episode=episode))
        privacy_services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk)
        seen.append(policy.can_view_episode(actor=partner, episode=episode))
        return HttpResponse()

    cache.AccessCacheMiddleware(view)(rf.get("/"))

    assert seen == [True, False]


@pytest.mark.django_db
def test_cache__a_member_removed_within_one_job_is_seen(partner, nurse, episode, consent):
    with cache.scope():
        assert policy.can_view_episode(actor=partner, episode=episode)
        member = episode.members.get(user=partner, removed_at__isnull=True)
        case_services.case_member_remove(actor=nurse, episode=episode, member=member)
        assert not policy.can_view_episode(actor=partner, episode=episode)


@pytest.mark.django_db
def test_cache__within_a_scope_the_second_question_reads_nothing(django_assert_num_queries, nurse, episode):
    with cache.scope():
        assert policy.can_view_episode(actor=nurse, episode=episode)
        with django_assert_num_queries(0):
            assert policy.can_change_episode(actor=nurse, episode=episode)
            assert policy.active_team_ids(nurse)


@pytest.mark.django_db
def test_cache__nothing_is_kept_on_the_user_or_after_the_scope(nurse, episode):
    before = set(vars(nurse))
    with cache.scope():
        assert policy.can_view_episode(actor=nurse, episode=episode)
        assert cache.active()
    assert set(vars(nurse)) == before  # nothing stored on the user object
    assert not cache.active()
    # Outside a scope every question reads the current rows: an ended membership is seen at once.
    nurse.memberships.update(ended_on="2000-01-01")
    assert not policy.can_view_episode(actor=nurse, episode=episode)


@pytest.mark.django_db
def test_cache__scopes_do_not_share_answers(nurse, episode):
    with cache.scope():
        assert policy.can_view_episode(actor=nurse, episode=episode)
        nurse.memberships.update(ended_on="2000-01-01")
        assert policy.can_view_episode(actor=nurse, episode=episode)  # remembered within the request
    with cache.scope():
        assert not policy.can_view_episode(actor=nurse, episode=episode)  # the next request reads anew
