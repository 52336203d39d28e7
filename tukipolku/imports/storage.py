"""Where uploaded spreadsheets wait for their import: a private directory (`TUKIPOLKU_IMPORT_DIR`),
never under the static or media URLs, read at every use so that tests can point it elsewhere."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class ImportStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        return str(settings.TUKIPOLKU_IMPORT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


_STORAGE = ImportStorage()


def import_storage() -> ImportStorage:
    return _STORAGE
