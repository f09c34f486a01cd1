"""Every notebook passes the lint, and the labs are generated from the solutions."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedlab import labs
from embedlab.nbtools import all_notebooks, lint


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_lint(path: Path) -> None:
    problems = lint(path)
    assert not problems, f"{path.parent.name}/{path.name}:\n  " + "\n  ".join(problems)


def test_labs_in_step_with_solutions() -> None:
    problems = labs.drifted()
    assert not problems, "\n".join(problems)


def test_every_lab_has_a_solution_and_a_checker() -> None:
    import importlib

    for sol in sorted((labs.PROJECT_ROOT / "solutions").glob("*.ipynb")):
        importlib.import_module(f"embedlab.exercises.lab{sol.name[:2]}")
