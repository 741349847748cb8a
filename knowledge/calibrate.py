"""Refit the matcher's models and thresholds (knowledge/thresholds.toml) from the
development sets of more than one FAQ.

    python -m knowledge.calibrate [--write] [--folds 5]

Development data only: the seed FAQ with tests/data/dev*_questions.jsonl,
tests/data/questions/*.jsonl and tests/data/voices2/*.jsonl, the vendor FAQ
tests/data/kb/ssl-vendor-faq.ja.jsonl with tests/data/kb/vendor_*.jsonl, and for each
the spent hold-outs listed in tests/data/holdouts.toml (run once and reported). A
hold-out not listed there is never read.

1. Every question's candidate entries, their FEATURES and a label (is it a right entry?).
2. Stage one, relevance: an L2-regularised logistic regression (numpy, Newton's method)
   over the candidates. Fitted in k folds of questions, so each question's candidates
   are scored by a model that never saw that question.
3. Stage two, confidence: a logistic regression over CONFIDENCE_FEATURES of each
   question's out-of-fold top candidate, labelled "the top entry is right". Its own
   k-fold predictions give the reliability table: scores on questions it was not fitted on.
4. The answer threshold is chosen on those out-of-fold confidences, to keep every
   FAQ's figures as little below their targets as can be (issues 10 and 14).
The final models are fitted on all the data; the figures printed are the folds'.
"""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.kb import DEFAULT_KB, KnowledgeBase, load_kb, table_file
from knowledge.matcher import (
    CONFIDENCE_FEATURES,
    DEFAULT_THRESHOLDS,
    FEATURES,
    Calibration,
    Matcher,
    Query,
    Scored,
    confidence_features,
    ordered,
)

ROOT = Path(__file__).resolve().parents[1]
_UNREPORTED = FEATURES.index("unreported")
DATA = ROOT / "tests" / "data"
# What each FAQ's development sets should reach, as the issues judge them: on the seed
# FAQ the share right in each language (in scope, the right entry answered) and out of
# scope (nothing answered); on a vendor FAQ without phrasings, the share of answers that
# are right on its hardest development set ("prec_worst": the vendor sets differ as much
# in difficulty as strangers' do) and out of scope refused. The threshold is the one with the least
# total shortfall below them. The other figures are printed, not chosen on.
# Out of scope on the seed FAQ is chosen at the figure, without the point of
# margin it once had: the development out-of-scope sets are mostly near misses written
# to fool the matcher, and on the last three blind hold-outs (6, 7, 8) out of scope
# refused came out 1-3 points above the development figure. A vendor FAQ's precision
# keeps its margin: on the three vendor hold-outs, right-when-answered came out 1-3
# points below the development figure.
TARGETS = {
    ("seed", "ja"): 0.85,
    ("seed", "en"): 0.85,
    ("seed", "oos"): 0.97,
    ("vendor", "prec_worst"): 0.91,
    ("vendor", "oos"): 0.90,
}


# A development set's precision counts on its own once it has this many answers.
PREC_MIN_ANSWERS = 40

# The FAQs that ship their own answer threshold (STEM.thresholds.toml beside the FAQ, laid
# over knowledge/thresholds.toml): the seed FAQ, whose hand-written phrasings make its
# scores surer than those of a FAQ of headings and answers only.
OWN_THRESHOLD = {"seed"}
OWN_HEADER = """# {name}'s own answer threshold, laid over knowledge/thresholds.toml (same models).
# Written by `python -m knowledge.calibrate --write`, chosen on {name}'s development sets.

"""


def spent_holdouts() -> dict[str, list[Path]]:
    """The hold-outs already run once and reported, per FAQ (tests/data/holdouts.toml):
    development data from then on."""
    path = DATA / "holdouts.toml"
    if not path.is_file():
        return {}
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: [DATA / f for f in files] for name, files in table.items()}


def dev_sets() -> list[tuple[str, Path, list[Path]]]:
    """(name, FAQ file, question files) of the development data: the development sets
    and the spent hold-outs; a hold-out not yet spent is never among them."""
    seed = sorted(DATA.glob("dev*_questions.jsonl")) + [
        p for folder in ("questions", "voices2") for p in sorted((DATA / folder).glob("*.jsonl"))
    ]
    vendor = sorted((DATA / "kb").glob("vendor_*.jsonl"))
    spent = spent_holdouts()
    sets = [("seed", DEFAULT_KB, seed), ("vendor", DATA / "kb" / "ssl-vendor-faq.ja.jsonl", vendor)]
    return [
        (name, kb, [p for p in files if "holdout" not in p.name] + spent.get(name, []))
        for name, kb, files in sets
        if kb.is_file()
    ]


@dataclass
class Case:
    """One labelled question, analysed once."""

    group: str  # which FAQ
    kind: str  # ja, en, oos
    style: str
    question: str
    expected: tuple[str, ...] | None
    query: Query
    ids: list[str] = field(default_factory=list)  # candidate entry ids
    docs: list[int] = field(default_factory=list)  # their positions in the index
    x: Any = None  # candidates x FEATURES
    y: Any = None  # 1 for a right entry
    overrides: list[tuple[str | None, bool]] = field(default_factory=list)
    source: str = ""  # the question file's name


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _expected(kb: KnowledgeBase, expect: Any) -> tuple[str, ...] | None:
    if expect is None:
        return None
    keys = expect if isinstance(expect, list) else [expect]
    ids = []
    for k in keys:
        e = kb.find(str(k))
        if e is None:
            raise SystemExit(f"expect names no entry: {k!r}")
        ids.append(e.id)
    return tuple(ids)


def collect(name: str, kb_path: Path, files: Sequence[Path]) -> tuple[Matcher, list[Case]]:
    kb = load_kb(kb_path)
    matcher = Matcher(kb)
    cases: list[Case] = []
    for path in files:
        for row in _rows(path):
            q = str(row["q"])
            expected = _expected(kb, row.get("expect"))
            kind = "oos" if expected is None else str(row.get("lang") or row.get("kind") or "ja")
            if kind not in ("ja", "en", "oos"):
                kind = "ja" if any(ord(c) > 0x2FFF for c in q) else "en"
            if matcher.smalltalk.classify(q) is not None:
                continue  # small talk never reaches the models
            query = matcher.query(q)
            feats = matcher.features(q)
            # set-1 files name their kind of question in "kind", beside "lang"
            style = row.get("style") or (row.get("kind") if row.get("lang") else "")
            case = Case(name, kind, str(style or ""), q, expected, query)
            case.source = path.name
            case.docs = [i for i, _ in feats]
            case.ids = [matcher.index.docs[i].entry.id for i in case.docs]
            case.x = np.asarray([f for _, f in feats], dtype=np.float64).reshape(-1, len(FEATURES))
            case.y = np.asarray([int(expected is not None and e in expected) for e in case.ids])
            case.overrides = [matcher.signal(query, matcher.index.docs[i]) for i, _ in feats]
            cases.append(case)
    return matcher, cases


def fit_logistic(x: Any, y: Any, *, l2: float = 1.0, rounds: int = 50) -> Any:
    """Weights [bias, w1..wn] of an L2-regularised logistic regression, by Newton's
    method (the bias is not regularised)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[0] = 0.0
    for _ in range(rounds):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30, 30)))
        grad = a.T @ (p - y) + reg * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def fit_softmax(
    cases: Sequence[Case], *, l2: float = 0.03, rounds: int = 60, balance: bool = True
) -> Any:
    """Weights of a conditional logit: per question, a softmax over its candidates, the
    likelihood of its right ones maximised (Newton's method, L2). Questions whose right
    entry is not among the candidates carry no information here and are skipped. With
    `balance`, each FAQ weighs the same in total, however many questions it has."""
    usable = [c for c in cases if c.ids and c.y.any()]
    groups: dict[str, int] = {}
    for c in usable:
        groups[c.group] = groups.get(c.group, 0) + 1
    scale = {g: (len(usable) / (len(groups) * n) if balance else 1.0) for g, n in groups.items()}
    d = len(FEATURES)

    def loss(w: Any) -> float:
        total = 0.5 * l2 * float(w @ w)
        for c in usable:
            z = c.x @ w
            zr = z[c.y > 0]
            total += scale[c.group] * (_logsumexp(z) - _logsumexp(zr))
        return total

    w = np.zeros(d)
    current = loss(w)
    for _ in range(rounds):
        grad = l2 * w
        hess = l2 * np.eye(d)
        for c in usable:
            z = c.x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            zr = np.where(c.y > 0, z, -np.inf)
            r = np.exp(zr - zr.max())
            r /= r.sum()
            ex, er = p @ c.x, r @ c.x
            k = scale[c.group]
            grad = grad + k * (ex - er)
            hess = hess + k * ((c.x * p[:, None]).T @ c.x - np.outer(ex, ex))
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4:  # step halving: the objective must go down
            trial = w - t * step
            value = loss(trial)
            if value <= current:
                break
            t /= 2
        else:
            break
        w, current = trial, value
        if np.max(np.abs(t * step)) < 1e-7:
            break
    return w


def _logsumexp(z: Any) -> float:
    m = float(z.max())
    return m + float(np.log(np.exp(z - m).sum()))


# The direction each confidence feature may push: more coverage or a wider lead never
# lowers the confidence, words no entry knows never raise it. Fitted weights that come
# out the other way (a confound of the development sets, such as length) are set to 0.
# "english" has no sign: which way a question's language moves the odds is the FAQ's.
SIGNS = {
    "top": 1,
    "gap": 1,
    "lin": 1,
    "cov_short": 1,
    "cov_all": 1,
    "recall": 1,
    "fuzz": 1,
    "novel": -1,
    "foreign": -1,
    "intent_conflict": -1,
    "missing": -1,
    "unreported": -1,
    "missing_known": -1,
    "arg_missing": -1,
    "direction_conflict": -1,
    "version_conflict": -1,
    "words": 1,
}


def fit_signed(x: Any, y: Any, names: Sequence[str], *, l2: float = 1.0) -> Any:
    """fit_logistic with each weight held to its sign in SIGNS: a weight of the wrong
    sign is fixed at 0 and the rest refitted, until none is left."""
    x = np.asarray(x, dtype=np.float64)
    active = list(range(len(names)))
    while True:
        w = fit_logistic(x[:, active], y, l2=l2)
        wrong = [k for j, k in enumerate(active) if SIGNS.get(names[k], 0) * w[j + 1] < 0]
        if not wrong:
            full = np.zeros(len(names) + 1)
            full[0] = w[0]
            for j, k in enumerate(active):
                full[k + 1] = w[j + 1]
            return full
        active = [k for k in active if k not in wrong]


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _folds(cases: Sequence[Case], k: int) -> list[int]:
    """A fold per question, by position within its FAQ: deterministic and balanced."""
    counters: dict[str, int] = {}
    out = []
    for c in cases:
        n = counters.get(c.group, 0)
        counters[c.group] = n + 1
        out.append(n % k)
    return out


def _ranked(case: Case, w: Any, cal: Calibration) -> list[Scored]:
    """The case's candidates scored by stage-one weights `w`, as Matcher.rank would."""
    from knowledge.kb import Entry

    if not case.ids:
        return []
    stubs = [Entry(entry_id, "", "", "", "") for entry_id in case.ids]
    linear = [float(z) for z in case.x @ w]
    return ordered(cal, case.docs, stubs, list(case.x), case.overrides, linear)


def _stage_two_rows(cases: Sequence[Case], ranked: Sequence[list[Scored]]) -> tuple[Any, Any]:
    xs, ys = [], []
    for c, r in zip(cases, ranked, strict=True):
        if r:
            xs.append(confidence_features(r, c.query))
            ys.append(int(c.expected is not None and r[0].entry.id in c.expected))
        else:
            xs.append((0.0,) * len(CONFIDENCE_FEATURES))
            ys.append(0)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def cross_validate(cases: list[Case], base: Calibration, k: int) -> dict[str, Any]:
    folds = _folds(cases, k)
    oof_ranked: list[list[Scored]] = [[] for _ in cases]
    for f in range(k):
        w = fit_softmax([c for c, g in zip(cases, folds, strict=True) if g != f])
        for j, (c, g) in enumerate(zip(cases, folds, strict=True)):
            if g == f:
                oof_ranked[j] = _ranked(c, w, base)
    x2, y2 = _stage_two_rows(cases, oof_ranked)
    conf = np.zeros(len(cases))
    for f in range(k):
        tr = np.asarray([g != f for g in folds])
        c2 = fit_signed(x2[tr], y2[tr], CONFIDENCE_FEATURES)
        conf[~tr] = _sigmoid(x2[~tr] @ c2[1:] + c2[0])
    return {"ranked": oof_ranked, "confidence": conf, "x2": x2, "y2": y2}


def _choose(
    cases: Sequence[Case], ranked: Sequence[list[Scored]], conf: Any, base: Calibration,
    *, curve: bool = False,
) -> tuple[float, dict[tuple[str, str], float]]:
    """The answer threshold with the least total shortfall below TARGETS on these
    cases, and the figures at it: every point below any target costs the same (a target
    out of reach must not decide alone), ties by the mean share right of the kinds of
    question (ja, en, oos; precision is a target, not a share of questions)."""
    best: tuple[float, float, float, dict[tuple[str, str], float]] | None = None
    for answer in [x / 100 for x in range(10, 91)]:
        acc = _accuracy(cases, ranked, conf, replace(base, answer=answer))
        shortfall = sum(max(0.0, t - acc[k]) for k, t in TARGETS.items() if k in acc)
        kinds = [v for (_, kind), v in acc.items() if kind in ("ja", "en", "oos")]
        key = (-round(shortfall, 9), sum(kinds) / len(kinds))
        if curve and round(answer * 100) % 5 == 0:
            print(f"  {answer:.2f} " + " ".join(f"{g}-{k}={v:.3f}" for (g, k), v in sorted(acc.items())))
        if best is None or key > (best[0], best[1]):
            best = (key[0], key[1], answer, acc)
    assert best is not None
    return best[2], best[3]


def _accuracy(
    cases: Sequence[Case], ranked: Sequence[list[Scored]], conf: Any, cal: Calibration
) -> dict[tuple[str, str], float]:
    """Share right per (FAQ, kind), kind ja/en/oos; "prec", the share of the FAQ's
    answers (in scope or not) that are right; and "prec_worst", that share on the
    development set where it is lowest (of those with PREC_MIN_ANSWERS answers or more):
    "right when answered" is promised for every kind of traffic, and an easy set must
    not buy a threshold that a hard one pays for."""
    hits: dict[tuple[str, str], int] = {}
    totals: dict[tuple[str, str], int] = {}
    per_set: dict[tuple[str, str], list[int]] = {}  # (FAQ, file) -> [right, answers]
    for c, r, p in zip(cases, ranked, conf, strict=True):
        answered = bool(r) and cal.answers(r[0], float(p), c.query.information)
        ok = (not answered) if c.expected is None else (answered and r[0].entry.id in c.expected)
        keys = [(c.group, c.kind)] + ([(c.group, "prec")] if answered else [])
        for key in keys:
            totals[key] = totals.get(key, 0) + 1
            hits[key] = hits.get(key, 0) + int(ok)
        if answered:
            counts = per_set.setdefault((c.group, c.source), [0, 0])
            counts[0] += int(ok)
            counts[1] += 1
    acc = {k: hits[k] / totals[k] for k in totals}
    for (group, _), (right, n) in per_set.items():
        if n >= PREC_MIN_ANSWERS:
            acc[group, "prec_worst"] = min(acc.get((group, "prec_worst"), 1.0), right / n)
    return acc


def reliability(
    conf: Any, right: Any, bins: int = 10
) -> list[tuple[float, float, int, float, float]]:
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (conf >= lo) & ((conf < hi) if b < bins - 1 else (conf <= hi))
        if sel.any():
            rows.append((lo, hi, int(sel.sum()), float(conf[sel].mean()), float(right[sel].mean())))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.calibrate", description=__doc__)
    ap.add_argument("--write", action="store_true", help="update knowledge/thresholds.toml")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--curve", action="store_true",
                    help="print the out-of-fold figures at every 0.05 of the answer threshold")
    args = ap.parse_args(argv)

    base = Calibration.load()
    cases: list[Case] = []
    for name, kb_path, files in dev_sets():
        _, found = collect(name, kb_path, files)
        print(f"{name}: {kb_path.name}, {len(found)} questions from {len(files)} files")
        cases += found

    cv = cross_validate(cases, base, args.folds)
    conf, ranked = cv["confidence"], cv["ranked"]
    gated = np.asarray(
        [bool(r) and not r[0].signal and r[0].features[_UNREPORTED] > 0 for r in ranked]
    )
    cap = float(cv["y2"][gated].mean()) if gated.any() else 0.1
    conf = np.where(gated, np.minimum(conf, cap), conf)
    base = replace(base, unreported_cap=round(cap, 3))
    print(f"asked is not what the entry answers: {int(gated.sum())} questions, {cap:.3f} right")
    # Each FAQ that ships its own thresholds file gets its own answer threshold, chosen
    # on its own sets; the general threshold (every other FAQ, a stranger's among them)
    # is chosen on the FAQs without one. The models are the same for all.
    answers: dict[str, float] = {}
    acc: dict[tuple[str, str], float] = {}
    for groups in [{g} for g in sorted(OWN_THRESHOLD)] + [
        {c.group for c in cases} - OWN_THRESHOLD
    ]:
        picked = [i for i, c in enumerate(cases) if c.group in groups]
        if not picked:
            continue
        chosen, figures = _choose(
            [cases[i] for i in picked], [ranked[i] for i in picked], conf[picked], base,
            curve=args.curve,
        )
        answers.update(dict.fromkeys(groups, chosen))
        acc.update(figures)
    print("answer thresholds (out-of-fold accuracy):", answers)
    for group, kind in sorted(acc):
        target = TARGETS.get((group, kind), 0.0)
        print(f"  {group:7s} {kind:10s} {acc[group, kind]:.3f}  (target {target:.2f})")
    hit1: dict[str, list[bool]] = {}
    for c, r in zip(cases, ranked, strict=True):
        if c.expected is not None:
            hit1.setdefault(c.group, []).append(bool(r) and r[0].entry.id in c.expected)
    for g, v in sorted(hit1.items()):
        print(f"  {g} Hit@1 {sum(v) / len(v):.3f}")
    styles: dict[tuple[str, str], list[tuple[bool, bool]]] = {}
    for c, r, p in zip(cases, ranked, conf, strict=True):
        cal = replace(base, answer=answers[c.group])
        answered = bool(r) and cal.answers(r[0], float(p), c.query.information)
        top_ok = bool(r) and c.expected is not None and r[0].entry.id in c.expected
        ok = (not answered) if c.expected is None else (answered and top_ok)
        styles.setdefault((c.group, c.style), []).append((top_ok, ok))
    print("by style: n, Hit@1, accuracy")
    for (g, st), pairs in sorted(styles.items()):
        top_share = sum(t for t, _ in pairs) / len(pairs)
        right_share = sum(o for _, o in pairs) / len(pairs)
        print(f"  {g:7s} {st:14s} {len(pairs):4d} {top_share:.3f} {right_share:.3f}")
    print("reliability (out-of-fold): score bin, n, mean score, share right")
    for lo, hi, n, mean, right in reliability(conf, cv["y2"]):
        print(f"  {lo:.1f}-{hi:.1f} {n:5d} {mean:.3f} {right:.3f}")

    w = fit_softmax(cases)
    c2 = fit_signed(cv["x2"], cv["y2"], CONFIDENCE_FEATURES)
    weights = {n: float(w[k]) for k, n in enumerate(FEATURES)}
    confidence = {
        "bias": float(c2[0]),
        **{n: float(c2[k + 1]) for k, n in enumerate(CONFIDENCE_FEATURES)},
    }
    print("relevance:", {k: round(v, 3) for k, v in weights.items()})
    print("confidence:", {k: round(v, 3) for k, v in confidence.items()})
    if args.write:
        general = next((a for g, a in answers.items() if g not in OWN_THRESHOLD), base.answer)
        _write(DEFAULT_THRESHOLDS, weights, confidence, general, base.unreported_cap)
        print(f"wrote {DEFAULT_THRESHOLDS}")
        for name, kb_path, _ in dev_sets():
            if name in OWN_THRESHOLD:
                own = table_file(kb_path, "thresholds")
                own.write_text(OWN_HEADER.format(name=kb_path.name) +
                               f"[decision]\nanswer = {answers[name]}\n", encoding="utf-8")
                print(f"wrote {own}")
    return 0


def _write(
    path: Path,
    weights: dict[str, float],
    confidence: dict[str, float],
    answer: float,
    unreported_cap: float,
) -> None:
    text = path.read_text(encoding="utf-8")
    for table, values in (("weights", weights), ("confidence", confidence)):
        body = "".join(f"{name} = {value:.4f}\n" for name, value in values.items())
        text = re.sub(rf"(?ms)^\[{table}\]\n.*?(?=^\[|\Z)", f"[{table}]\n{body}\n", text, count=1)
    text = re.sub(r"(?m)^answer = [0-9.]+", f"answer = {answer}", text, count=1)
    line = f"unreported_cap = {unreported_cap}"
    if re.search(r"(?m)^unreported_cap = ", text):
        text = re.sub(r"(?m)^unreported_cap = [0-9.]+", line, text, count=1)
    else:
        text = text.rstrip("\n") + "\n" + line + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
