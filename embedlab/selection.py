"""Plumbing for notebook 06 (choosing a model with MTEB): tidy leaderboard frames, the Pareto front,
Borda ranks, a fact-check evaluator, local data for ``mteb`` tasks, and :func:`shortlist`.

The notebook writes the articles' decision steps itself; this module only reads tables, checks
inputs and keeps the bookkeeping in one tested place.

* :func:`board` reads one of the course's MTEB summary tables (English v2, English v1, Chinese C-MTEB)
  and joins the model metadata (memory, languages, licence) that mteb's registry holds.
* :func:`per_task` reads the per-task scores; :func:`task_types` maps each task to its type (mteb's metadata).
* :func:`pareto_front` keeps the models no other model beats on both score and memory.
* :func:`borda_rank` ranks models by Borda count over tasks (what the leaderboard's "Rank (Borda)" does).
* :func:`verdict` and :func:`fact_check_table` turn claims into ✅ / ❌ / unknown rows with the evidence.
* :func:`mteb_task` fills a bundled ``mteb`` task with the course's local copy of its data (offline).
* :func:`shortlist` filters and ranks the tables by constraints and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The course's leaderboards: short name -> (summary table, per-task table, what it covers).
BOARDS = {
    "eng_v2": ("eng_v2_summary", "eng_v2_per_task", "MTEB(eng, v2): English, 41 tasks"),
    "eng_v1": ("eng_v1_summary", "eng_v1_per_task", "MTEB(eng, v1): English, 56 tasks"),
    "cmn_v1": ("cmn_v1_summary", "cmn_v1_per_task", "MTEB(cmn, v1) = C-MTEB: Chinese, 31 tasks"),
}
#: Task-type columns of the summary tables (scores x100).
TASK_TYPES = ("Retrieval", "Reranking", "STS", "Classification", "Clustering", "PairClassification", "Summarization")
#: ``shortlist(language=...)`` -> the board that scores that language.
LANGUAGE_BOARDS = {"english": "eng_v2", "chinese": "cmn_v1", "multilingual": "eng_v2"}
LANGUAGE_CODES = {"english": "eng", "chinese": "zho", "multilingual": None}
LICENCE_KINDS = ("any", "open", "permissive")
#: Licences that allow commercial use without further terms (the SPDX ids the tables use).
PERMISSIVE = frozenset({"apache-2.0", "mit", "bsd-3-clause", "bsd-2-clause", "cc-by-4.0", "cc0-1.0", "bsd"})


def _check_choice(name: str, value: object, valid: Iterable[str], *, ignore_case: bool = False) -> str:
    """``value`` if it is one of ``valid`` (the valid spelling of it with ``ignore_case``); else a ValueError naming them."""
    valid = list(valid)
    if ignore_case and isinstance(value, str):
        same = [v for v in valid if v.casefold() == value.strip().casefold()]
        if len(same) == 1:
            return same[0]
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid values: {', '.join(map(repr, valid))}")
    return value


# ---------------------------------------------------------------- tables
def model_meta() -> pd.DataFrame:
    """mteb's model registry as the course stores it, indexed by model name, with ``languages`` as a list.

    Columns used here: ``n_parameters``, ``memory_usage_mb``, ``embed_dim``, ``max_tokens``, ``license``,
    ``open_weights``, ``languages`` (ISO 639-3 + script, e.g. ``zho-Hans``), ``release_date``.
    """
    from .data.loaders import load_mteb_table

    meta = load_mteb_table("model_meta").drop_duplicates("name").set_index("name")
    meta["languages"] = [[] if not isinstance(v, str) or not v else v.split(";") for v in meta["languages"]]
    return meta


def board(name: str = "eng_v2") -> pd.DataFrame:
    """One leaderboard's summary table joined with the model metadata, one row per model.

    Columns: ``Model``, ``rank_borda``, the task-type means (:data:`TASK_TYPES` present in that board),
    ``Mean (Task)``, ``Mean (TaskType)``, ``Zero-shot``, ``params_b`` (total parameters, billions),
    ``memory_mb``, ``dim``, ``max_tokens``, ``licence``, ``open_weights``, ``languages`` (list),
    ``release_date``. Memory and languages come from mteb's model metadata (empty when mteb does not know).
    """
    import pandas as pd

    from .data.loaders import load_mteb_table

    _check_choice("board", name, BOARDS)
    summary = load_mteb_table(BOARDS[name][0])
    meta = model_meta()
    out = pd.DataFrame({"Model": summary["Model"], "rank_borda": summary["Rank (Borda)"]})
    for column in ("Mean (Task)", "Mean (TaskType)", *TASK_TYPES):
        if column in summary.columns:
            out[column] = summary[column].astype(float)
    out["Zero-shot"] = pd.to_numeric(summary["Zero-shot"], errors="coerce")
    out["params_b"] = pd.to_numeric(summary["Total Parameters (B)"], errors="coerce")
    known = out["Model"].isin(meta.index)
    row = meta.reindex(out["Model"])
    out["memory_mb"] = pd.to_numeric(row["memory_usage_mb"], errors="coerce").to_numpy()
    out["params_b"] = out["params_b"].fillna(pd.Series(pd.to_numeric(row["n_parameters"], errors="coerce").to_numpy() / 1e9,
                                                       index=out.index))
    out["dim"] = pd.to_numeric(summary["Embedding Dimensions"], errors="coerce")
    out["max_tokens"] = pd.to_numeric(summary["Max Tokens"], errors="coerce")
    out["licence"] = summary["License"].where(summary["License"].notna(), None)
    out["open_weights"] = summary["Open Weights"].map(lambda v: bool(v) if isinstance(v, (bool, np.bool_)) else
                                                      str(v).strip().lower() == "true")
    out["languages"] = [list(v) if k else [] for v, k in zip(row["languages"], known)]
    out["release_date"] = summary["Release Date"]
    return out.reset_index(drop=True)


def per_task(name: str = "eng_v2") -> pd.DataFrame:
    """Per-task scores (x100) of one board: one row per model (index ``Model``), one column per task."""
    from .data.loaders import load_mteb_table

    _check_choice("board", name, BOARDS)
    return load_mteb_table(BOARDS[name][1]).set_index("Model")


def task_types(tasks: Iterable[str]) -> dict[str, str]:
    """Each task's type (``Retrieval``, ``STS``, ...) from the installed mteb's task metadata."""
    import mteb

    out = {}
    for task in tasks:
        try:
            out[task] = mteb.get_task(task).metadata.type
        except Exception as err:  # noqa: BLE001 - a table column mteb no longer knows
            raise ValueError(f"mteb does not know the task {task!r}: {err}") from None
    return out


# ---------------------------------------------------------------- decision tools
def pareto_front(frame: pd.DataFrame, score: str, cost: str) -> pd.DataFrame:
    """The rows no other row beats: a row is dropped when another has ``score`` >= and ``cost`` <=,
    with at least one strictly better. Rows missing either value are left out. Sorted by cost.
    """
    for column in (score, cost):
        if column not in frame.columns:
            raise KeyError(f"no column {column!r}; columns: {', '.join(map(str, frame.columns))}")
    data = frame.dropna(subset=[score, cost])
    s, c = data[score].to_numpy(float), data[cost].to_numpy(float)
    keep = []
    for i in range(len(data)):
        dominated = np.any((s >= s[i]) & (c <= c[i]) & ((s > s[i]) | (c < c[i])))
        keep.append(not dominated)
    return data[np.array(keep, dtype=bool)].sort_values([cost, score], ascending=[True, False])


def borda_rank(scores: pd.DataFrame) -> pd.Series:
    """Borda rank of the rows (models) over the columns (tasks), 1 = best, as mteb's leaderboard computes it.

    On each task the models that ran it are ranked (best = 1, ties share the average rank) and each gets
    ``n_models - rank`` points, ``n_models`` being the number of rows; a task a model did not run gives it
    nothing. Models are ranked by their total points, ties sharing the better rank (mteb 2.26,
    ``benchmarks/_create_table.py``).
    """
    if scores.shape[0] < 2 or scores.shape[1] < 1:
        raise ValueError("borda_rank needs at least two models (rows) and one task (column)")
    ranks = scores.rank(axis=0, method="average", ascending=False, na_option="keep")
    points = (len(scores) - ranks).fillna(0).sum(axis=1)
    return points.rank(ascending=False, method="min").astype(int).rename("Borda rank")


# ---------------------------------------------------------------- fact checks
@dataclass(frozen=True)
class Check:
    """One claim checked against the tables: ``verdict`` is ✅, ❌ or unknown; ``evidence`` says why."""

    model: str
    claim: str
    verdict: str
    evidence: str


VERDICTS = ("✅", "❌", "unknown")


def verdict(value: object, test: Callable[[Any], bool]) -> str:
    """✅ when ``test(value)`` holds, ❌ when it does not, ``unknown`` when the value is missing (None/NaN)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unknown"
    if isinstance(value, (list, tuple)) and not value:
        return "unknown"
    return "✅" if test(value) else "❌"


def fact_check_table(checks: Sequence[Check]) -> pd.DataFrame:
    """The checks as a table (model, claim, verdict, evidence) plus the count of each verdict in ``.attrs``."""
    import pandas as pd

    bad = [c for c in checks if not isinstance(c, Check) or c.verdict not in VERDICTS]
    if bad:
        raise ValueError(f"every row must be a Check with a verdict in {VERDICTS}; got {bad[0]!r}")
    table = pd.DataFrame([c.__dict__ for c in checks], columns=["model", "claim", "verdict", "evidence"])
    table.attrs["counts"] = {v: int((table["verdict"] == v).sum()) for v in VERDICTS}
    return table


def find_model(name: str, names: Iterable[str]) -> str | None:
    """The full ``org/model`` name in ``names`` whose part after the slash is ``name`` (case-insensitive)."""
    wanted = name.lower().split("/")[-1]
    for full in names:
        if str(full).lower().split("/")[-1] == wanted:
            return str(full)
    return None


# ---------------------------------------------------------------- mteb with local data
#: mteb task -> the course's local copy of its data.
MTEB_LOCAL_TASKS = {"STSBenchmark": "stsb-en", "STSB": "cn-pairs STS-B", "LCQMC": "cn-pairs LCQMC",
                    "ATEC": "cn-pairs ATEC", "BQ": "cn-pairs BQ", "PAWSX": "cn-pairs PAWSX", "SciFact": "scifact"}


@dataclass
class Subset:
    """What :func:`mteb_task` kept: counts, and whether that is the whole test split."""

    task: str
    kept: dict[str, int]
    total: dict[str, int]

    @property
    def full(self) -> bool:
        return self.kept == self.total

    def caveat(self) -> str:
        sizes = ", ".join(f"{self.kept[k]:,} of {self.total[k]:,} {k}" for k in self.kept)
        if self.full:
            return f"{self.task}: the whole test split ({sizes}), comparable with the published score"
        why = ("fewer documents compete for each query, so retrieval is easier" if "documents" in self.kept
               else "a sample of pairs gives another correlation than the whole split")
        return f"{self.task}: a SUBSET ({sizes}); its score is NOT comparable with the published one ({why})"


def mteb_task(name: str, *, n_pairs: int | None = None, n_queries: int | None = None,
              n_distractors: int | None = None, seed: int = 0):
    """A bundled ``mteb`` task whose test split is filled from the course's local copy, as its loader would.

    Returns ``(task, subset)``. STS tasks (``STSBenchmark``, the C-MTEB pair sets) get a ``DatasetDict``
    with ``sentence1``, ``sentence2``, ``score``; ``n_pairs`` keeps a fixed random sample of pairs.
    ``SciFact`` gets ``{"default": {"test": {"corpus", "queries", "relevant_docs", "top_ranked"}}}``;
    ``n_queries`` keeps a random sample of queries, and ``n_distractors`` keeps all documents relevant to
    them plus that many other documents drawn at random (``None``: all 5,183 abstracts).
    """
    import json

    import mteb
    from datasets import Dataset, DatasetDict

    from .data import load_scifact, load_stsb
    from .data.loaders import load_cn_pairs
    from .data.store import fetch

    _check_choice("task", name, MTEB_LOCAL_TASKS)
    for label, n in (("n_pairs", n_pairs), ("n_queries", n_queries), ("n_distractors", n_distractors)):
        if n is not None and (not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0):
            raise ValueError(f"{label} must be a whole number >= 0 or None (all), not {n!r}")
    rng = np.random.default_rng(seed)
    task = mteb.get_task(name, eval_splits=["test"])
    if name == "SciFact":
        sf = load_scifact("test")
        qids = sorted(sf.queries, key=int)
        total = {"queries": len(qids), "documents": len(sf.corpus)}
        if n_queries is not None and n_queries < len(qids):
            qids = sorted(rng.choice(qids, n_queries, replace=False).tolist(), key=int)
        relevant = {d for q in qids for d in sf.qrels[q]}
        raw = [json.loads(line) for line in fetch("scifact-corpus").open(encoding="utf-8") if line.strip()]
        others = [d["_id"] for d in raw if d["_id"] not in relevant]
        if n_distractors is not None and n_distractors < len(others):
            others = rng.choice(others, n_distractors, replace=False).tolist()
        keep = relevant | set(others)
        corpus = Dataset.from_list([{"id": d["_id"], "title": d.get("title", ""), "text": d["text"]}
                                    for d in raw if d["_id"] in keep])
        queries = Dataset.from_list([{"id": q, "text": sf.queries[q]} for q in qids])
        task.dataset = {"default": {"test": {"corpus": corpus, "queries": queries,
                                             "relevant_docs": {q: dict(sf.qrels[q]) for q in qids},
                                             "top_ranked": None}}}
        kept = {"queries": len(qids), "documents": len(corpus)}
    else:
        pairs = load_stsb("en", "test") if name == "STSBenchmark" else load_cn_pairs(
            "STS-B" if name == "STSB" else name, "test")
        total = {"pairs": len(pairs)}
        if n_pairs is not None and n_pairs < len(pairs):
            pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), n_pairs, replace=False))]
        task.dataset = DatasetDict({"test": Dataset.from_dict({
            "sentence1": [p.sentence1 for p in pairs], "sentence2": [p.sentence2 for p in pairs],
            "score": [float(p.score) for p in pairs]})})
        kept = {"pairs": len(pairs)}
    task.data_loaded = True
    return task, Subset(name, kept, total)


# ---------------------------------------------------------------- shortlist
def _language_ok(languages: list[str], code: str | None, min_languages: int) -> bool:
    if code is None:  # multilingual: English and Chinese among many
        return (len(languages) >= min_languages and any(lang.startswith("eng") for lang in languages)
                and any(lang.startswith(("zho", "cmn")) for lang in languages))
    return any(lang.startswith(code) or (code == "zho" and lang.startswith("cmn")) for lang in languages)


def licences() -> list[str]:
    """The licence ids found in the course's leaderboards (for ``shortlist(licence=...)``)."""
    found = set()
    for name in BOARDS:
        found |= {str(v) for v in board(name)["licence"].dropna()}
    return sorted(found)


def shortlist(language: str = "english", task: str = "Retrieval", *, max_memory_mb: float | None = None,
              min_max_tokens: int | None = None, open_weights: bool | None = None, licence: str = "any",
              top: int = 5, min_languages: int = 20) -> pd.DataFrame:
    """A ranked shortlist of models from the course's MTEB tables, with the reason each one is on it.

    * ``language``: ``"english"`` (scores from MTEB(eng, v2)), ``"chinese"`` (C-MTEB) or ``"multilingual"``
      (the mean of both boards' scores; the model must declare English, Chinese and at least
      ``min_languages`` languages). A model must *declare* the language in mteb's metadata.
    * ``task``: a task-type column (``"Retrieval"``, ``"STS"``, ...) or ``"Mean (Task)"``.
    * ``max_memory_mb``: mteb's ``memory_usage_mb`` (the weights in memory) at most this; unknown memory fails.
    * ``min_max_tokens``: the model reads at least this many tokens.
    * ``open_weights``: ``True`` (weights you can run yourself), ``False`` (API only) or ``None`` (either).
    * ``licence``: ``"any"``, ``"permissive"`` (:data:`PERMISSIVE`: commercial use without extra terms) or one
      licence id (``"apache-2.0"``, ``"mit"``, ...; :func:`licences` lists them).

    Returns the ``top`` models by score (columns: ``Model``, ``score``, ``memory_mb``, ``params_b``, ``dim``,
    ``max_tokens``, ``licence``, ``reasons``); ``.attrs["funnel"]`` says how many models each constraint left.
    Raises ``ValueError`` naming the valid values for a bad argument, or, when nothing is left, the constraint
    that removed the last candidates and what would let one through.
    """
    import pandas as pd

    language = _check_choice("language", language, LANGUAGE_BOARDS, ignore_case=True)
    boards = ["eng_v2", "cmn_v1"] if language == "multilingual" else [LANGUAGE_BOARDS[language]]
    frames = [board(b) for b in boards]
    valid_tasks = [c for c in ("Mean (Task)", *TASK_TYPES) if all(c in f.columns for f in frames)]
    task = _check_choice("task", task, valid_tasks, ignore_case=True)
    for label, value in (("max_memory_mb", max_memory_mb), ("min_max_tokens", min_max_tokens)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
                                  or not value > 0):
            raise ValueError(f"{label} must be a positive number or None (no limit), not {value!r}")
    if open_weights not in (True, False, None):
        raise ValueError(f"open_weights must be True, False or None (either), not {open_weights!r}")
    known_licences = licences()
    if licence not in ("any", "permissive") and licence not in known_licences:
        common = [x for x in known_licences if x in PERMISSIVE or x.startswith("cc-")][:8]
        raise ValueError(f"unknown licence {licence!r}; valid values: 'any', 'permissive', or a licence id from the "
                         f"tables such as {', '.join(map(repr, common))} (embedlab.selection.licences() lists all "
                         f"{len(known_licences)})")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be a whole number of at least 1, not {top!r}")

    base = frames[0][["Model", "memory_mb", "params_b", "dim", "max_tokens", "licence", "open_weights", "languages"]]
    if len(frames) == 1:
        data = base.assign(score=frames[0][task])
        where = f"{task} {BOARDS[boards[0]][2].split(':')[0]}"
    else:
        other = frames[1].set_index("Model")[task]
        data = base.assign(score_en=frames[0][task], score_zh=frames[0]["Model"].map(other))
        data = data.assign(score=data[["score_en", "score_zh"]].mean(axis=1, skipna=False))
        where = f"{task}, mean of MTEB(eng, v2) and C-MTEB"
    code = LANGUAGE_CODES[language]
    steps: list[tuple[str, Callable[[pd.DataFrame], pd.Series]]] = [
        (f"has a {task} score on the board(s)", lambda d: d["score"].notna()),
        (f"declares {language}" + (f" (English + Chinese, >= {min_languages} languages)" if code is None else ""),
         lambda d: d["languages"].map(lambda langs: _language_ok(langs, code, min_languages))),
    ]
    if open_weights is not None:
        steps.append((f"open_weights={open_weights}", lambda d: d["open_weights"] == open_weights))
    if licence == "permissive":
        steps.append(("licence permissive", lambda d: d["licence"].isin(PERMISSIVE)))
    elif licence != "any":
        steps.append((f"licence {licence}", lambda d: d["licence"] == licence))
    if min_max_tokens is not None:
        steps.append((f"max_tokens >= {min_max_tokens}", lambda d: d["max_tokens"] >= min_max_tokens))
    if max_memory_mb is not None:
        steps.append((f"memory <= {max_memory_mb:g} MB", lambda d: d["memory_mb"] <= max_memory_mb))
    funnel = {"on the board": len(data)}
    for label, keep in steps:
        kept = data[keep(data).fillna(False).astype(bool)]
        if kept.empty:
            raise ValueError(_nothing_left(label, data, language, task, max_memory_mb, min_max_tokens))
        data = kept
        funnel[label] = len(data)
    data = data.sort_values(["score", "memory_mb"], ascending=[False, True]).head(top).copy()

    def reasons(row) -> str:
        parts = [f"{where} {row['score']:.2f}"]
        if code is None:
            parts.append(f"declares {len(row['languages'])} languages incl. English and Chinese")
        if max_memory_mb is not None:
            parts.append(f"{row['memory_mb']:,.0f} MB <= {max_memory_mb:,.0f} MB")
        if min_max_tokens is not None:
            parts.append(f"reads {row['max_tokens']:,.0f} tokens >= {min_max_tokens:,}")
        if open_weights is not None or licence != "any":
            parts.append(f"{'open weights' if row['open_weights'] else 'API only'}, licence {row['licence'] or 'unknown'}")
        return "; ".join(parts)

    data["reasons"] = data.apply(reasons, axis=1)
    data.insert(0, "rank", range(1, len(data) + 1))
    out = data[["rank", "Model", "score", "memory_mb", "params_b", "dim", "max_tokens", "licence", "reasons"]]
    out = out.reset_index(drop=True)
    out.attrs["funnel"] = funnel
    return out


def _nothing_left(label: str, data: pd.DataFrame, language: str, task: str, max_memory_mb, min_max_tokens) -> str:
    msg = f"no model meets all constraints: after the earlier ones {len(data)} were left, and '{label}' removes them all."
    best = data.sort_values("score", ascending=False)
    if label.startswith("memory") and data["memory_mb"].notna().any():
        smallest = data.loc[data["memory_mb"].idxmin()]
        msg += (f" Relax max_memory_mb: the smallest remaining model, {smallest['Model']}, needs "
                f"{smallest['memory_mb']:,.0f} MB.")
    elif label.startswith("max_tokens") and data["max_tokens"].notna().any():
        longest = data.loc[data["max_tokens"].idxmax()]
        msg += f" Relax min_max_tokens: the longest remaining model, {longest['Model']}, reads {longest['max_tokens']:,.0f}."
    elif label.startswith("licence") or label.startswith("open_weights"):
        msg += (f" Relax '{label.split()[0].split('=')[0]}': the best remaining model, {best.iloc[0]['Model']}, has "
                f"licence {best.iloc[0]['licence']} and open_weights={best.iloc[0]['open_weights']}.")
    elif label.startswith("declares"):
        msg += (f" No model with a {task} score declares {language} in mteb's metadata; try another language "
                "or task.")
    else:
        msg += " Relax that constraint."
    return msg
