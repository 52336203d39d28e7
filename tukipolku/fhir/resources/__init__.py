"""Pure mappings of our models to FHIR R4 (4.0.1) resources following FI Base (docs/fhir.md).

One module per resource; each exposes `to_fhir_<resource>(instance, ...) -> dict`. The views of
`tukipolku.fhir` and the bulk export import them; none of them reads the database beyond the
relations of the instance it is given, decides access or logs.
"""

from tukipolku.fhir.resources.appointment import to_fhir_appointment
from tukipolku.fhir.resources.care_plan import to_fhir_care_plan, to_fhir_goal
from tukipolku.fhir.resources.consent import to_fhir_consent
from tukipolku.fhir.resources.episode_of_care import to_fhir_care_team, to_fhir_episode_of_care
from tukipolku.fhir.resources.observation import work_ability_observation
from tukipolku.fhir.resources.organization import to_fhir_organization
from tukipolku.fhir.resources.patient import to_fhir_patient
from tukipolku.fhir.resources.practitioner import to_fhir_practitioner, to_fhir_practitioner_role
from tukipolku.fhir.resources.service_request import to_fhir_service_request

__all__ = [
    "to_fhir_appointment",
    "to_fhir_care_plan",
    "to_fhir_care_team",
    "to_fhir_consent",
    "to_fhir_episode_of_care",
    "to_fhir_goal",
    "to_fhir_organization",
    "to_fhir_patient",
    "to_fhir_practitioner",
    "to_fhir_practitioner_role",
    "to_fhir_service_request",
    "work_ability_observation",
]
