"""Finnish personal identity codes: normalising, validating, reading the birth date.

Every code here is synthetic: individual numbers 900–999 (the temporary/test range), built by
`make_identity_code` or by `_code` below, which computes the check character the same way.
"""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fi import hetu

from tukipolku.clients import identity
from tukipolku.clients.tests.factories import make_identity_code

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"

SIGNS_1800 = ["+"]
SIGNS_1900 = ["-", "Y", "X", "W", "V", "U"]
SIGNS_2000 = ["A", "B", "C", "D", "E", "F"]
ALL_SIGNS = SIGNS_1800 + SIGNS_1900 + SIGNS_2000
CENTURY = {**dict.fromkeys(SIGNS_1800, 1800), **dict.fromkeys(SIGNS_1900, 1900), **dict.fromkeys(SIGNS_2000, 2000)}


def _code(ddmmyy: str, sign: str, individual: str = "901") -> str:
    """A code with a correct check character for whatever date digits are given (valid or not)."""
    return f"{ddmmyy}{sign}{individual}{_CHECK[int(ddmmyy + individual) % 31]}"


# ---------------------------------------------------------------- century signs


@pytest.mark.parametrize("sign", ALL_SIGNS)
def test_is_valid__accepts_every_century_sign(sign):
    birth = datetime.date(CENTURY[sign] + 94, 5, 1)
    code = make_identity_code(birth, 903, sign)

    assert code[6] == sign
    assert identity.is_valid(code)


@pytest.mark.parametrize("sign", ALL_SIGNS)
def test_birth_date__reads_the_century_from_the_sign(sign):
    birth = datetime.date(CENTURY[sign] + 7, 12, 31)
    code = make_identity_code(birth, 999, sign)

    assert identity.birth_date(code) == birth


@pytest.mark.parametrize("sign", ["Z", "G", "T", "*", "/", "0"])
def test_is_valid__rejects_an_unknown_century_sign(sign):
    code = _code("010594", sign, "903")

    assert not identity.is_valid(code)


def test_birth_date__same_digits_different_centuries():
    assert identity.birth_date(_code("010500", "+")) == datetime.date(1800, 5, 1)
    assert identity.birth_date(_code("010500", "-")) == datetime.date(1900, 5, 1)
    assert identity.birth_date(_code("010500", "Y")) == datetime.date(1900, 5, 1)
    assert identity.birth_date(_code("010500", "A")) == datetime.date(2000, 5, 1)
    assert identity.birth_date(_code("010500", "F")) == datetime.date(2000, 5, 1)


def test_is_valid__new_and_old_signs_of_one_century_share_the_check_character():
    """The 2023 signs only change the separator: date and individual number decide the check character."""
    codes = [_code("150372", sign, "950") for sign in SIGNS_1900]

    assert len({c[-1] for c in codes}) == 1
    assert all(identity.is_valid(c) for c in codes)


# ---------------------------------------------------------------- wrong check character, impossible dates


def test_is_valid__rejects_every_wrong_check_character():
    code = make_identity_code(datetime.date(1985, 7, 14), 912)
    wrong = [ch for ch in _CHECK if ch != code[-1]]

    assert identity.is_valid(code)
    assert len(wrong) == 30
    for ch in wrong:
        assert not identity.is_valid(code[:-1] + ch), ch


@pytest.mark.parametrize("check", ["G", "I", "O", "Q", "Z", "Ä"])
def test_is_valid__rejects_letters_never_used_as_check_character(check):
    code = make_identity_code(datetime.date(1985, 7, 14), 912)

    assert not identity.is_valid(code[:-1] + check)


@pytest.mark.parametrize(
    ("ddmmyy", "sign"),
    [
        ("310299", "-"),  # 31 February
        ("310299", "A"),
        ("300299", "-"),  # 30 February
        ("290223", "-"),  # 1923 is not a leap year
        ("290223", "A"),  # 2023 is not a leap year
        ("290223", "Y"),
        ("290200", "-"),  # 1900 is not a leap year
        ("290200", "+"),  # 1800 neither
        ("310494", "-"),  # 31 April
        ("000194", "-"),  # day 0
        ("320194", "-"),  # day 32
        ("011394", "-"),  # month 13
        ("010094", "-"),  # month 0
    ],
)
def test_is_valid__rejects_impossible_dates(ddmmyy, sign):
    assert not identity.is_valid(_code(ddmmyy, sign))


@pytest.mark.parametrize(("ddmmyy", "sign"), [("290200", "A"), ("290296", "-"), ("290224", "B"), ("290296", "W")])
def test_is_valid__accepts_29_february_of_a_leap_year(ddmmyy, sign):
    assert identity.is_valid(_code(ddmmyy, sign))


@pytest.mark.parametrize("individual", ["000", "001"])
def test_is_valid__rejects_individual_numbers_below_002(individual):
    assert not identity.is_valid(_code("010594", "-", individual))


@pytest.mark.parametrize("individual", ["900", "950", "999"])
def test_is_valid__accepts_the_temporary_range(individual):
    assert identity.is_valid(_code("010594", "-", individual))


# ---------------------------------------------------------------- normalising


def test_normalize__raises_lower_case():
    code = make_identity_code(datetime.date(2003, 2, 1), 950, "B")
    typed = code.lower()

    assert typed != code
    assert identity.normalize(typed) == code
    assert identity.is_valid(typed)


@pytest.mark.parametrize("sign", ["y", "x", "w", "v", "u", "a", "b", "c", "d", "e", "f"])
def test_is_valid__accepts_lower_case_century_signs(sign):
    code = _code("010594" if sign in "yxwvu" else "010504", sign.upper(), "903")

    assert identity.is_valid(code[:6] + sign + code[7:].lower())


def test_normalize__removes_surrounding_and_inner_spaces():
    code = make_identity_code(datetime.date(1971, 11, 30), 933)
    typed = f"  {code[:6]} {code[6]} {code[7:]}\t\n"

    assert identity.normalize(typed) == code
    assert identity.is_valid(typed)


def test_normalize__removes_non_breaking_and_other_unicode_spaces():
    code = make_identity_code(datetime.date(1971, 11, 30), 933)
    typed = f"\u00a0{code[:6]}\u2009{code[6:]}\u3000"

    assert identity.normalize(typed) == code
    assert identity.is_valid(typed)


@pytest.mark.parametrize(
    "dash",
    [
        "\u2010",  # ‐ hyphen
        "\u2011",  # non-breaking hyphen
        "\u2012",  # figure dash
        "\u2013",  # – en dash
        "\u2014",  # — em dash
        "\u2212",  # − minus sign
        "\ufe63",  # small hyphen-minus
        "\uff0d",  # full-width hyphen-minus
    ],
)
def test_normalize__turns_unicode_dashes_into_hyphen_minus(dash):
    code = make_identity_code(datetime.date(1988, 4, 9), 977, "-")
    typed = code.replace("-", dash)

    assert identity.normalize(typed) == code
    assert identity.is_valid(typed)


def test_normalize__does_not_validate():
    assert identity.normalize(" abc def ") == "ABCDEF"
    assert identity.normalize("") == ""


def test_normalize__is_idempotent():
    code = make_identity_code(datetime.date(2011, 1, 2), 901, "C")
    once = identity.normalize(f" {code.lower()} ")

    assert identity.normalize(once) == once == code


# ---------------------------------------------------------------- wrong lengths and junk


def test_is_valid__rejects_10_characters():
    code = make_identity_code(datetime.date(1990, 1, 1), 900)

    assert not identity.is_valid(code[:-1])
    assert not identity.is_valid(code[1:])


def test_is_valid__rejects_12_characters():
    code = make_identity_code(datetime.date(1990, 1, 1), 900)

    assert not identity.is_valid(code + "A")
    assert not identity.is_valid("0" + code)
    assert not identity.is_valid(code + code[-1])


def test_is_valid__rejects_a_valid_code_followed_by_a_newline_and_more():
    code = make_identity_code(datetime.date(1990, 1, 1), 900)

    assert not identity.is_valid(code + "\nX")


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        "-",
        "'; DROP TABLE clients_client; --",
        "010190-900A' OR '1'='1",
        "010190-900A; DELETE FROM audit_auditevent",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }}",
        "%(name)s",
        "010190\x00900A",
        "0101９0-900A",  # a full-width digit
        "٠١٠١٩٠-٩٠٠A",  # Arabic-Indic digits
        "０１０１９０－９００Ａ",  # everything full width
        "AAAAAA-AAAA",
        "010190-90OA",  # letter O instead of zero
        "x" * 10_000,
    ],
)
def test_is_valid__rejects_junk_without_raising(junk):
    assert identity.is_valid(junk) is False


@pytest.mark.parametrize("value", [None, 12345678901, 1.5, b"010190-900A", ["010190-900A"]])
def test_is_valid__rejects_values_that_are_not_text(value):
    assert identity.is_valid(value) is False


# ---------------------------------------------------------------- helpers used by search and lists


def test_looks_like_identity_code__six_digits_and_a_century_sign():
    assert identity.looks_like_identity_code("010190-")
    assert identity.looks_like_identity_code("010190a900")
    assert identity.looks_like_identity_code("010190 Y 900")
    assert not identity.looks_like_identity_code("Virtanen")
    assert not identity.looks_like_identity_code("010190")
    assert not identity.looks_like_identity_code("010190Z900A")


def test_mask__keeps_only_the_birth_date_part():
    code = make_identity_code(datetime.date(1994, 5, 1), 905)

    assert identity.mask(code) == code[:7] + "****"
    assert code[7:] not in identity.mask(code)
    assert identity.mask("") == ""


# ---------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_is_valid__never_raises_on_arbitrary_text(text):
    assert identity.is_valid(text) in (True, False)


@settings(max_examples=300, deadline=None, database=None)
@given(st.from_regex(r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Z]", fullmatch=True))
def test_is_valid__agrees_with_stdnum_on_code_shaped_text(text):
    assert identity.is_valid(text) == hetu.is_valid(text, allow_temporary=True)


@st.composite
def built_codes(draw):
    sign = draw(st.sampled_from(ALL_SIGNS))
    century = CENTURY[sign]
    birth = draw(st.dates(min_value=datetime.date(century, 1, 1), max_value=datetime.date(century + 99, 12, 31)))
    individual = draw(st.integers(min_value=900, max_value=999))
    return birth, make_identity_code(birth, individual, sign)


@settings(max_examples=300, deadline=None, database=None)
@given(built_codes(), st.sampled_from(["plain", "lower", "spaced", "en_dash"]))
def test_is_valid__accepts_codes_built_by_make_identity_code(built, variant):
    birth, code = built
    typed = {
        "plain": code,
        "lower": code.lower(),
        "spaced": f" {code[:6]} {code[6:]} ",
        "en_dash": code.replace("-", "\u2013"),
    }[variant]

    assert identity.is_valid(typed)
    assert identity.normalize(typed) == code
    assert identity.birth_date(identity.normalize(typed)) == birth
