import pytest


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    """Every test writes its exports under its own temporary directory."""
    settings.TUKIPOLKU_EXPORT_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"
