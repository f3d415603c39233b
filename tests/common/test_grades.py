"""One grade scale for the collector and the valuation, on real titles (../shared/data).

Sources (SOURCES.md): jaredfincke/FinalProject eBay sold rookie cards (2021-02), with the
hand labels of tests/collector/relevance_labels; Veeeetzzzz/tag-sales-scraper TAG-graded
Pokémon (2025); JaKoSTaWiND/TCGPlayer-Market-Monitor conditions; the Discogs docs' price
suggestion conditions.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fairmarket.collector.domain import grades as collector_grades
from fairmarket.common.grades import (
    CARD_GRADERS,
    card_grade,
    card_grader,
    card_grades,
    coin_grade,
    normalize_grade,
    same_grade,
)
from fairmarket.valuation.domain import grades as valuation_grades

LABELS = Path(__file__).resolve().parents[1] / "collector" / "relevance_labels"
ROOKIES = "ebay_sold_rookie_cards_psa_and_raw_2021-02.csv"


def test_the_collector_and_the_valuation_use_the_one_scale() -> None:
    assert collector_grades.normalize_grade is normalize_grade
    assert valuation_grades.normalize_grade is normalize_grade
    assert collector_grades.coin_grade is coin_grade


def _rookie_rows(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / "sales" / ROOKIES).open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_every_slab_labelled_as_its_grade_reads_as_that_grade(shared_data: Path) -> None:
    """A sold row hand-labelled as the card at its PSA grade names that grade, whatever the
    spelling ("PSA10", "PSA 10 GEM-MT", "#327⚡PSA 9 MINT", "PSA-9")."""
    rows = _rookie_rows(shared_data)
    spec = json.loads((LABELS / "ebay_sold_rookie_cards.json").read_text())
    checked = 0
    for att in spec["attributions"]:
        grade = att["attribution"].get("grade")
        if not grade:
            continue
        for row, label in att["listings"].items():
            if label["item"]:
                title = rows[int(row)]["Card Title"]
                assert card_grade(title) == grade, title
                checked += 1
    assert checked == 386 + 1  # every labelled slab (one is dropped by price, not grade)


@pytest.mark.parametrize(
    ("title", "grades"),
    [
        ("2009 Topps Basketball Stephen Curry ROOKIE RC #321 BCCG 10 GEM MINT",
         [("BCCG", "10", False)]),
        ("2017 Donruss Patrick Mahomes 327 Rated Rookie GMA 10 Gem Mint", [("GMA", "10", False)]),
        ("2015-16 Upper Deck Series 1 Connor McDavid Young Guns KSA 9 RC Oilers! PSA ?🔥",
         [("KSA", "9", False)]),
        ("2015-16 Upper Deck Connor Mcdavid Young Guns #201 rookie card bags 9.0",
         [("BGS", "9", False)]),
        ("2009 Topps Basketball Stephen Curry ROOKIE RC #321 SGC 8.5 NM-MT+", [("SGC", "8.5", False)]),
        ("🔥2017 Donruss Rated Rookie Patrick Mahomes BGS 9.5 RC PSA 10?🔥📈🔥INVESTMENT!",
         [("BGS", "9.5", False), ("PSA", "10", True)]),
        ("2017 Donruss Patrick Mahomes ll Rated Rookie PSA10 Ready? Kansas City Chiefs HOT",
         [("PSA", "10", True)]),
        ("2017 Panini Donruss Patrick Mahomes Rated Rookie Easy Psa 10 Non Auto",
         [("PSA", "10", True)]),
        ("2009-10 Topps #321 - STEPHEN Steph CURRY Rookie Card RC (PSA 9-9.5?)",
         [("PSA", "9", True)]),
        ("2017 Panini Donruss Patrick Mahomes Rated Rookie PSA9 Psa8 RC Lot Of 2 Psa Lot",
         [("PSA", "9", False), ("PSA", "8", False)]),
        ("Muk & Alolan Muk GX TAG grading 9 61/214 Unbroken Bonds Tag Team Pokemon",
         [("TAG", "9", False)]),
        ("2018 Topps Update Ronald Acuna Jr. Rookie Card RC #US250 Braves 10?", []),
    ],
)  # fmt: skip
def test_graders_and_hoped_for_grades_on_real_titles(
    title: str, grades: list[tuple[str, str, bool]]
) -> None:
    assert card_grades(title) == grades


def test_the_raw_rows_name_other_graders_not_psa(shared_data: Path) -> None:
    raw = [r["Card Title"] for r in _rookie_rows(shared_data) if r["Grade"] == "0"]
    graded = {t: card_grade(t) for t in raw if card_grade(t) and " " in (card_grade(t) or "")}
    assert graded and not any(g.startswith("PSA") for g in graded.values())
    assert {g.split()[0] for g in graded.values()} == {"SGC", "BCCG", "GMA", "BGS"}


def test_tag_graded_pokemon_titles(shared_data: Path) -> None:
    path = shared_data / "sales" / "ebay_uk_tag_graded_pokemon_best_offers_accepted_2025.json"
    raw = json.loads(path.read_text())
    rows = raw if isinstance(raw, list) else next(v for v in raw.values() if isinstance(v, list))
    found = [card_grade(r["listingTitle"]) for r in rows]
    assert {g for g in found if g} == {"TAG 10", "TAG 9", "TAG 8"}
    assert found.count("TAG 10") == 8


def test_marketplace_conditions_map_to_short_codes(shared_data: Path) -> None:
    with (shared_data / "tcgplayer" / "tcgplayer_latestsales_mtg_by_product.csv").open() as f:
        conditions = {r["condition"] for r in csv.DictReader(f)}
    assert {c: normalize_grade(c) for c in conditions if c != "Unopened"} == {
        "Near Mint": "NM",
        "Lightly Played": "LP",
        "Moderately Played": "MP",
        "Heavily Played": "HP",
        "Damaged": "DMG",
    }
    suggestions = json.loads(
        (shared_data / "discogs" / "discogs_docs_price_suggestions_release_1.json").read_text()
    )
    assert {normalize_grade(c) for c in suggestions} == {
        "M",
        "NM",
        "VG+",
        "VG",
        "G+",
        "G",
        "F",
        "P",
    }


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("2019-S Proof Silver Eagle PR70 DCAM", "PR70 DCAM"),
        ("2019-S Proof Silver Eagle NGC PF70 Ultra Cameo", "PR70"),
        ("1921-D Morgan Dollar PCGS MS63+ CAC", "MS63+"),
        ("1921-D Morgan Dollar PCGS MS-63", "MS63"),
        ("1893-S Morgan Dollar EF-40", "XF40"),
        ("1909-S VDB Lincoln Cent NGC MS 65 RD", "MS65 RD"),
        ("Morgan dollar lot of 40", None),
    ],
)
def test_coin_titles_read_on_the_scale_the_valuation_compares(title: str, key: str | None) -> None:
    """The collector's reading of a title is already the valuation's key: PR and PF are one
    grade, a plus grade stays apart."""
    assert coin_grade(title) == key
    if key:
        assert normalize_grade(key) == key


def test_proofs_plus_grades_and_graders_compare_on_one_scale() -> None:
    assert same_grade("PF69 DCAM", "PR69 DCAM")
    assert not same_grade("MS63+", "MS63")
    assert same_grade("Beckett 9.5", "BGS 9.5")
    assert not same_grade("BGS 9.5", "PSA 9.5")
    assert card_grader("Beckett 9.5") == "BGS" and card_grader("NM") is None
    assert len(CARD_GRADERS) >= 13
