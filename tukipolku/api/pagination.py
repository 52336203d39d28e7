"""Cursor pagination for every list of the REST API (a separate module: DRF's settings import it)."""

from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Cursor pagination on the primary key: stable under inserts, no page counts, no offsets."""

    ordering = ("pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
