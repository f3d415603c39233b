"""Catalog service app: the routes and console over the parts `bootstrap` built."""

from __future__ import annotations

from fastapi import FastAPI

from fairmarket.catalog import topics
from fairmarket.catalog.api import flags, items, products, runs, sources, storefront, watches
from fairmarket.catalog.bootstrap import bootstrap
from fairmarket.catalog.console.install import UPLOAD_PATH
from fairmarket.catalog.console.install import install as install_console
from fairmarket.catalog.settings import CatalogSettings
from fairmarket.common.logs import configure_logging
from fairmarket.common.web import create_app as create_web_app


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()  # type: ignore[call-arg]
    configure_logging("catalog", settings.log_level)
    catalog = bootstrap(settings)
    app = create_web_app(
        service="catalog",
        settings=settings,
        routers=[
            items.router,
            flags.router,
            runs.router,
            sources.router,
            products.router,
            storefront.router,
            watches.router,
        ],
        lifespan=catalog.lifespan,
        readiness=catalog.runtime.readiness,
        topics=(topics.CONSUMES, topics.PRODUCES),
        larger_bodies={UPLOAD_PATH: 64 * 1024 * 1024},  # the console's take-in, with photos
    )
    install_console(app, settings, catalog.client)
    app.state.runtime = catalog.runtime
    app.state.scheduler = catalog.scheduler
    app.state.watchdog = catalog.watchdog
    app.state.webhooks = catalog.webhooks
    return app
