"""The catalogues are complete and compiled, and pages switch language."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalogue__complete_and_compiled(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))}
    stale = [
        e.msgid for e in po.translated_entries() if not e.msgid_plural and mo.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert stale == [], "run `make messages` to compile the catalogues"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalogue__placeholders_kept(lang):
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\{ ?\w+ ?\}\}")
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    for e in po.translated_entries():
        targets = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
        for t in targets:
            assert sorted(pattern.findall(e.msgid)) == sorted(pattern.findall(t)) or e.msgid_plural, e.msgid


def test_language__finnish_is_default(client, nurse):
    client.force_login(nurse)
    page = client.get(reverse("cases:caseload")).content.decode()
    assert '<html lang="fi">' in page
    with translation.override("fi"):
        assert translation.gettext("My caseload") in page


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_language__switch(client, nurse, lang):
    client.force_login(nurse)
    client.post(reverse("set_language"), {"language": lang, "next": "/caseload/"})
    page = client.get(reverse("cases:caseload")).content.decode()
    assert f'<html lang="{lang}">' in page
    with translation.override(lang):
        assert translation.gettext("My caseload") in page


def test_dates__finnish_format_in_every_language(client, nurse, episode):
    client.force_login(nurse)
    due = episode.current_step_due
    expected = f"{due.day}.{due.month}.{due.year}"
    for lang in ("fi", "sv", "en"):
        client.post(reverse("set_language"), {"language": lang, "next": "/"})
        assert expected in client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
