"""Request-scoped dependencies shared by the catalog's routers: the one `Runtime`."""

from fairmarket.common.runtime import Runtime

__all__ = ["Runtime"]
