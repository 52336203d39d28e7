from __future__ import annotations

from django.db.models import QuerySet

from tukipolku.cases.models import Episode
from tukipolku.entries.models import Entry


def entry_list_for(*, episode: Episode) -> QuerySet[Entry]:
    """Entries of an episode already fetched through the access gate, newest first.

    For now every member of the client's team reads every register; the privacy issue narrows this.
    """
    return Entry.objects.filter(episode=episode).select_related("author").order_by("-written_at", "-id")
