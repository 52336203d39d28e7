"""The accessibility statement (saavutettavuusseloste) and its feedback channel.

The Act on the Provision of Digital Services (306/2019) requires a public-sector service to publish
an accessibility statement: how well it meets WCAG 2.1 AA, what is known not to meet it, how it was
assessed, how a user reports a problem, and which authority supervises. The page is public (no login)
in Finnish, Swedish and English. Feedback is e-mailed through Django's mail backend to
`TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL` and stored nowhere; nothing of it is logged. Each address
may send a few messages an hour (allauth's rate limiter, the same client address as login throttling).
"""

from __future__ import annotations

import datetime

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tukipolku.core.exceptions import ApplicationError

STATEMENT_DATE = datetime.date(2026, 12, 6)  # when the statement was drawn up; update it on review
RATE_LIMIT_ACTION = "accessibility_feedback"  # its limit is in ACCOUNT_RATE_LIMITS (settings)


class AccessibilityFeedbackForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What did not work?"),
        help_text=gettext_lazy(
            "Describe the problem: what you tried to do and what happened. Do not write any client's "
            "personal information here."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Write what did not work.")},
    )
    page = forms.CharField(
        label=gettext_lazy("On which page (optional)"),
        help_text=gettext_lazy("For example the page's name or what you were doing."),
        max_length=300,
        required=False,
    )
    reply_to = forms.EmailField(
        label=gettext_lazy("Your e-mail address for a reply (optional)"),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("Enter an e-mail address such as name@example.fi.")},
    )
    # A field people do not see: a form that fills it in is a robot's (its message is not sent).
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))


def accessibility_feedback_send(*, message: str, page: str, reply_to: str, language: str) -> None:
    """E-mail one piece of accessibility feedback to the configured address; nothing is stored."""
    recipient = settings.TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL
    if not recipient:
        raise ApplicationError(_("Feedback cannot be sent right now. Please try again later."))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Tukipolku: accessibility feedback")
        lines = [
            _("Accessibility feedback from the accessibility statement page."),
            "",
            _("Page: %(page)s") % {"page": page or "–"},
            _("Language of the page: %(language)s") % {"language": language},
            _("Reply to: %(address)s") % {"address": reply_to or "–"},
            "",
            message,
        ]
    EmailMessage(
        subject=subject,
        body="\n".join(lines),
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
    ).send()


@method_decorator(login_not_required, name="dispatch")
class AccessibilityStatementView(View):
    """The public accessibility statement; `language` given by the URL (the Finnish and Swedish
    addresses) shows it in that language whatever the user's choice."""

    template = "core/accessibility.html"
    language: str | None = None

    def _render(self, request: HttpRequest, form: AccessibilityFeedbackForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "statement_date": STATEMENT_DATE,
            "feedback_email": settings.TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL,
        }
        if self.language:
            with translation.override(self.language):
                return render(request, self.template, context, status=status)
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, AccessibilityFeedbackForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        with translation.override(self.language or translation.get_language()):
            form = AccessibilityFeedbackForm(request.POST)
            if not form.is_valid():
                return self._render(request, form, status=400)
            if not ratelimit.consume(request, action=RATE_LIMIT_ACTION):
                form.add_error(
                    None, _("You have sent several messages within a short time. Please try again in an hour.")
                )
                return self._render(request, form, status=429)
            if not form.cleaned_data["website"]:
                try:
                    accessibility_feedback_send(
                        message=form.cleaned_data["message"],
                        page=form.cleaned_data["page"],
                        reply_to=form.cleaned_data["reply_to"],
                        language=translation.get_language() or settings.LANGUAGE_CODE,
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                    return self._render(request, form, status=400)
            messages.success(request, _("Thank you. Your feedback has been sent to the service's maintainers."))
        return redirect(request.path)
