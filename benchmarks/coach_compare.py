"""`python -m benchmarks.coach_compare`: the evidence behind the coach's technique. Trains a small
classifier (TF-IDF word and character n-grams + logistic regression, scikit-learn) on the dev
split and scores it on the held-out split next to the rules, with its import time; the same for
barrier themes (one-vs-rest logistic regression, micro-F1: the best-scoring theme and any other
above one half). scikit-learn is not a dependency of the product; install it into the venv to run this."""
from __future__ import annotations

import time
from pathlib import Path

from bot.coach.check import is_directive
from bot.coach.evaluate import read_jsonl, score_themes
from bot.coach.themes import OTHER

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def f1(pred: list[bool], gold: list[bool]) -> float:
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    started = time.perf_counter()
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union
    except ImportError:
        print("scikit-learn is not installed: .venv/bin/python -m pip install scikit-learn")
        return
    imported = time.perf_counter() - started
    for loc, folder in (("en", DATA), ("de", DATA / "de")):
        rows = read_jsonl(folder / "directives.jsonl")
        dev = [r for r in rows if r["split"] == "dev"]
        test = [r for r in rows if r["split"] == "test"]
        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
        model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10))
        model.fit([r["text"] for r in dev], [r["directive"] for r in dev])
        gold = [bool(r["directive"]) for r in test]
        learned = [bool(p) for p in model.predict([r["text"] for r in test])]
        rules = [is_directive(r["text"], loc) for r in test]
        print(f"| {loc} held-out directive F1 | rules {f1(rules, gold):.3f} | classifier {f1(learned, gold):.3f} |")
        print(f"| {loc} held-out theme micro-F1 | rules {score_themes(read_jsonl(folder / 'themes.jsonl'), 'test', loc).f1:.3f} "
              f"| classifier {_themes_classifier(folder):.3f} |")
    print(f"| scikit-learn import | {imported:.2f} s |")


def _themes_classifier(folder: Path) -> float:
    """Micro-F1 on held-out replies of a one-vs-rest classifier trained on the dev replies."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import MultiLabelBinarizer

    rows = read_jsonl(folder / "themes.jsonl")
    dev, test = [r for r in rows if r["split"] == "dev"], [r for r in rows if r["split"] == "test"]
    labels = MultiLabelBinarizer().fit([r["themes"] for r in rows])
    features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                          TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
    model = make_pipeline(features, OneVsRestClassifier(LogisticRegression(max_iter=2000, C=10)))
    model.fit([r["text"] for r in dev], labels.transform([r["themes"] for r in dev]))
    tp = fp = fn = 0
    for row, scores in zip(test, model.predict_proba([r["text"] for r in test])):
        best = max(zip(scores, labels.classes_))[1]
        found = {best} | {t for t, p in zip(labels.classes_, scores) if p > 0.5}
        found = found - {OTHER} or {OTHER}
        gold = set(row["themes"])
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


if __name__ == "__main__":
    main()
