"""What cases itself plugs into its registry: the completion check that a contact person is named."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.cases.choices import AssignmentKind
from tukipolku.cases.models import Episode
from tukipolku.cases.registry import CompletionCheck, register_completion_check
from tukipolku.pathways.choices import CompletionCheck as CheckCode


def _has_contact_person(episode: Episode) -> bool:
    return episode.assignments.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True).exists()


def register() -> None:
    register_completion_check(
        CheckCode.CONTACT_PERSON,
        CompletionCheck(
            passes=_has_contact_person,
            failure_message=lambda: _("Name the contact person first."),
            todo=lambda: _("Name the contact person"),
            url=lambda episode: reverse("cases:team", args=[episode.pk]),
        ),
    )
