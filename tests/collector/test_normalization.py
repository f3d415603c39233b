"""Grades, junk filters, matching and money on real listing titles (../shared/data).

Sources (SOURCES.md): jaredfincke/FinalProject eBay sold rookie cards (2021-02);
Veeeetzzzz/tag-sales-scraper accepted best offers (GBP, TAG grades, 2025).
"""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from fairmarket.collector.adapters.base import Listing
from fairmarket.collector.domain.filters import junk_reason
from fairmarket.collector.domain.grades import card_grade, coin_grade, record_grade
from fairmarket.collector.domain.matching import hard_mismatch, match_score
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import price_point_id, to_price_point
from fairmarket.collector.domain.query import build_query
from fairmarket.common.events import (
    CardAttribution,
    CoinAttribution,
    PricingRequestedData,
    RecordAttribution,
    SourceRef,
    SourceRules,
)

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "grade"),
    [
        ("1921-D Morgan Silver Dollar MS63 PCGS", "MS63"),
        ("1921 D $1 Morgan Dollar NGC MS 63", "MS63"),
        ("1921-D Morgan MS-63", "MS63"),
        ("1909-S VDB Lincoln Cent NGC MS 65 RD", "MS65 RD"),
        ("1881-S Morgan PCGS AU58", "AU58"),
        ("1893-S Morgan Dollar VF-20", "VF20"),
        ("2019-S Proof Silver Eagle PR70 DCAM", "PF70 DCAM"),
        ("Morgan dollar circulated", None),
    ],
)
def test_coin_grades_out_of_titles(title: str, grade: str | None) -> None:
    assert coin_grade(title) == grade


@pytest.mark.parametrize(
    ("title", "grade"),
    [
        ("Charizard 4/102 Base Set Holo PSA 10 GEM MINT", "PSA 10"),
        ("2017 Donruss Rated Rookie Patrick Mahomes BGS 9.5", "BGS 9.5"),
        ("Beckett 9.5 Gem Mint Mahomes", "BGS 9.5"),
        ("Umbreon VMAX TAG 10 Gem Mint", "TAG 10"),
        ("Black Lotus Unlimited Near Mint", "NM"),
        ("Lightning Bolt LP", "LP"),
    ],
)
def test_card_grades_out_of_titles(title: str, grade: str) -> None:
    assert card_grade(title) == grade


def test_record_grades() -> None:
    assert record_grade("Pink Floyd DSOTM SHVL 804 VG+/VG") == "VG+"
    assert record_grade("Abbey Road PCS 7088 NM") == "NM"


def test_title_grades_agree_with_the_graded_rows_of_real_sold_cards(shared_data: Path) -> None:
    path = shared_data / "sales" / "ebay_sold_rookie_cards_psa_and_raw_2021-02.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    graded = [r for r in rows if r["Grade"] != "0"]
    agree = sum(card_grade(r["Card Title"]) == f"PSA {r['Grade']}" for r in graded)
    assert agree / len(graded) >= 0.9, f"{agree}/{len(graded)}"


def test_lots_and_other_graders_among_raw_rows_are_not_psa(shared_data: Path) -> None:
    path = shared_data / "sales" / "ebay_sold_rookie_cards_psa_and_raw_2021-02.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8-sig")) if r["Grade"] == "0"]
    lots = [r for r in rows if "lot of" in r["Card Title"].lower()]
    assert lots
    for r in lots:
        reason = junk_reason(
            category="card",
            title=r["Card Title"],
            kind="sold",
            total_usd_cents=1000,
            observed_at=NOW,
            rules=SourceRules(),
            now=NOW,
        )
        assert reason and "lot of" in reason
    sgc = [r for r in rows if " SGC " in f" {r['Card Title']} "]
    assert sgc and all((card_grade(r["Card Title"]) or "").startswith("SGC") for r in sgc)


def test_gbp_best_offers_with_postage_convert_to_usd(shared_data: Path) -> None:
    path = shared_data / "sales" / "ebay_uk_tag_graded_pokemon_best_offers_accepted_2025.json"
    raw = json.loads(path.read_text())
    rows = raw if isinstance(raw, list) else next(v for v in raw.values() if isinstance(v, list))
    rates = Rates()
    for row in rows[:10]:
        price = Decimal(str(row["avgSold"]).replace("£", "").replace(",", ""))
        postage = Decimal(str(row.get("postage") or 0).replace("£", "") or 0)
        cents = rates.total_usd_cents(price, "GBP", postage, "GBP")
        expected = (price + postage) * Decimal("1.27") * 100
        assert abs(cents - expected) <= 1  # price and postage are each rounded to the cent
        assert (card_grade(row["listingTitle"]) or "TAG").startswith("TAG")


def test_hard_mismatches_are_named() -> None:
    coin = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar")
    assert hard_mismatch("coin", coin, "1921-D Morgan Dollar MS63") is None
    assert hard_mismatch("coin", coin, "1921-S Morgan Dollar MS63") == "another mintmark (1921-S)"
    assert hard_mismatch("coin", coin, "1904-O Morgan Dollar MS63") == "another year (1904)"
    card = CardAttribution(name="Charizard", set="Base Set", number="4/102")
    assert (
        hard_mismatch("card", card, "Charizard 4/130 Base Set 2") == "another card number (4/130)"
    )
    record = RecordAttribution(artist="Pink Floyd", title="Dark Side", catalog_number="SHVL 804")
    assert hard_mismatch("record", record, "Pink Floyd Wish You Were Here SHVL 814") is not None
    assert match_score("coin", coin, "1921-D Morgan Dollar") == 1.0
    assert match_score("coin", coin, "Silver dollar") < 0.5


def test_queries_are_category_aware_and_short() -> None:
    assert (
        build_query(
            "coin",
            CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar", grade="MS-63"),
            None,
        )
        == "1921-D Morgan Dollar MS63"
    )
    card = CardAttribution(name="Charizard", set="Base Set", number="4/102", grade="PSA 10")
    assert build_query("card", card, None) == "Charizard Base Set 4/102 PSA 10"


def _request(**rules: object) -> PricingRequestedData:
    return PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category="coin",
        attribution=CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar"),
        source=SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay"),
        rules=SourceRules(**rules),
    )


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
    return PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category="record",
        attribution=attribution,
        title=title,
        source=SourceRef(id=uuid.uuid4(), name="discogs", adapter="discogs"),
        rules=SourceRules(exclude_keywords=["sealed"]),
    )


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
