"""gunicorn's access and error logs are masked like the application's (config/gunicorn.conf.py)."""

import datetime
import io
import logging
import runpy
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.util import import_app

from tukipolku.core.logging import MASK

CODE = "010190-900A"  # synthetic (test range 900–999)


@pytest.fixture
def gunicorn_logger():
    """gunicorn's logger built from our config file, as `gunicorn -c config/gunicorn.conf.py` builds it."""
    cfg = Config()
    for key, value in runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py")).items():
        if key in cfg.settings:
            cfg.set(key, value)
    logger = cfg.logger_class(cfg)
    buffers = {}
    for name, log in (("access", logger.access_log), ("error", logger.error_log)):
        buffers[name] = io.StringIO()
        for handler in log.handlers:
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(buffers[name])
    yield logger, buffers
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
        log.filters.clear()


def test_config__serves_our_application():
    namespace = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    assert import_app(namespace["wsgi_app"]) is not None


def test_access_log__masks_an_identity_code_in_the_request_line_and_referrer(gunicorn_logger):
    logger, buffers = gunicorn_logger
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/clients/?hetu={CODE}",
        "PATH_INFO": "/clients/",
        "QUERY_STRING": f"hetu={CODE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://tukipolku.example/?q={CODE.lower()}",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=123)
    request = SimpleNamespace(headers=[("USER-AGENT", "pytest")])

    logger.access(response, request, environ, datetime.timedelta(seconds=0, microseconds=5000))

    line = buffers["access"].getvalue()
    assert "GET /clients/?hetu=" + MASK in line and "200" in line
    assert CODE not in line and CODE.lower() not in line


def test_error_log__masks_an_identity_code_in_message_and_traceback(gunicorn_logger):
    logger, buffers = gunicorn_logger
    try:
        raise ValueError(f"bad request for {CODE}")
    except ValueError:
        logger.exception("Error handling request /x?hetu=%s", CODE)

    text = buffers["error"].getvalue()
    assert "Traceback" in text and MASK in text
    assert CODE not in text


def test_setup_again__filters_are_not_stacked(gunicorn_logger):
    logger, _buffers = gunicorn_logger
    logger.setup(logger.cfg)

    assert len(logger.access_log.filters) == 2 and len(logger.error_log.filters) == 2
