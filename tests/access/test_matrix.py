"""The access-control matrix: every row of the policy table in docs/access-policy.md, run through
Django's test client (reliability.md §5.4).

For each row the world of `tests/access/world.py` is set up once per module; each test runs in a
savepoint of it. The test logs the row's user in, sends the row's request and checks:

* the status (`allow`, `hidden`, `404`, `403`, `login`);
* that a refused or hidden response holds nothing of the target client (names, identity code and the
  marker texts of its plan, meeting and entries), and that an allowed one holds what the row reads;
* the access log of that very request (`X-Request-ID` = `PersonalDataAccess.request_id`): a refusal
  leaves a `denied` row, an allowed read an `allowed` row naming the client with the right basis, and
  a partner's read a `Disclosure` row too.

Two access paths: the pages (`html`, the first table) and the REST API (`api`, the table with a `path`
column: the same roles with their session, answered like the page each API route stands for,
`API_PAGES`; nobody signed in gets 401). `PATHS` maps a path to the function that sends the request.

Also here: the URL walker (every client-data route is in the table) and the IDOR probes (another
client's object id in an otherwise allowed URL is 404 and a logged refusal).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.access import world as W
from tests.access.tripwire import is_client_table
from tukipolku.access.choices import AccessGround
from tukipolku.api.v1.meetings import meeting_etag
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess
from tukipolku.cases.views import LOOKUP_SESSION_KEY
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.models import TeamMembership
from tukipolku.entries.choices import Register
from tukipolku.meetings.models import Meeting
from tukipolku.oversight.constants import SESSION_REPORT
from tukipolku.plans.choices import ActionStatus
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, LegalBasis, Purpose
from tukipolku.privacy.models import Consent, LegalBasisGrant

POLICY = Path(__file__).resolve().parents[2] / "docs" / "access-policy.md"
COLUMNS = ("role", "resource", "action", "relationship", "expected")
EXPECTED = ("allow", "hidden", "404", "403", "login", "401")
LOOKED_UP = "identity code looked up"

# ---------------------------------------------------------------- roles


@dataclass(frozen=True)
class Role:
    key: str  # the user in World.users (None for anonymous)
    relationship: str  # the relationship to the target client the world gives this role
    basis: str | None  # the access-log basis of a read of the client's episode
    own_registers: frozenset[str] = frozenset()  # registers read on the page's own basis


SHARED = frozenset({Register.SHARED})
ROLES: dict[str, Role] = {
    "nurse": Role("nurse", "team member", AccessGround.TEAM, SHARED | {Register.HEALTH}),
    "social worker": Role("social_worker", "team member", AccessGround.TEAM, SHARED | {Register.SOCIAL}),
    "job coach": Role("job_coach", "team member", AccessGround.TEAM, SHARED),
    "case-team colleague": Role("case_member", "case-team member", AccessGround.CASE_TEAM, SHARED | {Register.HEALTH}),
    "org colleague": Role("org_colleague", "none", None),
    "org colleague, break-glass": Role(
        "emergency", "emergency access", AccessGround.EMERGENCY, SHARED | {Register.HEALTH}
    ),
    "other-org nurse": Role("outsider", "other organisation", None),
    "partner, plan consent": Role("partner_plan", "case-team member", AccessGround.PARTNER),
    "partner, health consent": Role("partner_health", "case-team member", AccessGround.PARTNER),
    "partner, no consent": Role("partner_none", "case-team member", None),
    "partner, consent withdrawn": Role("partner_withdrawn", "case-team member", None),
    "partner, not in team": Role("partner_outside", "none", None),
    "ended member": Role("ended", "membership ended", None),
    "deactivated": Role("deactivated", "team member", None),
    "administrator": Role("admin", "none", None),
    "DPO": Role("dpo", "none", None),
    # The welfare-region boundary (ADR 11): people of another region.
    "other-region nurse": Role("region_nurse", "other region", None),
    "other-region partner, plan consent": Role("region_partner", "case-team member, other region", None),
    "other-region administrator": Role("region_admin", "other region", None),
    "other-region DPO": Role("region_dpo", "other region", None),
    "anonymous": Role("anonymous", "none", None),
}
PARTNERS = {"partner_plan", "partner_health", "partner_none", "partner_withdrawn", "partner_outside", "region_partner"}
SEES_CLIENT = {"nurse", "social_worker", "job_coach", "case_member", "emergency"}
"""Roles for whom the target client is in reach (a name search finds them)."""

# ---------------------------------------------------------------- routes


def _today() -> str:
    return timezone.localdate().isoformat()


def _fi(day: Any = None) -> str:
    return (day or timezone.localdate()).strftime("%d.%m.%Y")


def _own_team(w: W.World, actor: Any) -> Any:
    """The team the actor would choose in a form: their own active team (the world's team if none)."""
    if actor is None:
        return w.team
    membership = TeamMembership.objects.active().filter(user=actor).select_related("team").first()
    return membership.team if membership is not None else w.team


def _episode_fields(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "ep-team": str(_own_team(w, actor).pk),
        "ep-pathway": str(
            w.region_pathway.pk if actor is not None and actor.region_id == w.other_region.pk else w.pathway.pk
        ),
        "ep-source": "employment_services",
        "ep-situations": ["long_unemployment"],
        "ep-need_description": "Pitkittynyt työttömyys.",
        "ep-consent_given": "on",
        "ep-consent_on": _today(),
        "ep-consent_method": "oral",
    }


def _formset(prefix: str, rows: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _plan_payload(w: W.World, actor: Any) -> dict[str, Any]:
    goal = w.plan.goals.get()
    action = w.action
    data: dict[str, Any] = {"revision": str(w.plan.revision), "summary": "Päivitetty tilanne.", "next_review_on": ""}
    data.update(
        _formset(
            "goals",
            [
                {
                    "id": str(goal.pk),
                    "domain": goal.domain,
                    "description": "Työkokeilu kaupan alalla",
                    "client_wording": "",
                    "target_on": "",
                    "status": "open",
                }
            ],
            initial=1,
        )
    )
    data.update(
        _formset(
            "goals-0-actions",
            [
                {
                    "id": str(action.pk),
                    "title": action.title,
                    "owner": str(action.owner_id),
                    "due_on": action.due_on.isoformat() if action.due_on else "",
                    "status": "open",
                }
            ],
            initial=1,
        )
    )
    data.update(_formset("loose", []))
    return data


def _meeting_payload(w: W.World, actor: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "team",
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "Neuvotteluhuone 2",
        "participants": [str(w.users["nurse"].pk)],
        "outside_participants": "",
        "agenda": "Tilannekatsaus",
        "minutes": "Sovittiin jatkosta.",
    }
    data.update(_formset("decisions", [{"text": "", "owner": "", "due_on": ""} for _ in range(3)]))
    return data


def _client_details_payload(w: W.World, actor: Any) -> dict[str, Any]:
    """The client's details with a new phone number (address protection off: the address is sent too)."""
    c = w.client
    c.refresh_from_db()
    return {
        "revision": str(c.revision),
        "first_names": c.first_names,
        "last_name": c.last_name,
        "language": c.language,
        "phone": "050 765 4321",
        "email": c.email,
        "street_address": c.street_address,
        "postal_code": c.postal_code,
        "post_office": c.post_office,
        "municipality": c.municipality,
    }


def _consent_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "consent-kind": ConsentKind.CONSENT,
        "consent-recipient_organisation": str(w.kela_org.pk),
        "consent-recipient_kind": "",
        "consent-categories": [DataCategory.SHARED_PLAN],
        "consent-purpose": Purpose.BENEFITS,
        "consent-purpose_details": "",
        "consent-valid_from": _fi(),
        "consent-valid_until": "",
        "consent-given_how": GivenHow.WRITTEN,
        "consent-given_note": "Lomake arkistossa",
    }


def _grant_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "grant-grantee": str(w.users["job_coach"].pk),
        "grant-categories": [DataCategory.SOCIAL],
        "grant-legal_basis": LegalBasis.SHL_41,
        "grant-reason": "Monialainen yhteispalvelu, asiakas ei tavoitettavissa.",
        "grant-valid_until": _fi(),
    }


def _new_client_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "cl-identity_code": ClientFactory.build().identity_code,
        "cl-first_names": "Tiina",
        "cl-last_name": "Uusi-Testinen",
        "cl-language": "fi",
        "cl-employment_status": "unemployed",
        "cl-phone": "",
        "cl-email": "",
        "cl-municipality": "Eura",
        **_episode_fields(w, actor),
    }


def _need_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "team": str(w.team.pk),
        "identity_code": w.client.identity_code,
        "first_names": W.FIRST_NAMES,
        "last_name": W.LAST_NAME,
        "language": "fi",
        "need_description": "Toistuvia poissaoloja, tuen tarve.",
        "consent_given": "on",
        "consent_on": _fi(),
        "consent_method": "oral",
    }


def _referral_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "kind": "employment_services",
        "recipient_organisation": str(w.employment_org.pk),
        "recipient_user": "",
        "recipient_name": "",
        "reason": "Työkokeilun järjestäminen.",
        "categories": [DataCategory.SHARED_PLAN],
        "due_on": _fi(timezone.localdate() + datetime.timedelta(days=14)),
        "note": "",
    }


def _status_payload(status: str, expected: str = "sent") -> Callable[[W.World, Any], dict[str, Any]]:
    return lambda w, a: {"status-status": status, "status-expected_status": expected, "status-note": ""}


def _handover_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "identity_code": ClientFactory.build().identity_code,
        "first_names": "Uusi",
        "last_name": "Saatettava-Uusi",
        "phone": "",
        "email": "",
        "team": str(w.team.pk),
        "reason": "employment_ending",
        "background": "",
        "sending_contact": str(actor.pk) if actor is not None else "",
        "consent_given": "on",
        "consent_on": _fi(),
        "consent_method": "oral",
    }


def _schedule_payload(w: W.World, actor: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "team",
        "date": _fi(timezone.localdate() + datetime.timedelta(days=2)),
        "starts": "10:00",
        "ends": "11:00",
        "location": "Neuvotteluhuone 2",
        "video_link": "",
        "team_users": [str(w.users["nurse"].pk)],
        "agenda": "Tilannekatsaus",
    }
    data.update(_formset("outside", []))
    return data


def _change_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {**_schedule_payload(w, actor), "sequence": str(w.scheduled.sequence)}


def _held_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {"sequence": str(w.scheduled.sequence), "minutes": "Sovittiin jatkosta.", **_formset("decisions", [])}


def _follow_up_payload(w: W.World, actor: Any) -> dict[str, Any]:
    return {"expected_status": "due", "situation": "studying", "situation_on": _fi(), "note": ""}


@dataclass(frozen=True)
class Route:
    name: str  # URL name
    method: str  # get / post
    target: str  # what the URL points at: see `route_args`
    payload: Callable[[W.World, Any], dict[str, Any]] | None = None
    shows: str = "name"  # what an allowed response shows: name / goal / minutes / register marker / nothing
    reads_target: bool = True  # an allowed request reads (and logs) the target client
    register: str | None = None  # a register-level read on the case page
    echo: Callable[[W.World], tuple[str, ...]] | None = None  # what the page shows back (a search box)
    answers: tuple[int, ...] = ()  # an allowed request's status; default: 200 for GET, a redirect for POST
    changes: bool | None = None  # an allowed request changes something; default: POST does
    report: bool = False  # the session holds the data protection officer's report of the target client
    prepare: Callable[[W.World], Any] | None = None  # sets up what the row needs, in the test's savepoint
    discloses: bool = True  # a partner's allowed read discloses to their organisation (a Disclosure row)

    @property
    def success(self) -> tuple[int, ...]:
        return self.answers or ((200,) if self.method == "get" else (302, 303))

    @property
    def makes_change(self) -> bool:
        return self.changes if self.changes is not None else self.method == "post"


def _search(q: Callable[[W.World], str]) -> Callable[[W.World, Any], dict[str, Any]]:
    return lambda w, actor: {"q": q(w)}


def _echo_code(w: W.World) -> tuple[str, ...]:
    return (w.client.identity_code,)


def _identity_code(w: W.World, actor: Any) -> dict[str, Any]:
    return {"identity_code": w.client.identity_code}


def _prepare_import(w: W.World) -> None:
    """A checked import by the nurse into team A whose one row names the target client (who has an
    open relationship there already: the row is refused, and matched to the client by identity code)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tukipolku.imports import services as import_services

    c = w.client
    data = f"hetu;sukunimi;etunimet;alkupäivä\r\n{c.identity_code};{c.last_name};{c.first_names};1.1.2026\r\n"
    nurse = w.users["nurse"]
    batch = import_services.import_upload(
        actor=nurse, team=w.team, upload=SimpleUploadedFile("asiakkaat.csv", data.encode())
    )
    import_services.import_map(actor=nurse, batch=batch, mapping=batch.mapping, expected_revision=batch.revision)
    import_services.import_check(batch_id=batch.pk)
    batch.refresh_from_db()
    w.import_batch = batch  # type: ignore[attr-defined]


def _import_revision(w: W.World, actor: Any) -> dict[str, Any]:
    return {"revision": str(w.import_batch.revision), "mode": "valid"}  # type: ignore[attr-defined]


def _import_columns(w: W.World, actor: Any) -> dict[str, Any]:
    return {
        "revision": str(w.import_batch.revision),  # type: ignore[attr-defined]
        "identity_code": "0",
        "last_name": "1",
        "first_names": "2",
        "start_date": "3",
    }


ROUTES: dict[tuple[str, str], Route] = {
    ("case page", "read"): Route("cases:detail", "get", "episode"),
    ("health entries", "read"): Route("cases:detail", "get", "episode", shows="marker", register=Register.HEALTH),
    ("social entries", "read"): Route("cases:detail", "get", "episode", shows="marker", register=Register.SOCIAL),
    ("shared entries", "read"): Route("cases:detail", "get", "episode", shows="marker", register=Register.SHARED),
    ("pathway step", "complete"): Route(
        "cases:step",
        "post",
        "episode",
        lambda w, a: {
            "action": "complete",
            "complete-step_id": str(w.episode.current_step_id),
            "complete-output": "Tarve kirjattu.",
        },
    ),
    ("pathway correction", "read form"): Route("cases:correct", "get", "episode"),
    ("client's team", "read"): Route("cases:team", "get", "episode"),
    ("client's team", "add member"): Route(
        "cases:team",
        "post",
        "episode",
        lambda w, a: {"op": "add", "user": str(w.users["org_colleague"].pk), "role_in_case": "Työkyvyn arvio"},
    ),
    ("closing", "read form"): Route("cases:close", "get", "episode"),
    ("closing", "close"): Route(
        "cases:close",
        "post",
        "episode",
        lambda w, a: {
            "outcome": "open_labour_market",
            "outcome_on": _today(),
            "outcome_detail": "",
            "follow_up_owner": str(w.users["nurse"].pk),
            "follow_up_months": ["3"],
            "follow_up_on": "",
            "confirm_early": "on",
        },
    ),
    ("reopening", "reopen"): Route(
        "cases:reopen", "post", "closed", lambda w, a: {"reason": "Asiakas otti uudelleen yhteyttä."}
    ),
    ("plan", "read"): Route("plans:edit", "get", "episode", shows="goal"),
    ("plan version", "read"): Route("plans:version", "get", "plan_version", shows="goal"),
    ("plan version", "compare"): Route("plans:version_compare", "get", "plan_version"),
    ("plan", "edit"): Route("plans:edit", "post", "episode", _plan_payload),
    ("plan", "agree"): Route(
        "plans:agree",
        "post",
        "episode",
        lambda w, a: {"revision": str(w.plan.revision), "agreed_on": _today(), "method": "oral"},
    ),
    ("plan action", "set status"): Route(
        "plans:action_status", "post", "action", lambda w, a: {"status": ActionStatus.DONE}
    ),
    ("meeting", "read form"): Route("meetings:create", "get", "episode"),
    ("meeting", "create"): Route("meetings:create", "post", "episode", _meeting_payload),
    ("meeting", "read"): Route("meetings:detail", "get", "meeting", shows="minutes"),
    ("entry", "create"): Route(
        "entries:create",
        "post",
        "episode",
        lambda w, a: {"register": Register.SHARED, "text": "Soitettu asiakkaalle.", "ehr_reference": ""},
    ),
    ("client details", "read change form"): Route("cases:client_details", "get", "episode"),
    ("client details", "change"): Route("cases:client_details", "post", "episode", _client_details_payload),
    ("consents", "read"): Route("cases:consents", "get", "episode"),
    ("consent", "record"): Route("cases:consents", "post", "episode", _consent_payload),
    ("consent", "withdraw"): Route(
        "cases:consent_withdraw", "post", "consent", lambda w, a: {"withdraw-note": "Asiakas soitti."}
    ),
    ("legal basis", "grant"): Route("cases:legal_basis", "post", "episode", _grant_payload),
    ("legal basis", "end"): Route("cases:legal_basis_end", "post", "grant", lambda w, a: {}),
    ("emergency access", "read form"): Route("cases:emergency", "get", "client"),
    ("emergency access", "open"): Route(
        "cases:emergency", "post", "client", lambda w, a: {"reason": "Asiakas soitti kriisissä, tiimi ei vastaa."}
    ),
    ("partner list", "read"): Route("cases:shared", "get", "none"),
    # Spreadsheet import (rule 18): the uploader's own import, whose row names the target client.
    ("import", "read rows"): Route("imports:detail", "get", "import", prepare=_prepare_import),
    ("import", "read columns"): Route(
        "imports:columns", "get", "import", shows="nothing", reads_target=False, prepare=_prepare_import
    ),
    # The dry run and the commit run in the task worker after the request's commit (ADR 0009): the
    # request itself changes the import only, and writes no domain event.
    ("import", "check again"): Route(
        "imports:columns",
        "post",
        "import",
        _import_columns,
        shows="nothing",
        reads_target=False,
        changes=False,
        prepare=_prepare_import,
    ),
    ("import", "commit"): Route(
        "imports:commit",
        "post",
        "import",
        _import_revision,
        shows="nothing",
        reads_target=False,
        changes=False,
        prepare=_prepare_import,
    ),
    ("import", "discard"): Route(
        "imports:discard",
        "post",
        "import",
        _import_revision,
        shows="nothing",
        reads_target=False,
        changes=False,
        prepare=_prepare_import,
    ),
    ("intake", "read form"): Route("cases:intake", "get", "none", shows="nothing", reads_target=False),
    ("intake", "search by name"): Route(
        "cases:intake",
        "post",
        "none",
        _search(lambda w: W.FIRST_NAMES.split()[0]),
        echo=lambda w: (W.FIRST_NAMES.split()[0],),
        answers=(200,),
        changes=False,
    ),
    ("intake", "search by identity code"): Route(
        "cases:intake",
        "post",
        "none",
        _search(lambda w: w.client.identity_code),
        echo=_echo_code,
        answers=(200,),
        changes=False,
    ),
    ("new client", "read form"): Route("cases:intake_new", "get", "none", shows="nothing", reads_target=False),
    ("new client", "create"): Route(
        "cases:intake_new", "post", "none", _new_client_payload, shows="nothing", reads_target=False
    ),
    ("relationship opening", "read form"): Route("cases:episode_open", "get", "closed_client"),
    ("relationship opening", "open"): Route(
        "cases:episode_open", "post", "closed_client", lambda w, a: _episode_fields(w, a)
    ),
    ("caseload", "read"): Route("cases:caseload", "get", "none"),
    ("caseload", "search"): Route(
        "cases:caseload_search",
        "post",
        "none",
        _search(lambda w: W.LAST_NAME),
        echo=lambda w: (W.LAST_NAME,),
        answers=(200,),
        changes=False,
    ),
    ("board", "read"): Route("cases:board", "get", "none"),
    # The data protection officer's pages (tukipolku/oversight): the logs, not the case.
    ("review queue", "read"): Route("oversight:review", "get", "none"),
    ("emergency access review", "record"): Route(
        "oversight:review_emergency",
        "post",
        "emergency_access",
        lambda w, a: {f"e{w.emergency_access.pk}-outcome": "appropriate", f"e{w.emergency_access.pk}-note": ""},
    ),
    ("legal basis review", "record"): Route(
        "oversight:review_grant",
        "post",
        "grant_only",
        lambda w, a: {f"g{w.grant.pk}-outcome": "appropriate", f"g{w.grant.pk}-note": ""},
    ),
    ("access log", "read"): Route("oversight:log", "get", "none", shows="nothing", reads_target=False),
    ("access log", "find client"): Route(
        "oversight:log", "post", "none", _identity_code, echo=_echo_code, changes=False
    ),
    ("log report", "read"): Route("oversight:report", "get", "none", report=True),
    ("log report", "find client"): Route(
        "oversight:report", "post", "none", _identity_code, echo=_echo_code, changes=False
    ),
    ("log report", "change period"): Route(
        "oversight:report_period",
        "post",
        "none",
        lambda w, a: {"since": _fi(timezone.localdate() - datetime.timedelta(days=30)), "until": _fi()},
        reads_target=False,
        changes=False,
        report=True,
    ),
    ("log report", "close"): Route(
        "oversight:report_clear", "post", "none", reads_target=False, changes=False, report=True
    ),
    ("log report", "print"): Route(
        "oversight:report_print", "post", "none", answers=(200,), changes=False, report=True
    ),
    ("log report", "export"): Route(
        "oversight:report_export", "post", "none", answers=(200,), changes=False, report=True
    ),
    # Coordination across organisations (issue 4). Notifications of need (tukipolku/intake).
    ("notification of need", "read form"): Route("intake:send", "get", "none", shows="nothing", reads_target=False),
    # The sender names the client; the register's row is looked up on their behalf and logged. What
    # a partner sends is their organisation's disclosure to the team, not one to them.
    ("notification of need", "send"): Route(
        "intake:send", "post", "none", _need_payload, shows="nothing", discloses=False
    ),
    ("sent notifications", "read"): Route("intake:sent", "get", "none", discloses=False),
    ("sent notification", "read"): Route("intake:sent_detail", "get", "need", discloses=False),
    ("intake queue", "read"): Route("intake:queue", "get", "none"),
    ("notification of need", "read"): Route("intake:detail", "get", "need", shows="need"),
    # The client already has an open relationship with the team: accepted into it.
    ("notification of need", "accept"): Route(
        "intake:accept",
        "post",
        "need",
        lambda w, a: {"status": "waiting", "pathway": str(w.pathway.pk), "link_existing": "on"},
    ),
    ("notification of need", "decline"): Route(
        "intake:decline", "post", "need", lambda w, a: {"status": "waiting", "reason": "Ohjataan sosiaalityöhön."}
    ),
    # Referrals (tukipolku/referrals). The team's pages point at a referral to an outside recipient
    # (the team records its status); the recipient's pages at the referral to employment services.
    ("referral", "read form"): Route("referrals:create", "get", "episode"),
    ("referral", "send"): Route("referrals:create", "post", "episode", _referral_payload),
    ("referral", "read"): Route("referrals:detail", "get", "referral"),
    ("referral", "set status"): Route("referrals:detail", "post", "referral", _status_payload("received")),
    ("received referrals", "read"): Route("referrals:received", "get", "none", prepare=W.send_partner_referral),
    ("received referral", "read"): Route(
        "referrals:received_detail", "get", "received", shows="referral", prepare=W.send_partner_referral
    ),
    ("received referral", "set status"): Route(
        "referrals:received_detail", "post", "received", _status_payload("received"), prepare=W.send_partner_referral
    ),
    # Escorted handovers (tukipolku/handovers): another person, walked over from occupational health.
    ("handovers", "read"): Route("handovers:list", "get", "none", discloses=False),
    ("handover", "read form"): Route("handovers:create", "get", "none", shows="nothing", reads_target=False),
    ("handover", "open"): Route(
        "handovers:create", "post", "none", _handover_payload, shows="nothing", reads_target=False
    ),
    ("handover", "read"): Route("handovers:detail", "get", "handover", discloses=False),
    ("handover preparation", "read form"): Route("handovers:prepare", "get", "handover", discloses=False),
    ("handover preparation", "record"): Route(
        "handovers:prepare",
        "post",
        "handover",
        lambda w, a: {"revision": str(w.handover.revision), "prep_met_on": _fi()},
        discloses=False,
    ),
    ("handover transfer", "read form"): Route("handovers:transfer", "get", "handover", discloses=False),
    ("handover", "accept"): Route("handovers:accept", "post", "handover", lambda w, a: {"status": "open"}),
    # Scheduled meetings (tukipolku/meetings): a network meeting with a partner participant.
    ("scheduled meeting", "read schedule form"): Route("meetings:schedule", "get", "episode"),
    ("scheduled meeting", "schedule"): Route("meetings:schedule", "post", "episode", _schedule_payload),
    ("scheduled meeting", "read"): Route("meetings:detail", "get", "scheduled"),
    ("scheduled meeting", "read change form"): Route("meetings:change", "get", "scheduled"),
    ("scheduled meeting", "change"): Route("meetings:change", "post", "scheduled", _change_payload),
    ("scheduled meeting", "cancel"): Route(
        "meetings:cancel", "post", "scheduled", lambda w, a: {"sequence": str(w.scheduled.sequence)}
    ),
    ("scheduled meeting", "read held form"): Route("meetings:held", "get", "scheduled"),
    ("scheduled meeting", "record held"): Route("meetings:held", "post", "scheduled", _held_payload),
    # The calendar file names no client and holds no case content; it opens through the gate.
    ("scheduled meeting", "download calendar file"): Route("meetings:ics", "get", "scheduled", shows="nothing"),
    # Follow-ups after closing (tukipolku/cases): the closed relationship's follow-up.
    ("follow-up", "read"): Route("cases:follow_up", "get", "follow_up"),
    ("follow-up", "record"): Route("cases:follow_up", "post", "follow_up", _follow_up_payload),
    # Notifications (tukipolku/sweep): the user's own; a client is named only where the gate lets them.
    ("notifications", "read"): Route("sweep:notifications", "get", "none"),
    ("notifications", "mark all read"): Route(
        "sweep:notifications_read_all", "post", "none", shows="nothing", reads_target=False, changes=False
    ),
    # The nurse's notice of the notification of need: anyone else's notification is 404.
    ("notification", "open"): Route(
        "sweep:notification_open", "post", "notification", shows="nothing", reads_target=False, changes=False
    ),
    # The managers' page: no role of the table manages a team (test_coordination_access.py has one).
    ("unfinished processes", "read"): Route("sweep:unfinished", "get", "none"),
}


def route_args(w: W.World, target: str, *, other: bool = False) -> list[int]:
    """URL arguments; `other` swaps in the other organisation's client's objects (IDOR probes)."""
    episode = w.other if other else w.episode
    return {
        "none": [],
        "episode": [episode.pk],
        "plan_version": [episode.pk, 1],  # the plan's first saved version
        "closed": [w.closed.pk],
        "client": [(w.other_client if other else w.client).pk],
        "closed_client": [(w.other_client if other else w.closed_client).pk],
        "action": [w.episode.pk, (w.other_action if other else w.action).pk],
        "meeting": [w.episode.pk, (w.other_meeting if other else w.meeting).pk],
        "consent": [w.episode.pk, (w.other_consent if other else w.consent).pk],
        "grant": [w.episode.pk, (w.other_grant if other else w.grant).pk],
        "grant_only": [w.grant.pk],
        "emergency_access": [w.emergency_access.pk],
        "need": [(w.other_need if other else w.need).pk],
        "referral": [w.episode.pk, (w.other_referral if other else w.outside_referral).pk],
        "received": [w.referral.pk if w.referral is not None else 0],
        "handover": [(w.other_handover if other else w.handover).pk],
        "scheduled": [w.episode.pk, (w.other_scheduled if other else w.scheduled).pk],
        "follow_up": [w.closed.pk, (w.other_follow_up if other else w.follow_up).pk],
        "notification": [(w.other_notification if other else w.notification).pk],
        "import": [getattr(w, "import_batch", w.episode).pk],
    }[target]


def target_client(w: W.World, route: Route) -> Any:
    if route.name.startswith("handovers:"):
        return w.handover_client
    return w.closed_client if route.target in ("closed", "closed_client", "follow_up") else w.client


def send_html(c: Any, w: W.World, route: Route, actor: Any, url: str) -> Any:
    if route.method == "get":
        return c.get(url)
    return c.post(url, route.payload(w, actor) if route.payload else {})


def _api_schedule_payload(w: W.World, actor: Any) -> dict[str, Any]:
    starts = (timezone.now() + datetime.timedelta(days=8)).replace(microsecond=0)
    return {
        "kind": "network",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "location": "Neuvotteluhuone 4",
        "users": [w.users["nurse"].pk],
    }


API_ROUTES: dict[tuple[str, str], Route] = {
    # The REST API of the coordination resources (tukipolku/api/v1/coordination_urls.py): the rows of
    # the table's `api` path, answered like the page each stands for (API_PAGES).
    ("meetings", "read"): Route("api:meeting_list", "get", "episode", shows="minutes"),
    ("meeting", "read"): Route("api:meeting_detail", "get", "meeting", shows="minutes"),
    ("scheduled meeting", "schedule"): Route(
        "api:meeting_list", "post", "episode", _api_schedule_payload, shows="nothing", answers=(201,)
    ),
    ("scheduled meeting", "change"): Route(
        "api:meeting_detail",
        "patch",
        "scheduled",
        lambda w, a: {k: v for k, v in _api_schedule_payload(w, a).items() if k != "users"},
        shows="nothing",
        answers=(200,),
        changes=True,
    ),
    ("entries", "read"): Route("api:entry_list", "get", "episode", shows="nothing"),
    ("entry", "create"): Route(
        "api:entry_list",
        "post",
        "episode",
        lambda w, a: {"register": Register.SHARED, "text": "Soitettu asiakkaalle."},
        shows="nothing",
        answers=(201,),
    ),
    # The team's referral to an outside recipient: its reason is not one of the client's markers.
    ("referrals", "read"): Route("api:referral_list", "get", "episode", shows="nothing"),
    ("referral", "read"): Route("api:referral_detail", "get", "referral", shows="nothing"),
    ("received referrals", "read"): Route(
        "api:referral_received", "get", "none", shows="referral", prepare=W.send_partner_referral
    ),
    ("received referral", "read"): Route(
        "api:referral_received_detail", "get", "received", shows="referral", prepare=W.send_partner_referral
    ),
    ("handovers", "read"): Route("api:handover_list", "get", "none", discloses=False),
    ("handover", "read"): Route("api:handover_detail", "get", "handover", discloses=False),
    ("intake queue", "read"): Route("api:need_list", "get", "none"),
    ("notification of need", "read"): Route("api:need_detail", "get", "need", shows="need"),
    ("sent notifications", "read"): Route("api:need_sent_list", "get", "none", discloses=False),
    ("sent notification", "read"): Route("api:need_sent_detail", "get", "need", discloses=False),
}

API_PAGES = {
    "api:meeting_list": "meetings:detail",
    "api:meeting_detail": "meetings:detail",
    "api:entry_list": "cases:detail",
    "api:referral_list": "referrals:detail",
    "api:referral_detail": "referrals:detail",
    "api:referral_received": "referrals:received",
    "api:referral_received_detail": "referrals:received_detail",
    "api:handover_list": "handovers:list",
    "api:handover_detail": "handovers:detail",
    "api:need_list": "intake:queue",
    "api:need_detail": "intake:detail",
    "api:need_sent_list": "intake:sent",
    "api:need_sent_detail": "intake:sent_detail",
}
"""The page each API route answers like: the expected access-log basis and target client are the page's."""


def send_api(c: Any, w: W.World, route: Route, actor: Any, url: str) -> Any:
    """The REST API with the role's session (JSON in and out; a change names the version it read)."""
    if route.method == "get":
        return c.get(url, HTTP_ACCEPT="application/json")
    body = json.dumps(route.payload(w, actor) if route.payload else {})
    if route.method == "patch":
        etag = meeting_etag(Meeting.objects.get(pk=w.scheduled.pk))
        return c.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    return c.post(url, body, content_type="application/json")


def page_route(route: Route) -> Route:
    """The page an API route answers like (itself for a page)."""
    return replace(route, name=API_PAGES.get(route.name, route.name))


PATHS: dict[str, Callable[..., Any]] = {"html": send_html, "api": send_api}
"""Access paths: the pages and the REST API. When an export or a background job reads client data,
add it here and its rows to the policy table (a table with a `path` column)."""

ROUTES_BY_PATH: dict[str, dict[tuple[str, str], Route]] = {"html": ROUTES, "api": API_ROUTES}

# ---------------------------------------------------------------- the policy table


@dataclass(frozen=True)
class Row:
    role: str
    resource: str
    action: str
    relationship: str
    expected: str
    path: str = "html"

    @property
    def id(self) -> str:
        text = f"{self.role}|{self.resource}|{self.action}|{self.relationship}|{self.path}"
        return re.sub(r"[^A-Za-z0-9|]+", "_", text)


def parse_policy(text: str) -> list[Row]:
    """The rows of every table whose header starts with the policy columns (the pages' table and the
    REST API's, which has a `path` column)."""
    lines = text.splitlines()
    rows: list[Row] = []
    header: list[str] | None = None
    tables = 0
    for line in lines:
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            if tuple(c.lower() for c in cells[: len(COLUMNS)]) == COLUMNS:
                header = [c.lower() for c in cells]
                tables += 1
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        values = dict(zip(header, (c.strip("`") for c in cells), strict=True))
        rows.append(Row(**{k: v for k, v in values.items() if k in Row.__dataclass_fields__}))
    assert tables, "no policy table in docs/access-policy.md"
    return rows


ROWS = parse_policy(POLICY.read_text(encoding="utf-8"))


def test_policy_table__every_row_is_known_and_complete():
    seen = set()
    for row in ROWS:
        assert row.role in ROLES, row
        assert row.path in PATHS, row
        assert (row.resource, row.action) in ROUTES_BY_PATH[row.path], row
        assert row.expected in EXPECTED, row
        default = ROLES[row.role].relationship
        assert row.relationship in (default, f"{default}, {LOOKED_UP}"), row
        key = (row.role, row.resource, row.action, row.relationship, row.path)
        assert key not in seen, f"duplicate row {row}"
        seen.add(key)
    covered = {(r.role, r.resource, r.action, r.path) for r in ROWS if r.relationship == ROLES[r.role].relationship}
    missing = [
        (role, *ra, path)
        for path, routes in ROUTES_BY_PATH.items()
        for role in ROLES
        for ra in routes
        if (role, *ra, path) not in covered
    ]
    assert not missing, f"role × resource × action without a row: {missing[:10]}"


def _login(c: Any, w: W.World, role: Role) -> Any:
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    actor = w.users.get(role.key)
    if actor is not None:
        c.force_login(actor)
    return actor


def _remember_lookup(c: Any, client_id: int) -> None:
    session = c.session
    session[LOOKUP_SESSION_KEY] = [client_id]
    session.save()


def _prepare_report(c: Any, client_id: int) -> None:
    """The state the report page keeps after the data protection officer found the client."""
    session = c.session
    today = timezone.localdate()
    session[SESSION_REPORT] = {
        "client_id": client_id,
        "since": (today - datetime.timedelta(days=700)).isoformat(),
        "until": today.isoformat(),
        "reason": "",
    }
    session.save()


def _texts_of(w: W.World, route: Route, person: Any) -> list[str]:
    """What of the target client must not show when the request is refused or the client hidden."""
    texts = [person.first_names, person.last_name, person.identity_code, person.full_name]
    if person.pk == w.client.pk:
        texts += W.markers()
    if person.pk == w.handover_client.pk:
        texts.append(W.BACKGROUND_MARKER)
    echoed = route.echo(w) if route.echo else ()
    return [t for t in texts if not any(t in e for e in echoed)]


def _rows(response: Any) -> Any:
    return PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])


def expected_basis(row: Row, route: Route, role: Role) -> tuple[str, str | None]:
    """(basis, resource) of the allowed access-log row of the target client; resource None: any."""
    if route.name == "cases:emergency" or row.relationship.endswith(LOOKED_UP):
        return AccessGround.IDENTITY_CODE, None
    if route.name == "cases:episode_open":
        return AccessGround.TEAM, None
    if (row.resource, row.action) == ("intake", "search by identity code"):
        return (AccessGround.TEAM if role.key in SEES_CLIENT else AccessGround.IDENTITY_CODE), None
    if route.name in ("cases:caseload", "cases:caseload_search", "cases:board", "cases:intake"):
        return AccessGround.TEAM, None
    if route.name == "cases:shared":
        return AccessGround.PARTNER, None
    if route.name.startswith("imports:"):
        return AccessGround.IDENTITY_CODE, "import"
    if route.name.startswith("oversight:"):
        return AccessGround.DATA_PROTECTION_REVIEW, None
    if route.name in ("intake:send", "intake:sent", "intake:sent_detail"):
        return AccessGround.INTAKE_SENDER, None
    if route.name.startswith("intake:"):
        return AccessGround.INTAKE_TEAM, None
    if route.name.startswith("referrals:received"):
        return AccessGround.REFERRAL_RECIPIENT, "referral"
    if route.name.startswith("handovers:"):
        return (
            AccessGround.HANDOVER_SENDER if role.key in PARTNERS else AccessGround.HANDOVER_RECEIVING_TEAM
        ), "handover"
    if route.register is not None and route.register not in role.own_registers:
        return "consent", f"entries:{route.register}"
    assert role.basis is not None, row
    return role.basis, None


def _shown(w: W.World, route: Route, person: Any) -> str | None:
    return {
        "name": person.last_name,
        "goal": W.GOAL_MARKER,
        "minutes": W.MINUTES_MARKER,
        "marker": {
            Register.HEALTH: W.HEALTH_MARKER,
            Register.SOCIAL: W.SOCIAL_MARKER,
            Register.SHARED: W.SHARED_MARKER,
        }.get(route.register or ""),
        "need": W.NEED_MARKER,
        "referral": W.REFERRAL_MARKER,
        "nothing": None,
    }[route.shows]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_access_matrix(client, world, row):
    w = world
    role = ROLES[row.role]
    route = ROUTES_BY_PATH[row.path][(row.resource, row.action)]
    person = target_client(w, page_route(route))
    actor = _login(client, w, role)
    if row.relationship.endswith(LOOKED_UP):
        _remember_lookup(client, person.pk)
    if route.report:
        _prepare_report(client, person.pk)
    if route.prepare is not None:
        route.prepare(w)
    events_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url = reverse(route.name, args=route_args(w, route.target))

    response = PATHS[row.path](client, w, route, actor, url)

    body = response.content.decode()
    rows = _rows(response)
    allowed_for_target = rows.filter(outcome="allowed", client_id=person.pk)
    changed = AuditEvent.objects.filter(pk__gt=events_before).exists()
    leaked = [t for t in _texts_of(w, route, person) if t in body]

    if row.expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
    elif row.expected in ("403", "404"):
        assert response.status_code == int(row.expected), (response.status_code, body[:500])
        assert rows.filter(outcome="denied").exists(), "the refusal is not in the access log"
        denied = rows.filter(outcome="denied").first()
        assert denied.user_id == actor.pk
    elif row.expected == "401":  # the API: nobody signed in (DRF answers before the view: no log row)
        assert response.status_code == 401, response.status_code
    if row.expected in ("login", "401", "403", "404"):
        assert not leaked, f"refused response shows {leaked}"
        assert not allowed_for_target.exists(), list(allowed_for_target.values())
        assert not changed, "a refused request changed something"
        return

    if row.expected == "hidden":
        assert response.status_code in (200, 302, 400), (response.status_code, body[:500])
        assert not changed, "a request that must show nothing of the client changed something"
        if route.register is not None:  # the case page is allowed; this register's entries are not
            assert response.status_code == 200
            assert _shown(w, route, person) not in body
            assert not rows.filter(resource=f"entries:{route.register}").exists()
            return
        assert not leaked, f"hidden client shows: {leaked}"
        assert not allowed_for_target.exists(), list(allowed_for_target.values())
        return

    # allow
    assert response.status_code in route.success, (response.status_code, body[:2000])
    shown = _shown(w, route, person)
    if response.status_code in (200, 201) and shown is not None:
        assert shown in body, f"{shown!r} is not on the page"
    if route.makes_change:
        assert changed, "an allowed change left no audit event"
    if not route.reads_target:
        assert not allowed_for_target.exists()
        return
    basis, resource = expected_basis(row, page_route(route), role)
    found = allowed_for_target.filter(basis=basis)
    if resource is not None:
        found = found.filter(resource=resource)
    assert found.exists(), (basis, resource, list(allowed_for_target.values("basis", "resource", "view")))
    assert all(r.user_id == actor.pk for r in rows)
    if role.key in PARTNERS and route.discloses:
        disclosures = Disclosure.objects.filter(request_id=response["X-Request-ID"], client_id=person.pk)
        assert disclosures.filter(recipient_organisation_id=actor.organisation_id).exists()


# ---------------------------------------------------------------- every route is in the table

OUTSIDE_MODULES = (
    # Django's administration (organisations, teams, users, pathways). No client-data model is
    # registered there: `test_url_walker__admin_holds_no_client_data` checks it.
    "django.contrib.admin",
    "django.contrib.auth.admin",
    "django.contrib.contenttypes.views",  # the administration's "view on site" redirect
    # allauth: login, logout, two-factor, identity-provider callbacks, the user's own sessions.
    "allauth.",
    # The language switch; RedirectView (allauth's login address, the administration's redirects).
    "django.views.i18n",
    "django.views.generic.base",
    # Static files (served by WhiteNoise in production, by staticfiles in development).
    "django.contrib.staticfiles",
    # The REST API's OAuth 2.0 token endpoints and its schema and documentation page (issue 13).
    "oauth2_provider.",
    "drf_spectacular.",
)
"""Modules whose routes hold no client data and need no row in the policy table."""

OUTSIDE_ROUTES = {
    "home",  # the front page only redirects each kind of user to their work
    "set_language",  # the language switch (`core.views`, its `next` checked): no client data
    "accessibility",  # the public accessibility statement and its feedback form (`core.accessibility`)
    "accessibility_fi",
    "accessibility_sv",
    "accounts/email/",  # `core.views.not_found`: allauth pages we do not offer (always 404)
    "^accounts/password/reset/",
    "accounts/3rdparty/",
    "imports:list",  # the upload form and the user's own imports (file names, teams, statuses)
    "imports:template_csv",  # the empty template to fill in
    "imports:template_xlsx",
    "api:not_found",  # `api.problems.not_found_view`: any other address under /api/v1/, always a 404
    "fhir:metadata",  # the FHIR CapabilityStatement (public, no client data)
    "fhir:schema",  # the FHIR facade's OpenAPI document
}
"""Routes of our own package that hold no client data (by name, or by pattern when unnamed)."""

API_ROUTES_TESTED_APART = {
    "api:client-list": "tukipolku/api/tests/test_clients.py",
    "api:client-detail": "tukipolku/api/tests/test_clients.py",
    "api:client-search": "tukipolku/api/tests/test_clients.py",
    "api:episode-list": "tukipolku/api/tests/test_episodes.py",
    "api:episode-detail": "tukipolku/api/tests/test_episodes.py",
    "api:episode-consents": "tukipolku/api/tests/test_episodes.py",
    "api:episode-plan": "tukipolku/api/tests/test_episodes.py",
    "api:episode-action-create": "tukipolku/api/tests/test_episodes.py",
    "api:episode-action-update": "tukipolku/api/tests/test_episodes.py",
    # The FHIR facade (docs/fhir.md): every type read, searched and written by each kind of reader.
    "fhir:instance": "tukipolku/fhir/tests/test_views.py",
    "fhir:type": "tukipolku/fhir/tests/test_views.py",
    "fhir:search_post": "tukipolku/fhir/tests/test_views.py",
    # FHIR bulk export (docs/modules/bulkexport.md): kick-off, status and files for each kind of reader.
    "bulkexport:export_system": "tukipolku/bulkexport/tests/test_views.py",
    "bulkexport:export_patient": "tukipolku/bulkexport/tests/test_views.py",
    "bulkexport:export_group": "tukipolku/bulkexport/tests/test_views.py",
    "bulkexport:group": "tukipolku/bulkexport/tests/test_views.py",
    "bulkexport:status": "tukipolku/bulkexport/tests/test_views.py",
    "bulkexport:file": "tukipolku/bulkexport/tests/test_views.py",
}
"""REST API routes (issue 13, docs/api.md) and the file of their allowed and denied tests (staff
session and system token). Until the API table has rows for them (`API_ROUTES`), each route is named here."""


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, str]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out += _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            module = getattr(p.callback, "__module__", "")
            out.append((f"{namespace}{p.name}" if p.name else "", prefix + str(p.pattern), module))
    return out


def test_url_walker__every_client_data_route_is_in_the_table():
    covered = {ROUTES_BY_PATH[r.path][(r.resource, r.action)].name for r in ROWS}
    uncovered = []
    for name, pattern, module in _walk(get_resolver()):
        if name in covered:
            continue
        if name in API_ROUTES_TESTED_APART:
            assert (Path(__file__).resolve().parents[2] / API_ROUTES_TESTED_APART[name]).exists(), name
            continue
        object_route = "<id:" in pattern  # the `id` converter is for client-data objects only
        if not object_route and (module.startswith(OUTSIDE_MODULES) or (name or pattern) in OUTSIDE_ROUTES):
            continue
        uncovered.append((name, pattern, module))
    assert not uncovered, f"routes without a row in docs/access-policy.md: {uncovered}"


def test_url_walker__admin_holds_no_client_data():
    registered = [m._meta.db_table for m in admin.site._registry if is_client_table(m._meta.db_table)]

    assert not registered, f"client-data models in the administration: {registered}"


# ---------------------------------------------------------------- IDOR probes

IDOR = [
    (resource, action)
    for (resource, action), route in ROUTES.items()
    # A received referral is reached by partner staff only (the table's rows of the other
    # organisations' partners are its probes); a notification is the user's own, not a client's.
    # An import is its uploader's own, not a client's (its other-user probes: the table's 404 rows).
    if route.target not in ("none", "closed", "grant_only", "emergency_access", "received", "notification", "import")
    and route.register is None
]


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "action"), IDOR, ids=[f"{r}|{a}" for r, a in IDOR])
def test_idor__another_clients_object_id_is_404_and_logged(client, world, resource, action):
    w = world
    route = ROUTES[(resource, action)]
    actor = _login(client, w, ROLES["nurse"])
    events_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url = reverse(route.name, args=route_args(w, route.target, other=True))

    response = send_html(client, w, route, actor, url)

    assert response.status_code == 404, (response.status_code, response.content.decode()[:500])
    body = response.content.decode()
    person = {"handover": w.other_handover.client, "follow_up": w.other_closed.client}.get(route.target, w.other_client)
    assert not [t for t in (person.first_names, person.last_name, person.identity_code) if t in body]
    rows = _rows(response)
    assert rows.filter(outcome="denied", client_id=person.pk).exists(), list(rows.values())
    assert not rows.filter(outcome="allowed", client_id=person.pk).exists()
    assert not AuditEvent.objects.filter(pk__gt=events_before).exists()
    assert Consent.objects.get(pk=w.other_consent.pk).withdrawn_at is None
    assert LegalBasisGrant.objects.get(pk=w.other_grant.pk).ended_at is None


@pytest.mark.django_db
def test_idor__a_missing_episode_id_is_404_like_a_forbidden_one(client, world):
    w = world
    actor = _login(client, w, ROLES["nurse"])

    response = client.get(reverse("cases:detail", args=[w.other.pk + 10_000]))

    assert response.status_code == 404
    (denied,) = _rows(response)
    assert (denied.outcome, denied.client_id, denied.reason, denied.user_id) == ("denied", None, "not_found", actor.pk)


API_IDOR = [
    (resource, action)
    for (resource, action), route in API_ROUTES.items()
    if route.target not in ("none", "received") and route.method == "get"
]


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "action"), API_IDOR, ids=[f"{r}|{a}" for r, a in API_IDOR])
def test_idor__the_api_answers_another_clients_object_id_with_404_logged(client, world, resource, action):
    w = world
    route = API_ROUTES[(resource, action)]
    actor = _login(client, w, ROLES["nurse"])
    url = reverse(route.name, args=route_args(w, route.target, other=True))

    response = send_api(client, w, route, actor, url)

    assert response.status_code == 404, (response.status_code, response.content.decode()[:500])
    body = response.content.decode()
    person = {"handover": w.other_handover.client}.get(route.target, w.other_client)
    assert not [t for t in (person.first_names, person.last_name, person.identity_code) if t in body]
    rows = _rows(response)
    assert rows.filter(outcome="denied", client_id=person.pk).exists(), list(rows.values())
    assert not rows.filter(outcome="allowed", client_id=person.pk).exists()
