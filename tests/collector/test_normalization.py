"""Listings to price points: junk kept with its reason, stable ids, the lookback and price
bounds, card variants and a record's default excludes against what the item itself is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from request_support import pricing_request

from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import price_point_id, to_price_point
from fairmarket.common.events import (
    CoinAttribution,
    PricingRequestedData,
    RecordAttribution,
    SourceRules,
)

NOW = datetime(2026, 11, 22, tzinfo=UTC)
MORGAN_1921_D = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar")


def _request(**rules: object) -> PricingRequestedData:
    return pricing_request(MORGAN_1921_D, "ebay", rules=SourceRules(**rules))


def _listing(title: str, price: str = "150", days: int = 3) -> Listing:
    return Listing(
        marketplace_id=f"v1|{abs(hash(title))}|0",
        title=title,
        price=Decimal(price),
        currency="USD",
        kind="sold",
        shipping=Decimal("5"),
        observed_at=NOW - timedelta(days=days),
    )


def test_price_points_keep_junk_with_its_reason_and_have_stable_ids() -> None:
    request = _request(
        exclude_keywords=["cleaned"], max_price_usd=Decimal("1000"), lookback_days=90
    )
    cases = {
        "1921-D Morgan Dollar MS63 PCGS": None,
        "1921-D Morgan Dollar REPLICA": "excluded keyword 'replica'",
        "1921-D Morgan Dollar cleaned": "excluded keyword 'cleaned'",
        "1921-S Morgan Dollar MS63": "another mintmark (1921-S)",
    }
    for title, reason in cases.items():
        point = to_price_point(
            _listing(title), request, raw_artifact_id="abc", rates=Rates(), now=NOW
        )
        assert point.filtered_reason == reason
        assert point.filtered is (reason is not None)
        assert point.total_usd_cents == 15_500
    old = to_price_point(
        _listing("1921-D Morgan Dollar MS63", days=200),
        request,
        raw_artifact_id=None,
        rates=Rates(),
        now=NOW,
    )
    assert old.filtered_reason == "older than the 90-day lookback"
    dear = to_price_point(
        _listing("1921-D Morgan Dollar MS63", price="5000"),
        request,
        raw_artifact_id=None,
        rates=Rates(),
        now=NOW,
    )
    assert "maximum price" in (dear.filtered_reason or "")
    listing = _listing("1921-D Morgan Dollar MS63 PCGS")
    assert price_point_id("ebay", listing, request.item_id) == price_point_id(
        "ebay", listing, request.item_id
    )
    assert (
        to_price_point(listing, request, raw_artifact_id=None, rates=Rates(), now=NOW).grade
        == "MS63"
    )


@pytest.mark.parametrize(
    ("title", "variant", "reason"),
    [
        ("2017 Panini Donruss Patrick Mahomes Rated Rookie Easy Psa 10 Non Auto", None, None),
        ("STEPHEN CURRY 2009/10 TOPPS #321 RC ROOKIE CARD WARRIORS SP PSA 9 MINT", None, None),
        ("Patrick Mahomes 2017 Donruss #327 Rated Rookie Card. Grade 9/10?!", None, None),
        ("2017 Prizm Patrick Mahomes Rookie Auto PSA 10", None, "an autograph, not the base card"),
        ("2017 Prizm Patrick Mahomes Rookie Auto PSA 10", "Auto", None),
        ("Curry 2009 Topps Chrome Refractor #/500 PSA 9", None, "a numbered parallel"),
        ("McDavid Young Guns Exclusives /100 PSA 10", None, "a numbered parallel"),
        ("McDavid Young Guns Exclusives /100 PSA 10", "Exclusives /100", None),
    ],
)
def test_numbered_parallels_and_autographs_are_not_the_base_card(
    title: str, variant: str | None, reason: str | None
) -> None:
    from fairmarket.collector.domain.filters import card_variant_reason

    found = card_variant_reason(title.lower(), variant)
    assert (found or "").startswith(reason or "") and bool(found) == bool(reason)


def _record_request(
    attribution: RecordAttribution, title: str | None = None
) -> PricingRequestedData:
    """A Discogs request whose source excludes "sealed" besides the default excludes."""
    rules = SourceRules(exclude_keywords=["sealed"])
    return pricing_request(attribution, "discogs", title=title, rules=rules)


HOMEWORK_CD = RecordAttribution(artist="Daft Punk", title="Homework", format="CD, Album")
HOMEWORK_LP = RecordAttribution(artist="Daft Punk", title="Homework", format="2xLP, Album")
# ../shared/data/discogs: a CD in 360vinyl's inventory and Mastodon's limited reissue ("RE")
SUMMER_SUITE_CD = RecordAttribution(
    artist="Last Electro-Acoustic Space Jazz & Percussion Ensemble, The",
    title="Summer Suite",
    format="CD, MiniAlbum, Ltd",
)
EMPEROR_RE = RecordAttribution(
    artist="Mastodon", title="Emperor Of Sand", format="2xLP, Album, Ltd, RE, S/Edition, Pin"
)
EMPEROR_FIRST = RecordAttribution(
    artist="Mastodon", title="Emperor Of Sand", format="2xLP, Album, 180"
)


@pytest.mark.parametrize(
    ("attribution", "item_title", "title", "reason"),
    [
        (HOMEWORK_CD, None, "Daft Punk Homework CD", None),
        (HOMEWORK_CD, None, "Daft Punk Homework cassette", "excluded keyword 'cassette'"),
        (HOMEWORK_LP, None, "Daft Punk Homework CD", "excluded keyword 'cd'"),
        (
            SUMMER_SUITE_CD,
            None,
            "Last Electro-Acoustic Space Jazz & Percussion Ensemble, The - Summer Suite "
            "(CD, MiniAlbum, Ltd)",
            None,
        ),
        (
            EMPEROR_RE,
            None,
            "Mastodon Emperor Of Sand Limited Special Edition Reissue Gatefold Pink Vinyl 2xLP",
            None,
        ),
        (
            EMPEROR_FIRST,
            None,
            "Mastodon Emperor Of Sand Limited Special Edition Reissue Gatefold Pink Vinyl 2xLP",
            "excluded keyword 'reissue'",
        ),
        (
            EMPEROR_FIRST,
            "Mastodon Emperor of Sand reissue",
            "Mastodon Emperor Of Sand Reissue 2xLP",
            None,
        ),
        (
            EMPEROR_FIRST,
            "Mastodon Emperor of Sand 2017 original, not a reissue",
            "Mastodon Emperor Of Sand Reissue 2xLP",
            "excluded keyword 'reissue'",
        ),
        (
            EMPEROR_RE,
            None,
            "Mastodon Emperor Of Sand Reissue 2xLP sealed",
            "excluded keyword 'sealed'",
        ),
    ],
)
def test_record_default_excludes_skip_what_the_item_itself_is(
    attribution: RecordAttribution, item_title: str | None, title: str, reason: str | None
) -> None:
    """A CD or a reissue being priced keeps its CD or reissue comps; a first pressing does not,
    and the source's own exclude keywords always apply."""
    listing = Listing(
        marketplace_id=f"r|{abs(hash(title))}",
        title=title,
        price=Decimal("30"),
        currency="USD",
        kind="ask",
        observed_at=NOW - timedelta(days=3),
    )
    point = to_price_point(
        listing,
        _record_request(attribution, item_title),
        raw_artifact_id=None,
        rates=Rates(),
        now=NOW,
    )
    assert point.filtered_reason == reason
