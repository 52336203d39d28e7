"""Finnish personal identity codes in the range reserved for testing (individual number 900–999)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from itertools import accumulate

_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SIGNS = {1900: ("-", "Y", "X", "W", "V", "U"), 2000: ("A", "B", "C", "D", "E", "F")}
_SIGN_CUM_WEIGHTS = list(accumulate((80, 4, 4, 4, 4, 4)))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def identity_code(rng: random.Random, *, today: datetime.date) -> str:
    """One synthetic identity code: age 17–64 on `today`, individual number 900–999 (test range).

    The century sign is mostly the classic one (- or A), sometimes one of the 2023 additions. An odd
    individual number is a man, an even one a woman, as in real codes.
    """
    first = _add_years(today, -65).toordinal() + 1
    last = _add_years(today, -17).toordinal()
    born = datetime.date.fromordinal(rng.randint(first, last))
    century = 1900 if born.year < 2000 else 2000
    sign = rng.choices(_SIGNS[century], cum_weights=_SIGN_CUM_WEIGHTS)[0]
    individual = rng.randint(900, 999)
    digits = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}"
    return f"{digits}{sign}{individual}{_CHECK_CHARS[int(f'{digits}{individual}') % 31]}"


def identity_code_stream(*, seed: int, today: datetime.date) -> Iterator[str]:
    """Endless unique synthetic identity codes, the same sequence for the same seed and day."""
    rng = random.Random(f"identity-codes:{seed}")  # noqa: S311 – synthetic data, not security
    seen: set[str] = set()
    while True:
        code = identity_code(rng, today=today)
        if code not in seen:
            seen.add(code)
            yield code


def identity_codes(*, seed: int, count: int, today: datetime.date) -> list[str]:
    """The first `count` codes of `identity_code_stream` (a pure function: no database)."""
    stream = identity_code_stream(seed=seed, today=today)
    return [next(stream) for _ in range(count)]


def birth_date_of(code: str) -> datetime.date:
    """Birth date encoded in a code made by `identity_code`."""
    century = 1900 if code[6] in _SIGNS[1900] else 2000
    return datetime.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))
