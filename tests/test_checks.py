"""Exercise checking: verdicts printed, returned and logged; the ``____`` placeholder."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest

from embedlab.checks import (
    Exercise,
    Incorrect,
    NotAnswered,
    ____,
    call_answer,
    exercises_of,
    expect,
    is_blank,
)


def _check_double(double) -> None:
    expect(call_answer(double, 2) == 4, f"double(2) should be 4, got {call_answer(double, 2)}")


def _check_pair(a, b) -> None:
    expect((a, b) == (1, 2), "the pair should be (1, 2)")


EX = Exercise("lab 99", 1, "double", _check_double, "multiply by two")
PAIR = Exercise("lab 99", 2, "pair", _check_pair, "one, then two")


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "checks.jsonl"
    monkeypatch.setenv("EMBEDLAB_CHECK_LOG", str(path))
    return path


def logged(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_passed(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(lambda x: 2 * x).passed is True
    assert capsys.readouterr().out == "✅ lab 99 exercise 1 (double): correct!\n"
    assert logged(log) == [{"lab": "lab 99", "exercise": 1, "status": "passed"}]


def _returns_blank(x):
    return ____


def _not_implemented(x):
    raise NotImplementedError


def _uses_blank_in_a_condition(x):
    if ____:
        return x
    return 2 * x


@pytest.mark.parametrize("answer", [____, _returns_blank, _not_implemented, _uses_blank_in_a_condition],
                         ids=["placeholder", "returns-placeholder", "not-implemented", "placeholder-in-if"])
def test_blank(answer, capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(answer).passed is False
    out = capsys.readouterr().out
    assert out.startswith("⏳ lab 99 exercise 1 (double): not answered yet.")
    assert logged(log)[-1]["status"] == "blank"


def test_blank_among_several_answers(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert PAIR.check(1, ____).passed is False
    assert PAIR.check((1, ____), 2).passed is False
    assert capsys.readouterr().out.count("⏳") == 2
    assert [row["status"] for row in logged(log)] == ["blank", "blank"]
    assert PAIR.check(1, 2).passed is True


def test_wrong(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(lambda x: x + 1).passed is False
    out = capsys.readouterr().out
    assert out == ("❌ lab 99 exercise 1 (double): not yet. double(2) should be 4, got 3\n"
                   "   Stuck? lab99.ex1.hint() gives a hint; lab99.ex1.solution() shows a worked solution.\n")
    assert logged(log)[-1]["status"] == "wrong"


def test_not_a_function_is_wrong(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(4).passed is False
    assert "expected a function, got int" in capsys.readouterr().out
    assert logged(log)[-1]["status"] == "wrong"


def _divides_by_zero(x):
    return x / 0


def test_error_in_learner_code(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(_divides_by_zero).passed is False
    captured = capsys.readouterr()
    first = captured.out.splitlines()[0]
    assert first.startswith("❌ lab 99 exercise 1 (double): your code raised ZeroDivisionError: division by zero")
    assert "of _divides_by_zero)" in first
    assert "lab99.ex1.hint() gives a hint; lab99.ex1.solution() shows a worked solution" in captured.out
    assert "multiply by two" not in captured.out  # the hint is a tier of its own, asked for with .hint()
    assert "Traceback" not in captured.out + captured.err
    assert len(captured.out.splitlines()) == 2
    assert logged(log)[-1]["status"] == "error"


def test_log_has_one_line_per_check(log: Path) -> None:
    EX.check(lambda x: 2 * x)
    EX.check(____)
    EX.check(lambda x: x)
    EX.check(_divides_by_zero)
    PAIR.check(1, 2)
    assert logged(log) == [
        {"lab": "lab 99", "exercise": 1, "status": "passed"},
        {"lab": "lab 99", "exercise": 1, "status": "blank"},
        {"lab": "lab 99", "exercise": 1, "status": "wrong"},
        {"lab": "lab 99", "exercise": 1, "status": "error"},
        {"lab": "lab 99", "exercise": 2, "status": "passed"},
    ]


def test_no_log_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDLAB_CHECK_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert EX.check(lambda x: 2 * x).passed is True
    assert list(tmp_path.iterdir()) == []


def test_hint(capsys: pytest.CaptureFixture[str]) -> None:
    EX.hint()
    assert capsys.readouterr().out == ("💡 Hint for lab 99 exercise 1 (double): multiply by two\n"
                                       "   Still stuck? lab99.ex1.solution() shows a worked solution.\n")


def test_exercises_of_sorts_by_number() -> None:
    module = types.ModuleType("fake_lab")
    module.ex3 = Exercise("lab 98", 3, "c", _check_double, "")
    module.ex1 = Exercise("lab 98", 1, "a", _check_double, "")
    module.helper = _check_double
    module.ex2 = Exercise("lab 98", 2, "b", _check_double, "")
    assert [e.title for e in exercises_of(module)] == ["a", "b", "c"]
    assert exercises_of(types.ModuleType("empty")) == []


@pytest.mark.parametrize("value, blank", [
    (____, True), ((1, ____), True), ([____], True), ([1, 2, ____], True),
    ((1, 2), False), ([], False), ("____", False), (None, False), (0, False),
])
def test_is_blank(value, blank: bool) -> None:
    assert is_blank(value) is blank


def test_placeholder_cannot_be_used_as_a_condition() -> None:
    assert repr(____) == "____"
    with pytest.raises(NotAnswered):
        bool(____)


def test_expect_and_call_answer() -> None:
    expect(True, "never shown")
    with pytest.raises(Incorrect, match="^wrong sum$"):
        expect(False, "wrong sum")
    assert call_answer(lambda a, b=0: a - b, 5, b=2) == 3
    with pytest.raises(NotAnswered):
        call_answer(_returns_blank, 1)
    with pytest.raises(ZeroDivisionError):
        call_answer(_divides_by_zero, 1)


# ---------------------------------------------------------------- the verdict (issue 9, item 12)
def test_check_returns_a_verdict_that_acts_as_a_bool(capsys: pytest.CaptureFixture[str]) -> None:
    from embedlab.checks import Verdict

    right, wrong, blank = EX.check(lambda x: 2 * x), EX.check(lambda x: x), EX.check(____)
    assert all(isinstance(v, Verdict) for v in (right, wrong, blank))
    assert (bool(right), bool(wrong), bool(blank)) == (True, False, False)
    assert (right.status, wrong.status, blank.status) == ("passed", "wrong", "blank")
    assert right.message == "✅ lab 99 exercise 1 (double): correct!"
    assert repr(wrong) == "<lab 99 exercise 1 (double): wrong>"
    assert ("yes" if right else "no", "yes" if wrong else "no") == ("yes", "no")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == right.message and printed[1] == wrong.message.splitlines()[0]


def test_ipython_displays_nothing_for_a_verdict() -> None:
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("EMBEDLAB_CHECK_LOG", raising=False)
        verdict = EX.check(lambda x: 2 * x)
    assert formatter.format(verdict) == ({}, {})
    assert formatter.format(True) == ({"text/plain": "True"}, {})  # what a bool check used to show


def test_a_check_cell_shows_only_its_message(tmp_path: Path) -> None:
    """Run lab 05's check cells in a real kernel: the ✅/❌ line and no True/False under it."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from embedlab.nbtools import run

    reference = ("import numpy as np\nfrom embedlab.checks import ____\nfrom embedlab.exercises import lab05\n\n"
                 "def recall_at_k(run, gold, k):\n"
                 "    return float(np.mean([gold[q] in list(run.get(q, []))[:k] for q in gold]))\n\n\n"
                 "lab05.ex1.check(recall_at_k)")
    cells = [reference,
             "lab05.ex1.check(lambda run, gold, k: 0.5)",
             "lab05.ex1.check(____)",
             "ok = lab05.ex1.check(recall_at_k)\nbad = lab05.ex1.check(lambda run, gold, k: 0.5)\n"
             "if ok and not bad:\n    print('usable as a bool')",
             "True"]  # a control: the kernel does echo a plain bool
    path = tmp_path / "checks.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    executed = nbformat.read(run(path, tmp_path / "out.ipynb"), as_version=4)
    outputs = [c.outputs for c in executed.cells]

    def text(cell_outputs) -> str:
        return "".join(o.get("text", "") for o in cell_outputs if o.output_type == "stream")

    for cell_outputs in outputs[:4]:
        assert [o.output_type for o in cell_outputs] == ["stream"], cell_outputs
    assert text(outputs[0]) == "✅ lab05 exercise 1 (recall@k of a run): correct!\n"
    assert text(outputs[1]).startswith("❌ lab05 exercise 1 (recall@k of a run): not yet.")
    assert text(outputs[2]).startswith("⏳ lab05 exercise 1 (recall@k of a run): not answered yet.")
    assert text(outputs[3]).endswith("usable as a bool\n")
    assert [(o.output_type, o.data["text/plain"]) for o in outputs[4]] == [("execute_result", "True")]
