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

from fairmarket.collector.domain.filters import junk_reason
from fairmarket.collector.domain.grades import card_grade, coin_grade, record_grade
from fairmarket.collector.domain.listing import Listing
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
        ("2019-S Proof Silver Eagle PR70 DCAM", "PR70 DCAM"),
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
    # 431/473 = 91.1% as measured: the Grade column also labels a seller's hope ("PSA 10?",
    # read as no grade since guesses were told apart from slabs) and other graders' slabs
    # (BGS 9.5, GMA 10), which the title rightly does not read as PSA.
    assert agree / len(graded) >= 0.911, f"{agree}/{len(graded)}"


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


# The grade each of the first ten titles of the TAG-graded sales names, read by hand;
# `...` where the title is ambiguous ("TAG 0 Pristine", cut short) or names TAG and
# GEM MINT without a number.
TAG_TITLE_GRADES = [..., None, "TAG 10", ..., ..., "TAG 10", "TAG 10", "TAG 8", "TAG 10", None]


def test_gbp_best_offers_with_postage_convert_to_usd(shared_data: Path) -> None:
    path = shared_data / "sales" / "ebay_uk_tag_graded_pokemon_best_offers_accepted_2025.json"
    raw = json.loads(path.read_text())
    rows = raw if isinstance(raw, list) else next(v for v in raw.values() if isinstance(v, list))
    rates = Rates()
    for row, grade in zip(rows[:10], TAG_TITLE_GRADES, strict=True):
        price = Decimal(str(row["avgSold"]).replace("£", "").replace(",", ""))
        postage = Decimal(str(row.get("postage") or 0).replace("£", "") or 0)
        cents = rates.total_usd_cents(price, "GBP", postage, "GBP")
        expected = (price + postage) * Decimal("1.27") * 100
        assert abs(cents - expected) <= 1  # price and postage are each rounded to the cent
        if grade is not ...:
            assert card_grade(row["listingTitle"]) == grade, row["listingTitle"]


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
    req = PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category="coin",
        attribution=coin,
        source=SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay"),
    )
    listing = Listing("1", plain, Decimal("120"), "USD", "sold", observed_at=NOW)
    point = to_price_point(listing, req, raw_artifact_id=None, rates=Rates(), now=NOW)
    assert (point.filtered, point.match_score) == (False, 0.8)
