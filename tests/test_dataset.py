"""The dataset stage: a domain split with no site in two splits, saved as a real DatasetDict."""

from __future__ import annotations

from conftest import make_subset

from scrapeseg.corpus.build import Source, build_corpus
from scrapeseg.corpus.dataset import EVAL_ONLY_SPLIT, SPLITS, build_dataset, domain_split, load_corpus
from scrapeseg.labels import Label

SHARES = {"train": 0.6, "validation": 0.2, "test": 0.2}


def test_domain_split_is_deterministic_and_seeded():
    domains = [f"site{i}.com" for i in range(300)]
    first = [domain_split(d, 7, SHARES) for d in domains]
    assert first == [domain_split(d, 7, SHARES) for d in domains]
    assert first != [domain_split(d, 8, SHARES) for d in domains]
    counts = {name: first.count(name) for name in SPLITS}
    assert 140 <= counts["train"] <= 220 and counts["validation"] > 30 and counts["test"] > 30


def test_dataset_dict_round_trip(corpora, tmp_path):
    sources = [
        Source("wcxb", make_subset(corpora, "wcxb", tmp_path / "shared", 30), "benchmark"),
        Source("seed", corpora / "seed", "seed"),
    ]
    build_corpus(sources, tmp_path / "ann", tmp_path / "seg.parquet", tmp_path / "r.json")
    out = tmp_path / "dataset"
    report = build_dataset(tmp_path / "seg.parquet", out, tmp_path / "split.json", 3, SHARES, ["heuristic", "gold-match", "gold-blocks", "human"])
    corpus = load_corpus(out)
    assert set(corpus) == {*SPLITS, EVAL_ONLY_SPLIT}
    assert corpus["train"].features["label"].names == Label.names()
    assert len(corpus[EVAL_ONLY_SPLIT]) == 52
    domains = {name: set(corpus[name]["domain"]) for name in SPLITS}
    assert not (domains["train"] & domains["validation"] or domains["train"] & domains["test"] or domains["validation"] & domains["test"])
    assert sum(report["splits"][name]["segments"] for name in (*SPLITS, EVAL_ONLY_SPLIT)) == sum(len(corpus[n]) for n in corpus)
    before = sorted(p.name for p in out.rglob("*"))
    corpus["train"].map(lambda row: {"n": len(row["text"])})
    assert sorted(p.name for p in out.rglob("*")) == before, "map wrote cache files into the DVC output"


def test_each_other_evaluation_only_source_gets_a_split_of_its_own_and_guided_scrapes_train(corpora, tmp_path):
    from conftest import REPO

    sources = [
        Source("wcxb", make_subset(corpora, "wcxb", tmp_path / "shared", 10), "benchmark"),
        Source("seed", corpora / "seed", "seed"),
        Source("handmade", REPO / "corpus" / "handmade", "guided"),
        Source("blind", REPO / "corpus" / "blind", "seed"),
    ]
    build_corpus(sources, tmp_path / "ann", tmp_path / "seg.parquet", tmp_path / "r.json")
    report = build_dataset(tmp_path / "seg.parquet", tmp_path / "dataset", tmp_path / "split.json", 3, SHARES,
                           ["heuristic", "gold-match", "gold-blocks", "seed-gold", "human"])
    corpus = load_corpus(tmp_path / "dataset")
    assert set(corpus) == {*SPLITS, EVAL_ONLY_SPLIT, "blind"}
    assert set(corpus["blind"]["source"]) == {"blind"} and set(corpus[EVAL_ONLY_SPLIT]["source"]) == {"seed"}
    assert report["splits"]["blind"]["documents"] == len(list((REPO / "corpus" / "blind").glob("*.labels.jsonl")))
    assert not any(source in {"seed", "blind"} for name in SPLITS for source in corpus[name]["source"]), "they never train"
    guided = {doc for doc, source in zip(corpus["train"]["doc"], corpus["train"]["source"]) if source == "handmade"}
    assert len(guided) == len(list((REPO / "corpus" / "handmade").glob("*.labels.jsonl"))), "every guided scrape trains"
    assert not any("handmade" in corpus[name]["source"] for name in ("validation", "test")), "whatever their domain hashes to"
    from scrapeseg.train.train import split_documents

    data = split_documents(corpus["train"])
    flagged = {name for name, flags in zip(data["names"], data["guided"]) if flags.all()}
    assert flagged == guided and not any(flags.any() for name, flags in zip(data["names"], data["guided"]) if name not in guided), (
        "guided_weight reaches exactly the guided scrapes' lines"
    )


def test_a_guided_document_trains_whole_even_with_human_corrections():
    import pandas as pd

    from scrapeseg.corpus.dataset import assign_splits

    frame = pd.DataFrame({
        "doc": ["g/1", "g/1", "g/1", "s/1", "b/1"],
        "source": ["guided", "guided", "guided", "seed", "bench"],
        "domain": ["guided:1"] * 3 + ["seed:1", "example.com"],
        "origin": ["seed-gold", "human", "seed-gold", "seed-gold", "heuristic"],
        "eval_only": [False, False, False, True, False],
    })
    # a seed whose guided domain would hash to validation or test must still train, so try many
    splits = {assign_splits(frame, seed, SHARES).tolist()[1] for seed in range(20)}
    column = assign_splits(frame, 3, SHARES).tolist()
    assert splits == {"train"} and column[:3] == ["train"] * 3, "the corrected line stays with its document"
    assert column[3] == "seed" and column[4] in SPLITS
