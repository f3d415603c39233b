"""Weights, grades, confidence components and explanation helpers, one by one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fairmarket.valuation.domain import DEFAULT_PARAMS, normalize_grade
from fairmarket.valuation.domain import confidence as conf
from fairmarket.valuation.domain.explain import age_text, usd
from fairmarket.valuation.domain.frame import FORMATS, KINDS
from fairmarket.valuation.domain.grades import learn_ratio
from fairmarket.valuation.domain.weights import base_weight, format_weight, half_life_for, recency

P = DEFAULT_PARAMS


def _codes(names: list[str], table: tuple[str, ...]) -> np.ndarray:
    return np.array([table.index(n) if n in table else -1 for n in names], dtype=np.int8)


def test_recency_halves_every_half_life() -> None:
    w = recency(np.array([0.0, 14.0, 28.0, -3.0]), 14.0)
    assert w.tolist() == pytest.approx([1.0, 0.5, 0.25, 1.0])


def test_half_life_grows_with_the_window() -> None:
    assert half_life_for(14, P) == P.half_life_days
    assert half_life_for(365, P) == pytest.approx(365 * P.half_life_window_fraction)


def test_sales_outweigh_asks_outweigh_guides() -> None:
    kinds = ["sold", "auction", "ask", "guide", "bogus"]
    n = len(kinds)
    w = base_weight(
        np.ones(n), _codes(kinds, KINDS), np.full(n, 3, np.int8), np.full(n, np.nan), np.ones(n), P
    )
    assert w[0] > w[2] > w[3] > 0
    assert w[4] == 0.0


def test_a_contested_auction_counts_more_than_a_single_bid() -> None:
    fmt = _codes(["auction"] * 4 + ["best_offer", "fixed_price"], FORMATS)
    bids = np.array([1.0, 2.0, 3.0, 25.0, np.nan, np.nan])
    w = format_weight(np.zeros(6, np.int8), fmt, bids, P)
    assert w[0] < w[1] < w[2] == w[3] == 1.0
    assert w[4] < w[5] < 1.0
    ask = format_weight(np.full(6, 2, np.int8), fmt, bids, P)
    assert ask.tolist() == [1.0] * 6  # an ask's format says nothing of what it fetches


def test_reputation_and_match_scale_the_weight_and_nan_means_zero() -> None:
    n = 4
    w = base_weight(
        np.array([1.0, 0.5, np.nan, 1.0]),
        np.zeros(n, np.int8),
        np.full(n, 3, np.int8),
        np.full(n, np.nan),
        np.array([1.0, 1.0, 1.0, 0.5]),
        P,
    )
    assert w[1] == pytest.approx(w[0] / 2) and w[3] == pytest.approx(w[0] / 2)
    assert w[2] == 0.0


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("MS63", "MS63"),
        ("MS-63", "MS63"),
        ("ms 63", "MS63"),
        ("NGC MS-65 RD", "MS65 RD"),
        ("PCGS PF69DCAM", "PR69 DCAM"),
        ("AU58+", "AU58+"),
        ("EF-40", "XF40"),
        ("PSA 10", "PSA 10"),
        ("PSA-10", "PSA 10"),
        ("psa gem mt 10", "PSA 10"),
        ("Beckett 9.5", "BGS 9.5"),
        ("PSA 8 OC", "PSA 8 OC"),
        ("VG+", "VG+"),
        ("Very Good Plus (VG+)", "VG+"),
        ("Near Mint (NM or M-)", "NM"),
        ("NM", "NM"),
        ("Lightly Played", "LP"),
        ("Ungraded", "RAW"),
        ("", None),
        (None, None),
    ],
)
def test_grades_normalize(raw: str | None, key: str | None) -> None:
    assert normalize_grade(raw) == key


def test_different_grades_stay_different() -> None:
    keys = {
        normalize_grade(g)
        for g in ("PSA 10", "PSA 9", "BGS 10", "MS63", "MS64", "PR63", "VG", "VG+")
    }
    assert len(keys) == 8


def test_grade_ratio_is_learned_time_matched() -> None:
    """PSA 10 at 3x PSA 9 in a market rising 20% a month, where the PSA 9 sales
    happen to be the older ones: a plain ratio of medians would be far off."""
    rng = np.random.default_rng(7)
    slope = math.log(1.2) / 30
    t10 = -rng.uniform(0, 60, 40)
    t9 = -rng.uniform(60, 180, 40)
    lp10 = math.log(300) + slope * t10 + rng.normal(0, 0.05, 40)
    lp9 = math.log(100) + slope * t9 + rng.normal(0, 0.05, 40)
    t = np.concatenate([t10, t9])
    lp = np.concatenate([lp10, lp9])
    is10 = np.arange(80) < 40
    ratio = learn_ratio(t, lp, is10, ~is10, min_comps=3, trend_min_span=14)
    assert ratio == pytest.approx(3.0, rel=0.15)
    naive = math.exp(np.median(lp10) - np.median(lp9))
    assert abs(naive - 3.0) > 1.0
    assert (
        learn_ratio(t, lp, is10 & (np.arange(80) < 2), ~is10, min_comps=3, trend_min_span=14)
        is None
    )


def test_count_score_rises_to_three_at_the_sales_target() -> None:
    scores = [conf.count_score(n, 10) for n in range(0, 15)]
    assert scores == sorted(scores)
    assert scores[0] == 0.0 and scores[10] == 3.0 and scores[14] == 3.0


def test_spread_score_is_higher_for_tighter_and_surer_spreads() -> None:
    assert conf.spread_score(None, 2, P) == 0.0
    assert conf.spread_score(0.1, 20, P) == 3.0
    assert conf.spread_score(2.0, 20, P) == 0.0
    assert conf.spread_score(0.3, 20, P) > conf.spread_score(0.6, 20, P)
    assert conf.spread_score(0.3, 20, P) > conf.spread_score(0.3, 4, P)


def test_recency_penalty_grows_with_the_typical_age_of_the_comps() -> None:
    assert conf.recency_score(3, P) == 0.0
    assert conf.recency_score(2 * P.recent_days, P) == pytest.approx(-1.0)
    assert conf.recency_score(10_000, P) == -2.0


def test_confidence_is_the_rounded_sum_capped_for_asks_and_rare_sales() -> None:
    parts = conf.components(
        evidence=20, reputation=1.0, sold_ratio=0.3, log_spread=0.1, typical_age_days=1, params=P
    )
    assert parts.total == pytest.approx(3 + 2 + 0.6 + 3)
    assert conf.score(parts, sold_ratio=0.3, rare=False, params=P) == 7  # 8.6, capped: asks
    assert conf.score(parts, sold_ratio=0.6, rare=False, params=P) == 9
    assert conf.score(parts, sold_ratio=0.6, rare=True, params=P) == P.rare_confidence_cap
    assert conf.score(conf.NO_EVIDENCE, sold_ratio=0, rare=False, params=P) == 1


def test_money_and_age_texts() -> None:
    assert usd(41_234) == "$412"
    assert usd(4_150) == "$41.50"
    assert usd(123_456_789) == "$1,234,568"
    assert age_text(3) == "3 days"
    assert age_text(95) == "3 months"
    assert age_text(800) == "2 years"
