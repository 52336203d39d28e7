"""gunicorn's own logs (access and error) masked like every other log (ASVS 5.0 16.2.5).

gunicorn writes its access and error lines through loggers of its own (`gunicorn.access`,
`gunicorn.error`) that do not propagate to the root logger, so the filters of `settings.LOGGING` never
see them: a request line or a referrer holding an identity code would be written out as is.
`config/gunicorn.conf.py` makes gunicorn use `MaskingLogger`, which puts the same filters on both
loggers, whatever handlers (stream, file, syslog, a `logconfig_dict`) are configured.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from tukipolku.core.logging import IdentityCodeMaskFilter, OneLinePerRefusalFilter


class MaskingLogger(Logger):
    """gunicorn's logger with identity codes masked in every access and error line."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for old in [f for f in log.filters if isinstance(f, IdentityCodeMaskFilter | OneLinePerRefusalFilter)]:
                log.removeFilter(old)  # a configuration reload runs setup again
            log.addFilter(OneLinePerRefusalFilter())
            log.addFilter(IdentityCodeMaskFilter())
