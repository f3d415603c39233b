"""Items: the list to search and export, an item's evidence and valuation, and the actions
on it (flag a comp, re-price now, edit the attribution). Reads and actions call the same
functions as the REST API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from fairmarket.catalog.api import items as items_api
from fairmarket.catalog.api import products as products_api
from fairmarket.catalog.api.etag import tagged
from fairmarket.catalog.console import attribution_form
from fairmarket.catalog.console.intake_client import IntakeRefused
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import CheckedForm, StaffPerson, ViewerPerson
from fairmarket.catalog.domain import price_chart
from fairmarket.catalog.domain.item_query import ItemFilter
from fairmarket.catalog.service import comps as comps_service
from fairmarket.catalog.service import pricing_runs

router = APIRouter(prefix="/console")

SORTS = {
    "created_at": "Newest taken in",
    "updated_at": "Recently changed",
    "fmv": "Value",
    "confidence": "Confidence",
    "title": "Title",
}
STALE_DAYS = {"30": 30, "90": 90, "365": 365}


def _filter(params: dict[str, str]) -> tuple[ItemFilter, dict[str, str]]:
    """The list's filters from its query string; a bad value is named, not a 422 page."""
    errors: dict[str, str] = {}
    category = params.get("category") or None
    if category and category not in attribution_form.CATEGORIES:
        errors["category"] = f"{category!r} is not a category"
        category = None
    valued = {"yes": True, "no": False}.get(params.get("valued", ""))
    confidence = None
    if raw := params.get("min_confidence"):
        if raw.isdigit() and 1 <= int(raw) <= 10:
            confidence = int(raw)
        else:
            errors["min_confidence"] = "a confidence from 1 to 10"
    stale_since = None
    if days := STALE_DAYS.get(params.get("stale", "")):
        stale_since = datetime.now(UTC) - timedelta(days=days)
    sort = params.get("sort") or "created_at"
    if sort not in SORTS:
        errors["sort"] = f"cannot sort by {sort!r}"
        sort = "created_at"
    q = (params.get("q") or "").strip()[:200] or None
    return (
        ItemFilter(
            category=category,
            q=q,
            min_confidence=confidence,
            has_valuation=valued,
            stale_since=stale_since,
            sort=sort,  # type: ignore[arg-type]
            descending=params.get("order", "desc") != "asc",
        ),
        errors,
    )


@router.get("", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/console/items", status_code=303)


@router.get("/items", include_in_schema=False)
async def items_page(request: Request, person: ViewerPerson) -> Response:
    params = dict(request.query_params)
    f, errors = _filter(params)
    rt = request.app.state.runtime
    found = await items_api._page(rt, f, 50, params.get("cursor") or None)
    context = {
        "person": person,
        "items": found.items,
        "next_cursor": found.next_cursor,
        "params": params,
        "errors": errors,
        "sorts": SORTS,
        "categories": attribution_form.CATEGORIES,
        "query": str(request.query_params),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return page(request, "items_results.html", context)
    return page(request, "items.html", context)


@router.get("/items.csv", include_in_schema=False)
async def items_csv(request: Request, person: ViewerPerson) -> Response:
    """What the list shows (the same filters and order), through the API's own export."""
    f, _ = _filter(dict(request.query_params))
    return await items_api.items_csv(person.principal, request.app.state.runtime, f)


def comp_class(comp: Any) -> str:
    """The row's css class: the comp's current flag, else what the latest valuation did
    with it (the words are the API's ``status``, stored by the catalog per comp)."""
    if comp.excluded:
        return "excluded"
    if comp.filtered:
        return "filtered"
    return (comp.valuation_use or "unvalued").replace("_", "-")


def _chart(valuations: list[Any], comps: list[Any]) -> price_chart.Chart | None:
    """Valuations as a line; as points, the comps the latest valuation used."""
    line = [(v.computed_at, v.fmv_usd_cents) for v in valuations if v.fmv_usd_cents is not None]
    behind = [
        c
        for c in comps
        if not (c.filtered or c.excluded) and c.valuation_use in ("used", "other_grade_used")
    ]
    dots = [(c.observed_at, c.total_usd_cents, f"{c.kind} {c.source}") for c in behind]
    return price_chart.build(line, dots)


async def _item_page(
    request: Request, person: Any, item_id: uuid.UUID, errors: dict[str, str] | None = None
) -> Response:
    rt = request.app.state.runtime
    try:
        item = await items_api._get_item(item_id, rt)
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        try:  # taken in a moment ago? the catalog hears of it from the intake's event shortly
            await request.app.state.intake.get(person.token, item_id)
        except IntakeRefused as refused:
            raise HTTPException(refused.status, refused.reason) from refused
        return page(request, "item_waiting.html", {"person": person, "item_id": item_id})
    etag = tagged(_no_etag(request), item).headers["etag"]
    comps = await items_api._comps(item_id, rt)
    valuations = await items_api.get_valuations(item_id, person.principal, rt)
    products = await products_api.list_products(
        person.principal, rt, item_id=item_id, published=None, pending=None, limit=100
    )
    photos, photos_error = await _photos(request, person, item_id)
    context = {
        "person": person,
        "item": item,
        "photos": photos,
        "photos_error": photos_error,
        "valuation": item.valuation or {},
        "comps": [(c, comp_class(c), c.status) for c in comps],
        "valuations": valuations,
        "chart": _chart(valuations, comps),
        "products": products,
        "etag": etag,
        "errors": errors or {},
        "notice": request.query_params.get("notice"),
    }
    return page(request, "item.html", context, 422 if errors else 200)


async def _photos(
    request: Request, person: Any, item_id: uuid.UUID
) -> tuple[list[dict[str, Any]], str | None]:
    """The intake's photos of the item, or why they cannot be shown: the rest of the page
    does not depend on the intake answering."""
    try:
        return await request.app.state.intake.photos(person.token, item_id), None
    except IntakeRefused as exc:
        return [], exc.reason


@router.get("/items/{item_id}/photos/{photo_id}", include_in_schema=False)
async def photo(
    request: Request, item_id: uuid.UUID, photo_id: uuid.UUID, person: ViewerPerson
) -> Response:
    """A photo for the signed-in person, fetched from the intake with their own token."""
    try:
        found = await request.app.state.intake.photo(person.token, item_id, photo_id)
    except IntakeRefused as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    return Response(
        found.content,
        media_type=found.headers.get("content-type", "application/octet-stream"),
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )


def _no_etag(request: Request) -> Request:
    """The request without If-None-Match: a page always gets its item's current ETag."""
    scope = dict(request.scope)
    scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"if-none-match"]
    return Request(scope)


@router.get("/items/{item_id}", include_in_schema=False)
async def item_page(request: Request, item_id: uuid.UUID, person: ViewerPerson) -> Response:
    return await _item_page(request, person, item_id)


@router.get("/items/{item_id}/poll", include_in_schema=False)
async def poll(request: Request, item_id: uuid.UUID, person: ViewerPerson) -> Response:
    """The item page polls with its item's ETag: nothing while unchanged, a refresh when a
    valuation (or anything else) arrived."""
    try:
        item = await items_api._get_item(item_id, request.app.state.runtime)
    except HTTPException as exc:
        if exc.status_code == 404:
            return Response(status_code=204)
        raise
    if tagged(request, item).status_code == 304:
        return Response(status_code=204)
    # the page anew, without the notice of what was waited for
    return Response(status_code=200, headers={"HX-Redirect": f"/console/items/{item_id}"})


@router.post("/items/{item_id}/comps/{price_point_id}/flag", include_in_schema=False)
async def flag(
    request: Request,
    item_id: uuid.UUID,
    price_point_id: uuid.UUID,
    person: ViewerPerson,
    form: CheckedForm,
) -> Response:
    excluded = form.get("excluded") == "true"
    reason = str(form.get("reason", "")).strip() or None
    try:
        await comps_service.flag(
            request.app.state.runtime, person.principal, item_id, price_point_id, excluded, reason
        )
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return await _item_page(request, person, item_id, {str(price_point_id): str(exc.detail)})
    notice = "comp excluded" if excluded else "comp restored"
    return RedirectResponse(
        f"/console/items/{item_id}?notice={notice}: the valuation is being recomputed",
        status_code=303,
    )


@router.post("/items/{item_id}/reprice", include_in_schema=False)
async def reprice(
    request: Request, item_id: uuid.UUID, person: ViewerPerson, form: CheckedForm
) -> Response:
    try:
        await pricing_runs.reprice(request.app.state.runtime, person.principal, item_id)
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return await _item_page(request, person, item_id, {"reprice": str(exc.detail)})
    return RedirectResponse(
        f"/console/items/{item_id}?notice=re-pricing: asking every source for fresh comps",
        status_code=303,
    )


@router.get("/items/{item_id}/attribution", include_in_schema=False)
async def attribution_page(request: Request, item_id: uuid.UUID, person: StaffPerson) -> Response:
    item = await items_api._get_item(item_id, request.app.state.runtime)
    return _attribution(request, person, item, item.attribution, item.title, {})


def _attribution(
    request: Request,
    person: Any,
    item: Any,
    values: dict[str, Any],
    title: str | None,
    errors: dict[str, str],
) -> Response:
    context = {
        "person": person,
        "item": item,
        "fields": attribution_form.fields(item.category),
        "values": values,
        "title": title,
        "errors": errors,
    }
    return page(request, "attribution.html", context, 422 if errors else 200)


@router.post("/items/{item_id}/attribution", include_in_schema=False)
async def edit_attribution(
    request: Request, item_id: uuid.UUID, person: StaffPerson, form: CheckedForm
) -> Response:
    """A new revision at the intake, which re-prices the item."""
    item = await items_api._get_item(item_id, request.app.state.runtime)
    values, errors = attribution_form.read(item.category, form)
    title = str(form.get("title", "")).strip() or None
    if not errors:
        try:
            await request.app.state.intake.set_attribution(
                person.token, item_id, {"category": item.category, **values}, title
            )
        except IntakeRefused as exc:
            errors = exc.fields or {"form": exc.reason}
            errors.setdefault("form", exc.reason)
    if errors:
        return _attribution(request, person, item, values, title, errors)
    return RedirectResponse(
        f"/console/items/{item_id}?notice=attribution saved: a new revision is being priced",
        status_code=303,
    )
