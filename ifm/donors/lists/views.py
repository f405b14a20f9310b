"""Pages of saved donor lists: the lists, a list's donors (with CSV and Excel files) and its
deletion. Lists are made from the fundraising reports (LYBUNT, SYBUNT)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.pages import org_url
from ifm.donors.exports import donors_response
from ifm.donors.lists import selectors, services
from ifm.donors.models import DonorList
from ifm.tenancy.permissions import require_perm

PAGE_SIZE = 50


def _list_or_404(donorlist_id: int) -> DonorList:
    found = selectors.donor_list_get(donorlist_id)
    if found is None:
        raise Http404("No such donor list.")
    return found


@login_required
def donor_lists(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    page = Paginator(selectors.donor_list_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "donors/lists/list.html", {"page": page})


@login_required
def donor_list_detail(request: OrgRequest, org_slug: str, donorlist_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    donor_list = _list_or_404(donorlist_id)
    members = selectors.donor_list_members(donor_list).select_related("giving_summary")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "donors/lists/detail.html", {"donor_list": donor_list, "page": page})


@login_required
def donor_list_export(
    request: OrgRequest, org_slug: str, donorlist_id: int, fmt: str
) -> HttpResponseBase:
    require_perm(request.access, "donors.view")
    donor_list = _list_or_404(donorlist_id)
    filename = f"donor-list-{donor_list.pk}-{request.org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donors_response(
        selectors.donor_list_members(donor_list),
        fmt=fmt,
        organization=request.org,
        filename=filename,
    )


@login_required
def donor_list_delete(request: OrgRequest, org_slug: str, donorlist_id: int) -> HttpResponseBase:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, "donors.edit")
    donor_list = _list_or_404(donorlist_id)
    services.donor_list_delete(**service_args(request), donor_list=donor_list)
    messages.success(request, f"The list “{donor_list.name}” is deleted; its donors stay.")
    return redirect(org_url(request, "donors:donor_lists"))
