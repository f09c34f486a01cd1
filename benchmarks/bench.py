"""`make bench`: how fast the course encodes, next to the libraries it wraps, and how long the tests take.

    .venv/bin/python benchmarks/bench.py                 # writes build/bench/README.md (and bench.json)
    .venv/bin/python benchmarks/bench.py --texts 100     # a quicker, noisier run

Per model (all-MiniLM-L6-v2, the multilingual-e5-small folder; online also any hub model named with
``--models``), on the same SQuAD 2.0 paragraphs, measured in one process per model (so peak memory is that
model's), each way repeated and interleaved so that all ways see the same machine load:

* **library**: ``SentenceTransformer.encode`` alone (e5 with its ``passage: `` prompt);
* **course, cache off**: ``load_model(name, use_cache=False).encode_documents``;
* **cache fill**: the same into an empty embedding cache (a fresh temporary folder each repeat);
* **cached rerun**: the same texts again, read from that cache;
* single-query latency (p50/p95/p99) of ``encode_queries`` with the cache off, and peak memory (max RSS).

It also lists each notebook's wall time from the last ``make test`` (``build/executed/timings.jsonl``, written by
``tests/test_notebooks.py``) and that run's total (``build/last_test_seconds``). Benchmarks are scripts, never timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "build" / "bench"
DEFAULT_MODELS = ["all-MiniLM-L6-v2", "multilingual-e5-small"]


def measure(name: str, n_texts: int, repeats: int, n_queries: int) -> dict:
    """Everything for one model, in this process."""
    import numpy as np

    import embedlab  # noqa: F401  (offline variables first)
    from embedlab.data import load_squad
    from embedlab.models import load_model

    squad = load_squad("2.0")
    texts = random.Random(0).sample([p.context for p in squad.paragraphs], n_texts)
    queries = [q.text for q in squad.questions[:n_queries]]
    plain = load_model(name, use_cache=False)
    st = plain.model
    prompt = plain.document_prefix
    plain.encode_documents(texts[:4])  # warm-up (threads, allocations), not timed
    ways = {"library": [], "course, cache off": [], "cache fill": [], "cached rerun": []}
    for _ in range(repeats):
        started = time.perf_counter()
        st.encode([prompt + t for t in texts], batch_size=32, convert_to_numpy=True)
        ways["library"].append(time.perf_counter() - started)
        started = time.perf_counter()
        plain.encode_documents(texts, batch_size=32)
        ways["course, cache off"].append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as cache:
            os.environ["EMBEDLAB_CACHE_DIR"] = cache
            cached = load_model(name)
            started = time.perf_counter()
            cached.encode_documents(texts, batch_size=32)
            ways["cache fill"].append(time.perf_counter() - started)
            started = time.perf_counter()
            cached.encode_documents(texts, batch_size=32)
            ways["cached rerun"].append(time.perf_counter() - started)
            cached._store.close()
    result = {"model": name, "texts": n_texts, "repeats": repeats}
    for way, seconds in ways.items():
        result[f"{way} texts/s (best)"] = n_texts / min(seconds)
        result[f"{way} texts/s (median)"] = n_texts / statistics.median(seconds)
        result[f"{way} seconds (min)"] = min(seconds)
    lib = min(ways["library"])
    result["course/library (min)"] = min(ways["course, cache off"]) / lib
    result["cache fill/library (min)"] = min(ways["cache fill"]) / lib
    latencies = []
    for q in queries:
        started = time.perf_counter()
        plain.encode_queries(q)
        latencies.append(1000 * (time.perf_counter() - started))
    for p in (50, 95, 99):
        result[f"query latency ms p{p}"] = float(np.percentile(latencies, p))
    result["peak memory MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def notebook_times() -> tuple[list[tuple[str, float]], float | None]:
    timings = ROOT / "build" / "executed" / "timings.jsonl"
    rows: dict[str, float] = {}
    if timings.exists():
        for line in timings.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["notebook"]] = row["seconds"]  # the last run of each notebook wins
    total_file = ROOT / "build" / "last_test_seconds"
    total = float(total_file.read_text().strip()) if total_file.exists() else None
    return sorted(rows.items()), total


def report(results: list[dict], n_texts: int) -> str:
    lines = ["# Embedding Lab benchmarks", "",
             f"Machine: {os.cpu_count()} cores; {n_texts} SQuAD 2.0 dev paragraphs per model; the best (minimum time) of "
             f"the repeats, medians in bench.json. Made by `make bench` ({time.strftime('%Y-%m-%d %H:%M')}).", "",
             "| model | library texts/s | course, cache off | cache fill | cached rerun | course/library | fill/library | "
             "query p50 / p95 / p99 ms | peak MiB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['model']} | {r['library texts/s (best)']:.1f} | {r['course, cache off texts/s (best)']:.1f} | "
            f"{r['cache fill texts/s (best)']:.1f} | {r['cached rerun texts/s (best)']:.0f} | "
            f"{r['course/library (min)']:.2f}× | {r['cache fill/library (min)']:.2f}× | "
            f"{r['query latency ms p50']:.1f} / {r['query latency ms p95']:.1f} / {r['query latency ms p99']:.1f} | "
            f"{r['peak memory MiB']:.0f} |")
    rows, total = notebook_times()
    lines += ["", "## Notebooks in the last `make test`", ""]
    if rows:
        lines += ["| notebook | seconds |", "|---|---|"] + [f"| {n} | {s:.0f} |" for n, s in rows]
    else:
        lines.append("No timings yet: run `make test` first (it writes build/executed/timings.jsonl).")
    lines.append("")
    lines.append(f"Whole test command: {total:.0f} s ({total / 60:.1f} min)." if total else
                 "Whole test command: not recorded yet (`make test` writes build/last_test_seconds).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one model, print JSON
    args = parser.parse_args()
    if args.texts < 1 or args.repeats < 1 or args.queries < 1:
        parser.error("--texts, --repeats and --queries must be at least 1")
    if args.one:
        print(json.dumps(measure(args.one, args.texts, args.repeats, args.queries)))
        return
    results = []
    for name in args.models:
        print(f"measuring {name} ...", flush=True)
        done = subprocess.run([sys.executable, __file__, "--one", name, "--texts", str(args.texts), "--repeats",
                               str(args.repeats), "--queries", str(args.queries)], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"benchmark of {name} failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    text = report(results, args.texts)
    (OUT / "README.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
