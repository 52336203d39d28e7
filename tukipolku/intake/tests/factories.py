"""Synthetic senders and notifications of need, sent through the real service."""

import datetime
from typing import Any

from django.utils import timezone

from tukipolku.cases.choices import ConsentMethod
from tukipolku.clients.tests.factories import next_identity_code
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.intake import services
from tukipolku.intake.models import NeedNotification


def partner_user(kind: str = OrganisationKind.EMPLOYMENT_SERVICES, organisation: Any = None, **kw: Any) -> Any:
    """A partner staff member (employment services by default)."""
    profession = {
        OrganisationKind.EMPLOYMENT_SERVICES: Profession.EMPLOYMENT_COORDINATOR,
        OrganisationKind.KELA: Profession.KELA_EXPERT,
        OrganisationKind.OCCUPATIONAL_HEALTH: Profession.OCCUPATIONAL_HEALTH,
        OrganisationKind.STUDENT_HEALTH: Profession.STUDENT_HEALTH,
    }[kind]
    return UserFactory(profession=profession, organisation=organisation or OrganisationFactory(kind=kind), **kw)


def need_fields(**kw: Any) -> dict[str, Any]:
    fields = {
        "identity_code": next_identity_code(),
        "first_names": "Ilmari",
        "last_name": "Ilmoitettu",
        "phone": "040 123 4567",
        "email": "",
        "language": "fi",
        "situations": ["long_unemployment"],
        "risk_factors": ["long_unemployment", "repeated_sick_leave"],
        "done_so_far": "Työkokeilu keskeytyi selkäkipujen vuoksi.",
        "need_description": "Työttömyys pitkittyy, selkäkipuja ja mieliala matala.",
        "consent_given": True,
        "consent_on": timezone.localdate() - datetime.timedelta(days=1),
        "consent_method": ConsentMethod.ORAL,
    }
    fields.update(kw)
    return fields


def send_need(sender: Any, team: Any, **kw: Any) -> NeedNotification:
    return services.need_send(actor=sender, team=team, **need_fields(**kw))
