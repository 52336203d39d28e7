"""The consent part of both intake forms through the test client: defaults that need no clicks, a consent
row that shows on the consents page and lets the referral page offer the shared plan, errors next to the
field with the input kept, the help box that follows the choice without JavaScript, risk factors on the
direct intake, and who may post (allowed and denied)."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tukipolku.cases.models import Episode
from tukipolku.cases.tests.test_views import episode_fields, field_errors, input_value, new_client_fields
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import partner_user
from tukipolku.intake.tests.test_views import _form as need_form
from tukipolku.privacy.models import Consent

pytestmark = pytest.mark.django_db

EMPLOYMENT = OrganisationKind.EMPLOYMENT_SERVICES
TEAM_ONLY = "the agreement covers the team's shared work only"
PARTNERS = "the agreement is also a consent to share"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Testikaupungin työllisyyspalvelut", kind=EMPLOYMENT)


def box_hidden(body, scope):
    tag = re.search(rf'<div data-scope="{scope}"[^>]*>', body)
    assert tag is not None, scope
    return "hidden" in tag.group(0)


def checked(body, name, value):
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="{re.escape(value)}"[^>]*>', body)
    assert tag is not None, (name, value)
    return "checked" in tag.group(0)


def sharing_defaults(prefix="ep-"):
    """What a browser sends of the consent part when the user leaves the defaults as they are."""
    until = timezone.localdate() + relativedelta(months=12)
    return {
        f"{prefix}share_categories": ["shared_plan"],
        f"{prefix}share_purpose": "work_ability",
        f"{prefix}share_until": f"{until.day}.{until.month}.{until.year}",
    }


def new_client_post(team, pathway, **episode):
    return {
        **new_client_fields(ClientFactory.build().identity_code),
        **episode_fields(team, pathway, **{**sharing_defaults(), **episode}),
    }


# ---------------------------------------------------------------- the team's direct intake


def test_direct_intake_form__defaults_need_no_clicks_and_say_what_the_agreement_covers(client, nurse, team):
    client.force_login(nurse)

    body = client.get(reverse("cases:intake_new")).content.decode()

    assert not checked(body, "ep-share_with", EMPLOYMENT)  # nothing is consented on the client's behalf
    assert checked(body, "ep-share_categories", "shared_plan")
    assert re.search(r'<option value="work_ability" selected>', body)
    until = timezone.localdate() + relativedelta(months=12)
    assert input_value(body, "ep-share_until") == f"{until.day}.{until.month}.{until.year}"
    assert TEAM_ONLY in body and not box_hidden(body, "team") and box_hidden(body, "partners")
    assert "Risk factors" in body and 'name="ep-risk_factors"' in body


def test_direct_intake__consent_to_employment_services_shows_on_the_consents_page_and_the_referral_page(
    client, nurse, team, satakunta, employment_org
):
    client.force_login(nurse)

    response = client.post(
        reverse("cases:intake_new"),
        new_client_post(team, satakunta, **{"ep-share_with": [EMPLOYMENT], "ep-risk_factors": ["chronic_illness"]}),
    )

    assert response.status_code == 302
    episode = Episode.objects.get()
    (consent,) = Consent.objects.filter(client=episode.client)
    assert (consent.recipient_kind, consent.categories) == (EMPLOYMENT, ["shared_plan"])
    assert consent.valid_until == timezone.localdate() + relativedelta(months=12)
    assert episode.risk_factors == ["chronic_illness"]
    consents = client.get(reverse("cases:consents", args=[episode.pk])).content.decode()
    in_force = consents.split('id="in-force-h"')[1].split("</section>")[0]
    assert "Municipal employment services" in in_force and "Shared plan and coordination" in in_force
    case_page = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert "Chronic illness" in case_page
    referral = client.get(
        reverse("referrals:create", args=[episode.pk]), {"recipient_organisation": employment_org.pk}
    ).content.decode()
    shared_plan = re.search(r'<input type="checkbox" name="categories" value="shared_plan"[^>]*>', referral)
    assert shared_plan is not None and "disabled" not in shared_plan.group(0)


def test_direct_intake__without_partners_no_consent_and_the_referral_page_says_no_consent(
    client, nurse, team, satakunta, employment_org
):
    client.force_login(nurse)

    assert client.post(reverse("cases:intake_new"), new_client_post(team, satakunta)).status_code == 302

    episode = Episode.objects.get()
    assert not Consent.objects.exists()
    referral = client.get(
        reverse("referrals:create", args=[episode.pk]), {"recipient_organisation": employment_org.pk}
    ).content.decode()
    shared_plan = re.search(r'<input type="checkbox" name="categories" value="shared_plan"[^>]*>', referral)
    assert shared_plan is not None and "disabled" in shared_plan.group(0)
    assert "no consent" in referral


def test_direct_intake__no_category_is_an_error_next_to_the_field_with_the_input_kept(client, nurse, team, satakunta):
    client.force_login(nurse)
    data = new_client_post(team, satakunta, **{"ep-share_with": [EMPLOYMENT, "kela"], "ep-share_categories": []})

    response = client.post(reverse("cases:intake_new"), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose at least one data category." in field_errors(body, "id_ep-share_categories")
    assert checked(body, "ep-share_with", EMPLOYMENT) and checked(body, "ep-share_with", "kela")
    assert not checked(body, "ep-share_categories", "shared_plan")  # what was sent, not the default
    assert box_hidden(body, "team") and not box_hidden(body, "partners")
    assert input_value(body, "cl-last_name") == "Testinen"
    assert not Client.objects.exists() and not Consent.objects.exists()


def test_direct_intake__an_end_date_in_the_past_is_an_error_next_to_the_field(client, nurse, team, satakunta):
    client.force_login(nurse)
    data = new_client_post(team, satakunta, **{"ep-share_with": [EMPLOYMENT], "ep-share_until": "1.1.2020"})

    response = client.post(reverse("cases:intake_new"), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "The consent cannot end in the past." in field_errors(body, "id_ep-share_until")
    assert input_value(body, "ep-share_until") == "1.1.2020"
    assert not Episode.objects.exists() and not Consent.objects.exists()


def test_direct_intake__a_past_end_date_without_partners_is_not_in_the_way(client, nurse, team, satakunta):
    client.force_login(nurse)
    data = new_client_post(team, satakunta, **{"ep-share_until": "1.1.2020", "ep-share_categories": []})

    assert client.post(reverse("cases:intake_new"), data).status_code == 302
    assert not Consent.objects.exists()


def test_episode_open__existing_client_gets_the_consent_too(client, nurse, team, satakunta):
    other = ClientFactory()
    client.force_login(nurse)
    session = client.session
    session["identity_lookups"] = [other.pk]
    session.save()

    response = client.post(
        reverse("cases:episode_open", args=[other.pk]),
        episode_fields(
            team, satakunta, **{**sharing_defaults(), "ep-share_with": ["kela"], "ep-share_purpose": "benefits"}
        ),
    )

    assert response.status_code == 302
    (consent,) = Consent.objects.filter(client=other)
    assert (consent.recipient_kind, consent.purpose) == ("kela", "benefits")


def test_direct_intake__partner_staff_are_refused_and_nothing_is_recorded(client, team, satakunta, employment_org):
    partner = partner_user(organisation=employment_org)
    client.force_login(partner)

    response = client.post(
        reverse("cases:intake_new"), new_client_post(team, satakunta, **{"ep-share_with": [EMPLOYMENT]})
    )

    assert response.status_code == 403
    assert not Consent.objects.exists() and not Client.objects.exists()


def test_direct_intake__another_teams_member_cannot_open_in_this_team(client, outsider, team, satakunta):
    client.force_login(outsider)

    response = client.post(
        reverse("cases:intake_new"), new_client_post(team, satakunta, **{"ep-share_with": [EMPLOYMENT]})
    )

    assert response.status_code == 400
    assert not Consent.objects.exists() and not Episode.objects.exists()


# ---------------------------------------------------------------- the notification of need


def test_need_form__the_senders_own_kind_is_offered_ticked(client, team, employment_org):
    client.force_login(partner_user(organisation=employment_org))

    body = client.get(reverse("intake:send")).content.decode()

    assert checked(body, "share_with", EMPLOYMENT) and not checked(body, "share_with", "kela")
    assert box_hidden(body, "team") and not box_hidden(body, "partners") and PARTNERS in body


def test_need_form__a_team_professional_gets_nothing_ticked(client, nurse, team):
    client.force_login(nurse)

    body = client.get(reverse("intake:send")).content.decode()

    assert not checked(body, "share_with", EMPLOYMENT)
    assert not box_hidden(body, "team")


def test_need_send__records_the_consent_and_keeps_input_on_error(client, team, nurse, employment_org):
    client.force_login(partner_user(organisation=employment_org))

    bad = client.post(
        reverse("intake:send"), need_form(team, share_with=[EMPLOYMENT], share_until="1.1.2020", last_name="Väärä")
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "The consent cannot end in the past." in field_errors(body, "id_share_until")
    assert input_value(body, "last_name") == "Väärä" and checked(body, "share_with", EMPLOYMENT)
    assert not NeedNotification.objects.exists() and not Consent.objects.exists()

    good = client.post(reverse("intake:send"), need_form(team, share_with=[EMPLOYMENT], **sharing_defaults("")))
    assert good.status_code == 302
    need = NeedNotification.objects.get()
    (consent,) = Consent.objects.filter(client=need.client)
    assert consent.recipient_kind == EMPLOYMENT and consent.valid_from == need.consent_on
    # The receiving team sees it before deciding.
    client.force_login(nurse)
    detail = client.get(reverse("intake:detail", args=[need.pk])).content.decode()
    assert "Also consented to sharing with" in detail and "Municipal employment services" in detail


def test_need_send__refused_user_records_no_consent(client, admin_user, team):
    client.force_login(admin_user)

    response = client.post(reverse("intake:send"), need_form(team, share_with=[EMPLOYMENT]))

    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_need_send__a_consent_date_in_the_future_stops_the_consent_too(client, team, employment_org):
    client.force_login(partner_user(organisation=employment_org))
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d.%m.%Y")

    response = client.post(reverse("intake:send"), need_form(team, share_with=[EMPLOYMENT], consent_on=future))

    assert response.status_code == 400
    assert not Consent.objects.exists()
