"""Referrals through the REST API (staff session): the team's sent referrals and a partner
organisation's received ones, with the same answers as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.api.tests.coordination.conftest import CLIENT_LAST, log_of
from tukipolku.audit.models import Disclosure
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals import services
from tukipolku.referrals.choices import ReferralKind

pytestmark = pytest.mark.django_db

REASON = "Työnhaun tuki ja palkkatuen selvittäminen (lähetteen syy)."


@pytest.fixture
def referral(nurse, episode, employment_org):
    return services.referral_send(
        actor=nurse,
        episode=episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        reason=REASON,
        categories=[DataCategory.SHARED_PLAN],
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        recipient_organisation=employment_org,
    )


def test_referral_list__team_member_reads_with_the_log_row(api, nurse, referral):
    api.force_login(nurse)

    response = api.get(f"/api/v1/episodes/{referral.episode_id}/referrals/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["id"], row["reason"], row["recipient"]["organisation"]) == (
        referral.pk,
        REASON,
        referral.recipient_organisation_id,
    )
    assert log_of(response).get().basis == AccessGround.TEAM


def test_referral_detail__has_the_status_history(api, nurse, referral):
    api.force_login(nurse)

    response = api.get(f"/api/v1/episodes/{referral.episode_id}/referrals/{referral.pk}/")

    assert response.status_code == 200
    assert [h["status"] for h in response.json()["history"]] == ["sent"]


@pytest.mark.parametrize(("who", "status"), [("partner", 403), ("admin_user", 403), ("outsider", 404)])
def test_referral_detail__refused_like_the_page(api, request, who, status, referral):
    api.force_login(request.getfixturevalue(who))

    response = api.get(f"/api/v1/episodes/{referral.episode_id}/referrals/{referral.pk}/")

    assert response.status_code == status
    assert REASON not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


def test_received_list__recipient_partner_reads_and_it_is_disclosed(api, partner, referral):
    api.force_login(partner)

    response = api.get("/api/v1/referrals/received/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["id"], row["reason"], row["client_name"].split()[0]) == (referral.pk, REASON, CLIENT_LAST)
    assert log_of(response).filter(basis=AccessGround.REFERRAL_RECIPIENT).exists()
    assert Disclosure.objects.filter(request_id=response["X-Request-ID"]).exists()


def test_received_detail__another_organisations_partner_gets_404(api, kela_partner, referral):
    api.force_login(kela_partner)

    response = api.get(f"/api/v1/referrals/received/{referral.pk}/")

    assert response.status_code == 404
    assert REASON not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


def test_received_list__a_team_professional_is_refused_403(api, nurse, referral):
    api.force_login(nurse)

    response = api.get("/api/v1/referrals/received/")

    assert response.status_code == 403
