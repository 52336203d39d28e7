"""The words for the codes in the access and disclosure logs, in one place.

Log rows store stable codes: the view's URL name (`meetings:schedule`), the data touched (`referral`,
`health,social`) and, for a refusal, its reason (`no_consent`). The data protection officer's log
search, the client's log report and their CSV exports show these labels instead. The access grounds
(`basis`) have their own vocabulary, `access.choices.AccessGround`.

`oversight/tests/test_labels.py` finds every view, resource and refusal reason the code logs (from
the URLconf and the source) and fails when one has no label here: add it when you add a logging view.
It also fails on a ground written as a bare string outside `AccessGround`, and on any label of these
tables or of `AccessGround` without a Finnish or Swedish translation.
An unknown code in an old row (a view since removed) is shown as stored, never hidden.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.core.choices import Profession
from tukipolku.privacy.choices import DataCategory

VIEW_LABELS: dict[str, Promise] = {
    # The FHIR interface (docs/fhir.md)
    "fhir:read": _("FHIR: reading a resource"),
    "fhir:search": _("FHIR: search"),
    "fhir:create": _("FHIR: creating a resource"),
    "fhir:update": _("FHIR: changing a resource"),
    # Case work
    "cases:caseload": _("Caseload"),
    "cases:caseload_search": _("Caseload search"),
    "cases:board": _("Team board"),
    "cases:correct": _("Correcting the pathway or the starting step"),
    "cases:intake": _("Finding a client"),
    "cases:intake_new": _("New client relationship"),
    "cases:episode_open": _("Opening a client relationship"),
    "cases:detail": _("Case page"),
    "cases:step": _("Pathway step"),
    "cases:team": _("Client's team"),
    "cases:client_details": _("Client's details"),
    "cases:close": _("Closing a client relationship"),
    "cases:reopen": _("Reopening a client relationship"),
    "cases:follow_up": _("Follow-up after closing"),
    "cases:emergency": _("Emergency access"),
    "cases:emergency_access": _("Emergency access"),
    # Consents and sharing
    "cases:consents": _("Consents"),
    "cases:consent_withdraw": _("Withdrawing a consent"),
    "cases:legal_basis": _("Sharing on a legal basis"),
    "cases:legal_basis_end": _("Ending sharing on a legal basis"),
    "cases:shared": _("Clients shared with the partner"),
    "cases:partner_home": _("Clients shared with the partner"),
    # Service plan, entries, meetings
    "plans:edit": _("Service plan"),
    "plans:agree": _("Service plan"),
    "plans:action_status": _("Service plan"),
    "plans:version": _("Service plan"),
    "plans:version_compare": _("Service plan"),
    "entries:create": _("Entries"),
    "meetings:create": _("Meeting"),
    "meetings:detail": _("Meeting"),
    "meetings:schedule": _("Scheduling a meeting"),
    "meetings:change": _("Changing a meeting"),
    "meetings:cancel": _("Cancelling a meeting"),
    "meetings:held": _("Recording a meeting as held"),
    "meetings:ics": _("Meeting calendar file"),
    # Referrals, notifications of need, escorted handovers
    "referrals:create": _("Sending a referral"),
    "referrals:detail": _("Referral"),
    "referrals:received": _("Received referrals"),
    "referrals:received_detail": _("Received referral"),
    "intake:send": _("Sending a notification of need"),
    "intake:sent": _("Sent notifications of need"),
    "intake:sent_detail": _("Sent notification of need"),
    "intake:queue": _("Received notifications of need"),
    "intake:detail": _("Received notification of need"),
    "intake:accept": _("Accepting a notification of need"),
    "intake:decline": _("Declining a notification of need"),
    "handovers:list": _("Escorted handovers"),
    "handovers:create": _("Opening an escorted handover"),
    "handovers:detail": _("Escorted handover"),
    "handovers:prepare": _("Preparing an escorted handover"),
    "handovers:transfer": _("Transferring an escorted handover"),
    "handovers:accept": _("Accepting an escorted handover"),
    # Notifications and the team's unfinished work
    "sweep:notifications": _("Notifications"),
    "sweep:notification_open": _("Opening a notification"),
    "sweep:unfinished": _("Unfinished work of the team"),
    # Spreadsheet import (docs/import.md): matching rows to clients by identity code
    "imports:list": _("Spreadsheet imports"),
    "imports:template_csv": _("Spreadsheet import template"),
    "imports:template_xlsx": _("Spreadsheet import template"),
    "imports:columns": _("Choosing the columns of a spreadsheet import"),
    "imports:check": _("Checking a spreadsheet import (background job)"),
    "imports:detail": _("Rows of a spreadsheet import"),
    "imports:commit": _("Importing a spreadsheet"),
    "imports:discard": _("Discarding a spreadsheet import"),
    # Data protection
    "oversight:review": _("Review of exceptional accesses"),
    "oversight:log": _("Log search"),
    "oversight:report": _("Access log report"),
    # REST API (/api/v1/): the coordination resources (tukipolku/api/v1/coordination_urls.py)
    "api:schema": _("API description"),  # named by the documentation page; it logs nothing
    "api:client-list": _("Clients (API)"),
    "api:client-detail": _("Client (API)"),
    "api:client-search": _("Search by identity code (API)"),
    "api:episode-list": _("Client relationships (API)"),
    "api:episode-detail": _("Client relationship (API)"),
    "api:episode-consents": _("Consents (API)"),
    "api:episode-plan": _("Service plan (API)"),
    "api:episode-action-create": _("Plan action added (API)"),
    "api:episode-action-update": _("Plan action status (API)"),
    "api:meeting_list": _("Meetings (API)"),
    "api:meeting_detail": _("Meeting (API)"),
    "api:entry_list": _("Entries (API)"),
    "api:referral_list": _("Referrals (API)"),
    "api:referral_detail": _("Referral (API)"),
    "api:referral_received": _("Received referrals (API)"),
    "api:referral_received_detail": _("Received referral (API)"),
    "api:handover_list": _("Escorted handovers (API)"),
    "api:handover_detail": _("Escorted handover (API)"),
    "api:need_list": _("Received notifications of need (API)"),
    "api:need_detail": _("Received notification of need (API)"),
    "api:need_sent_list": _("Sent notifications of need (API)"),
    "api:need_sent_detail": _("Sent notification of need (API)"),
    # Other systems
    "bulkexport:run": _("FHIR bulk export"),
}

RESOURCE_LABELS: dict[str, Promise] = {
    "case": _("client relationship"),
    "client": _("name and identity"),
    "consents": _("consents and prohibitions"),
    "list": _("list of clients"),
    "action": _("service plan action"),
    "consent": _("consent"),
    "grant": _("sharing on a legal basis"),
    "follow_up": _("follow-up"),
    "meeting": _("meeting"),
    "referral": _("referral"),
    "handover": _("escorted handover"),
    "need_notification": _("notification of need"),
    "entry": _("entry"),
    "notification": _("notification"),
    "entries:health": _("health care entries"),
    "entries:social": _("social care entries"),
    "entries:shared": _("shared entries"),
    "import": _("spreadsheet import"),
    "access_log": _("access log"),
    "disclosure_log": _("disclosure log"),
}

SILENT_RESOURCES = frozenset({"review_queue", "access_log_report", "page"})
"""Resources that the page's own label already names (`page`: a refusal of the whole page)."""

REASON_LABELS: dict[str, Promise] = {
    "not_found": _("Not found"),
    "role": _("Not allowed for the user's role"),
    "no_relationship": _("No client relationship"),
    "no_consent": _("No consent for this data"),
    "not_looked_up": _("Not found by identity code first"),
    "not_a_reviewer": _("Not a data protection reviewer"),
    "other_region": _("Another welfare region's client"),
    "not_permitted": _("No right to manage consents"),
    "read_only": _("Read-only access: no changes allowed"),
    "closed": _("Client relationship closed: no changes allowed"),
    "other_episode": _("Belongs to another client relationship"),
    "not_recipient": _("Not the recipient"),
    "not_sender": _("Not the sender"),
    "no_team": _("Not in the receiving team"),
}
"""Reasons of refused reads are stored as codes; other reasons (emergency access, a special reason
for an older log report) are the user's own words and are shown as written."""


def _label(labels: dict[str, Promise], value: str) -> str:
    found = labels.get(value)
    return str(found) if found is not None else value


def view_label(value: str) -> str:
    return _label(VIEW_LABELS, value)


def reason_label(value: str) -> str:
    return _label(REASON_LABELS, value)


def _choice(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def category_label(value: str) -> str:
    return _choice(DataCategory, value)


def profession_label(value: str) -> str:
    return _choice(Profession, value)


def action_label(value: str) -> str:
    return _choice(AccessAction, value)


def outcome_label(value: str) -> str:
    return _choice(AccessOutcome, value)


def resource_label(value: str) -> str:
    """`health,social` → the categories' names; other codes → their label."""
    words = []
    for part in (p for p in value.split(",") if p):
        if part in SILENT_RESOURCES:
            continue
        if part in RESOURCE_LABELS:
            words.append(str(RESOURCE_LABELS[part]))
        elif part in DataCategory.values:
            words.append(category_label(part).lower())
        else:
            words.append(part)
    return ", ".join(words)
