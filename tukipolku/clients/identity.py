"""Finnish personal identity code (henkilötunnus) handling, on top of python-stdnum.

Accepts every century sign including those added in 2023 (Y X W V U for the 1900s, B C D E F for the
2000s) and the temporary/test individual numbers 900–999. Input is normalised: surrounding and inner
spaces removed, lower case raised, Unicode dashes turned into the hyphen-minus.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fi import hetu

_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63", "\uff0d"}
_CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURIES.update(dict.fromkeys("ABCDEF", 2000))


def normalize(raw: str) -> str:
    """Return the code in its canonical form without validating it."""
    text = "".join("-" if ch in _DASHES else ch for ch in str(raw))
    return "".join(text.split()).upper()


def is_valid(raw: str) -> bool:
    """True when `raw`, once normalised, is a valid identity code. Never raises."""
    try:
        code = normalize(raw)
        if len(code) != 11 or not code.isascii():
            return False
        hetu.validate(code, allow_temporary=True)
    except (StdnumValidationError, ValueError, TypeError):
        return False
    return True


def looks_like_identity_code(raw: str) -> bool:
    """A cheap check used by search: six digits then a century sign."""
    code = normalize(raw)
    return len(code) >= 7 and code[:6].isdigit() and code[6] in _CENTURIES


def looks_like_attempt(raw: str) -> bool:
    """Typed as an identity code rather than a name: it has a digit, which no name has."""
    return any(ch.isdigit() for ch in normalize(raw))


def starts_like_identity_code(raw: str) -> bool:
    """Begins with the six digits of a birth date: an identity code, not a name nor a code's end."""
    code = normalize(raw)
    return len(code) >= 6 and code[:6].isdigit() and code[:6].isascii()


_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def problem(raw: str) -> str | None:
    """What is wrong with a typed identity code, in one translated sentence; None when it is valid.

    Tells the first thing wrong, from left to right: length, birth date digits, century sign,
    individual number, the date itself, then the check character. Never echoes the whole code.
    """
    code = normalize(raw)
    if is_valid(code):
        return None
    if len(code) != 11 or not code.isascii():
        return _(
            "Invalid identity code: it has %(count)s characters, an identity code has 11 "
            "(six digits of the birth date, the century sign, three digits and a check character, such as 010190-900P)."
        ) % {"count": len(code)}
    if not code[:6].isdigit():
        return _("Invalid identity code: the first six characters must be the birth date in digits (ddmmyy).")
    if code[6] not in _CENTURIES:
        return _(
            "Invalid identity code: “%(sign)s” is not a century sign. Use + for the 1800s, - Y X W V or U for "
            "the 1900s and A B C D E or F for the 2000s."
        ) % {"sign": code[6]}
    if not code[7:10].isdigit():
        return _("Invalid identity code: the century sign must be followed by three digits.")
    try:
        birth_date(code)
    except ValueError:
        return _("Invalid identity code: the birth date %(digits)s (ddmmyy) is not a real date.") % {"digits": code[:6]}
    if int(code[7:10]) < 2:
        return _("Invalid identity code: the three digits after the century sign cannot be 000 or 001.")
    if _CHECK_CHARACTERS[int(code[:6] + code[7:10]) % 31] != code[10]:
        return _(
            "Invalid identity code: the check character (the last one) does not match the rest of the code. "
            "Check each character."
        )
    return invalid_message()


def birth_date(code: str) -> datetime.date:
    """Birth date of a valid, normalised code."""
    century = _CENTURIES[code[6]]
    return datetime.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))


def mask(code: str) -> str:
    """Shown in lists: the birth-date part only, e.g. 010594-****."""
    return code[:7] + "****" if code else ""


def invalid_message() -> str:
    """The one error text for an identity code that does not validate (forms and services)."""
    return _("This is not a valid identity code. Check the date, the century sign and the check character.")


def cleaned(raw: str) -> str:
    """A form field's value as a normalised, valid identity code; else the error next to the field."""
    code = normalize(raw)
    error = problem(code)
    if error is not None:
        raise ValidationError(error)
    return code
