"""Rendering pages: the Jinja2 templates, their filters, and the CSRF cookie a page sets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fairmarket.catalog.console.session import CSRF_COOKIE, csrf_value, set_cookie

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def money(cents: Any) -> str:
    if cents is None:
        return "—"
    return f"${int(cents) / 100:,.2f}"


def when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return "—"
    return value.strftime("%Y-%m-%d %H:%M")


def evidence(valuation: dict[str, Any] | None) -> str:
    """How much the value rests on, in words: "3 sales", "1 ask", "no comps"."""
    if not valuation:
        return "not valued yet"
    used = int((valuation.get("comps") or {}).get("used", 0))
    basis = valuation.get("basis", "none")
    noun = {"sold": "sale", "ask": "ask", "guide": "guide price"}.get(basis, "comp")
    if used == 0:
        return "no usable comps"
    return f"{used} {noun}{'' if used == 1 else 's'}"


templates.env.filters.update(money=money, when=when, evidence=evidence)


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """The page, with the browser's CSRF cookie set if it had none."""
    had = request.cookies.get(CSRF_COOKIE)
    csrf = csrf_value(request)
    response = templates.TemplateResponse(
        request, name, {"csrf": csrf, **context}, status_code=status_code
    )
    if had != csrf:
        set_cookie(request, response, CSRF_COOKIE, csrf, max_age=7 * 24 * 3600)
    return response
