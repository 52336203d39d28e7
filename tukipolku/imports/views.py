"""HTML interface of spreadsheet imports: upload, choose the columns, the dry run with its progress
bar (htmx polling), commit or discard, and the template to fill in. Identity codes travel only in
the uploaded file; URLs carry the import's number."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.policy import import_team_ids
from tukipolku.core.forms import attempt
from tukipolku.core.views import CapabilityView, redirect_htmx_aware
from tukipolku.imports import selectors, services
from tukipolku.imports.choices import ImportStatus, RowOutcome
from tukipolku.imports.columns import COLUMNS
from tukipolku.imports.forms import ImportColumnsForm, ImportUploadForm
from tukipolku.imports.models import ImportBatch


class ImporterView(CapabilityView):
    """Pages for those who may import into at least one team (403 otherwise)."""

    def allows(self, request: HttpRequest) -> bool:
        return bool(import_team_ids(request.user))


class ImportListView(ImporterView):
    template = "imports/import_list.html"

    def _render(self, request: HttpRequest, form: ImportUploadForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "imports": selectors.import_list_for(actor=request.user), "columns": COLUMNS}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ImportUploadForm(teams=selectors.import_teams_for(actor=request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportUploadForm(request.POST, request.FILES, teams=selectors.import_teams_for(actor=request.user))
        if form.is_valid():
            ok, batch = attempt(
                form,
                services.import_upload,
                actor=request.user,
                team=form.cleaned_data["team"],
                upload=form.cleaned_data["file"],
            )
            if ok:
                return redirect_htmx_aware(request, reverse("imports:columns", args=[batch.pk]))
        return self._render(request, form, status=400)


class ImportColumnsView(ImporterView):
    template = "imports/import_columns.html"

    def _form(self, batch: ImportBatch, data: object = None) -> ImportColumnsForm:
        return ImportColumnsForm(
            data, headers=batch.headers, mapping=batch.mapping, initial={"revision": batch.revision}
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.import_get_for(actor=request.user, batch_id=pk, view="imports:columns")
        if batch.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
            raise Http404
        return render(request, self.template, {"batch": batch, "form": self._form(batch)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.import_get_for(actor=request.user, batch_id=pk, view="imports:columns")
        form = self._form(batch, request.POST)
        if form.is_valid():
            ok, _result = attempt(
                form,
                services.import_map,
                actor=request.user,
                batch=batch,
                mapping=form.mapping(),
                expected_revision=form.cleaned_data["revision"],
            )
            if ok:
                return redirect_htmx_aware(request, reverse("imports:detail", args=[batch.pk]))
        return render(request, self.template, {"batch": batch, "form": form}, status=400)


class ImportDetailView(ImporterView):
    """The import's page; while it runs, htmx asks for `imports/_progress.html` every second."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.import_get_for(actor=request.user, batch_id=pk, view="imports:detail")
        if getattr(request, "htmx", False) and request.GET.get("progress"):
            if not batch.is_running:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return render(request, "imports/_progress.html", {"batch": batch})
        outcome = request.GET.get("outcome", "")
        context = {
            "batch": batch,
            "earlier": selectors.import_earlier(batch=batch),
            "outcome": outcome if outcome in RowOutcome.values else "",
            "outcomes": [(o.value, o.label, int(batch.counts.get(o.value, 0))) for o in RowOutcome],
            "page": selectors.import_rows_for(
                actor=request.user,
                batch=batch,
                view="imports:detail",
                outcome=outcome,
                page_number=request.GET.get("page"),
            ),
            "errors": int(batch.counts.get(RowOutcome.ERROR, 0)),
            "writable": int(batch.counts.get(RowOutcome.NEW_CLIENT, 0))
            + int(batch.counts.get(RowOutcome.NEW_RELATIONSHIP, 0)),
        }
        return render(request, "imports/import_detail.html", context)


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


class ImportCommitView(ImporterView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.import_get_for(actor=request.user, batch_id=pk, view="imports:commit")
        attempt(
            request,
            services.import_commit,
            actor=request.user,
            batch=batch,
            only_valid=request.POST.get("mode") == "valid",
            expected_revision=_revision(request),
        )
        return redirect_htmx_aware(request, reverse("imports:detail", args=[batch.pk]))


class ImportDiscardView(ImporterView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.import_get_for(actor=request.user, batch_id=pk, view="imports:discard")
        ok, _result = attempt(
            request, services.import_discard, actor=request.user, batch=batch, expected_revision=_revision(request)
        )
        if ok:
            messages.success(request, _("The import is discarded and its file deleted."))
            return redirect_htmx_aware(request, reverse("imports:list"))
        return redirect_htmx_aware(request, reverse("imports:detail", args=[batch.pk]))


class ImportTemplateView(ImporterView):
    """The template to fill in: the column headings in the user's language (CSV: UTF-8 with a byte
    order mark, semicolons, as Excel in Finland opens it; XLSX: with a sheet of instructions)."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        headings = [str(c.label) for c in COLUMNS]
        name = _("clients-import-template")
        if kind == "csv":
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(headings)
            response = HttpResponse(
                ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
            )
        elif kind == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = _("Clients")[:31]
            sheet.append(headings)
            help_sheet = workbook.create_sheet(_("Instructions")[:31])
            help_sheet.append([_("Column"), _("Required"), _("What to write"), _("Example")])
            for c in COLUMNS:
                help_sheet.append([str(c.label), _("yes") if c.required else _("no"), str(c.help), c.example])
            out = io.BytesIO()
            workbook.save(out)
            response = HttpResponse(
                out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
        return response
