"""Sources (weights, rules, cadence; re-price all they serve) and watches with their
deliveries: read through the API's functions, acted on through the service layer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fairmarket.catalog.api import sources as sources_api
from fairmarket.catalog.api import watches as watches_api
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import AdminPerson, CheckedForm, ViewerPerson
from fairmarket.catalog.service import sources as sources_service

router = APIRouter(prefix="/console")


@router.get("/sources", include_in_schema=False)
async def sources_page(request: Request, person: ViewerPerson) -> Response:
    listed = await sources_api.list_sources(person.principal, request.app.state.runtime)
    context = {"person": person, "sources": listed, "notice": request.query_params.get("notice")}
    return page(request, "sources.html", context)


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
