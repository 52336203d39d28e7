"""The accessibility statement (Act 306/2019): public, in Finnish, Swedish and English, linked from
every page's footer, with a feedback form that e-mails the configured address and stores nothing."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from tukipolku.core.checks import accessibility_feedback

ADDRESS = "saavutettavuus@tukipolku.example"


def feedback(**overrides):
    return {
        "message": "Valikon painike ei toimi ruudunlukijalla.",
        "page": "Omat asiakkaat",
        "reply_to": "",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "status_text"),
    [
        ("fi", "Saavutettavuusseloste", "WCAG"),
        ("sv", "Tillgänglighetsutlåtande", "WCAG"),
        ("en", "Accessibility statement", "partially meets level AA"),
    ],
)
def test_statement__public_in_three_languages(client, language, heading, status_text):
    response = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE=language)

    body = response.content.decode()
    assert response.status_code == 200  # no login
    assert f'<html lang="{language}">' in body
    assert f"<h1>{heading}</h1>" in body
    assert status_text in body and "306/2019" in body
    assert "saavutettavuusvaatimukset.fi" in body  # the supervising authority's site
    assert "6.12.2026" in body  # the date it was drawn up
    assert f"mailto:{ADDRESS}" in body


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "language"), [("accessibility_fi", "fi"), ("accessibility_sv", "sv")])
def test_statement__the_finnish_and_swedish_addresses_answer_in_their_language(client, name, language):
    body = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'<html lang="{language}">' in body


@pytest.mark.django_db
def test_footer__every_page_links_the_statement(client, nurse):
    link = f'href="{reverse("accessibility")}"'
    assert link in client.get(reverse("login")).content.decode()
    client.force_login(nurse)
    assert link in client.get(reverse("cases:caseload")).content.decode()


@pytest.mark.django_db
def test_feedback__is_mailed_to_the_configured_address_and_not_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("accessibility"), feedback(reply_to="kayttaja@example.fi"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [ADDRESS]
    assert message.reply_to == ["kayttaja@example.fi"]
    assert "Valikon painike ei toimi ruudunlukijalla." in message.body
    assert "Omat asiakkaat" in message.body
    assert "kayttaja@example.fi" not in caplog.text and "ruudunlukijalla" not in caplog.text
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Thank you. Your feedback has been sent" in page


@pytest.mark.django_db
def test_feedback__errors_next_to_the_fields_and_the_input_kept(client):
    response = client.post(
        reverse("accessibility"),
        feedback(message="", reply_to="ei-osoite", page="Tiimin taulu"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Write what did not work." in body
    assert "Enter an e-mail address such as name@example.fi." in body
    assert 'value="ei-osoite"' in body and 'value="Tiimin taulu"' in body
    assert mail.outbox == []


@pytest.mark.django_db
def test_feedback__too_long_a_message_is_refused_not_cut(client):
    response = client.post(reverse("accessibility"), feedback(message="x" * 4001), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_feedback__needs_the_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post(reverse("accessibility"), feedback()).status_code == 403
    assert mail.outbox == []


@pytest.mark.django_db
def test_feedback__five_an_hour_from_one_address(client):
    for _ in range(5):
        assert client.post(reverse("accessibility"), feedback()).status_code == 302

    refused = client.post(reverse("accessibility"), feedback(), HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    assert "Please try again in an hour." in refused.content.decode()
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_feedback__a_robot_filling_the_hidden_field_sends_nothing(client):
    assert client.post(reverse("accessibility"), feedback(website="http://spam.example")).status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_feedback__without_an_address_no_form_and_the_deploy_check_warns(client, settings):
    settings.TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL = ""

    body = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'name="message"' not in body
    assert [m.id for m in accessibility_feedback()] == ["tukipolku.W003"]
