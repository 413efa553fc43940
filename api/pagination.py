from django.conf import settings
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque cursors over the primary key: a row added while a client pages is seen once, never twice."""

    ordering = "pk"
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
