"""Products: created from an item with a price policy, the admins' queue of price changes
waiting approval, publishing. Every action is the API's service function."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from fairmarket.catalog.api import products as products_api
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import CheckedForm, ViewerPerson
from fairmarket.catalog.domain.price_policy import PricePolicy
from fairmarket.catalog.service import products as products_service

router = APIRouter(prefix="/console")
ACTIONS = {
    "publish": products_service.publish,
    "unpublish": products_service.unpublish,
    "approve-price": products_service.approve_price,
    "reject-price": products_service.reject_price,
}


async def _page(
    request: Request, person: Any, errors: dict[str, str], status: int = 200
) -> Response:
    rt = request.app.state.runtime
    listed = await products_api.list_products(
        person.principal, rt, item_id=None, published=None, pending=None, limit=200
    )
    pending = [p for p in listed if p.pending_price_usd_cents is not None]
    context = {
        "person": person,
        "products": listed,
        "pending": pending,
        "errors": errors,
        "notice": request.query_params.get("notice"),
    }
    return page(request, "products.html", context, status)


@router.get("/products", include_in_schema=False)
async def products_page(request: Request, person: ViewerPerson) -> Response:
    return await _page(request, person, {})


def _cents(raw: Any) -> int | None:
    text = str(raw or "").strip().lstrip("$").replace(",", "")
    if not text:
        return None
    return round(float(text) * 100)


def policy_from(form: Any) -> PricePolicy:
    """The policy the product form describes (dollars typed, cents stored)."""
    ending = str(form.get("ending_cents", "99"))
    return PricePolicy(
        kind=str(form.get("kind", "markup")),  # type: ignore[arg-type]
        markup=float(str(form.get("markup") or "1")),
        ending_cents=None if ending == "none" else int(ending),
        floor_usd_cents=_cents(form.get("floor")),
        ceiling_usd_cents=_cents(form.get("ceiling")),
        fixed_usd_cents=_cents(form.get("fixed")),
        follow_valuation=form.get("follow_valuation") == "true",
    )


@router.post("/products", include_in_schema=False)
async def create_product(request: Request, person: ViewerPerson, form: CheckedForm) -> Response:
    try:
        item_id = uuid.UUID(str(form.get("item_id", "")))
        policy = policy_from(form)
    except (ValueError, ValidationError) as exc:
        reason = (
            "; ".join(e["msg"] for e in exc.errors())
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        return await _page(request, person, {"policy": reason}, 422)
    try:
        await products_service.create(
            request.app.state.runtime,
            person.principal,
            item_id,
            title=str(form.get("title", "")).strip() or None,
            description=None,
            policy=policy,
        )
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return await _page(request, person, {"policy": str(exc.detail)}, 422)
    return RedirectResponse("/console/products?notice=product created", status_code=303)


@router.post("/products/{product_id}/{action}", include_in_schema=False)
async def act(
    request: Request, product_id: uuid.UUID, action: str, person: ViewerPerson, form: CheckedForm
) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, f"no action {action!r} on products")
    try:
        await ACTIONS[action](request.app.state.runtime, person.principal, product_id)
    except HTTPException as exc:
        if exc.status_code != 409:
            raise
        return await _page(request, person, {str(product_id): str(exc.detail)}, 409)
    return RedirectResponse(f"/console/products?notice={action}: done", status_code=303)
