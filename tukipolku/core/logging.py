"""Logging helpers: technical logs must not carry personal data (ASVS 5.0 16.2.5).

`IdentityCodeMaskFilter` is attached to every handler in `settings.LOGGING`. It masks anything shaped
like a Finnish personal identity code in the message, its arguments and the traceback text, so a code
that reaches a log call by mistake (an exception message, a repr of form data) is never written out.
"""

from __future__ import annotations

import logging
import re

# The dashes people paste instead of the hyphen-minus (the same set identity.normalize() accepts).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"

# DDMMYY, a century sign (+, -, or a letter of A–F / U–Y), the individual number, a check character.
# Shape only, no date or checksum test: a mistyped code is personal data too. Case-insensitive; no
# word boundaries, so a code glued to other text (`%27010190-900A`, `hetu=...`) is masked as well.
IDENTITY_CODE_PATTERN = re.compile(
    r"[0-3][0-9][01][0-9]{3}[-+A-FU-Y" + _DASHES + r"][0-9]{3}[0-9A-Z]",
    re.IGNORECASE,
)

MASK = "******-****"


def mask_identity_codes(text: str) -> str:
    """Replace everything shaped like an identity code in `text` with `******-****`."""
    return IDENTITY_CODE_PATTERN.sub(MASK, text)


class IdentityCodeMaskFilter(logging.Filter):
    """Masks identity codes in a log record before any handler formats it. Never drops a record.

    The message is rendered once (`msg % args`), masked, and stored back with empty `args`, because an
    argument can be any object whose `str()` holds a code. Traceback and stack text are rendered and
    masked too; formatters reuse `record.exc_text` instead of formatting the exception again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: mask the parts, let the handler report the error
            record.msg = mask_identity_codes(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(mask_identity_codes(str(a)) for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: mask_identity_codes(str(v)) for k, v in record.args.items()}
            return True
        masked = mask_identity_codes(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identity_codes(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_identity_codes(record.stack_info)
        return True


class OneLinePerRefusalFilter(logging.Filter):
    """A refused or bad request (a 4xx answer: 403, 404, 400, 405) is one line, never a traceback.

    Django logs each 4xx raised as an exception (`PermissionDenied`, `Http404`, `SuspiciousOperation`)
    with the exception's traceback, so any user could fill the logs by asking for pages they may not
    see. The line that stays says what and where (`Forbidden (Permission denied): /episodes/3/`); who
    and why are in the access log. A 503 (the database unreachable for a moment, core/unavailable.py)
    is one line too: a restart must not fill the log. Other 5xx keep their traceback: ours to fix.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and (400 <= status < 500 or status == 503):
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
