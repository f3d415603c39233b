"""Sources (weights, rules, cadence; re-price all they serve) and watches with their
deliveries: read through the API's functions, acted on through the service layer."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from fairmarket.catalog.api import sources as sources_api
from fairmarket.catalog.api import watches as watches_api
from fairmarket.catalog.console import attribution_form
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import AdminPerson, CheckedForm, ViewerPerson
from fairmarket.catalog.domain.watch_rules import ConditionKind
from fairmarket.catalog.service import sources as sources_service
from fairmarket.catalog.service import watches as watches_service

router = APIRouter(prefix="/console")


async def _sources(
    request: Request, person: Any, errors: dict[str, str] | None = None, editing: str = ""
) -> Response:
    listed = await sources_api.list_sources(person.principal, request.app.state.runtime)
    context = {
        "person": person,
        "sources": listed,
        "notice": request.query_params.get("notice"),
        "errors": errors or {},
        "editing": editing,
    }
    return page(request, "sources.html", context, 422 if errors else 200)


@router.get("/sources", include_in_schema=False)
async def sources_page(request: Request, person: ViewerPerson) -> Response:
    return await _sources(request, person)


def _words(raw: Any) -> list[str]:
    return [w.strip() for w in str(raw or "").split(",") if w.strip()]


@router.post("/sources/{source_id}", include_in_schema=False)
async def edit_source(
    request: Request, source_id: uuid.UUID, person: ViewerPerson, form: CheckedForm
) -> Response:
    """Weight, cadence, state and rules, validated by the API's own SourcePatch."""
    rt = request.app.state.runtime
    current = await sources_api.get_source(source_id, person.principal, rt)
    rules = {
        **current.rules,
        "exclude_keywords": _words(form.get("exclude_keywords")),
        "include_keywords": _words(form.get("include_keywords")),
        "sold_only": form.get("sold_only") == "true",
        "lookback_days": form.get("lookback_days") or current.rules.get("lookback_days", 365),
    }
    try:
        patch = sources_api.SourcePatch.model_validate(
            {
                "enabled": form.get("enabled") == "true",
                "reputation": form.get("reputation") or None,
                "cadence_hours": form.get("cadence_hours") or None,
                "rules": rules,
            }
        )
    except ValidationError as exc:
        errors = {str(e["loc"][-1]): e["msg"] for e in exc.errors() if e["loc"]}
        return await _sources(request, person, errors, editing=str(source_id))
    changes = patch.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    row = await sources_service.change(rt, person.principal, source_id, changes)
    notice = f"{row.name} saved: re-price all it serves to apply new rules to stored items"
    return RedirectResponse(f"/console/sources?notice={notice}", status_code=303)


@router.post("/sources/{source_id}/reprice", include_in_schema=False)
async def reprice_source(
    request: Request, source_id: uuid.UUID, person: ViewerPerson, form: CheckedForm
) -> Response:
    name, served = await sources_service.reprice(
        request.app.state.runtime, person.principal, source_id
    )
    notice = f"{name}: {served} items will be re-priced in the scheduler's batches"
    return RedirectResponse(f"/console/sources?notice={notice}", status_code=303)


CONDITIONS = {
    "fmv_above": "value rises above ($)",
    "fmv_below": "value falls below ($)",
    "change_pct": "value changes by more than (%)",
    "confidence_above": "confidence rises above (1-10)",
}
assert set(CONDITIONS) == set(get_args(ConditionKind))


async def _watches(
    request: Request,
    person: Any,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    created: Any = None,
) -> Response:
    rt = request.app.state.runtime
    listed = await watches_api.list_watches(person.principal, rt)
    deliveries = {
        w.id: await watches_api.list_deliveries(w.id, person.principal, rt, limit=20)
        for w in listed
    }
    context = {
        "person": person,
        "watches": listed,
        "deliveries": deliveries,
        "conditions": CONDITIONS,
        "categories": attribution_form.CATEGORIES,
        "errors": errors or {},
        "values": values or {},
        "created": created,
        "notice": request.query_params.get("notice"),
    }
    return page(request, "watches.html", context, 422 if errors else 200)


@router.get("/watches", include_in_schema=False)
async def watches_page(request: Request, person: AdminPerson) -> Response:
    return await _watches(request, person)


def _threshold(kind: str, raw: str) -> float | str:
    """The condition's value in the API's unit (USD cents for a price), or the reason."""
    try:
        number = Decimal(raw.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        return "a number, please"
    if not number.is_finite():
        return "a number, please"
    return float(number * 100) if kind in ("fmv_above", "fmv_below") else float(number)


@router.post("/watches", include_in_schema=False)
async def create_watch(request: Request, person: AdminPerson, form: CheckedForm) -> Response:
    """Validated by the API's own WatchIn, created by the same service call as the API."""
    values = {
        k: str(form.get(k, "")).strip() for k in ("query", "category", "kind", "value", "url")
    }
    value = _threshold(values["kind"], values["value"])
    if isinstance(value, str):
        return await _watches(request, person, {"value": value}, values)
    body = {
        "query": values["query"] or None,
        "category": values["category"] or None,
        "condition": {"kind": values["kind"], "value": value},
        "url": values["url"],
    }
    try:
        watch = watches_api.WatchIn.model_validate(body)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            field = str(e["loc"][-1]) if e["loc"] else "form"
            errors.setdefault(field, e["msg"].removeprefix("Value error, "))
        return await _watches(request, person, errors, values)
    try:
        row = await watches_service.create(
            request.app.state.runtime,
            person.principal,
            request.app.state.settings.webhook_allowed_hosts,
            item_id=watch.item_id,
            category=watch.category,
            query=watch.query,
            condition=watch.condition,
            url=watch.url,
        )
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return await _watches(request, person, {"url": str(exc.detail)}, values)
    return await _watches(request, person, created=row)


@router.post("/watches/{watch_id}/enabled", include_in_schema=False)
async def enable_watch(
    request: Request, watch_id: uuid.UUID, person: AdminPerson, form: CheckedForm
) -> Response:
    enabled = form.get("enabled") == "true"
    await watches_service.change(
        request.app.state.runtime,
        person.principal,
        request.app.state.settings.webhook_allowed_hosts,
        watch_id,
        {"enabled": enabled},
    )
    notice = "watch enabled" if enabled else "watch disabled"
    return RedirectResponse(f"/console/watches?notice={notice}", status_code=303)


@router.post("/watches/{watch_id}/delete", include_in_schema=False)
async def delete_watch(
    request: Request, watch_id: uuid.UUID, person: AdminPerson, form: CheckedForm
) -> Response:
    await watches_service.remove(request.app.state.runtime, person.principal, watch_id)
    return RedirectResponse("/console/watches?notice=watch deleted", status_code=303)
