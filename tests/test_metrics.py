"""Tests for the benchmark token-F1 in scrapeseg.train.metrics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapeseg.train.metrics import page_counts, paired_bootstrap, scores_from_counts, shingles, token_f1, tokenize

GOLD = "The council approved the new budget on Tuesday after a long debate."


def test_tokens_are_word_runs_with_case_kept():
    assert tokenize("Héllo, WORLD! it's 2024") == ["Héllo", "WORLD", "it", "s", "2024"]
    assert tokenize(None) == []


def test_perfect_output_scores_one():
    scores = token_f1([(GOLD, GOLD), ("a b c d e f", "a b c d e f")])
    assert scores["precision"] == scores["recall"] == scores["f1"] == 1.0
    assert scores["pages"] == 2
    assert scores["accuracy"] == 1.0


def test_formatting_and_punctuation_do_not_matter():
    pair = ("The  council\napproved; the new budget!!", "The council approved the new budget")
    assert token_f1([pair])["f1"] == 1.0


def test_empty_output_skips_precision_and_has_zero_recall():
    assert page_counts("", GOLD) == (0.0, 0.0, 1.0)
    scores = token_f1([("", GOLD), (GOLD, GOLD)])
    # Precision averages only the page with output; recall averages both pages.
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert scores["accuracy"] == 0.5


def test_only_empty_output_gives_zero_not_an_error():
    scores = token_f1([("", GOLD)])
    assert scores == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pages": 1, "accuracy": 0.0}


def test_both_empty_page_counts_nowhere():
    assert page_counts("", "") == (0.0, 0.0, 0.0)
    assert token_f1([("", ""), ("a b c d", "a b c d")])["f1"] == 1.0


def test_partial_overlap_by_hand():
    # Shingles: gold {abcd, bcde}, predicted {abcd, bcdx}: tp=1, fp=1, fn=1 -> thirds.
    tp, fp, fn = page_counts("a b c d x", "a b c d e")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    scores = token_f1([("a b c d x", "a b c d e")])
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(0.5)


def test_macro_average_over_pages_by_hand():
    # Page 1: predicted shingle {1234} of gold {1234, 2345, 3456}: P=1, R=1/3.
    # Page 2: no output: no precision, R=0. P=1, R=(1/3+0)/2=1/6, F1=2*(1/6)/(7/6)=2/7.
    pairs = [("one two three four", "one two three four five six"), ("", "w x y z")]
    assert page_counts(*pairs[0]) == pytest.approx((1 / 3, 0.0, 2 / 3))
    scores = token_f1(pairs)
    assert scores["precision"] == pytest.approx(1.0)
    assert scores["recall"] == pytest.approx(1 / 6)
    assert scores["f1"] == pytest.approx(2 / 7)


def test_repeated_text_is_counted_as_a_multiset():
    # "a b c d a b c d" has shingles abcd x2, bcda, cdab, dabc: tp=1, fp=4, fn=0.
    assert page_counts("a b c d a b c d", "a b c d") == pytest.approx((0.2, 0.8, 0.0))


def test_short_text_is_one_short_shingle():
    assert shingles("a b") == {("a", "b"): 1}
    assert shingles("") == {}
    assert token_f1([("a b", "a b")])["f1"] == 1.0
    # Under four tokens the whole text is the only shingle, so a near match scores nothing.
    assert page_counts("a b c", "a b c d") == (0.0, 0.5, 0.5)


def test_case_differences_count_as_errors_like_the_reference():
    assert page_counts("Alpha beta gamma delta", "alpha beta gamma delta") == (0.0, 0.5, 0.5)


texts = st.lists(st.sampled_from(["a", "b", "c", "D", "é", "7", "the"]), max_size=25).map(" ".join)
pair_lists = st.lists(st.tuples(texts, texts), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(pair_lists)
def test_scores_are_bounded_and_swapping_swaps_precision_and_recall(pairs):
    scores = token_f1(pairs)
    swapped = token_f1([(gold, pred) for pred, gold in pairs])
    for key in ("precision", "recall", "f1"):
        assert 0.0 <= scores[key] <= 1.0
    assert math.isclose(swapped["precision"], scores["recall"], abs_tol=1e-12)
    assert math.isclose(swapped["recall"], scores["precision"], abs_tol=1e-12)
    assert math.isclose(swapped["f1"], scores["f1"], abs_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_page_counts_sum_to_one_unless_both_empty(pred, gold):
    counts = page_counts(pred, gold)
    assert all(c >= 0 for c in counts)
    if tokenize(pred) or tokenize(gold):
        assert math.isclose(sum(counts), 1.0)
    else:
        assert counts == (0.0, 0.0, 0.0)


PERFECT, HALF, MISSED = (1.0, 0.0, 0.0), (0.5, 0.25, 0.25), (0.0, 0.0, 1.0)


def test_paired_bootstrap_of_a_system_against_itself_is_zero_everywhere():
    counts = [PERFECT, HALF, MISSED, HALF]
    out = paired_bootstrap(counts, counts, resamples=200, seed=1, confidence=0.9)
    assert out["f1_difference"] == out["ci_low"] == out["ci_high"] == 0.0
    assert out["share_ahead"] == 0.0 and out["pages"] == 4 and out["resamples"] == 200


def test_paired_bootstrap_interval_holds_the_difference_and_orders_the_systems():
    better = [PERFECT] * 30 + [HALF] * 10
    worse = [HALF] * 30 + [MISSED] * 10
    out = paired_bootstrap(better, worse, resamples=500, seed=7, confidence=0.95)
    expected = scores_from_counts(better)["f1"] - scores_from_counts(worse)["f1"]
    assert out["f1_difference"] == pytest.approx(expected)
    assert 0.0 < out["ci_low"] <= out["f1_difference"] <= out["ci_high"], "every page is better, so every resample is"
    assert out["share_ahead"] == 1.0
    flipped = paired_bootstrap(worse, better, resamples=500, seed=7, confidence=0.95)
    assert flipped["ci_high"] == pytest.approx(-out["ci_low"]) and flipped["share_ahead"] == 0.0


def test_paired_bootstrap_is_seeded_and_an_even_race_straddles_zero():
    ours = [PERFECT, MISSED] * 20
    theirs = [MISSED, PERFECT] * 20
    first = paired_bootstrap(ours, theirs, resamples=400, seed=3, confidence=0.95)
    assert first == paired_bootstrap(ours, theirs, resamples=400, seed=3, confidence=0.95)
    assert first["f1_difference"] == pytest.approx(0.0)
    assert first["ci_low"] < 0.0 < first["ci_high"] and 0.2 < first["share_ahead"] < 0.8


@pytest.mark.parametrize("theirs, resamples, confidence", [([PERFECT], 10, 0.9), ([PERFECT, HALF], 0, 0.9), ([PERFECT, HALF], 10, 1.0)])
def test_paired_bootstrap_refuses_bad_input(theirs, resamples, confidence):
    with pytest.raises(ValueError, match="paired pages|resamples|confidence"):
        paired_bootstrap([PERFECT, HALF], theirs, resamples=resamples, seed=0, confidence=confidence)
