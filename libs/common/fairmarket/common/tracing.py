"""W3C trace context for events; OpenTelemetry when it is installed and configured."""

from __future__ import annotations


def current_traceparent() -> str | None:
    """The active span's traceparent, to store with outbox rows; None without tracing."""
    try:
        from opentelemetry import propagate
    except ImportError:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")
