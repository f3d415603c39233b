"""A comp's status in words: what the valuation did with it, never "kept"."""

from __future__ import annotations

from fairmarket.common.comp_use import COMP_USES, NOT_YET_VALUED, describe


def test_used_comps_say_their_weight_and_other_grades_their_ratio() -> None:
    assert describe("used", weight=0.2149) == "used, weight 0.21"
    assert describe("used", weight=0.001) == "used, weight <0.01"
    assert (
        describe("other_grade_used", weight=0.05, grade_ratio=1.6221, grade="PSA 9")
        == "PSA 9 via ratio \N{MULTIPLICATION SIGN}1.62, weight 0.05"
    )


def test_comps_not_used_say_why() -> None:
    assert describe("other_grade_left_out") == "other grade, left out"
    assert describe("outlier") == "outlier"
    assert describe("outside_window") == "older than the window"
    assert describe(None, filtered=True, filtered_reason="lot") == "filtered: lot"
    assert describe("used", excluded=True, excluded_reason="damaged") == (
        "excluded by admin: damaged"
    )


def test_a_comp_the_latest_valuation_did_not_see_is_not_yet_valued() -> None:
    assert describe(None) == NOT_YET_VALUED
    assert describe("filtered") == NOT_YET_VALUED  # the filter was lifted since
    assert describe(None, outlier=True) == "outlier"  # an older valuation's flag


def test_every_use_has_words_and_none_is_kept() -> None:
    for use in COMP_USES:
        words = describe(use, weight=0.3, grade_ratio=1.5, grade="MS63")
        assert words and "kept" not in words
