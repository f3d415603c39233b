"""Take in: a form per category, photos dropped on it, sent to the intake's API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from fairmarket.catalog.console import attribution_form
from fairmarket.catalog.console.intake_client import IntakeRefused
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import CheckedForm, StaffPerson

router = APIRouter(prefix="/console")
MAX_PHOTOS = 12


def _form(
    request: Request,
    person: Any,
    category: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "person": person,
        "category": category,
        "categories": attribution_form.CATEGORIES,
        "fields": attribution_form.fields(category),
        "values": values,
        "errors": errors,
    }
    return page(request, "take_in.html", context, status)


@router.get("/take-in", include_in_schema=False)
async def take_in_page(
    request: Request, person: StaffPerson, category: Annotated[str, Query()] = "coin"
) -> Response:
    if category not in attribution_form.CATEGORIES:
        category = "coin"
    return _form(request, person, category, {}, {})


@router.post("/take-in", include_in_schema=False)
async def take_in(request: Request, person: StaffPerson, form: CheckedForm) -> Response:
    category = str(form.get("category", ""))
    if category not in attribution_form.CATEGORIES:
        return _form(request, person, "coin", {}, {"category": "choose a category"}, 422)
    values, errors = attribution_form.read(category, form)
    title = str(form.get("title", "")).strip() or None
    photos = [p for p in form.getlist("photos") if isinstance(p, UploadFile) and p.filename]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"at most {MAX_PHOTOS} photos at a time"
    shown = {**values, "title": title or ""}
    if errors:
        return _form(request, person, category, shown, errors, 422)
    intake = request.app.state.intake
    try:
        # the attribution without its category: the intake's category decides it
        created = await intake.create(person.token, category, title, values)
    except IntakeRefused as exc:
        errors = {**exc.fields, "form": exc.reason}
        return _form(request, person, category, shown, errors, exc.status)
    item_id = created["id"]
    refused = []
    for photo in photos:
        data = await photo.read()
        try:
            await intake.add_photo(
                person.token, item_id, data, photo.content_type or "application/octet-stream"
            )
        except IntakeRefused as exc:
            refused.append(f"{photo.filename}: {exc.reason}")
    notice = "taken in: waiting for its valuation"
    if refused:
        notice += "; photos refused: " + "; ".join(refused)
    return RedirectResponse(f"/console/items/{item_id}?notice={notice}", status_code=303)
