"""State changes of escorted handovers. Each runs in one transaction and appends a domain event.

The flow: the sending side opens a handover (the person's consent is required), records the
preparatory meeting's checklist and the transfer meeting (`sending`); a member of the receiving team
accepts it (`accept`), which opens the client's episode on the pathway they choose (preselected from
the handover's reason in the pathway data), marks done the steps the handover already did and keeps
the sending contact person in the client's team. A handover not accepted in
`TUKIPOLKU_HANDOVER_ESCALATION_DAYS` days escalates to the team's managers (`escalation`, a sweep
step). `from tukipolku.handovers import services` gives every public function.
"""

from tukipolku.handovers.services.accept import (
    SITUATION_BY_REASON,
    handover_accept,
    pathway_choices,
    pathway_default,
)
from tukipolku.handovers.services.common import (
    detail_url,
    receiving_nurse_candidates,
    receiving_team_candidates,
    sending_contact_candidates,
    team_members,
)
from tukipolku.handovers.services.escalation import days_waited, escalation_cutoff, handovers_escalate
from tukipolku.handovers.services.sending import (
    PREP_FIELDS,
    TRANSFER_FIELDS,
    handover_open,
    handover_prepare,
    handover_transfer,
    transfer_ahead_message,
    validate_work_ability_score,
)

__all__ = [
    "PREP_FIELDS",
    "SITUATION_BY_REASON",
    "TRANSFER_FIELDS",
    "days_waited",
    "detail_url",
    "escalation_cutoff",
    "handover_accept",
    "handover_open",
    "handover_prepare",
    "handover_transfer",
    "handovers_escalate",
    "pathway_choices",
    "pathway_default",
    "receiving_nurse_candidates",
    "receiving_team_candidates",
    "sending_contact_candidates",
    "team_members",
    "transfer_ahead_message",
    "validate_work_ability_score",
]
