"""Does a title name the item: hard mismatches (another mintmark, year, card number) and
match scores, and the search queries built from an attribution, on real titles.

Source (SOURCES.md): jaredfincke/FinalProject eBay sold rookie cards (2021-02);
Veeeetzzzz/tag-sales-scraper for the Pokémon card numbers.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from request_support import pricing_request

from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.matching import hard_mismatch, match_score
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_point
from fairmarket.collector.domain.query import build_query
from fairmarket.common.events import CardAttribution, CoinAttribution, RecordAttribution

NOW = datetime(2026, 11, 22, tzinfo=UTC)


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
    # a proof is searched as the shop wrote it: NGC's PF70 titles say PF, not PCGS's PR
    proof = CoinAttribution(year=2019, mintmark="S", denomination="Silver Eagle", grade="PF-70")
    assert build_query("coin", proof, None) == "2019-S Silver Eagle PF70"


ROOKIES = "ebay_sold_rookie_cards_psa_and_raw_2021-02.csv"
# the author's four cards, by the card number each is known by
ROOKIE_NUMBERS = {"Acuna": "US250", "McDavid": "201", "Mahommes": "327", "Curry": "321"}


def test_card_numbers_as_hash_or_no_on_real_titles(shared_data: Path) -> None:
    """Every title of the capture judged against its card's number: only other cards are
    mismatches (a checklist, a Canvas or Traxx insert, another Mahomes rookie); "#321",
    "# 321", "No. 201", "NO 201", "#US250", "Card Number#327", years, grades ("PSA 10",
    "Grade 9/10?!"), seasons ("15/16") and print runs ("/97", "77/100") are not."""
    with (shared_data / "sales" / ROOKIES).open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    flagged = {}
    for row in rows:
        card = CardAttribution(name=row["Player"], number=ROOKIE_NUMBERS[row["Player"]])
        if reason := hard_mismatch("card", card, row["Card Title"]):
            flagged[row["Card Title"]] = reason
    assert flagged == {
        "2015-16 O-Pee-Chee Platinum Traxx #M1 Connor McDavid RC PSA 9 Mint 15/16 OPC": (
            "another card number (#M1)"
        ),
        "2015-16 Upper Deck Young Guns Checklist Connor McDavid Bennett # 250 PSA 9": (
            "another card number (#250)"
        ),
        "2015 Upper Deck Connor McDavid Young Guns Checklist Card #250 PSA 10 GEM MINT": (
            "another card number (#250)"
        ),
        "2015-16 Upper Deck Connor McDavid #C211 YOUNG GUNS 2015 RC PSA 9 CANVAS YG": (
            "another card number (#C211)"
        ),
        "2015 Upper Deck Connor Mcdavid Young Guns Canvas RC Rookie #C211 PSA 9": (
            "another card number (#C211)"
        ),
        "🔥🔥2015 Upper Deck Connor McDavid Young Guns Canvas #C211 PSA 10🔥🔥": (
            "another card number (#C211)"
        ),
        "🏈 2017 Patrick Mahomes Panini Playoff RC #204 PSA 9 Card Chiefs - Rated Rookie": (
            "another card number (#204)"
        ),
        "New Listing2017 Donruss Patrick Mahomes #177 RATED ROOKIE RC GMA 10 GEM MINT": (
            "another card number (#177)"
        ),
    }
    assert len(rows) - len(flagged) == 665  # the rest name the card's own number, or none


@pytest.mark.parametrize(
    ("number", "title", "reason"),
    [
        # real titles (jaredfincke/FinalProject) against a neighbouring card number
        ("320", "2009 Topps #321 Stephen Curry RC PSA 9", "another card number (#321)"),
        ("320", "STEPHEN CURRY 2009-10 TOPPS ROOKIE RC # 321 PSA 8 GOLDEN STATE WARRIORS",
         "another card number (#321)"),
        ("200", "2015-16 UD Series One Hockey Connor McDavid Young Guns Rookie No. 201 Oilers",
         "another card number (#201)"),
        ("200", "CONNOR MCDAVID RC YOUNG GUNS JUMBO 2015-16 UPPER DECK OVERSIZED NO 201 44177",
         "another card number (#201)"),
        ("US251", "2018 Topps Update #US250 Ronald Acuna Jr RC", "another card number (#US250)"),
        # the prefix is often left out: #250 is US250, and #US250 is 250
        ("US250", "RONALD ACUNA JR 2018 TOPPS UPDATE #250 RC ROOKIE PSA 10 GEM MINT", None),
        ("250", "2018 Topps Update #US250 Ronald Acuna Jr RC", None),
        ("327", "2017 Donruss Rated Rookie Patrick Mahomes Card Number#327 In Magnetic Case", None),
        ("327", "Patrick Mahomes 2017 Donruss #327 Rated Rookie Card. Grade 9/10?! Investment!",
         None),
        ("201", "2015 Upper Deck Young Guns Connor McDavid ROOKIE RC AUTO /97 #201, COA", None),
        ("201", "2015-16 Upper Deck Young Guns #201 Connor McDavid Oilers RC EXCLUSIVES 77/100",
         None),
        ("201", "2015 Upper Deck Young Guns #1 pick Connor McDavid RC PSA 10", None),
        # Pokémon N/M numbers (Veeeetzzzz/tag-sales-scraper): zero-padded, grades beside them
        ("82/78", "2023 Scarlet Ex #082/078 (TAG 10)", None),
        ("200/187", "Leafeon ex SAR Terastal Festival 200/187 (TAG 10, not PSA)", None),
        ("201/187", "Leafeon ex SAR Terastal Festival 200/187 (TAG 10, not PSA)",
         "another card number (200/187)"),
        ("61/214", "Muk & Alolan Muk GX TAG grading 9 61/214 Unbroken Bonds Tag Team Pokemon",
         None),
        ("4/102", "Charizard 4/102 Base Set Holo PSA 9/10", None),
        ("4/102", "Charizard #5 Base Set Holo", "another card number (#5)"),
    ],
)  # fmt: skip
def test_card_number_mismatches(number: str, title: str, reason: str | None) -> None:
    assert hard_mismatch("card", CardAttribution(name="x", number=number), title) == reason


def test_a_coin_title_without_the_mintmark_is_a_weaker_match_not_a_mismatch() -> None:
    coin = CoinAttribution(year=1921, mintmark="D", denomination="Morgan Dollar")
    full = match_score("coin", coin, "1921-D Morgan Silver Dollar MS63 PCGS")
    for shown in ("1921 D Morgan Dollar", "1921D Morgan Dollar", "1921 Morgan Dollar Denver"):
        assert match_score("coin", coin, shown) == full == 1.0
    plain = "1921 Morgan Silver Dollar MS63 PCGS"
    assert hard_mismatch("coin", coin, plain) is None  # titles often leave the mintmark out
    assert 0.5 <= match_score("coin", coin, plain) < full
    assert match_score("coin", coin, plain) == 0.8
    # a loose "D" elsewhere in the title is no mintmark on the date
    assert match_score("coin", coin, "1921 Morgan Dollar D grade") == 0.8
    # Philadelphia coins mostly carry no mintmark: no weaker for leaving it out
    philly = CoinAttribution(year=1921, mintmark="P", denomination="Morgan Dollar")
    assert match_score("coin", philly, plain) == 1.0
    # through normalization: kept (not filtered), with the lower score
    req = pricing_request(coin, "ebay")
    listing = Listing("1", plain, Decimal("120"), "USD", "sold", observed_at=NOW)
    point = to_price_point(listing, req, raw_artifact_id=None, rates=Rates(), now=NOW)
    assert (point.filtered, point.match_score) == (False, 0.8)
