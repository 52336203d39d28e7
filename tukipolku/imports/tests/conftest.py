import pytest


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    """Uploaded files of a test go to its own directory (the database rolls back, files would stay)."""
    settings.TUKIPOLKU_IMPORT_DIR = str(tmp_path / "imports")
