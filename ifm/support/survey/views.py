"""The survey prompt's form: answer or dismiss. It works as a plain form (back to the page the
person was on, with a message) and, with htmx, swaps itself away (a thank-you, or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text
from ifm.support.forms import add_service_errors
from ifm.support.services import StateError
from ifm.support.survey.forms import SurveyForm
from ifm.support.survey.prompt import remember
from ifm.support.survey.services import survey_respond


def _back(request: OrgRequest) -> str:
    """The page the prompt was on (a path of this site only), else the dashboard."""
    target = (request.POST.get("next") or "").strip()
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return reverse("orgs:dashboard", kwargs={"org_slug": request.org.slug})


@login_required
@require_POST
def survey_answer(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = SurveyForm(request.POST)
    dismiss = request.POST.get("action") == "dismiss"
    error = ""
    if not form.is_valid():
        error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    elif not dismiss and form.cleaned_data["score"] is None:
        form.add_error("score", "Choose a score from 1 to 5, or choose Not now.")
        error = "Choose a score from 1 to 5, or choose Not now."
    else:
        try:
            survey_respond(
                **service_args(request),
                score=None if dismiss else form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except StateError as exc:
            # Answered already (another tab, the API): nothing to ask any more.
            remember(request, request.org.pk, False)
            error = exc.message
            dismiss = True
        except ServiceError as exc:
            add_service_errors(form, exc)
            error = exc.message
        except PermissionDenied as exc:
            remember(request, request.org.pk, False)
            error = error_text(exc)
            dismiss = True
        else:
            remember(request, request.org.pk, False)
    done = not error or dismiss
    if request.htmx:
        if not done:
            # htmx swaps 2xx answers only: the form comes back with its error beside the field.
            context = {"show": True, "org": request.org, "form": form, "next": _back(request)}
            return render(request, "support/_survey.html", context)
        return render(request, "support/_survey_done.html", {"dismissed": dismiss})
    if error:
        messages.error(request, error)
    elif not dismiss:
        messages.success(request, "Thank you for telling us how satisfied you are.")
    return redirect(_back(request))
