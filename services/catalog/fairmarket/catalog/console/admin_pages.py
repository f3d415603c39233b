"""Sources (weights, rules, cadence; re-price all they serve) and watches with their
deliveries: read through the API's functions, acted on through the service layer."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from fairmarket.catalog.api import sources as sources_api
from fairmarket.catalog.api import watches as watches_api
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import AdminPerson, CheckedForm, ViewerPerson
from fairmarket.catalog.service import sources as sources_service

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


@router.get("/watches", include_in_schema=False)
async def watches_page(request: Request, person: AdminPerson) -> Response:
    rt = request.app.state.runtime
    listed = await watches_api.list_watches(person.principal, rt)
    deliveries = {
        w.id: await watches_api.list_deliveries(w.id, person.principal, rt, limit=20)
        for w in listed
    }
    return page(
        request, "watches.html", {"person": person, "watches": listed, "deliveries": deliveries}
    )
