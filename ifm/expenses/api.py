"""/api/v1/expenses: claims and bills, their approval workflow, payment and receipts, and the
expense settings and categories."""

from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from ninja import File, Path, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, ApiError, idempotent, paginated
from ifm.expenses import categories, payments, records, selectors, services, workflow
from ifm.expenses.models import (
    Expense,
    ExpenseApproval,
    ExpenseCategory,
    Function,
    Kind,
    Receipt,
    Status,
)
from ifm.expenses.schemas import (
    APPROVAL_LIST,
    RECEIPT_LIST,
    BulkApproveIn,
    BulkPayIn,
    CategoryIn,
    CategoryOut,
    CategoryPatchIn,
    ExpenseIn,
    ExpenseOut,
    ExpensePatchIn,
    PayIn,
    ReceiptOut,
    RejectIn,
    SettingsOut,
    SettingsPatchIn,
)
from ifm.tenancy.permissions import has_perm, require_perm

router = Router(tags=["expenses"])

ExpenseId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
ReceiptId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
CategoryId = Annotated[int, Path(..., ge=1, le=MAX_ID)]

_RECEIPT_CONTENT = {
    "200": {
        "description": "The receipt file, as an attachment, with its detected content type.",
        "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}
            for content_type in ("application/pdf", "image/jpeg", "image/png")
        },
    }
}


def _with_details(qs: QuerySet[Expense]) -> QuerySet[Expense]:
    # Into lists (to_attr): a prefetch into the related managers builds two filtered
    # querysets per expense, which cost more than the rest of a page.
    return qs.select_related("submitted_by").prefetch_related(
        Prefetch(
            "approvals",
            queryset=ExpenseApproval.objects.select_related("approver").order_by("step"),
            to_attr=APPROVAL_LIST,
        ),
        Prefetch("receipts", queryset=Receipt.objects.all(), to_attr=RECEIPT_LIST),
    )


def _expense(request: OrgRequest, expense_id: int) -> Expense:
    expense = selectors.expense_get(
        user=request.user,
        access=request.access,
        expense_id=expense_id,
    )
    if expense is None:
        raise Http404
    return expense


def _out(expense_id: int) -> Expense:
    return _with_details(Expense.objects.filter(pk=expense_id)).get()


def _require_expenses_access(request: OrgRequest) -> None:
    access = request.access
    if not (has_perm(access, "expenses.submit") or has_perm(access, "expenses.view_all")):
        require_perm(access, "expenses.submit")


@router.get("", response=list[ExpenseOut], summary="List expenses")
@paginated("-date")
def expense_list(
    request: OrgRequest,
    view: Annotated[
        Literal["to_approve", "to_pay", "all", "mine"] | None,
        Query(
            description="The page's tabs: submitted ones (to_approve), approved ones (to_pay), "
            "all the person may see, or their own."
        ),
    ] = None,
    status: Annotated[Status | None, Query(description="Only expenses in this status.")] = None,
    kind: Annotated[Kind | None, Query(description="Only claims or only bills.")] = None,
    mine: Annotated[
        bool, Query(description="Only my own (people without expenses.view_all see only theirs).")
    ] = False,
    q: Annotated[str, Query(max_length=200, description="Search payee and description.")] = "",
) -> QuerySet[Expense]:
    _require_expenses_access(request)
    qs = selectors.expense_list(
        user=request.user,
        access=request.access,
        view=view or "",
        mine=mine,
        status=status.value if status else "",
        kind=kind.value if kind else "",
        q=q,
    )
    return _with_details(qs)


@router.get("/{int:expense_id}", response=ExpenseOut, summary="Get an expense")
def expense_get(request: OrgRequest, expense_id: ExpenseId) -> Any:
    return _out(_expense(request, expense_id).pk)


@router.post("", response={201: ExpenseOut}, summary="Create a draft claim or bill")
@idempotent
def expense_create(request: OrgRequest, payload: ExpenseIn) -> Any:
    data = payload.dict()
    expense = services.expense_create(
        **service_args(request),
        kind=data["kind"],
        payee=data["payee"],
        date=data["date"],
        function=data["function"] or "",
        amount=data["amount"],
        expense_category=data["expense_category_id"],
        category=data["category_id"],
        fund=data["fund_id"],
        program=data["program_id"],
        description=data["description"],
    )
    return HttpStatus(201, _out(expense.pk))


_PATCH_FIELDS = {
    "expense_category_id": "expense_category",
    "category_id": "category",
    "fund_id": "fund",
    "program_id": "program",
}


@router.patch("/{int:expense_id}", response=ExpenseOut, summary="Change a draft")
def expense_update(request: OrgRequest, expense_id: ExpenseId, payload: ExpensePatchIn) -> Any:
    expense = _expense(request, expense_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services.expense_update(
        **service_args(request),
        expense=expense,
        expected_version=version,
        **{_PATCH_FIELDS.get(k, k): v for k, v in changes.items()},
    )
    return _out(expense.pk)


@router.post("/{int:expense_id}/submit", response=ExpenseOut, summary="Submit a draft")
def expense_submit(request: OrgRequest, expense_id: ExpenseId) -> Any:
    expense = workflow.expense_submit(
        **service_args(request), expense=_expense(request, expense_id)
    )
    return _out(expense.pk)


@router.post(
    "/{int:expense_id}/withdraw", response=ExpenseOut, summary="Withdraw a submitted expense"
)
def expense_withdraw(request: OrgRequest, expense_id: ExpenseId) -> Any:
    expense = workflow.expense_withdraw(
        **service_args(request), expense=_expense(request, expense_id)
    )
    return _out(expense.pk)


@router.post(
    "/{int:expense_id}/approve",
    response=ExpenseOut,
    summary="Approve (posts the liability once fully approved)",
)
def expense_approve(
    request: OrgRequest,
    expense_id: ExpenseId,
    function: Annotated[
        Function | None,
        Query(description="Correct the function (the category's default) before it posts."),
    ] = None,
) -> Any:
    expense = workflow.expense_approve(
        **service_args(request),
        expense=_expense(request, expense_id),
        function=function.value if function else None,
    )
    return _out(expense.pk)


@router.post("/{int:expense_id}/reject", response=ExpenseOut, summary="Reject with a reason")
def expense_reject(request: OrgRequest, expense_id: ExpenseId, payload: RejectIn) -> Any:
    expense = workflow.expense_reject(
        **service_args(request), expense=_expense(request, expense_id), reason=payload.reason
    )
    return _out(expense.pk)


@router.post("/{int:expense_id}/pay", response=ExpenseOut, summary="Record the payment")
def expense_pay(request: OrgRequest, expense_id: ExpenseId, payload: PayIn) -> Any:
    expense = payments.expense_pay(
        **service_args(request),
        expense=_expense(request, expense_id),
        paid_from=payload.paid_from_account_id,
        date=payload.date,
        check_number=payload.check_number,
    )
    return _out(expense.pk)


@router.post(
    "/pay",
    response=list[ExpenseOut],
    summary="Pay several approved expenses, all or nothing, with check numbers",
)
def expense_pay_many(request: OrgRequest, payload: BulkPayIn) -> Any:
    done = payments.expense_pay_many(
        **service_args(request),
        payments=[row.dict() for row in payload.payments],
        paid_from=payload.paid_from_account_id,
        date=payload.date,
        first_check_number=payload.first_check_number,
    )
    return list(_with_details(Expense.objects.filter(pk__in=[e.pk for e in done])).order_by("pk"))


@router.post(
    "/approve",
    response=list[ExpenseOut],
    summary="Approve several expenses, all or nothing",
)
def expense_approve_many(request: OrgRequest, payload: BulkApproveIn) -> Any:
    done = workflow.expense_approve_many(**service_args(request), expense_ids=payload.expense_ids)
    return list(_with_details(Expense.objects.filter(pk__in=[e.pk for e in done])).order_by("pk"))


@router.post(
    "/{int:expense_id}/receipts",
    response={201: ReceiptOut},
    summary="Attach a receipt (PDF, JPEG or PNG, at most 10 MB; multipart field `file`)",
)
def receipt_add(
    request: OrgRequest,
    expense_id: ExpenseId,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    expense = _expense(request, expense_id)
    if file is None:
        raise ApiError(
            422,
            "Send the receipt as the multipart field `file`.",
            errors=[{"field": "file", "message": "This field is required."}],
        )
    receipt = records.receipt_add(**service_args(request), expense=expense, file=file)
    return HttpStatus(201, receipt)


@router.get(
    "/{int:expense_id}/receipts/{int:receipt_id}",
    response={200: None},
    summary="Download a receipt",
    openapi_extra={"responses": _RECEIPT_CONTENT},
)
def receipt_download(request: OrgRequest, expense_id: ExpenseId, receipt_id: ReceiptId) -> Any:
    expense = _expense(request, expense_id)
    receipt = selectors.receipt_get(
        user=request.user,
        access=request.access,
        receipt_id=receipt_id,
    )
    if receipt is None or receipt.expense_id != expense.pk:
        raise Http404
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=receipt.original_name,
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Settings and categories -------------------------------------------------------------------


@router.get("/settings", response=SettingsOut, summary="Get the expense settings")
def expense_settings_get(request: OrgRequest) -> Any:
    if not has_perm(request.access, "expenses.approve"):
        require_perm(request.access, "expenses.configure")
    return selectors.expense_settings_get()


@router.patch("/settings", response=SettingsOut, summary="Change the expense settings")
def expense_settings_update(request: OrgRequest, payload: SettingsPatchIn) -> Any:
    return services.expense_settings_update(
        **service_args(request),
        two_step_threshold=payload.two_step_threshold,
        expected_version=payload.version,
    )


def _category(request: OrgRequest, category_id: int) -> ExpenseCategory:
    category = selectors.category_get(category_id)
    if category is None:
        raise Http404
    return category


def _require_category_reader(request: OrgRequest) -> None:
    """Everyone who enters expenses reads the categories (to choose one); finance edits them."""
    if not has_perm(request.access, "expenses.categories"):
        _require_expenses_access(request)


@router.get("/categories", response=list[CategoryOut], summary="List expense categories")
@paginated("name")
def category_list(
    request: OrgRequest,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
    q: Annotated[str, Query(max_length=200, description="Search the names.")] = "",
) -> QuerySet[ExpenseCategory]:
    _require_category_reader(request)
    return selectors.category_list(active=active, q=q)


@router.get("/categories/{int:expensecategory_id}", response=CategoryOut, summary="Get a category")
def category_get(request: OrgRequest, expensecategory_id: CategoryId) -> Any:
    _require_category_reader(request)
    return _category(request, expensecategory_id)


@router.post("/categories", response={201: CategoryOut}, summary="Create a category")
@idempotent
def category_create(request: OrgRequest, payload: CategoryIn) -> Any:
    category = categories.expense_category_create(
        **service_args(request),
        name=payload.name,
        account=payload.account_id,
        default_function=payload.default_function,
        is_active=payload.is_active,
    )
    return HttpStatus(201, category)


@router.patch(
    "/categories/{int:expensecategory_id}", response=CategoryOut, summary="Change a category"
)
def category_update(
    request: OrgRequest, expensecategory_id: CategoryId, payload: CategoryPatchIn
) -> Any:
    category = _category(request, expensecategory_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    for field, value in changes.items():
        if value is None:
            raise ApiError(
                422,
                f"{field} cannot be null: leave it out to keep it.",
                errors=[{"field": field, "message": "Leave it out to keep it."}],
            )
    if "account_id" in changes:
        changes["account"] = changes.pop("account_id")
    return categories.expense_category_update(
        **service_args(request), category=category, expected_version=version, **changes
    )


@router.delete(
    "/categories/{int:expensecategory_id}",
    response={204: None},
    summary="Delete a category no expense names (else deactivate it)",
)
def category_delete(request: OrgRequest, expensecategory_id: CategoryId) -> Any:
    categories.expense_category_delete(
        **service_args(request), category=_category(request, expensecategory_id)
    )
    return HttpStatus(204, None)
