"""Partner organisations and staff, and the consents, prohibitions and partner joins of each episode."""

from __future__ import annotations

import datetime
from typing import Any

from tukipolku.audit.choices import EventType
from tukipolku.cases.models import CaseTeamMember
from tukipolku.core.choices import OrganisationKind
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator.batch import _Batch, _Sketch
from tukipolku.demo.generator.distributions import _pick
from tukipolku.demo.generator.partners import (
    CONSENT_ENDS_AT_CLOSING,
    CONSENT_FOR_A_YEAR,
    GIVEN_HOW,
    PROHIBITION_SHARE,
    REGION_CONSENT_SHARE,
    WITHDRAWN_PARTNER_JOIN,
    WITHDRAWN_SHARE,
    _ConsentDraft,
)
from tukipolku.demo.generator.people import _Person, _Staff
from tukipolku.demo.generator.rows import _T_CONSENT, _T_MEMBER
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, Purpose
from tukipolku.privacy.models import Consent


class _ConsentRows(_Batch):
    """Consents, their withdrawals and prohibitions, and partner staff joining client teams."""

    def _until(self, valid_from: datetime.date, closed: bool, outcome_on: datetime.date | None, yearly: float) -> Any:
        """End of a consent's validity: the outcome date of a closed episode, a year, or open-ended."""
        rng = self.privacy_rng
        if closed and outcome_on is not None and rng.random() < CONSENT_ENDS_AT_CLOSING:
            return max(valid_from, outcome_on)
        if not closed and rng.random() < yearly:
            return valid_from + datetime.timedelta(days=365)
        return None

    def _privacy(
        self,
        client_id: int,
        episode_id: int,
        staff: _Staff,
        sk: _Sketch,
        opener: _Person,
        lead: _Person,
        t_open: float,
        t_end: float,
        outcome_on: datetime.date | None,
        targeted: set[str],
    ) -> None:
        """Consents and prohibitions recorded in the episode (as privacy/services.py `consent_record` and
        `consent_withdraw` write them), and partner staff in the client's team."""
        rng, date = self.privacy_rng, self.date
        span = t_end - t_open
        drafts: list[_ConsentDraft] = []
        region = staff.region_id
        if region is not None and rng.random() < REGION_CONSENT_SHARE[sk.closed]:
            valid_from = date(t_open)
            drafts.append(
                _ConsentDraft(
                    t_open + 0.002,
                    ConsentKind.CONSENT,
                    region,
                    "",
                    self.organisation_names.get(region, ""),
                    [DataCategory.SHARED_PLAN, DataCategory.HEALTH, DataCategory.SOCIAL],
                    Purpose.WORK_ABILITY,
                    rng.choice(voc.CONSENT_DETAILS[OrganisationKind.WELFARE_REGION]),
                    valid_from,
                    self._until(valid_from, sk.closed, outcome_on, CONSENT_FOR_A_YEAR["region"]),
                    GivenHow.WRITTEN,
                    "",
                    opener,
                )
            )
        for partner in self.partners:
            spec = partner.spec
            if rng.random() >= (spec.targeted_share if spec.kind in targeted else spec.share):
                continue
            t = self.privacy_between(t_open, t_open + span * 0.3)
            by_kind = rng.random() < spec.by_kind
            given_how = _pick(rng, GIVEN_HOW)
            valid_from = date(t)
            drafts.append(
                _ConsentDraft(
                    t,
                    ConsentKind.CONSENT,
                    None if by_kind else partner.organisation_id,
                    spec.kind if by_kind else "",
                    partner.kind_label if by_kind else partner.label,
                    list(spec.categories),
                    rng.choice(spec.purposes),
                    rng.choice(voc.CONSENT_DETAILS[spec.kind]),
                    valid_from,
                    self._until(valid_from, sk.closed, outcome_on, CONSENT_FOR_A_YEAR["partner"]),
                    given_how,
                    rng.choice(voc.ORAL_CONSENT_NOTES) if given_how == GivenHow.ORAL else "",
                    rng.choice((opener, lead)),
                    partner,
                )
            )
        if rng.random() < PROHIBITION_SHARE:
            # No health data to employment services, no social data to Kela or to the welfare region.
            variant = rng.random()
            employment = self.partner_of_kind.get(OrganisationKind.EMPLOYMENT_SERVICES)
            kela = self.partner_of_kind.get(OrganisationKind.KELA)
            to: tuple[int | None, str, str, str] | None = None  # recipient, label, category, purpose
            if variant < 0.5 and employment is not None:
                to = (employment.organisation_id, employment.label, DataCategory.HEALTH, Purpose.EMPLOYMENT)
            elif variant < 0.75 and kela is not None:
                to = (kela.organisation_id, kela.label, DataCategory.SOCIAL, Purpose.BENEFITS)
            elif region is not None:
                to = (region, self.organisation_names.get(region, ""), DataCategory.SOCIAL, Purpose.WORK_ABILITY)
            if to is not None:
                t = self.privacy_between(t_open, t_open + span * 0.5)
                recipient, label, category, purpose = to
                drafts.append(
                    _ConsentDraft(
                        t=t,
                        kind=ConsentKind.PROHIBITION,
                        organisation_id=recipient,
                        recipient_kind="",
                        label=label,
                        categories=[category],
                        purpose=purpose,
                        details="",
                        valid_from=date(t),
                        valid_until=None,
                        given_how=GivenHow.WRITTEN,
                        given_note="",
                        recorder=lead,
                    )
                )
        withdrawable = [d for d in drafts if d.kind == ConsentKind.CONSENT and d.valid_until is None]
        if withdrawable and rng.random() < WITHDRAWN_SHARE:
            draft = rng.choices(withdrawable, weights=[4 if d.partner else 1 for d in withdrawable])[0]
            if t_end - draft.t > 3:
                draft.withdrawn = self.privacy_between(draft.t + 2, t_end)
                draft.withdrawn_by = lead
                draft.withdrawal_note = rng.choice(voc.WITHDRAWAL_NOTES)
        for draft in sorted(drafts, key=lambda d: d.t):
            self._consent(client_id, episode_id, draft)
            if draft.partner is not None and not sk.closed:
                self._partner_joins(client_id, episode_id, draft, lead, t_end)

    def _consent(self, client_id: int, episode_id: int, d: _ConsentDraft) -> None:
        consent_id = self._id(Consent)
        withdrawn_at = self.dt(d.withdrawn) if d.withdrawn is not None else None
        self.rows[Consent].append(
            (
                consent_id,
                client_id,
                d.kind,
                d.organisation_id,
                d.recipient_kind,
                d.categories,
                d.purpose,
                d.details,
                d.valid_from,
                d.valid_until,
                d.given_how,
                d.given_note,
                d.recorder.id,
                self.dt(d.t),
                withdrawn_at,
                d.withdrawn_by.id if d.withdrawn_by is not None else None,
                d.withdrawal_note,
            )
        )
        self.event(
            d.t,
            d.recorder.id,
            EventType.PROHIBITION_RECORDED if d.kind == ConsentKind.PROHIBITION else EventType.CONSENT_RECORDED,
            client_id,
            episode_id,
            _T_CONSENT,
            consent_id,
            {
                "recipient": d.label,
                "categories": d.categories,
                "purpose": d.purpose,
                "valid_from": d.valid_from.isoformat(),
                "valid_until": d.valid_until.isoformat() if d.valid_until else None,
                "given_how": d.given_how,
            },
        )
        if d.withdrawn is not None and d.withdrawn_by is not None:
            self.event(
                d.withdrawn,
                d.withdrawn_by.id,
                EventType.CONSENT_WITHDRAWN,
                client_id,
                episode_id,
                _T_CONSENT,
                consent_id,
                {"kind": d.kind, "recipient": d.label},
            )

    def _partner_joins(self, client_id: int, episode_id: int, d: _ConsentDraft, lead: _Person, t_end: float) -> None:
        """A partner joins the client's team of an open episode: mostly while the consent is in force,
        sometimes before a withdrawal (the gate then refuses them)."""
        assert d.partner is not None
        rng = self.privacy_rng
        if d.withdrawn is not None:
            chance = WITHDRAWN_PARTNER_JOIN
        elif d.valid_until is None or d.valid_until >= self.today:
            chance = d.partner.spec.join
        else:
            return
        if not d.partner.people or rng.random() >= chance:
            return
        person = rng.choice(d.partner.people)
        t = self.privacy_between(d.t, d.withdrawn if d.withdrawn is not None else min(t_end, d.t + 21))
        member_id = self._id(CaseTeamMember)
        at = self.dt(t)
        self.rows[CaseTeamMember].append((member_id, at, at, episode_id, person.id, "", at, lead.id, None, None))
        self.event(
            t,
            lead.id,
            EventType.TEAM_MEMBER_ADDED,
            client_id,
            episode_id,
            _T_MEMBER,
            member_id,
            {"member": person.name, "role": ""},
        )
