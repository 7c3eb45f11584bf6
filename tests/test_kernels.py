"""The compiled feature loops against plain Python versions of what they compute."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils import murmurhash3_32 as sklearn_murmur

from scrapeseg.train import features as F
from scrapeseg.train import kernels as K

# Words the token tables know, punctuation and digits around them, and a few non-ASCII letters.
TOKEN_PARTS = st.sampled_from(
    ["the", "The", "RELATED", "related", "app", "Sign", "by", "12", "30", "2024", "1999", ":", ".", "(", ")",
     "'", "_", "-", "«", "é", "Über", "ß", "©", "x", "Editor's", "don't", "<", "|"]
)
TOKENS = st.lists(TOKEN_PARTS, min_size=1, max_size=4).map("".join)
LINES = st.lists(st.lists(st.one_of(TOKENS, st.sampled_from([" ", "  ", "\t", "\u00a0"])), max_size=8).map("".join), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(raws=st.lists(TOKENS.filter(str.isascii), min_size=1, max_size=30))
def test_compiled_ascii_token_rows_match_the_python_path(raws):
    got = F._ascii_token_rows(raws, F.DEFAULT_N_FEATURES)
    want = F._python_token_rows(raws, F.DEFAULT_N_FEATURES)
    assert np.array_equal(got, want)


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.binary(max_size=23), min_size=1, max_size=40), seed=st.integers(0, 2**32 - 1))
def test_compiled_murmurhash_matches_scikit_learn(keys, seed):
    assert F.murmurhash3_32(keys, seed).tolist() == [sklearn_murmur(k, seed, positive=True) for k in keys]


@settings(max_examples=100, deadline=None)
@given(lines=LINES)
def test_scan_finds_the_whitespace_tokens_of_each_line(lines):
    texts = [line.strip() or "x" for line in lines]
    table = F.TokenTable(F.DEFAULT_N_FEATURES).build(texts)
    chars = table["chars"]
    assert table["counts"].tolist() == [len(t.split()) for t in texts]
    per_line, _, starts, ends, _ = K.scan_lines(
        chars["cps"], F._code_table(), chars["starts"], chars["lengths"], F.C_SPACE, F.N_CODES, F.HASH_BASE_INV, F.HASH_LEN_MULT, F.HASH_MIX,
    )
    assert [chars["joined"][s:e] for s, e in zip(starts, ends)] == [tok for t in texts for tok in t.split()]
    # Every character, and the newline after each line but the last, is counted once.
    assert per_line.sum() == len(chars["joined"])


@settings(max_examples=100, deadline=None)
@given(lines=LINES, n_features=st.sampled_from([F.DEFAULT_N_FEATURES, 1000, 7]))
def test_token_entries_count_each_lines_distinct_columns(lines, n_features):
    texts = [line.strip() or "x" for line in lines]
    batch = F.Batch.from_docs([texts])
    table = F.TokenTable(n_features).build(texts)
    rows, cols, values = F.token_entries(batch, table, n_features)
    h, first, counts = table["h"].tolist(), table["h_first"].tolist(), table["counts"].tolist()
    t = 0
    for line, m in enumerate(counts):
        keys = h[t:t + m] + [(h[i] * F.BIGRAM_MULT + h[i + 1] + F.BIGRAM_ADD) % n_features for i in range(t, t + m - 1)] + first[t:t + 1]
        expected = Counter(keys)
        mine = cols[rows == line].tolist()
        assert Counter(mine) == Counter(expected.keys()) and max(mine, default=0) < n_features
        weights = np.log1p(np.array([expected[c] for c in mine], dtype=np.float32))
        np.testing.assert_allclose(values[rows == line], weights / np.linalg.norm(weights), rtol=1e-6)
        t += m


def test_line_copies_ignore_case_and_stay_within_a_document():
    docs = [["Related Articles", "Body text here.", "RELATED ARTICLES"], ["Related articles"]]
    batch, dense, _ = F.featurize(docs, 2**12)
    copies = dense[:, F.DENSE_NAMES.index("log_copies")]
    assert np.expm1(copies).round().tolist() == [1, 0, 1, 0]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.lists(st.tuples(st.integers(0, 6), st.booleans()), max_size=8), min_size=1, max_size=10),
    starts=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_next_line_overlap_counts_distinct_shared_content_tokens(lines, starts):
    counts = np.array([len(line) for line in lines], dtype=np.int64)
    codes = np.array([c for line in lines for c, _ in line], dtype=np.int64)
    content = np.array([k for line in lines for _, k in line], dtype=bool)
    first = np.array([i == 0 or starts[i] for i in range(len(lines))])
    distinct, shared = K.next_line_overlap(counts, codes, content, first, int(codes.max()) + 1 if len(codes) else 0)
    sets = [{c for c, k in line if k} for line in lines]
    assert distinct.tolist() == [len(s) for s in sets]
    want = [len(sets[i] & sets[i + 1]) if i + 1 < len(lines) and not first[i + 1] else 0 for i in range(len(lines))]
    assert shared.tolist() == want


def test_overlap_features_see_a_snippet_retell_its_headline():
    docs = [["Aeroflot flights resume", "Aeroflot said flights resume on Tuesday after the attack.", "Menu"], ["flights"]]
    _, dense, _ = F.featurize(docs)
    covered, covers = dense[:, F.DENSE_NAMES.index("covered_next")], dense[:, F.DENSE_NAMES.index("covers_prev")]
    assert covered.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert covers.tolist() == [0.0, 1.0, 0.0, 0.0]
