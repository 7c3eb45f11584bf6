"""The sequence-aware segment classifier: a per-line linear pass stacked under a windowed boosted pass.

Input format
    ``docs``: a list of documents, each a list (or other sequence) of line texts in document order.
    ``y``: a list with, per document, a sequence of labels (strings such as ``"body"``, ints or
    :class:`~scrapeseg.labels.Label`), one per line.

Passes
    1. Per line: an SGD logistic model over hashed tokens (unigrams, bigrams, first word) plus the
       standardised dense text features of the line.
    2. Over the sequence: a small neural network (``stacker="mlp"``, the default: one ReLU layer
       over standardised inputs, fast to apply to a whole batch with two matrix products) or a
       HistGradientBoosting model (``stacker="hgb"``, a little more accurate, ~20x slower to
       predict) over the line's dense features, the dense features of its ±``window``
       neighbours, the pass-1 probabilities of the line and its ±``window`` neighbours, and wider
       context (means over ±5 / ±15 lines, the lines before and after, the whole document).
    With ``markup=True`` the line's dense features also hold the MARKUP_NAMES columns of
    :mod:`scrapeseg.train.markup` (block tag one-hot, heading level, link share, chrome flag), in
    both passes and windowed over the ±``window`` neighbours; fit and predict then take
    ``markup=``, per document a (lines x MARKUP_WIDTH) array (``page_markup(render_html(page).markup)``).
    Pass 2 is trained on out-of-fold pass-1 probabilities (GroupKFold over ``groups``, the site
    domains when given, else documents), so it sees pass-1 errors as they are on unseen sites.
    With ``passes=3`` a second boosted pass is stacked the same way over out-of-fold pass-2
    probabilities.

Class imbalance is handled with ``class_weight`` ("balanced", "sqrt" or None) in every pass.
``classes_`` holds the label strings in :class:`~scrapeseg.labels.Label` order.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from scrapeseg.labels import Label
from scrapeseg.train import features as F
from scrapeseg.train.predict import CONTEXT_PASSES, DENSE_CLIP, LinePredictor, mlp_forward


def _chain_counts(codes: np.ndarray, batch, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first-line, line-to-line transition, overall) label distributions of the training documents, add-one smoothed."""
    first = batch.pos == 0
    start = np.bincount(codes[first], minlength=n_classes) + 1.0
    follows = ~first
    pairs = codes[np.flatnonzero(follows) - 1] * n_classes + codes[follows]
    transitions = (np.bincount(pairs, minlength=n_classes * n_classes) + 1.0).reshape(n_classes, n_classes)
    prior = np.bincount(codes, minlength=n_classes) + 1.0
    return start / start.sum(), transitions / transitions.sum(axis=1, keepdims=True), prior / prior.sum()


def _label_codes(y: Sequence[Sequence], n_lines: int) -> np.ndarray:
    """Flat int label codes (enum indices) from per-document label sequences."""
    lookup: dict = {}
    out = np.empty(n_lines, dtype=np.int64)
    k = 0
    for labels in y:
        for value in labels:
            code = lookup.get(value)
            if code is None:
                code = lookup[value] = int(Label.parse(value.item() if hasattr(value, "item") else value))
            out[k] = code
            k += 1
    if k != n_lines:
        raise ValueError(f"y holds {k} labels for {n_lines} lines")
    return out


def _weights(y: np.ndarray, mode: str | None, n_classes: int) -> np.ndarray | None:
    """Per-sample weights for the class_weight mode: balanced, sqrt (square root of balanced) or none."""
    if mode is None or mode == "none":
        return None
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    w = len(y) / (n_classes * np.maximum(counts, 1))
    if mode == "sqrt":
        w = np.sqrt(w)
    elif mode != "balanced":
        raise ValueError(f"class_weight must be 'balanced', 'sqrt' or None, not {mode!r}")
    return w[y]


class _ScaledMLP:
    """An MLPClassifier over standardised, clipped float32 inputs (statistics learned in fit)."""

    def __init__(self, mlp: MLPClassifier):
        self.mlp = mlp

    def _x(self, X):
        Z = (X - self.mean_) * self.inv_scale_
        np.clip(Z, -DENSE_CLIP, DENSE_CLIP, out=Z)
        return Z

    def fit(self, X, y, sample_weight=None):
        self.mean_ = X.mean(axis=0, dtype=np.float64).astype(np.float32)
        scale = X.std(axis=0, dtype=np.float64)
        self.inv_scale_ = (1.0 / np.where(scale > 1e-9, scale, 1.0)).astype(np.float32)
        with warnings.catch_warnings():  # a fixed epoch budget is the point, not convergence
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.mlp.fit(self._x(X), y, sample_weight=sample_weight)
        self.classes_ = self.mlp.classes_
        # float32 weights for a fast forward pass in predict_proba, with the standardisation folded
        # into the first layer: clip X to mean ± DENSE_CLIP sd, then one matrix product.
        w = [c.astype(np.float64) for c in self.mlp.coefs_]
        b = [c.astype(np.float64) for c in self.mlp.intercepts_]
        inv = self.inv_scale_.astype(np.float64)
        b[0] = b[0] - (self.mean_.astype(np.float64) * inv) @ w[0]
        w[0] = w[0] * inv[:, None]
        self.weights_ = [(wi.astype(np.float32), bi.astype(np.float32)) for wi, bi in zip(w, b)]
        self.clip_lo_ = (self.mean_ - DENSE_CLIP / self.inv_scale_).astype(np.float32)
        self.clip_hi_ = (self.mean_ + DENSE_CLIP / self.inv_scale_).astype(np.float32)
        return self

    def predict_proba(self, X, overwrite_x=False):
        return mlp_forward(self.weights_, self.clip_lo_, self.clip_hi_, X, overwrite_x)


class SegmentClassifier(LinePredictor, ClassifierMixin, BaseEstimator):
    """Label every line of scraped documents as body, teaser or boilerplate from its text alone.

    Parameters
    ----------
    n_features: hashing space of the token features.
    window: neighbour lines on each side seen by the stacked pass(es).
    passes: 2 (linear + boosted) or 3 (linear + boosted + boosted).
    folds: GroupKFold splits used to make out-of-fold probabilities for stacking.
    class_weight: "balanced", "sqrt" (default; square root of balanced) or None, in every pass.
        Measured on validation with the MLP stacker: sqrt 0.764 macro-F1, balanced 0.737-0.743, None 0.738.
    alpha, sgd_epochs: SGD regularisation and epochs of pass 1.
    stacker: "mlp" (default, fast batch prediction) or "hgb" (boosted trees) for passes 2 and 3.
    hidden_units, mlp_epochs, mlp_alpha, mlp_batch_size: the MLP stacker (one ReLU layer, Adam).
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization: the HGB stacker.
    markup: also read each line's HTML markup features (fit and predict then need markup=); the
        default text-only model reads the line texts alone and ignores markup= if given.
    memory_min_docs: a line text that fit's ``remember`` flags (people's corrections) in at least
        this many documents, always with the same label, gets that label wherever it appears
        (``memory_``); None turns the memory off.
    transition_power, prior_power: the chain pass after stacking, a forward-backward over each
        document with the training labels' line-to-line transitions (``transitions_``, raised to
        transition_power and renormalised) and the stacker's probabilities divided by the class
        prior (``class_prior_``) to prior_power as emissions. None turns it off. Measured on
        validation (macro-F1 / body token-F1): off 0.755 / 0.886; 0.75, 0.25: 0.769 / 0.897.
    teaser_augment: share of training documents given a synthetic related-stories block of teaser
        cards after their body in fit (:mod:`scrapeseg.train.augment`, built in memory, seeded by
        random_state); 0 turns it off. Text-only models only.
    context_passes: the rule passes run after the chain pass, among
        :data:`scrapeseg.train.predict.CONTEXT_PASSES` ("long", "readmore", "promo", "paid", "tags",
        "kicker", "headline", "head", "sticky", "header", "comments", "bio", "tail", "lone", "site"; they
        always run in that order; "site" only when predict is given sites=). All by default; an empty
        list gives the chain pass's probabilities as they are. They change no fitted attribute.
    random_state: seed of every random choice.
    n_threads: OpenMP and BLAS threads (None: all cores). One is the default because spinning
        OpenMP threads collapse on a busy 2-core machine (10x slower measured).
    """

    def __init__(
        self,
        n_features: int = F.DEFAULT_N_FEATURES,
        window: int = 3,
        passes: int = 2,
        folds: int = 4,
        class_weight: str | None = "sqrt",
        alpha: float = 2e-6,
        sgd_epochs: int = 6,
        stacker: str = "mlp",
        hidden_units: int = 96,
        mlp_epochs: int = 15,
        mlp_alpha: float = 1e-4,
        mlp_batch_size: int = 256,
        max_iter: int = 100,
        learning_rate: float = 0.2,
        max_leaf_nodes: int = 63,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        markup: bool = False,
        memory_min_docs: int | None = 2,
        transition_power: float | None = 0.75,
        prior_power: float = 0.25,
        teaser_augment: float = 0.0,
        context_passes: Sequence[str] = CONTEXT_PASSES,
        random_state: int = 0,
        n_threads: int | None = 1,
    ):
        self.n_features = n_features
        self.window = window
        self.passes = passes
        self.folds = folds
        self.class_weight = class_weight
        self.alpha = alpha
        self.sgd_epochs = sgd_epochs
        self.stacker = stacker
        self.hidden_units = hidden_units
        self.mlp_epochs = mlp_epochs
        self.mlp_alpha = mlp_alpha
        self.mlp_batch_size = mlp_batch_size
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.markup = markup
        self.memory_min_docs = memory_min_docs
        self.transition_power = transition_power
        self.prior_power = prior_power
        self.teaser_augment = teaser_augment
        self.context_passes = context_passes
        self.random_state = random_state
        self.n_threads = n_threads

    # ----- building blocks -------------------------------------------------------------------
    def _linear_input(self, batch, dense, tokens):
        return sp.hstack([tokens, sp.csr_matrix(self._scaled(dense))], format="csr", dtype=np.float64)

    def _stack_model(self):
        if self.stacker == "hgb":
            return self._hgb()
        if self.stacker == "mlp":
            return _ScaledMLP(
                MLPClassifier(
                    hidden_layer_sizes=(self.hidden_units,), alpha=self.mlp_alpha, batch_size=self.mlp_batch_size,
                    learning_rate_init=1e-3, max_iter=self.mlp_epochs, early_stopping=False, tol=0.0,
                    n_iter_no_change=10**6, shuffle=True, random_state=self.random_state,
                )
            )
        raise ValueError(f"stacker must be 'mlp' or 'hgb', not {self.stacker!r}")

    def _sgd(self):
        return SGDClassifier(
            loss="log_loss", alpha=self.alpha, max_iter=self.sgd_epochs, tol=None,
            random_state=self.random_state, average=False,
        )

    def _hgb(self):
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state,
        )

    # ----- fit -------------------------------------------------------------------------------
    def fit(self, docs: Sequence[Sequence[str]], y: Sequence[Sequence], groups: Sequence | None = None, markup: Sequence | None = None,
            sample_weight: Sequence[Sequence[float]] | None = None, remember: Sequence[Sequence[bool]] | None = None):
        """Fit on documents of lines and their per-line labels; groups (one per document) drive the folds.

        sample_weight, like y, holds one sequence of per-line weights per document; it multiplies
        the class weights. remember, like y, flags the lines whose labels people gave: their
        recurring texts go into memory_ (see memory_min_docs).
        """
        with threadpool_limits(limits=self.n_threads):
            return self._fit(docs, y, groups, markup, sample_weight, remember)

    def _fit(self, docs, y, groups, markup, sample_weight=None, remember=None):
        if self.passes not in (2, 3):
            raise ValueError(f"passes must be 2 or 3, not {self.passes!r}")
        unknown = [name for name in self.context_passes if name not in CONTEXT_PASSES]
        if isinstance(self.context_passes, str) or unknown:
            raise ValueError(f"context_passes must be a list of {list(CONTEXT_PASSES)}, not {self.context_passes!r}")
        docs = [list(d) for d in docs]
        if len(y) != len(docs):
            raise ValueError(f"{len(docs)} documents but labels for {len(y)}")
        if self.teaser_augment:
            docs, y, sample_weight, remember = self._augmented(docs, y, groups, markup, sample_weight, remember)
        batch, dense, tokens = F.featurize(docs, self.n_features)
        dense = self._with_markup(docs, dense, markup)
        codes = _label_codes(y, len(batch))
        names = Label.names()
        n_classes = len(names)
        doc_groups = np.arange(len(docs)) if groups is None else np.asarray(groups)
        if len(doc_groups) != len(docs):
            raise ValueError("groups must hold one value per document")
        line_groups = doc_groups[batch.doc]
        sw = _weights(codes, self.class_weight, n_classes)
        if sample_weight is not None:
            given = np.concatenate([np.asarray(w, dtype=np.float64) for w in sample_weight]) if len(sample_weight) else np.zeros(0)
            if len(given) != len(codes):
                raise ValueError(f"sample_weight holds {len(given)} weights for {len(codes)} lines")
            sw = given if sw is None else sw * given
        n_splits = min(self.folds, len(np.unique(line_groups)))
        if n_splits < 2:
            raise ValueError("need documents from at least two groups to stack out of fold")
        splits = list(GroupKFold(n_splits=n_splits).split(np.zeros(len(codes)), codes, line_groups))

        self.classes_ = np.array(names)
        self.dense_mean_ = dense.mean(axis=0)
        scale = dense.std(axis=0)
        self.dense_scale_ = np.where(scale > 1e-9, scale, 1.0).astype(np.float32)
        X1 = self._linear_input(batch, dense, tokens)

        def fit_sgd(rows):
            model = self._sgd()
            return model.fit(X1[rows], codes[rows], sample_weight=None if sw is None else sw[rows])

        p1 = np.zeros((len(codes), n_classes), dtype=np.float32)
        for tr, te in splits:
            p1[te] = self._proba(fit_sgd(tr), X1[te], n_classes)
        self.linear_ = fit_sgd(np.arange(len(codes)))
        self.linear_coef_ = np.ascontiguousarray(self.linear_.coef_.T, dtype=np.float32)
        del X1

        X2 = self._context(batch, dense, p1)
        self.stackers_ = []
        if self.passes == 3:
            p2 = np.zeros_like(p1)
            for tr, te in splits:
                m = self._stack_model().fit(X2[tr], codes[tr], sample_weight=None if sw is None else sw[tr])
                p2[te] = self._proba(m, X2[te], n_classes)
            self.stackers_.append(self._stack_model().fit(X2, codes, sample_weight=sw))
            X2 = np.hstack([self._context(batch, dense, p2), p1])
        self.stackers_.append(self._stack_model().fit(X2, codes, sample_weight=sw))
        self.memory_ = self._memory(docs, codes, remember)
        self.start_, self.transitions_, self.class_prior_ = _chain_counts(codes, batch, n_classes)
        self.n_lines_seen_ = len(codes)
        return self

    def _augmented(self, docs, y, groups, markup, sample_weight, remember):
        """docs, y, sample_weight and remember with synthetic teaser blocks (inserted lines weigh 1, are not remembered)."""
        from scrapeseg.train.augment import add_teaser_blocks

        if self.markup and markup is not None:
            raise ValueError("teaser_augment needs a text-only model: inserted lines have no markup")
        codes = [_label_codes([labels], len(labels)) for labels in y]
        docs, codes, origin = add_teaser_blocks(docs, codes, float(self.teaser_augment), self.random_state, groups)

        def carry(per_doc, fill):
            if per_doc is None:
                return None
            return [np.where(o >= 0, np.asarray(v)[np.maximum(o, 0)], fill) if len(v) else np.full(len(o), fill)
                    for v, o in zip(per_doc, origin)]

        return docs, codes, carry(sample_weight, 1.0), carry(remember, False)

    def _memory(self, docs, codes, remember) -> dict[str, int]:
        """Line text -> label code for remembered texts flagged in memory_min_docs documents with one label."""
        if remember is None or self.memory_min_docs is None:
            return {}
        if len(remember) != len(docs):
            raise ValueError(f"remember holds {len(remember)} documents for {len(docs)}")
        seen: dict[str, tuple[set[int], set[int]]] = {}
        row = 0
        for k, (lines, flags) in enumerate(zip(docs, remember)):
            if len(flags) != len(lines):
                raise ValueError(f"remember of document {k} flags {len(flags)} lines for {len(lines)}")
            for i in np.flatnonzero(np.asarray(flags, dtype=bool)):
                doc_ids, labels = seen.setdefault(lines[i], (set(), set()))
                doc_ids.add(k)
                labels.add(int(codes[row + i]))
            row += len(lines)
        return {text: labels.pop() for text, (doc_ids, labels) in sorted(seen.items())
                if len(doc_ids) >= self.memory_min_docs and len(labels) == 1}

    # ----- predict ---------------------------------------------------------------------------
    def _predict_flat(self, docs, markup=None, sites=None):
        check_is_fitted(self, "stackers_")
        return super()._predict_flat(docs, markup, sites)

    def score(self, docs, y, sample_weight=None, markup=None) -> float:
        """Line accuracy over all documents (y as in fit)."""
        from sklearn.metrics import accuracy_score

        n = sum(len(d) for d in docs)
        true = self.classes_[_label_codes(y, n)]
        return accuracy_score(true, self.predict(docs, markup), sample_weight=sample_weight)
