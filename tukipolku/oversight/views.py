"""The data protection officer's pages. Only `can_review_access` users get in (403 otherwise, and a
denied row in the access log); every page that shows a client's name writes an access-log row for
that client with the basis `data_protection_review`. Identity codes are only ever POSTed: the pages
keep the client's internal id (in the query string of the log search, in the session for the report).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_denied
from tukipolku.clients.models import Client
from tukipolku.core.forms import attempt
from tukipolku.core.permissions import can_review_access
from tukipolku.core.views import redirect_htmx_aware
from tukipolku.oversight import selectors
from tukipolku.oversight.constants import DENIED_WINDOW_DAYS, REVIEW_QUEUE_LIMIT, SESSION_REPORT
from tukipolku.oversight.exports import report_csv
from tukipolku.oversight.forms import (
    TAB_DISCLOSURES,
    IdentityCodeForm,
    LogFilterForm,
    ReportPeriodForm,
    ReviewForm,
    report_earliest,
)
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.models import EmergencyAccess, LegalBasisGrant


def _log_search(request: HttpRequest, view: str, client_id: int) -> None:
    """The officer found this client by identity code (the client's row was read)."""
    selectors.log_shown(
        actor=request.user, view=view, client_ids=[client_id], resource="client", action=AccessAction.SEARCH
    )


def _region(request: HttpRequest) -> int | None:
    """The reviewer's welfare region: every oversight page shows that region only (ADR 11)."""
    return getattr(request.user, "region_id", None)


def _client_in_region(request: HttpRequest, view: str, client: Client | None) -> Client | None:
    """The client when they are one of the reviewer's welfare region (ADR 11); a client of another
    region is refused (logged) and treated as not found."""
    if client is None or selectors.client_in_region(client_id=client.pk, region_id=_region(request)):
        return client
    access_denied(actor=request.user, view=view, client_id=client.pk, reason="other_region")
    return None


class OversightView(View):
    """Base of every oversight page: the data protection officer and auditors only."""

    view_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_review_access(request.user):
            access_denied(actor=request.user, view=self.view_name, client_id=None, reason="not_a_reviewer")
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# ---------------------------------------------------------------- review queue


def _review_prefix(kind: str, pk: int) -> str:
    return f"{kind}{pk}"


class ReviewQueueView(OversightView):
    """Emergency accesses and legal-basis grants awaiting review, and denied attempts by user."""

    view_name = "oversight:review"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, include_reviewed=request.GET.get("reviewed") == "1")

    def page(
        self,
        request: HttpRequest,
        *,
        include_reviewed: bool,
        bound: tuple[str, int, ReviewForm] | None = None,
        also_read: tuple[int, ...] = (),
        status: int = 200,
    ) -> HttpResponse:
        queue = selectors.review_queue_for(
            include_reviewed=include_reviewed, limit=REVIEW_QUEUE_LIMIT, region_id=_region(request)
        )

        def with_forms(kind: str, items: list[Any]) -> list[tuple[Any, ReviewForm | None]]:
            out: list[tuple[Any, ReviewForm | None]] = []
            for item in items:
                form: ReviewForm | None = None
                if item.reviewed_at is None:
                    if bound is not None and bound[:2] == (kind, item.pk):
                        form = bound[2]
                    else:
                        form = ReviewForm(prefix=_review_prefix(kind, item.pk))
                out.append((item, form))
            return out

        now = timezone.now()
        context = {
            "emergency": with_forms("e", queue.emergency),
            "grants": with_forms("g", queue.grants),
            "emergency_more": queue.emergency_more,
            "grants_more": queue.grants_more,
            "include_reviewed": include_reviewed,
            "limit": REVIEW_QUEUE_LIMIT,
            "denied": selectors.denied_attempts_by_user(
                since=now - datetime.timedelta(days=DENIED_WINDOW_DAYS), region_id=_region(request)
            ),
            "denied_days": DENIED_WINDOW_DAYS,
            "now": now,
        }
        selectors.log_shown(
            actor=request.user,
            view=self.view_name,
            client_ids=queue.client_ids | set(also_read),
            resource="review_queue",
        )
        return render(request, "oversight/review.html", context, status=status)


class ReviewRecordView(OversightView):
    """Record the review of one emergency access (`kind` "e") or legal-basis grant ("g")."""

    view_name = "oversight:review"
    kind = "e"
    model: type[EmergencyAccess] | type[LegalBasisGrant] = EmergencyAccess

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = selectors.review_item_get(model=self.model, pk=pk, region_id=_region(request))
        if item is None:
            outside = selectors.review_item_get(model=self.model, pk=pk, region_id=None, any_region=True)
            if outside is not None:  # another welfare region's: refused, logged against its client
                access_denied(
                    actor=request.user, view=self.view_name, client_id=outside.client_id, reason="other_region"
                )
            raise Http404
        include_reviewed = request.POST.get("reviewed") == "1"
        back = reverse("oversight:review") + ("?reviewed=1" if include_reviewed else "")

        def done(response: HttpResponse) -> HttpResponse:
            # The item (and so its client) was read; a re-rendered queue logs its clients itself.
            selectors.log_shown(
                actor=request.user, view=self.view_name, client_ids=[item.client_id], resource="review_queue"
            )
            return response

        if item.reviewed_at is not None:
            messages.error(request, _("Someone has already reviewed this."))
            return done(redirect(back))
        form = ReviewForm(request.POST, prefix=_review_prefix(self.kind, item.pk))
        if form.is_valid():
            ok, _none = attempt(
                form,
                privacy_services.review_record,
                actor=request.user,
                item=item,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
            if ok:
                messages.success(request, _("The review is recorded."))
                return done(redirect_htmx_aware(request, back))
            if not any(form.errors.get(f) for f in form.fields):
                # Refused as a whole (someone reviewed it meanwhile): say so on the list.
                messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
                return done(redirect(back))
        return ReviewQueueView().page(
            request,
            include_reviewed=include_reviewed,
            bound=(self.kind, item.pk, form),
            also_read=(item.client_id,),
            status=400,
        )


class EmergencyReviewView(ReviewRecordView):
    kind = "e"
    model = EmergencyAccess


class GrantReviewView(ReviewRecordView):
    kind = "g"
    model = LegalBasisGrant


# ---------------------------------------------------------------- access and disclosure log search


class AccessLogView(OversightView):
    """Search the access log (and the disclosure log tab). The client is chosen by identity code in
    a POST form; the filters, with the client's internal id, are then ordinary GET parameters."""

    view_name = "oversight:log"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = LogFilterForm(request.GET or None)
        return self.page(request, filters, IdentityCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        find = IdentityCodeForm(request.POST)
        filters = LogFilterForm(request.POST)  # hidden copies of the filters in force, client excluded
        if find.is_valid():
            client = _client_in_region(
                request, self.view_name, selectors.client_find_by_identity_code(code=find.cleaned_data["identity_code"])
            )
            if client is not None:
                _log_search(request, self.view_name, client.pk)
                return redirect(f"{reverse('oversight:log')}?{filters.query(client=client.pk)}")
            find.add_error("identity_code", _("No client has this identity code."))
        return self.page(request, filters, find, status=400)

    def page(
        self, request: HttpRequest, filter_form: LogFilterForm, find: IdentityCodeForm, status: int = 200
    ) -> HttpResponse:
        # Rows are listed once the filters are submitted (and valid): opening the page shows no client.
        searched = filter_form.is_bound and filter_form.is_valid()
        filters = filter_form.filters()
        tab = filter_form.tab_name if searched else "accesses"
        client = (
            _client_in_region(request, self.view_name, selectors.client_for_review(client_id=filters.client_id))
            if filters.client_id
            else None
        )
        page: Any = None
        rows: list[Any] = []
        resource = "disclosure_log" if tab == TAB_DISCLOSURES else "access_log"
        if searched and tab == TAB_DISCLOSURES:
            page, rows = selectors.disclosure_log_page(
                filters=filters, page_number=request.GET.get("page"), region_id=_region(request)
            )
        elif searched:
            page, rows = selectors.access_log_page(
                filters=filters, page_number=request.GET.get("page"), region_id=_region(request)
            )
        shown = [r.client.client_id for r in rows if r.client is not None]
        if client is not None:
            shown.append(client.pk)
        selectors.log_shown(actor=request.user, view=self.view_name, client_ids=shown, resource=resource)
        base = reverse("oversight:log")
        context = {
            "filter_form": filter_form,
            "find_form": find,
            "hidden_filters": filter_form.params(client=None),
            "tab": tab,
            "tab_urls": {
                "accesses": f"{base}?{filter_form.query(tab=None, page=None)}",
                "disclosures": f"{base}?{filter_form.query(tab=TAB_DISCLOSURES, page=None)}",
            },
            "clear_client_url": f"{base}?{filter_form.query(client=None)}",
            "client": client,
            "client_id": filters.client_id,
            "searched": searched,
            "page": page,
            "rows": rows,
        }
        return render(request, "oversight/log.html", context, status=status)


# ---------------------------------------------------------------- the client's log report


class _ReportState:
    """The report being prepared, kept in the session: the client's internal id, the period and the
    special reason. Never the identity code."""

    def __init__(self, client_id: int, since: datetime.date, until: datetime.date, reason: str) -> None:
        self.client_id, self.since, self.until, self.reason = client_id, since, until, reason

    @classmethod
    def load(cls, request: HttpRequest) -> _ReportState | None:
        raw = request.session.get(SESSION_REPORT)
        if not isinstance(raw, dict):
            return None
        try:
            return cls(
                int(raw["client_id"]),
                datetime.date.fromisoformat(raw["since"]),
                datetime.date.fromisoformat(raw["until"]),
                str(raw.get("reason", "")),
            )
        except (TypeError, KeyError, ValueError):
            return None

    def save(self, request: HttpRequest) -> None:
        request.session[SESSION_REPORT] = {
            "client_id": self.client_id,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "reason": self.reason,
        }

    @classmethod
    def default(cls, client_id: int) -> _ReportState:
        today = timezone.localdate()
        return cls(client_id, report_earliest(today), today, "")


class ReportView(OversightView):
    """The client's log report: find the client (POST), then the last 2 years by default."""

    view_name = "oversight:report"
    template = "oversight/report.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        find = IdentityCodeForm(request.POST)
        if find.is_valid():
            client = _client_in_region(
                request, self.view_name, selectors.client_find_by_identity_code(code=find.cleaned_data["identity_code"])
            )
            if client is not None:
                _log_search(request, self.view_name, client.pk)
                _ReportState.default(client.pk).save(request)
                return redirect("oversight:report")
            find.add_error("identity_code", _("No client has this identity code."))
        return self.page(request, find=find, status=400)

    def page(
        self,
        request: HttpRequest,
        *,
        find: IdentityCodeForm | None = None,
        period: ReportPeriodForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        state = _ReportState.load(request)
        client = (
            _client_in_region(request, self.view_name, selectors.client_for_review(client_id=state.client_id))
            if state is not None
            else None
        )
        context: dict[str, Any] = {"find_form": find or IdentityCodeForm(), "client": client}
        if state is not None and client is not None:
            today = timezone.localdate()
            context["period_form"] = period or ReportPeriodForm(
                initial={"since": state.since, "until": state.until, "special_reason": state.reason}, today=today
            )
            if period is None:  # the report of the saved period; not while a new period has errors
                context.update(_report_context(state))
            selectors.log_shown(
                actor=request.user,
                view=self.view_name,
                client_ids=[client.pk],
                resource="access_log_report",
                reason=state.reason,
            )
        return render(request, self.template, context, status=status)


def _report_context(state: _ReportState) -> dict[str, Any]:
    report = selectors.client_log_report(
        client_id=state.client_id,
        since=selectors.day_start(day=state.since),
        until=selectors.day_start(day=state.until + datetime.timedelta(days=1)),
    )
    return {"report": report, "days": report.by_user_and_day(), "state": state}


class ReportPeriodView(OversightView):
    view_name = "oversight:report"

    def post(self, request: HttpRequest) -> HttpResponse:
        state = _ReportState.load(request)
        if state is None:
            return redirect("oversight:report")
        form = ReportPeriodForm(request.POST, today=timezone.localdate())
        if form.is_valid():
            d = form.cleaned_data
            _ReportState(state.client_id, d["since"], d["until"], d["special_reason"]).save(request)
            return redirect("oversight:report")
        return ReportView().page(request, period=form, status=400)


class ReportClearView(OversightView):
    view_name = "oversight:report"

    def post(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(SESSION_REPORT, None)
        return redirect("oversight:report")


def _report_for_output(request: HttpRequest, view: str, action: str) -> tuple[_ReportState, Any] | None:
    """The report kept in the session and its client, with the print or export logged; None when
    there is no report to give out."""
    state = _ReportState.load(request)
    client = _client_in_region(request, view, selectors.client_for_review(client_id=state.client_id)) if state else None
    if state is None or client is None:
        return None
    selectors.log_shown(
        actor=request.user,
        view=view,
        client_ids=[client.pk],
        resource="access_log_report",
        action=action,
        reason=state.reason,
    )
    return state, client


class ReportPrintView(OversightView):
    """The report laid out for printing; the print itself is logged (action print)."""

    view_name = "oversight:report"

    def post(self, request: HttpRequest) -> HttpResponse:
        found = _report_for_output(request, self.view_name, AccessAction.PRINT)
        if found is None:
            return redirect("oversight:report")
        state, client = found
        context = {"client": client, "printed_at": timezone.now(), **_report_context(state)}
        return render(request, "oversight/report_print.html", context)


class ReportExportView(OversightView):
    """The report as CSV (action export). The file name carries the internal id only."""

    view_name = "oversight:report"

    def post(self, request: HttpRequest) -> HttpResponse:
        found = _report_for_output(request, self.view_name, AccessAction.EXPORT)
        if found is None:
            return redirect("oversight:report")
        state, client = found
        report = _report_context(state)["report"]
        response = HttpResponse(
            report_csv(client=client, report=report, state_reason=state.reason), content_type="text/csv; charset=utf-8"
        )
        name = f"access-log-report-{client.pk}-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
