"""The engine against real sales: CardLadder sales of NBA rookie cards (PSA 9
and 10), from frederictwc/SportsCardsTrading (see ../shared/data/SOURCES.md).

Each series is valued from its sales up to a day and scored against the median
of its next 14 days of sales, beside the plain median of the same comps. The
figures are computed here, never hard-coded.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner
from valuation_engine_support import CARDS_CSV

from fairmarket.cli.main import app
from fairmarket.valuation.accuracy import DAYS, by_player, grade_ratios, load_card_sales
from fairmarket.valuation.domain.backtest import Result, Sale, run

pytestmark = pytest.mark.skipif(not CARDS_CSV.exists(), reason=f"{CARDS_CSV} not found")

BUSY = ("Doncic_PSA_10", "Ja_PSA_10", "Ja_PSA_9", "Doncic_PSA_9", "Ayton_PSA_10", "Fox_PSA_10")


@pytest.fixture(scope="module")
def sales() -> dict[str, list[Sale]]:
    return load_card_sales(CARDS_CSV)


def report(label: str, res: Result) -> str:
    line = (
        f"{label}: {len(res.cases)} valuations, MAPE engine {res.mape():.2%}, "
        f"plain median of the same window {res.mape('plain_window'):.2%}, "
        f"plain median of the lookback {res.mape('plain_lookback'):.2%}, "
        f"later median inside p10-p90 {res.coverage():.0%}"
    )
    print(line)
    return line


@pytest.fixture(scope="module")
def backtest(sales: dict[str, list[Sale]]) -> Result:
    """Every series (53 cards and grades), valued weekly from July 2019."""
    res = run(sales, days=DAYS)
    report("cards, all series", res)
    return res


def test_engine_beats_the_plain_median_on_real_card_sales(backtest: Result) -> None:
    assert len(backtest.cases) > 500
    assert backtest.mape() <= backtest.mape("plain_window")
    assert backtest.mape() <= backtest.mape("plain_lookback")


def test_engine_beats_the_plain_median_on_the_busiest_series(backtest: Result) -> None:
    """Where sales are many the two agree closely; the engine must still not lose."""
    busy = Result(tuple(c for c in backtest.cases if c.series in BUSY))
    report("cards, 6 busiest series", busy)
    assert busy.mape() <= busy.mape("plain_window")
    assert busy.mape() <= busy.mape("plain_lookback")


def test_higher_confidence_means_lower_error(backtest: Result) -> None:
    bands = backtest.mape_by_confidence([(1, 7), (8, 10)])
    print(f"MAPE by confidence: {bands}")
    assert bands["8-10"] is not None and bands["1-7"] is not None
    assert bands["8-10"] < bands["1-7"]


def test_other_grades_fill_in_for_thin_sales(sales: dict[str, list[Sale]]) -> None:
    """Each player's PSA 9 valued from PSA 9 and PSA 10 sales together."""
    res = run(by_player(sales), days=DAYS, grade="PSA 9", target_grade="PSA 9")
    report("cards, PSA 9 with PSA 10 comps", res)
    assert res.mape() <= res.mape("plain_window")


def test_learned_grade_ratios_are_consistent_across_players(sales: dict[str, list[Sale]]) -> None:
    """PSA 10 over PSA 9 in the last year of data, per player: time-matched
    ratios agree with each other better than plain ratios of medians, which
    mix in when each grade happened to sell."""
    learned, plain = grade_ratios(sales)
    print(
        f"PSA 10 / PSA 9 learned: median x{math.exp(np.median(learned)):.2f}, "
        f"{len(learned)} players"
    )
    assert len(learned) >= 8
    assert all(1.5 < math.exp(r) < 8.0 for r in learned), learned
    assert np.std(learned) < np.std(plain)


def test_accuracy_command_prints_the_figures_it_measures() -> None:
    result = CliRunner().invoke(
        app, ["valuation", "accuracy", "--data", str(CARDS_CSV.parents[1]), "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["valuations"] > 500
    assert figures["mape_engine"] < figures["mape_plain_window"]
    assert figures["mape_confidence_8_10"] < figures["mape_confidence_1_7"]
