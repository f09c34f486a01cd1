"""Labs are generated from solutions: one source, no drift.

Each ``solutions/NN_*.ipynb`` is the source. ``python -m embedlab.labs build`` writes
``labs/NN_*.ipynb`` by

* deleting every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  (``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->`` in markdown),
* turning ``# LAB: code`` lines into ``code`` (``<!-- LAB: text -->`` into ``text``),
* dropping outputs.

``python -m embedlab.labs check`` exits non-zero when a lab is not what its solution
generates (the tests run it). ``build`` never overwrites a lab a learner has edited:
each generated lab records the hash of its own cells, and an edited lab is left alone
unless ``--force`` is given, which first copies it to ``labs/backup/``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

from .env import PROJECT_ROOT

_BEGIN = re.compile(r"^\s*(###\s*BEGIN SOLUTION|<!--\s*BEGIN SOLUTION\s*-->)\s*$")
_END = re.compile(r"^\s*(###\s*END SOLUTION|<!--\s*END SOLUTION\s*-->)\s*$")
_LAB_CODE = re.compile(r"^(\s*)# LAB: ?(.*)$")
_LAB_MD = re.compile(r"^(\s*)<!--\s*LAB: ?(.*?)\s*-->\s*$")


class LabSourceError(ValueError):
    """A solution notebook's markers are unbalanced."""


def strip_solution(source: str, where: str = "cell") -> str:
    """The lab version of one cell's source."""
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        if _BEGIN.match(line):
            if inside:
                raise LabSourceError(f"{where}: BEGIN SOLUTION inside another solution region")
            inside = True
            continue
        if _END.match(line):
            if not inside:
                raise LabSourceError(f"{where}: END SOLUTION without BEGIN SOLUTION")
            inside = False
            continue
        if inside:
            continue
        lab = _LAB_CODE.match(line) or _LAB_MD.match(line)
        out.append(lab.group(1) + lab.group(2) if lab else line)
    if inside:
        raise LabSourceError(f"{where}: BEGIN SOLUTION is never closed")
    return "\n".join(out)


def cells_digest(nb: nbformat.NotebookNode) -> str:
    """Hash of what a learner can edit: cell types, sources and tags."""
    content = [(c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))) for c in nb.cells]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def make_lab(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The lab notebook generated from a solution notebook."""
    lab = copy.deepcopy(solution)
    for index, cell in enumerate(lab.cells):
        cell.source = strip_solution(cell.source, f"{name} cell {index}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    lab.metadata.pop("papermill", None)
    lab.metadata["embedlab"] = {"generated_from": f"solutions/{name}", "cells_sha256": cells_digest(lab)}
    return lab


def lab_path_for(solution_path: Path, labs_dir: Path) -> Path:
    return labs_dir / solution_path.name


def drifted(solutions_dir: Path = PROJECT_ROOT / "solutions", labs_dir: Path = PROJECT_ROOT / "labs") -> list[str]:
    """Labs that are missing or differ from what their solutions generate."""
    problems = []
    for sol in sorted(solutions_dir.glob("*.ipynb")):
        lab_file = lab_path_for(sol, labs_dir)
        expected = make_lab(nbformat.read(sol, as_version=4), sol.name)
        if not lab_file.exists():
            problems.append(f"{lab_file.name}: missing (run python -m embedlab.labs build)")
        elif cells_digest(nbformat.read(lab_file, as_version=4)) != cells_digest(expected):
            problems.append(f"{lab_file.name}: differs from solutions/{sol.name} (run python -m embedlab.labs build)")
    for lab_file in sorted(labs_dir.glob("*.ipynb")):
        if not (solutions_dir / lab_file.name).exists():
            problems.append(f"{lab_file.name}: has no solution notebook")
    return problems


def build(solutions_dir: Path = PROJECT_ROOT / "solutions", labs_dir: Path = PROJECT_ROOT / "labs",
          force: bool = False) -> list[str]:
    """Write every lab from its solution; returns what it did, one line per lab."""
    report = []
    labs_dir.mkdir(parents=True, exist_ok=True)
    for sol in sorted(solutions_dir.glob("*.ipynb")):
        target = lab_path_for(sol, labs_dir)
        lab = make_lab(nbformat.read(sol, as_version=4), sol.name)
        if target.exists():
            current = nbformat.read(target, as_version=4)
            if cells_digest(current) == cells_digest(lab):
                report.append(f"{target.name}: up to date")
                continue
            recorded = current.metadata.get("embedlab", {}).get("cells_sha256")
            if recorded != cells_digest(current):  # someone edited this lab
                if not force:
                    report.append(f"{target.name}: EDITED by hand, left alone (use --force to back it up and rebuild)")
                    continue
                stamp, n = time.strftime("%Y%m%d-%H%M%S"), 0
                backup = labs_dir / "backup" / f"{target.stem}.{stamp}.ipynb"
                while backup.exists():  # never overwrite an earlier backup
                    n += 1
                    backup = labs_dir / "backup" / f"{target.stem}.{stamp}-{n}.ipynb"
                backup.parent.mkdir(exist_ok=True)
                shutil.copy2(target, backup)
                report.append(f"{target.name}: your edited copy was saved as {backup}")
        nbformat.write(lab, target)
        report.append(f"{target.name}: written")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.labs", description="Generate labs from solutions.")
    parser.add_argument("command", choices=["build", "check"])
    parser.add_argument("--force", action="store_true", help="rebuild edited labs (after backing them up)")
    args = parser.parse_args(argv)
    if args.command == "build":
        lines = build(force=args.force)
        print("\n".join(lines))
        return 1 if any("EDITED" in line for line in lines) else 0
    problems = drifted()
    print("\n".join(problems) if problems else "labs are in step with solutions")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
