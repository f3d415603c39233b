"""Request-scoped dependencies shared by the catalog's routers."""

from typing import Annotated

from fastapi import Depends, Request

from fairmarket.common.runtime import ServiceRuntime


async def runtime(request: Request) -> ServiceRuntime:
    """async: FastAPI runs a plain `def` dependency in a worker thread, a handoff per request."""
    return request.app.state.runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime)]
