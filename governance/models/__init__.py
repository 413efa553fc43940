"""Governance: cadences (configured content), each engagement's meeting series and meetings, their agendas,
minutes and outcomes, the published versions of the minutes, and calendar feeds."""

from .cadences import (
    AgendaSectionTemplate,
    CadenceKind,
    CadenceTemplate,
    ClientAudience,
    Frequency,
    VendorAudience,
    Weekday,
    WeekOfMonth,
)
from .feeds import CalendarFeed
from .meetings import (
    MEETING_SOURCE,
    AgendaItem,
    Attendance,
    GovernancePlan,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    SeriesAgendaSection,
    SeriesParticipant,
)
from .minutes import (
    ActionItem,
    ActionStatus,
    MinutesAcknowledgement,
    MinutesComment,
    MinutesVersion,
    Outcome,
    OutcomeKind,
)

__all__ = [
    "MEETING_SOURCE",
    "ActionItem",
    "ActionStatus",
    "AgendaItem",
    "AgendaSectionTemplate",
    "Attendance",
    "CadenceKind",
    "CadenceTemplate",
    "CalendarFeed",
    "ClientAudience",
    "Frequency",
    "GovernancePlan",
    "Meeting",
    "MeetingAttendee",
    "MeetingSeries",
    "MeetingStatus",
    "MinutesAcknowledgement",
    "MinutesComment",
    "MinutesVersion",
    "Outcome",
    "OutcomeKind",
    "SeriesAgendaSection",
    "SeriesParticipant",
    "VendorAudience",
    "WeekOfMonth",
    "Weekday",
]
