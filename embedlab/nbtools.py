"""Notebook quality tools used by the tests: a lint, and a papermill runner with short errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .env import PROJECT_ROOT

NOTEBOOK_DIRS = ("notebooks", "labs", "solutions")

#: The first cell must say these three things (as bold labels).
FIRST_CELL_LABELS = ("You will learn", "You need", "Time")

_SECRET = re.compile(r"\b(sk-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16})\b")
_KEY_ASSIGN = re.compile(r"""(OPENAI_API_KEY|HF_TOKEN|api_key)\s*=\s*["'][^"']+["']""")
_CUDA = re.compile(r"""(["']cuda(:\d+)?["']|\.cuda\(\))""")
_PIP = re.compile(r"^\s*[%!]\s*pip\s+install\s+(.*)$", re.MULTILINE)


def all_notebooks(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every course notebook, in folder then name order."""
    return [p for d in NOTEBOOK_DIRS for p in sorted((root / d).glob("*.ipynb"))]


def lint(path: Path) -> list[str]:
    """Problems with one notebook (empty when it is fine)."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        problems.append("first cell must be markdown (objectives, prerequisites, time)")
    else:
        missing = [label for label in FIRST_CELL_LABELS if f"**{label}" not in nb.cells[0].source]
        if missing:
            problems.append(f"first cell lacks {', '.join('**' + m + '**' for m in missing)}")
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1 or nb.cells[tagged[0]].cell_type != "code":
        problems.append(f"needs exactly one code cell tagged 'parameters' (found {len(tagged)})")
    else:
        for line in nb.cells[tagged[0]].source.splitlines():
            if "#" in line and "=" in line.split("#", 1)[1]:
                problems.append(f"parameters cell: papermill cannot parse a comment with '=' in {line.strip()!r}")
    for index, cell in enumerate(nb.cells):
        where = f"cell {index}"
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                problems.append(f"{where}: has outputs (commit notebooks without outputs)")
            if re.search(r"\binput\s*\(", cell.source):
                problems.append(f"{where}: calls input(); notebooks must run unattended")
            if _CUDA.search(cell.source):
                problems.append(f"{where}: hard-codes CUDA; the course runs on a CPU")
            for match in _PIP.finditer(cell.source):
                unpinned = [p for p in match.group(1).split() if not p.startswith("-") and "==" not in p]
                if unpinned:
                    problems.append(f"{where}: unpinned pip install of {', '.join(unpinned)}")
        if _SECRET.search(cell.source) or _KEY_ASSIGN.search(cell.source):
            problems.append(f"{where}: looks like an API key or token")
    return problems


@dataclass
class NotebookFailure(Exception):
    """A notebook failed: which one, which cell, and the error in a few lines."""

    notebook: str
    cell: int | None
    error: str

    def __str__(self) -> str:
        cell = f", cell {self.cell}" if self.cell is not None else ""
        return f"{self.notebook}{cell}: {self.error}"


def _source_cell_index(executed: Path, fallback: int) -> int:
    """Index, in the source notebook, of the cell that failed (papermill adds cells of its own)."""
    if not executed.exists():
        return fallback
    ours = [c for c in nbformat.read(executed, as_version=4).cells
            if not {"injected-parameters", "papermill-error-cell-tag"} & set(c.get("metadata", {}).get("tags", []))]
    failed = [i for i, c in enumerate(ours) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    return failed[0] if failed else fallback


#: Tag of the cell :func:`run` appends with a notebook's claims (the tests' checks of what its text says).
CLAIMS_TAG = "course-claims"


def _failing_lines(tail: list[str]) -> list[str]:
    """The traceback lines worth showing: around the last ``--->`` arrow (the line that raised), and the error."""
    arrows = [i for i, line in enumerate(tail) if line.lstrip().startswith("--->")]
    if not arrows:
        return tail[-4:]
    i = arrows[-1]
    return tail[max(0, i - 1):i + 2] + ([tail[-1]] if i + 2 < len(tail) else [])


def run(path: Path, output: Path, *, parameters: dict | None = None, cell_timeout: int = 600,
        claims: str | None = None) -> Path:
    """Execute a notebook with papermill (in its own folder) and save the executed copy to ``output``.

    ``claims`` is Python code run as one more cell at the end, in the notebook's namespace: the tests'
    checks that what the notebook's text says holds for the numbers it computed (they live in
    ``tests/claims/``, not in the lesson). Raises :class:`NotebookFailure` with the failing cell and a short error.
    """
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    source = path
    if claims is not None:
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(claims, metadata={"tags": [CLAIMS_TAG]}))
        source = output.with_name(output.stem + ".with-claims.ipynb")
        nbformat.write(nb, source)
    try:
        pm.execute_notebook(str(source), str(output), parameters=parameters or {}, cwd=str(path.parent),
                            kernel_name="python3", execution_timeout=cell_timeout, progress_bar=False,
                            log_output=False)
    except pm.PapermillExecutionError as err:
        tail = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(err.traceback)).splitlines() if line.strip()]
        cell = _source_cell_index(output, err.cell_index)
        what = f"{err.ename}: {err.evalue}"
        if claims is not None and cell == len(nbformat.read(path, as_version=4).cells):
            what = f"a claim of its text does not hold (tests/claims/{path.stem}.py): {what}"
        raise NotebookFailure(path.name, cell, what + "\n  " + "\n  ".join(_failing_lines(tail))) from None
    except Exception as err:  # noqa: BLE001 - timeouts, dead kernels
        raise NotebookFailure(path.name, None, f"{type(err).__name__}: {str(err)[:500]}") from None
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    return output
