"""The catalog consumes exactly the kinds its handler table routes, each to its handler."""

from __future__ import annotations

import pytest

from fairmarket.catalog import topics
from fairmarket.catalog.bootstrap import handler_table
from fairmarket.catalog.consumers import CatalogHandlers
from fairmarket.common.events import ValuationComputed

pytestmark = pytest.mark.unit


def test_every_consumed_kind_has_a_handler_and_no_handler_waits_for_an_unconsumed_kind() -> None:
    table = handler_table(CatalogHandlers())
    assert set(table) == set(topics.CONSUMES)


def test_valuations_go_to_the_valuation_handler_last() -> None:
    handlers = CatalogHandlers()
    table = handler_table(handlers)
    assert table[ValuationComputed] == handlers.on_valuations
    assert list(table)[-1] is ValuationComputed  # after the comps of the same batch
