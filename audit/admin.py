"""The admin's view of the trail: pghistory's events list (linked from every tracked object's change page as
*Events*), empty on SQLite, where nothing is recorded and its PostgreSQL-only query could not run."""

from django.contrib import messages
from django.utils.translation import gettext as _
from pghistory.admin import EventsAdmin as PghistoryEventsAdmin

from .switch import trail_on


class EventsAdmin(PghistoryEventsAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if trail_on() else queryset.none()

    def changelist_view(self, request, extra_context=None):
        if not trail_on():
            messages.warning(request, _("The audit trail is off: it is recorded on PostgreSQL only."))
        return super().changelist_view(request, extra_context)
