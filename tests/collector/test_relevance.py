"""Is a kept comp the item? The filters on hand-labelled real captures, and their rules.

Captures (../shared/data, SOURCES.md): gaurav-arun/ebay-alerts Browse "iphone" searches
(2023-07), katsuroo/eBay-SDK Finding "nexus player" (2016-02), jaredfincke/FinalProject
eBay sold rookie cards (2021-02). Labels: tests/collector/relevance_labels/*.json, one per
capture, every listing labelled by reading its title and category.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from request_support import pricing_request
from typer.testing import CliRunner

from fairmarket.collector.cli import app
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_points
from fairmarket.collector.domain.relevance import (
    PRICE_FLOOR_REASON,
    capacities,
    card_reason,
    category_reason,
    coin_reason,
    far_below,
    product_reason,
    record_format_reason,
)
from fairmarket.collector.relevance import (
    LABELS,
    PRECISION_TARGET,
    RECALL_TARGET,
    browse_listings,
    score_all,
)
from fairmarket.common.events import (
    CardAttribution,
    CoinAttribution,
    ProductAttribution,
    RecordAttribution,
    SourceRules,
)

IPHONE_12 = ProductAttribution(brand="Apple", name="iPhone 12", variant="128GB")
NOW = datetime(2023, 7, 15, tzinfo=UTC)
BEST = "browse_item_summary_search_iphone_bestmatch_100items_2023-07.json"
BY_PRICE = "browse_item_summary_search_iphone_sort_price_100items_2023-07.json"


def test_every_labelled_capture_meets_the_targets(shared_data: Path) -> None:
    scores = score_all(shared_data)
    captures = {s.capture.split("/")[-1] for s in scores}
    assert len(captures) == len(list(LABELS.glob("*.json"))) == 5
    for s in scores:
        if s.kept:
            assert s.kept_items / s.kept >= PRECISION_TARGET, (s.attribution, s.wrong)
        if s.items:
            assert s.kept_items / s.items >= RECALL_TARGET, (s.attribution, s.wrong)
        else:
            assert s.kept == 0, (s.capture, s.attribution, s.wrong)  # no phone: keep nothing
    # the two phones of the best-match search are kept, every accessory of either search is not
    phones = {(s.capture.split("/")[-1], s.attribution): (s.items, s.kept) for s in scores}
    assert phones[(BEST, "Apple iPhone 12 128GB")] == (4, 4)
    assert phones[(BY_PRICE, "Apple iPhone 12 128GB")] == (0, 0)


def test_the_labels_cover_every_listing_of_each_capture(shared_data: Path) -> None:
    spec = json.loads((LABELS / "ebay_browse_iphone_bestmatch.json").read_text())
    listings = browse_listings(shared_data / spec["capture"])
    assert len(listings) == 100
    for att in spec["attributions"]:
        assert set(att["listings"]) == set(listings)
        assert all(v["item"] or v["why"] for v in att["listings"].values())


def test_the_command_prints_precision_and_recall_per_capture(shared_data: Path) -> None:
    result = CliRunner().invoke(app, ["relevance", "--data", str(shared_data)])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("| ebay/")]
    assert len(rows) == 5
    iphone_12 = next(r for r in rows if BEST in r and "iPhone 12" in r)
    assert "| 100 | 4 | 4 | 100.0% | 100.0% |" in iphone_12


def test_the_command_says_when_it_has_no_labels(shared_data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["relevance", "--data", str(shared_data), "--labels", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert f"cannot measure: no label files in {tmp_path}" in result.output


def test_every_filtered_accessory_keeps_one_plain_reason(shared_data: Path) -> None:
    listings = browse_listings(shared_data / "ebay" / BY_PRICE)
    points = to_price_points(
        [(x, None) for x in listings.values()],
        pricing_request(IPHONE_12, "ebay"),
        rates=Rates(),
        now=NOW,
    )
    assert all(p.filtered and p.filtered_reason for p in points)
    reasons = {p.filtered_reason for p in points}
    assert "an accessory, part, service or lot (listed in Screen Protectors)" in reasons
    assert "an accessory, part, service or lot (listed in Other Specialty Services)" in reasons


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Apple iPhone 12 128GB Factory Unlocked AT&T T-Mobile Verizon Good Condition", None),
        ("Apple iPhone 12 - 5G - 128GB Factory Unlocked GSM + CDMA - EXCELLENT", None),
        ("Apple iPhone 12 mini 64GB Unlocked AT&T T-Mobile Verizon Very Good Condition",
         "another model (12 mini)"),
        ("Apple iPhone 12 Pro 128GB Unlocked Smartphone - Very Good", "another model (12 pro)"),
        ("Apple iPhone 12 64GB Factory Unlocked AT&T T-Mobile Verizon Excellent Condition",
         "another capacity (64GB)"),
        ("Apple iPhone 12 - 64 128 256GB Unlocked Verizon AT&T T-Mobile - Good Refurbished",
         "several capacities in one listing (64GB, 128GB, 256GB)"),
        ("Apple iphone 12 -  Fully Functional - Unlocked - Great condition !!!!!",
         "capacity not given (128GB wanted)"),
        ("Case for Apple iPhone 14 13 12 11 Pro Max XR XS 8 7 SE Shockproof Cover Funda",
         "an accessory or part for the item ('for apple iphone')"),
        ("MagSafe Leather Case Magnetic Charging Slim Cover For iPhone 14 Plus 13 Pro Max",
         "does not name the model (Apple iPhone 12)"),
        ("Apple iPhone 12 128GB for parts", "parts, broken or an empty box ('for parts')"),
        ("For iPhone 12 Tempered Glass 9H", "an accessory or part for the item ('for iphone 12')"),
        ("Lot of 3 Apple iPhone 12 128GB", "a lot or bundle ('lot')"),
        ("Apple iPhone 12 128GB empty box", "parts, broken or an empty box ('empty box')"),
        ("Apple iPhone 12 128GB screen protector", "an accessory, not the item ('protector')"),
    ],
)  # fmt: skip
def test_a_phone_is_its_model_and_capacity(title: str, reason: str | None) -> None:
    assert product_reason(IPHONE_12, title) == reason


def test_the_nexus_player_among_dj_players_radios_and_gamepads() -> None:
    nexus = ProductAttribution(brand="Google", name="Nexus Player", sku="TV500I")
    assert product_reason(nexus, "ASUS Nexus Player Digital HD Media Streamer") is None
    assert product_reason(nexus, "New ASUS Nexus  TV500I  Black Media Streaming Player") is None
    assert product_reason(nexus, "Google Nexus Player Streaming Media Console with Remote") is None
    assert product_reason(nexus, "Pioneer DJ CDJ-2000 Nexus CD Media Player") is not None
    assert product_reason(nexus, "Asus Wireless Gamepad For Nexus Player Sealed NEW") == (
        "an accessory or part for the item ('for nexus player')"
    )
    assert product_reason(nexus, "Google Nexus Player with Gamepad Bundle") == (
        "a lot or bundle ('bundle')"
    )


def test_capacities_in_a_title() -> None:
    assert capacities("OB Apple 5G 64,128GB Red/Blue") == {"64GB", "128GB"}
    assert capacities("Apple iPhone 13, A2482, 128GB, Unlocked") == {"128GB"}
    assert capacities("SE 1st Gen. - 16/32/64/128GB") == {"16GB", "32GB", "64GB", "128GB"}
    assert capacities("2TB SSD") == {"2TB"}


def test_marketplace_categories_and_the_sources_own() -> None:
    protector = (("58540", "Screen Protectors"), ("15032", "Cell Phones & Accessories"))
    phone = (("9355", "Cell Phones & Smartphones"), ("15032", "Cell Phones & Accessories"))
    rules = SourceRules()
    assert category_reason(protector, rules) == (
        "an accessory, part, service or lot (listed in Screen Protectors)"
    )
    assert category_reason(phone, rules) is None
    only_phones = SourceRules(allowed_categories=["9355"])
    assert category_reason(phone, only_phones) is None
    streamers = (("168058", "Internet & Media Streamers"),)
    assert category_reason(streamers, only_phones) == (
        "listed outside the source's categories (Internet & Media Streamers)"
    )
    refused = SourceRules(refused_categories=["cell phones & smartphones"])
    assert category_reason(phone, refused) == (
        "listed in a category the source refuses (Cell Phones & Smartphones)"
    )
    # a category the source allows is a comp's even when it sounds like an accessory
    assert category_reason(protector, SourceRules(allowed_categories=["58540"])) is None


def test_price_far_below_where_the_others_agree() -> None:
    assert far_below([6000, 6500, 5900, 7000, 6200, 800]) == [False] * 5 + [True]
    assert far_below([6000, 6500, 800]) == [False] * 3  # too few to say where they agree
    spread = [100, 1000, 10_000, 100_000, 1_000_000, 10]  # no agreement: no floor
    assert far_below(spread) == [False] * 6


def test_the_price_floor_filters_with_its_reason_and_keeps_the_rest() -> None:
    nexus = ProductAttribution(brand="Google", name="Nexus Player")
    prices = ["63", "59.99", "66", "64.95", "60", "8"]
    listings = [
        (Listing(f"n{i}", "Google Nexus Player", Decimal(p), "USD", "sold", observed_at=NOW), None)
        for i, p in enumerate(prices)
    ]
    points = to_price_points(listings, pricing_request(nexus, "ebay"), rates=Rates(), now=NOW)
    assert [p.filtered_reason for p in points] == [None] * 5 + [PRICE_FLOOR_REASON]


def test_a_for_parts_condition_is_no_comp() -> None:
    listing = Listing("x", "Google Asus Nexus Player - Untested", Decimal("20.5"), "USD", "sold",
                      observed_at=NOW, condition_id="7000")  # fmt: skip
    nexus = ProductAttribution(brand="Google", name="Nexus Player")
    [point] = to_price_points(
        [(listing, None)], pricing_request(nexus, "ebay"), rates=Rates(), now=NOW
    )
    assert point.filtered_reason == "for parts or not working"


@pytest.mark.parametrize(
    ("grade", "condition", "title", "reason"),
    [
        ("PSA 10", None, "2017 Donruss Rated Rookie Patrick Mahomes #327 PSA 10 Gem Mint", None),
        ("PSA 10", None, "2017 Donruss Rated Rookie Patrick Mahomes BGS 9.5 RC PSA 10?",
         "graded by BGS, not PSA"),
        ("PSA 10", None, "2017 Patrick Mahomes Rated Rookie #327 Hot Card Invest Now! PSA 10? Mint",
         "ungraded: 'PSA 10?' is a hope, not a grade"),
        ("PSA 10", None, "2017 Panini Donruss Patrick Mahomes Rated Rookie Easy Psa 10 Non Auto",
         "ungraded: 'PSA 10?' is a hope, not a grade"),
        ("PSA 9", None, "2017 Donruss⚡Patrick Mahomes⚡Rated Rookie⚡RC #327⚡PSA 9 MINT", None),
        (None, "Ungraded", "2017 DONRUSS PATRICK MAHOMES II RC RATED ROOKIE #327 GRADED SGC 9 MINT",
         "a graded card (SGC 9), the item is ungraded"),
        (None, "Ungraded", "2017 Donruss Patrick Mahomes Rated Rookie Card RC #327 KC Chiefs", None),
        (None, "Ungraded", "2017 Donruss Patrick Mahomes Rated Rookie Card #327 10??", None),
        (None, "Ungraded", "2017 Donruss Patrick Mahomes Rated Rookie RC Red Foil Press Proof",
         "a parallel, not the base card (press proof)"),
        (None, "Ungraded", "2017 Patrick Mahomes ACEO Custom RATED ROOKIE CARD GRADED GEM MINT 10",
         "a custom card (ACEO), not the issued card"),
        (None, "Ungraded", "KANSAS CITY CHIEFS TEAM SET 2017 Donruss No Mahomes. Rated Rookie",
         "a set of cards"),
        ("PSA 10", None, "2016-17 Upper Deck Auston Matthews Young Guns Rookie Graded PSA 10",
         "another card (no 'mahomes' in the title)"),
    ],
)  # fmt: skip
def test_a_card_is_its_card_on_its_grade_scale(
    grade: str | None, condition: str | None, title: str, reason: str | None
) -> None:
    card = CardAttribution(
        name="Patrick Mahomes", set="Donruss Rated Rookie", year=2017, number="327",
        grade=grade, condition=condition,
    )  # fmt: skip
    assert card_reason(card, title, own="") == reason


def test_a_card_the_item_itself_names_is_no_mismatch() -> None:
    canvas = CardAttribution(name="Connor McDavid", set="Young Guns Canvas", number="C211")
    title = "15-16 UD Series 2 Hockey Young Guns Canvas C211 Connor McDavid PSA 10"
    assert card_reason(canvas, title, own="young guns canvas") is None


def test_proofs_and_business_strikes_are_two_scales() -> None:
    proof = CoinAttribution(year=2019, denomination="Silver Eagle", grade="PF70")
    assert coin_reason(proof, "2019-S Proof Silver Eagle PR70 DCAM") is None
    assert coin_reason(proof, "2019 Silver Eagle MS70") == (
        "a business strike (MS70), the item is a proof"
    )


def test_a_vinyl_record_is_no_cd() -> None:
    vinyl = RecordAttribution(artist="Mastodon", title="Emperor Of Sand", format="Vinyl, LP")
    assert record_format_reason(vinyl, "Vinyl, LP, Album, 180g") is None
    assert record_format_reason(vinyl, "CD, Album") == "another format (CD, Album)"


@pytest.mark.parametrize(
    ("listed", "reason"),
    [
        ("2xLP, Album, 180", None),
        ("LP, Album, Ltd, Pic", "another pressing (LP, Album, Ltd, Pic)"),
        ("2xLP, Album, Ltd, RE, S/Edition, Pin",
         "another pressing: a special edition (2xLP, Album, Ltd, RE, S/Edition, Pin)"),
        ("2xCD, Album", "another format (2xCD, Album)"),
        ("Vinyl, LP, Album, Reissue", "another pressing (Vinyl, LP, Album, Reissue)"),
    ],
)  # fmt: skip
def test_discogs_formats_tell_pressings_apart(listed: str, reason: str | None) -> None:
    """Real release formats of Mastodon's Emperor Of Sand listings (ryanglennsmith/discospot_next)."""
    double = RecordAttribution(
        artist="Mastodon", title="Emperor Of Sand", format="2xLP, Album, 180"
    )
    assert record_format_reason(double, listed) == reason
    search_words = RecordAttribution(artist="Mastodon", title="Emperor Of Sand", format="LP")
    assert record_format_reason(search_words, "Vinyl, LP, Album, Picture Disc") == (
        "another pressing: a picture disc (Vinyl, LP, Album, Picture Disc)"
    )


def test_a_store_product_named_loosely_is_kept_and_another_size_is_not() -> None:
    coffee = ProductAttribution(
        brand="Onyx Coffee Lab", name="Geometry Whole Bean Coffee", variant="250g"
    )
    assert product_reason(coffee, "Onyx Geometry Coffee Beans 250g bag") is None
    assert product_reason(coffee, "Geometry Whole Bean Coffee") is None  # a store's own brand
    assert product_reason(coffee, "Onyx Coffee Lab Geometry Whole Bean Coffee 2lb") == (
        "another size (907g)"
    )
    assert product_reason(coffee, "Onyx Coffee Lab Southern Weather Whole Bean 250g") == (
        "does not name the model (Onyx Coffee Lab Geometry Whole Bean Coffee)"
    )


def test_a_marketplace_grade_is_no_missing_slab() -> None:
    card = CardAttribution(name="Charizard", set="Base Set", number="4/102", grade="PSA 10")
    title = "Charizard Holofoil TCGplayer market"
    assert card_reason(card, title, own="", listing_grade="NM") is None
    assert card_reason(card, title, own="") == "names no PSA grade (likely ungraded)"
