"""Changes to pathway configuration, done by administrators. Audited like any other change."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.permissions import can_administer
from tukipolku.pathways.choices import VersionStatus
from tukipolku.pathways.loader import STEP_FIELDS
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion

_COPIED_STEP_FIELDS = ["order", *STEP_FIELDS]


def _require_admin(actor: Actor) -> None:
    if not can_administer(actor):
        raise ApplicationError(_("Only administrators may change pathways."))


@transaction.atomic
def pathway_version_create_draft(*, actor: Actor, pathway: Pathway) -> PathwayVersion:
    """Start a new draft version as a copy of the newest version. One draft at a time."""
    _require_admin(actor)
    Pathway.objects.select_for_update().filter(pk=pathway.pk).first()
    existing = pathway.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = pathway.versions.order_by("-number").first()
    number = (pathway.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = PathwayVersion.objects.create(pathway=pathway, number=number, status=VersionStatus.DRAFT)
    if latest is not None:
        PathwayStep.objects.bulk_create(
            PathwayStep(version=draft, **{f: getattr(s, f) for f in _COPIED_STEP_FIELDS}) for s in latest.steps.all()
        )
    event_record(actor=actor, verb=EventType.PATHWAY_DRAFTED, target=draft, payload={"number": number})
    return draft


def _check_handover_roles(version: PathwayVersion) -> None:
    """The steps with a part of an escorted handover come first (one step per part is a database constraint):
    an accepted handover marks done the new episode's steps from the first on, while it has done their part."""
    roles = list(version.steps.order_by("order").values_list("handover_role", flat=True))
    marked = [role for role in roles if role]
    if "" in roles[: len(marked)]:
        raise ApplicationError(_("The steps an escorted handover does must be the first steps of the pathway."))


@transaction.atomic
def pathway_version_publish(*, actor: Actor, version: PathwayVersion) -> PathwayVersion:
    """Publish a draft: new episodes use it; running episodes keep the version they started with."""
    _require_admin(actor)
    version = PathwayVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ApplicationError(_("Only a draft version can be published."))
    orders = list(version.steps.order_by("order").values_list("order", flat=True))
    if not orders:
        raise ApplicationError(_("A pathway version needs at least one step."))
    if orders != list(range(1, len(orders) + 1)):
        raise ApplicationError(_("Steps must be numbered 1, 2, 3… without gaps."))
    _check_handover_roles(version)
    PathwayVersion.objects.filter(pathway=version.pathway, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    event_record(actor=actor, verb=EventType.PATHWAY_PUBLISHED, target=version, payload={"number": version.number})
    return version
