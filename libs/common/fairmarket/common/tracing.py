"""OpenTelemetry across the Kafka hops: one trace follows an item through the pipeline.

Off by default. The standard variables turn it on: `OTEL_TRACES_EXPORTER=otlp`
(with `OTEL_EXPORTER_OTLP_ENDPOINT`, ...) or `console`. The W3C `traceparent`
travels in Kafka headers: it is stored with each outbox row (the relay runs
later, outside the request), the relay's publish span is its child, and a
consumer's span for a record is the child of the record's traceparent. Events
that a handler emits for an item continue that item's trace.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind

_tracer = trace.get_tracer("fairmarket")
# while consuming: the trace of each item in the batch, and the one current before it
_item_traces: contextvars.ContextVar[tuple[dict[str, str], str | None] | None] = (
    contextvars.ContextVar("fairmarket_item_traces", default=None)
)


def configure_tracing(service: str) -> bool:
    """Install an SDK tracer provider when the OTEL_ variables ask for one."""
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if not exporter_name and os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        exporter_name = "otlp"
    if exporter_name in ("", "none"):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", f"fairmarket-{service}")}
        )
    )
    if exporter_name == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    global _tracer
    _tracer = trace.get_tracer("fairmarket")
    return True


def instrument_fastapi(app: Any) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")


def _traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def traceparent_for(key: str) -> str | None:
    """The trace an event of item `key` continues: the consumed record's, else the current one."""
    consumed = _item_traces.get()
    if consumed is not None:  # not the batch's current span: that is one record's
        traces, outer = consumed
        return traces.get(key, outer)
    return _traceparent()


def current_traceparent() -> str | None:
    return _traceparent()


@contextmanager
def consuming(records: list[Any], group: str) -> Iterator[None]:
    """One CONSUMER span per record, child of its traceparent; events emitted for the
    record's item while handling continue from that span.

    The first record's span is current while the batch is handled, so log lines
    carry its trace id (a record retried alone: its own); without an SDK the
    span is the traceparent's non-recording one, which still carries the id."""
    traces: dict[str, str] = {}
    spans = []
    for r in records:
        headers = {
            k: v.decode(errors="replace") for k, v in (r.headers or ()) if k == "traceparent"
        }
        parent = propagate.extract(headers)
        span = _tracer.start_span(
            f"{r.topic} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": r.topic,
                "messaging.consumer.group.name": group,
                "messaging.kafka.offset": r.offset,
                "messaging.destination.partition.id": str(r.partition),
            },
        )
        spans.append(span)
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        key = r.key.decode(errors="replace") if isinstance(r.key, bytes) else str(r.key)
        if "traceparent" in carrier:
            traces[key] = carrier["traceparent"]
    token = _item_traces.set((traces, _traceparent()))
    current = context.attach(trace.set_span_in_context(spans[0])) if spans else None
    try:
        yield
    finally:
        if current is not None:
            context.detach(current)
        _item_traces.reset(token)
        for span in spans:
            span.end()


@contextmanager
def publishing(topic: str, headers: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """A PRODUCER span under the stored traceparent; yields headers carrying the new one."""
    parent = propagate.extract(dict(headers))
    token = context.attach(parent)
    try:
        with _tracer.start_as_current_span(
            f"{topic} publish",
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": topic},
        ):
            out = dict(headers)
            propagate.inject(out)
            yield out
    finally:
        context.detach(token)


@contextmanager
def calling_out(name: str, traceparent: str | None, url: str) -> Iterator[dict[str, str]]:
    """A CLIENT span under a stored traceparent (a webhook); yields the headers to send."""
    parent = propagate.extract({"traceparent": traceparent} if traceparent else {})
    token = context.attach(parent)
    try:
        with _tracer.start_as_current_span(
            name, kind=SpanKind.CLIENT, attributes={"http.request.method": "POST", "url.full": url}
        ):
            out: dict[str, str] = {}
            propagate.inject(out)
            yield out
    finally:
        context.detach(token)
