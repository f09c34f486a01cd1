"""Run every notebook in notebooks/, solutions/ and labs/ with papermill, with its defaults.

Executed copies are kept in build/executed/ for inspection. For labs and solutions the
exercise checkers' verdicts are collected (EMBEDLAB_CHECK_LOG): every exercise of the lab
must be checked, the solution must pass them all, and the untouched lab must run to the
end with every exercise reported as not answered yet.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path

import pytest

from embedlab.checks import exercises_of
from embedlab.env import PROJECT_ROOT
from embedlab.nbtools import NotebookFailure, all_notebooks, run

EXECUTED = PROJECT_ROOT / "build" / "executed"
CLAIMS = PROJECT_ROOT / "tests" / "claims"  # per notebook: checks that its text's claims hold (run as a last cell)
NOTEBOOKS = all_notebooks()


def lab_module(path: Path):
    return importlib.import_module(f"embedlab.exercises.lab{path.name[:2]}")


def verdicts(log: Path) -> dict[int, str]:
    if not log.exists():
        return {}
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["exercise"]: row["status"] for row in rows}


@pytest.mark.notebook
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv("EMBEDLAB_CHECK_LOG", str(log))
    claims = CLAIMS / f"{path.stem}.py"
    started = time.perf_counter()
    try:
        run(path, EXECUTED / path.parent.name / path.name,
            claims=claims.read_text(encoding="utf-8") if path.parent.name == "notebooks" and claims.exists() else None)
    except NotebookFailure as failure:
        pytest.fail(str(failure), pytrace=False)
    seconds = time.perf_counter() - started
    print(f"{path.parent.name}/{path.name}: {seconds:.1f} s")
    with (EXECUTED / "timings.jsonl").open("a", encoding="utf-8") as timings:  # read by `make bench`
        timings.write(json.dumps({"notebook": f"{path.parent.name}/{path.name}", "seconds": round(seconds, 1),
                              "when": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")
    if path.parent.name not in {"labs", "solutions"}:
        return
    expected = {e.number for e in exercises_of(lab_module(path))}
    got = verdicts(log)
    assert expected, f"{path.name}: its checker module defines no exercises"
    assert set(got) == expected, f"{path.name}: exercises checked {sorted(got)}, defined {sorted(expected)}"
    if path.parent.name == "solutions":
        failed = {n: s for n, s in got.items() if s != "passed"}
        assert not failed, f"{path.name}: the solution fails exercises {failed}"
    else:
        answered = {n: s for n, s in got.items() if s != "blank"}
        assert not answered, f"{path.name}: the untouched lab should leave every exercise unanswered, got {answered}"
