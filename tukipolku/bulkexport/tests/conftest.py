import pytest


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    """Every test writes its exports under its own temporary directory."""
    settings.TUKIPOLKU_EXPORT_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def client():
    """The test client asking for English (Accept-Language), the language the assertions are written in:
    without it the answers (the admin pages, the status's X-Progress) are in the default language, Finnish."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
