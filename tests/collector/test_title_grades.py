"""Grades read out of real listing titles (../shared/data), and the GBP best offers they
were sold at converted to USD.

Sources (SOURCES.md): jaredfincke/FinalProject eBay sold rookie cards (2021-02);
Veeeetzzzz/tag-sales-scraper accepted best offers (GBP, TAG grades, 2025).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fairmarket.collector.domain.filters import junk_reason
from fairmarket.collector.domain.grades import card_grade, coin_grade, record_grade
from fairmarket.collector.domain.money import Rates
from fairmarket.common.events import SourceRules

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
