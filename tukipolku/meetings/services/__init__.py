"""Meetings: schedule in advance (with calendar invitations), change, cancel, record as held, or record
a past meeting. A decision with a responsible person and a due date becomes an action in the plan.

Every change happens in one transaction with its domain event. Invitations are rows
(`Invitation`, one per participant and sequence) written in the same transaction and sent by a
background task after the commit (`delivery.py`); in-app notifications go through
`notifications.services.notify`. Changes to a scheduled meeting carry the `sequence` the form was
loaded with: the row is locked and a different sequence means someone else changed it (ConflictError).

The package is split by area: `inputs` (what the forms hand over), `rules` (shared checks),
`invitations` (invitation rows and notifications), `scheduling` (schedule, change, cancel) and
`records` (held and past meetings). Callers import the services from here.
"""

from tukipolku.meetings.services.inputs import DecisionInput, MeetingInput, OutsideParticipant
from tukipolku.meetings.services.invitations import invitations_enqueue
from tukipolku.meetings.services.records import meeting_record, meeting_record_held
from tukipolku.meetings.services.rules import meeting_time_is_ahead
from tukipolku.meetings.services.scheduling import meeting_cancel, meeting_change, meeting_schedule

__all__ = [
    "DecisionInput",
    "MeetingInput",
    "OutsideParticipant",
    "invitations_enqueue",
    "meeting_cancel",
    "meeting_change",
    "meeting_record",
    "meeting_record_held",
    "meeting_schedule",
    "meeting_time_is_ahead",
]
