"""Intake service app: its routes over the parts `bootstrap` built."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.common.logs import configure_logging
from fairmarket.common.web import create_app as create_web_app
from fairmarket.intake import api, photos_api, topics
from fairmarket.intake.bootstrap import bootstrap
from fairmarket.intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()  # type: ignore[call-arg]
    configure_logging("intake", settings.log_level)
    intake = bootstrap(settings)
    app = create_web_app(
        service="intake",
        settings=settings,
        routers=[api.router, photos_api.router],
        # photo uploads may be larger than the JSON bodies everything else takes
        larger_bodies={photos_api.UPLOAD_PATH: settings.photo_max_bytes + 64 * 1024},
        lifespan=intake.runtime.lifespan,
        readiness=intake.runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
    )
    app.state.runtime = intake.runtime
    return app
