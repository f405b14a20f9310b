"""A user's own email preference (/communications/preferences/, in the user menu) and the
one-click unsubscribe link every announcement email carries (/communications/unsubscribe/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ifm.accounts.http import signed_in_user
from ifm.support.comms import rendering, selectors, services
from ifm.support.comms.forms import PreferenceForm


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.email_preference_set(
                user=user, announcements=form.cleaned_data["announcements"], via="page"
            )
            messages.success(request, "Your email preferences are saved.")
            return redirect("comms:preferences")
    else:
        form = PreferenceForm(initial={"announcements": selectors.wants_announcements(user)})
    return render(request, "support/comms/preferences.html", {"form": form})


# The token authenticates (a signature over the user's id and address); mail programs POST the
# one-click form of RFC 8058 without a session or CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = rendering.unsubscribe_user_id(token)
    user = None
    if found is not None:
        user = get_user_model().objects.filter(pk=found[0], email__iexact=found[1]).first()
    if user is None:
        return render(request, "support/comms/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.email_preference_set(user=user, announcements=False, via="unsubscribe link")
        return render(
            request, "support/comms/unsubscribe.html", {"done": True, "email": user.email}
        )
    return render(request, "support/comms/unsubscribe.html", {"email": user.email, "token": token})
