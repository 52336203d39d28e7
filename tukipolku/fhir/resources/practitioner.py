"""Users → FI Base Practitioner (`fi-base-practitioner`) and team memberships → FI Base
PractitionerRole (`fi-base-practitioner-role`).

We hold no professional register numbers (Terhikki/Suosikki, SV) nor staff identity codes, so the
Practitioner carries no identifier slice: the resource id is the user's. A PractitionerRole is one
team membership: the practitioner, the team's organisation, the profession and the role in the team
(our code systems: professions are not Valvira's professional rights), the period of membership.
"""

from __future__ import annotations

from typing import Any

from tukipolku.core.choices import Profession, TeamRole
from tukipolku.core.models import TeamMembership, User
from tukipolku.fhir.resources.common import choice_concept, meta, period, prune, ref


def to_fhir_practitioner(user: User) -> dict[str, Any]:
    """A professional: the name and the work phone (never the login name or e-mail)."""
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta(profile="fi-base-practitioner"),
        "active": user.is_active,
        "name": [
            {
                "text": user.display_name,
                "family": user.last_name,
                "given": user.first_name.split(),
            }
        ],
        "telecom": [{"system": "phone", "value": user.phone, "use": "work"}] if user.phone else [],
    }
    return prune(resource)


def practitioner_ref(user: User | None) -> dict[str, Any] | None:
    return ref("Practitioner", user.pk, user.display_name) if user is not None else None


def to_fhir_practitioner_role(membership: TeamMembership) -> dict[str, Any]:
    """One team membership; `membership.user` and `membership.team` should be fetched with it."""
    user, team = membership.user, membership.team
    resource: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "id": str(membership.pk),
        "meta": meta(profile="fi-base-practitioner-role", updated=membership.updated_at),
        "active": membership.ended_on is None,
        "period": period(membership.started_on, membership.ended_on),
        "practitioner": practitioner_ref(user),
        "organization": ref("Organization", team.organisation_id),
        "code": [
            choice_concept("profession", Profession, user.profession),
            choice_concept("team-role", TeamRole, membership.role),
        ],
        "telecom": [{"system": "phone", "value": user.phone, "use": "work"}] if user.phone else [],
    }
    return prune(resource)
