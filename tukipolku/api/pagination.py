"""Cursor pagination for every list of the REST API (a separate module: DRF's settings import it)."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Cursor pagination on the primary key: stable under inserts, no page counts, no offsets."""

    ordering = ("pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Any) -> Any:
        """A cursor that cannot be read is bad input (400), not a missing page (DRF's 404)."""
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {"cursor": [_("This cursor is not valid. Start from the first page.")]}
            ) from None
