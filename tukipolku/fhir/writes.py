"""Create and update for CarePlan and Appointment: FHIR bodies read into the inputs of the plans and
meetings services, which keep every rule of the pages (who may change, optimistic locks, the
meeting's rules). Reading only: nothing here writes.

* The body is first validated against the fhir.resources R4B model of its type: a malformed body is
  a 400 OperationOutcome listing the elements at fault (`invalid_body`).
* What the services cannot take is a 422 with a translated message (`FhirError`, code `processing`
  or `business-rule`).

CarePlan: `description` → the situation and the client's own view; our extension `plan-next-review`
→ the next review; each `activity.detail` → an action (`action-<id>` updates that action, an
activity without an id adds one; actions not in the body stay as they are – cancel one with status
`cancelled`); `detail.goal` links a new action to an existing goal of the plan. Goals are changed on
the plan page, not through FHIR. Appointment: `serviceType` (our `meeting-kind` code), `start`,
`end`, the contained Location's name or `description`'s place, `comment` → agenda; participants:
Practitioner → team users, the Patient → the client takes part, display-only actors → outside
persons; `status` `cancelled` on an update cancels the meeting.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from tukipolku.cases.models import Episode
from tukipolku.core.dates import instant_utc
from tukipolku.core.models import User
from tukipolku.fhir.outcome import FhirError
from tukipolku.fhir.resources.care_plan import ACTION_ID_PREFIX, ACTION_STATUS_FROM_FHIR, NEXT_REVIEW
from tukipolku.fhir.resources.common import code_system
from tukipolku.fhir.search import pk_of
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.services.inputs import MeetingInput, OutsideParticipant
from tukipolku.plans.choices import ActionStatus
from tukipolku.plans.models import Plan
from tukipolku.plans.services import ActionInput, GoalInput

MAX_ERRORS = 10


class InvalidBody(FhirError):
    """The body is not a valid resource of the type (400, issue code `structure`)."""


def invalid_body(data: Any, resource_type: str) -> dict[str, Any]:
    """The body as a dict once it is a structurally valid `resource_type`, else `InvalidBody`."""
    if not isinstance(data, dict) or data.get("resourceType") != resource_type:
        raise InvalidBody(
            _("The body must be a %(type)s resource in JSON.") % {"type": resource_type}, code="structure"
        )
    try:
        get_fhir_model_class(resource_type).model_validate(data)
    except ValidationError as error:
        places = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})[:MAX_ERRORS]
        raise InvalidBody(
            _("The %(type)s is not valid FHIR R4 at: %(places)s.")
            % {"type": resource_type, "places": ", ".join(places)},
            code="structure",
        ) from None
    except (TypeError, ValueError):
        raise InvalidBody(_("The body must be a %(type)s resource in JSON.") % {"type": resource_type}) from None
    return data


def referenced_id(reference: Any, resource_type: str) -> int | None:
    """The id in `{"reference": "<resource_type>/<id>"}`, or None."""
    if not isinstance(reference, dict):
        return None
    kind, _sep, raw = str(reference.get("reference", "")).rpartition("/")
    if kind.rsplit("/", 1)[-1] != resource_type:
        return None
    return pk_of(raw)


def episode_of(data: dict[str, Any], element: str) -> int:
    """The EpisodeOfCare a created resource belongs to (`supportingInfo` / `supportingInformation`)."""
    for reference in data.get(element, []) or []:
        pk = referenced_id(reference, "EpisodeOfCare")
        if pk is not None:
            return pk
    raise FhirError(
        _("Name the client relationship in %(element)s (a reference to EpisodeOfCare).") % {"element": element},
        http_status=422,
        code="required",
    )


def _user(reference: Any, *, region_id: int | None, what: str) -> User:
    pk = referenced_id(reference, "Practitioner")
    user = (
        User.objects.filter(pk=pk, is_active=True, organisation__region_id=region_id).exclude(profession="").first()
        if pk is not None
        else None
    )
    if user is None:
        raise FhirError(_("%(what)s must be a Practitioner of this service.") % {"what": what}, http_status=422)
    return user


def _date(value: Any, what: str) -> datetime.date:
    parsed = parse_date(str(value or "")[:10]) if value else None
    if parsed is None:
        raise FhirError(_("%(what)s must be a date (YYYY-MM-DD).") % {"what": what}, http_status=422)
    return parsed


def _instant(value: Any, what: str) -> datetime.datetime:
    parsed = parse_datetime(str(value or "")) if value else None
    if parsed is None:
        raise FhirError(_("%(what)s must be a date and time with its time zone.") % {"what": what}, http_status=422)
    utc = None if timezone.is_naive(parsed) else instant_utc(parsed)
    if utc is None:
        raise FhirError(_("%(what)s must be a date and time with its time zone.") % {"what": what}, http_status=422)
    return utc


def care_plan_input(data: dict[str, Any], *, plan: Plan, region_id: int | None) -> dict[str, Any]:
    """The keyword arguments of `plans.services.plan_save` (without actor, episode and revision)."""
    next_review = None
    for extension in data.get("extension", []) or []:
        if extension.get("url") == NEXT_REVIEW:
            next_review = _date(extension.get("valueDate"), _("The next review"))
    goals = {g.pk: g for g in plan.goals.all()}
    actions = {a.pk for a in plan.actions.all()}
    loose: list[ActionInput] = []
    by_goal: dict[int, list[ActionInput]] = {}
    for activity in data.get("activity", []) or []:
        detail = activity.get("detail")
        if not detail:
            continue  # references to referrals and meetings are not changed here
        action_id = pk_of(str(activity.get("id", "")), prefix=ACTION_ID_PREFIX) if activity.get("id") else None
        if activity.get("id") and action_id not in actions:
            raise FhirError(_("The plan has no action %(id)s.") % {"id": str(activity.get("id"))[:40]}, http_status=422)
        title = str(detail.get("description") or (detail.get("code") or {}).get("text") or "").strip()
        if not title:
            raise FhirError(_("Describe each action in activity.detail.description."), http_status=422)
        status = ACTION_STATUS_FROM_FHIR.get(str(detail.get("status")))
        if status is None:
            raise FhirError(_("An action's status must be not-started, completed or cancelled."), http_status=422)
        performers = detail.get("performer") or []
        if not performers:
            raise FhirError(
                _("Name the person responsible for each action in activity.detail.performer."), http_status=422
            )
        owner = _user(performers[0], region_id=region_id, what=_("The person responsible"))
        due = _date((detail.get("scheduledPeriod") or {}).get("end"), _("An action's due date (scheduledPeriod.end)"))
        item = ActionInput(id=action_id, title=title, owner=owner, due_on=due, status=status or ActionStatus.OPEN)
        goal_ids = [referenced_id(g, "Goal") for g in detail.get("goal", []) or []]
        goal_id = next((g for g in goal_ids if g is not None), None)
        if goal_id is not None and action_id is None:
            if goal_id not in goals:
                raise FhirError(_("The plan has no goal %(id)s.") % {"id": goal_id}, http_status=422)
            by_goal.setdefault(goal_id, []).append(item)
        else:
            loose.append(item)
    goal_inputs = [
        GoalInput(
            id=goal.pk,
            domain=goal.domain,
            description=goal.description,
            client_wording=goal.client_wording,
            target_on=goal.target_on,
            status=goal.status,
            actions=by_goal[goal.pk],
        )
        for goal in goals.values()
        if goal.pk in by_goal
    ]
    return {
        "summary": str(data.get("description", "")),
        "next_review_on": next_review,
        "goals": goal_inputs,
        "loose_actions": loose,
    }


def meeting_input(data: dict[str, Any], *, episode: Episode, region_id: int | None) -> MeetingInput:
    """The `MeetingInput` of an Appointment body."""
    kind = None
    for concept in data.get("serviceType", []) or []:
        for coding in concept.get("coding", []) or []:
            if coding.get("system") == code_system("meeting-kind") and coding.get("code") in MeetingKind.values:
                kind = coding["code"]
    if kind is None:
        raise FhirError(
            _("Give the kind of meeting in serviceType (code system %(system)s).")
            % {"system": code_system("meeting-kind")},
            http_status=422,
        )
    places = [c.get("name", "") for c in data.get("contained", []) or [] if c.get("resourceType") == "Location"]
    users: list[User] = []
    outside: list[OutsideParticipant] = []
    client_takes_part = False
    for participant in data.get("participant", []) or []:
        actor = participant.get("actor") or {}
        reference = str(actor.get("reference", ""))
        if reference.startswith("#"):
            continue  # the contained place
        if referenced_id(actor, "Patient") is not None:
            if referenced_id(actor, "Patient") != episode.client_id:
                raise FhirError(
                    _("The only patient of the meeting is the client of the relationship."), http_status=422
                )
            client_takes_part = True
        elif referenced_id(actor, "Practitioner") is not None:
            users.append(_user(actor, region_id=region_id, what=_("A participant")))
        elif actor.get("display") and not reference:
            outside.append(OutsideParticipant(name=str(actor["display"])[:200]))
        else:
            raise FhirError(
                _("A participant must be a Practitioner, the Patient or a person named in actor.display."),
                http_status=422,
            )
    return MeetingInput(
        kind=kind,
        starts_at=_instant(data.get("start"), _("The start")),
        ends_at=_instant(data.get("end"), _("The end")),
        location=(places[0] if places else "")[:200],
        agenda=str(data.get("comment", "")),
        users=users,
        outside=outside,
        client_takes_part=client_takes_part,
    )
