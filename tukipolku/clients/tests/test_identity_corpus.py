"""Bad-input corpus for identity codes (research/reliability.md §5.3) and a 10,000-example property test.

Each corpus row states what `identity.normalize` returns and whether `identity.is_valid` accepts it.
The property test checks `is_valid` against an oracle written here from the rules, not from
python-stdnum. Codes are the public examples of the spec (`131052-308T`) or synthetic.
"""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.models import Client

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


def check_character(ddmmyy: str, individual: str) -> str:
    return CHECK_CHARACTERS[int(ddmmyy + individual) % 31]


def code(ddmmyy: str, sign: str, individual: str) -> str:
    """A code with the right check character for whatever digits are given (the date may be impossible)."""
    return f"{ddmmyy}{sign}{individual}{check_character(ddmmyy, individual)}"


# ------------------------------------------------------------------ the corpus: (typed, normalize(), is_valid())

VALID = [
    ("131052-308T", "131052-308T", True),  # the spec's example, 1900s, ordinary individual number
    ("010594Y9032", "010594Y9032", True),  # 2023 sign Y (1900s), temporary/test range 900–999
    ("280200B901R", "280200B901R", True),  # 2023 sign B (2000s)
    *[(c, c, True) for c in (code("150372", s, "950") for s in CENTURY)],  # every century sign, test range
    (code("290200", "A", "902"), code("290200", "A", "902"), True),  # 29.2.2000: leap year
    (code("290296", "-", "902"), code("290296", "-", "902"), True),  # 29.2.1996: leap year
    (code("311299", "-", "002"), code("311299", "-", "002"), True),  # lowest ordinary individual number
    (code("010100", "+", "899"), code("010100", "+", "899"), True),  # highest ordinary, 1800s
    (code("311299", "F", "999"), code("311299", "F", "999"), True),  # highest test-range number
]

TYPED_DIFFERENTLY = [
    ("131052-308t", "131052-308T", True),  # lower case check character
    ("280200b901r", "280200B901R", True),  # lower case century sign
    ("  131052-308T\t\n", "131052-308T", True),  # surrounding spaces
    ("1310 52 - 308 T", "131052-308T", True),  # inner spaces
    ("\u00a0131052-308T\u3000", "131052-308T", True),  # no-break and ideographic space
    ("131052\u2010308T", "131052-308T", True),  # ‐ U+2010 hyphen
    ("131052\u2212308T", "131052-308T", True),  # − U+2212 minus sign
    ("131052\u2013308T", "131052-308T", True),  # – U+2013 en dash
    ("131052\u2014308T", "131052-308T", True),  # — U+2014 em dash
    ("131052\uff0d308T", "131052-308T", True),  # full-width hyphen-minus (full-width digits are not)
]

INVALID = [
    ("010190-999X", "010190-999X", False),  # wrong check character (010190-999W is right)
    ("131052-308U", "131052-308U", False),  # wrong check character
    (code("310299", "-", "901"), code("310299", "-", "901"), False),  # 31 February
    (code("300200", "A", "901"), code("300200", "A", "901"), False),  # 30 February
    (code("290223", "-", "901"), code("290223", "-", "901"), False),  # 29.2.1923: not a leap year
    (code("290223", "A", "901"), code("290223", "A", "901"), False),  # 29.2.2023: not a leap year
    (code("290200", "-", "901"), code("290200", "-", "901"), False),  # 29.2.1900: not a leap year
    (code("290200", "+", "901"), code("290200", "+", "901"), False),  # 29.2.1800: not a leap year
    (code("000194", "-", "901"), code("000194", "-", "901"), False),  # day 0
    (code("011394", "-", "901"), code("011394", "-", "901"), False),  # month 13
    (code("010594", "-", "000"), code("010594", "-", "000"), False),  # individual numbers start at 002
    (code("010594", "-", "001"), code("010594", "-", "001"), False),
    (code("010594", "Z", "901"), code("010594", "Z", "901"), False),  # not a century sign
    (code("010594", "G", "901"), code("010594", "G", "901"), False),
    ("131052-308G", "131052-308G", False),  # G is never a check character
    ("131052-308", "131052-308", False),  # 10 characters
    ("31052-308T", "31052-308T", False),  # 10 characters
    ("131052-308TT", "131052-308TT", False),  # 12 characters
    ("0131052-308T", "0131052-308T", False),  # 12 characters
    ("131052308T", "131052308T", False),  # no century sign
    ("' OR 1=1 --", "'OR1=1--", False),  # SQL
    ("131052-308T' OR '1'='1", "131052-308T'OR'1'='1", False),
    ("<script>", "<SCRIPT>", False),  # HTML
    ('"><img src=x onerror=alert(1)>', '"><IMGSRC=XONERROR=ALERT(1)>', False),
    ("{{7*7}}", "{{7*7}}", False),
    ("", "", False),  # empty
    ("   ", "", False),  # only spaces
    ("131052-308T\x00", "131052-308T\x00", False),  # NUL byte: not whitespace, kept, so 12 characters
    ("131052\x00308T", "131052\x00308T", False),  # NUL instead of the sign
    ("１３１０５２-３０８T", "１３１０５２-３０８T", False),  # full-width digits are not accepted
]

CORPUS = VALID + TYPED_DIFFERENTLY + INVALID


@pytest.mark.parametrize(("typed", "normalized", "valid"), CORPUS, ids=[repr(c[0])[:40] for c in CORPUS])
def test_corpus__normalize_and_is_valid(typed, normalized, valid):
    assert identity.normalize(typed) == normalized
    assert identity.is_valid(typed) is valid


@pytest.mark.parametrize("sign", sorted(CENTURY))
def test_corpus__every_century_sign_reads_its_century(sign):
    typed = code("150372", sign, "950")

    assert identity.is_valid(typed)
    assert identity.birth_date(identity.normalize(typed)) == datetime.date(CENTURY[sign] + 72, 3, 15)


# ------------------------------------------------------------------ properties, 10,000 examples each


@settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_property__never_raises_on_arbitrary_text(text):
    assert isinstance(identity.normalize(text), str)
    assert identity.is_valid(text) in (True, False)


def oracle(dd: int, mm: int, yy: int, sign: str, individual: int, check: str) -> datetime.date | None:
    """The birth date when the code is valid, else None. Written from the rules, independent of stdnum.

    Individual numbers: 002–899 ordinary, 900–999 temporary/test; identity.py documents that it accepts
    both ranges (the register's temporary codes and every synthetic code of this project use 900–999).
    """
    if sign not in CENTURY:
        return None
    try:
        born = datetime.date(CENTURY[sign] + yy, mm, dd)
    except ValueError:
        return None
    ordinary, temporary = 2 <= individual <= 899, 900 <= individual <= 999
    if not (ordinary or temporary):
        return None
    if check != CHECK_CHARACTERS[int(f"{dd:02d}{mm:02d}{yy:02d}{individual:03d}") % 31]:
        return None
    return born


@st.composite
def code_parts(draw):
    """Date parts, sign, individual number and check character; each part is often, not always, right."""
    dd = draw(st.one_of(st.integers(1, 31), st.integers(0, 39)))
    mm = draw(st.one_of(st.integers(1, 12), st.integers(0, 19)))
    yy = draw(st.integers(0, 99))
    sign = draw(st.one_of(st.sampled_from(list(CENTURY)), st.sampled_from(["Z", "G", "T", "*", "/", "0", "=", "Ä"])))
    individual = draw(st.one_of(st.integers(0, 999), st.sampled_from([0, 1, 2, 899, 900, 999])))
    right = CHECK_CHARACTERS[int(f"{dd:02d}{mm:02d}{yy:02d}{individual:03d}") % 31]
    check = draw(st.one_of(st.just(right), st.sampled_from(CHECK_CHARACTERS + "GIOQZÅ")))
    return dd, mm, yy, sign, individual, check


@settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(code_parts())
def test_property__is_valid_exactly_when_the_oracle_says_so(parts):
    dd, mm, yy, sign, individual, check = parts
    typed = f"{dd:02d}{mm:02d}{yy:02d}{sign}{individual:03d}{check}"
    expected = oracle(*parts)
    event("valid" if expected else "invalid")  # `pytest --hypothesis-show-statistics` shows the mix

    assert len(typed) == 11
    assert identity.is_valid(typed) is (expected is not None), (typed, expected)
    if expected is not None:
        assert identity.birth_date(identity.normalize(typed)) == expected


# ------------------------------------------------------------------ through the new-client form


def _post_data(typed, team, pathway):
    return {
        "cl-identity_code": typed,
        "cl-first_names": "Tiina",
        "cl-last_name": "Testinen",
        "cl-language": "fi",
        "cl-employment_status": "unemployed",
        "cl-municipality": "Eura",
        "ep-team": str(team.pk),
        "ep-pathway": str(pathway.pk),
        "ep-source": "employment_services",
        "ep-need_description": "Pitkittynyt työttömyys.",
        "ep-consent_given": "on",
        "ep-consent_on": timezone.localdate().isoformat(),
        "ep-consent_method": "oral",
    }


@pytest.mark.parametrize("typed", [c[0] for c in INVALID] + ["x" * 10_000], ids=lambda t: repr(t)[:40])
def test_new_client_form__bad_code_is_a_field_error_and_nothing_is_stored(client, nurse, team, satakunta, typed):
    """400 with the error beside the identity-code field, what was typed kept, never 500, nothing stored."""
    client.force_login(nurse)

    response = client.post(reverse("cases:intake_new"), _post_data(typed, team, satakunta))

    body = response.content.decode()
    assert response.status_code == 400
    errors = re.search(r'<ul class="errorlist" id="id_cl-identity_code_error">(.*?)</ul>', body, re.S)
    assert errors is not None and errors.group(1).strip(), "no error beside the identity-code field"
    field = re.search(r'<input[^>]*name="cl-identity_code"[^>]*>', body)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert "id_cl-identity_code_error" in field.group(0)  # the error is announced with the field
    value = re.search(r'\bvalue="([^"]*)"', field.group(0))
    kept = html.unescape(value.group(1)) if value else ""
    if "\x00" not in typed and typed.strip():  # Django drops the NUL value and strips blank input
        assert kept == typed
    assert "<script>" not in body.lower().replace("<script src=", "")  # typed HTML is escaped
    assert not Client.objects.exists()
    assert not Episode.objects.exists()
