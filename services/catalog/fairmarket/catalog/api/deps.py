"""Request-scoped dependencies shared by the catalog's routers."""

from typing import Annotated

from fastapi import Depends, Request

from fairmarket.common.runtime import ServiceRuntime


def runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime)]
