"""Background tasks of meetings (the Django Tasks API, ADR 0009): load by id and call the service."""

from __future__ import annotations

from django_tasks import task

from tukipolku.access import cache as access_cache
from tukipolku.meetings.delivery import invitations_deliver


@task()
def send_meeting_invitations_task(meeting_id: int) -> int:
    """Send the meeting's pending calendar invitations; what was sent already is skipped."""
    with access_cache.scope():  # the access policy's answers, for this job only
        return invitations_deliver(meeting_id=meeting_id)
