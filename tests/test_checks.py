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
    assert EX.check(lambda x: 2 * x) is True
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
    assert EX.check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("⏳ lab 99 exercise 1 (double): not answered yet.")
    assert logged(log)[-1]["status"] == "blank"


def test_blank_among_several_answers(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert PAIR.check(1, ____) is False
    assert PAIR.check((1, ____), 2) is False
    assert capsys.readouterr().out.count("⏳") == 2
    assert [row["status"] for row in logged(log)] == ["blank", "blank"]
    assert PAIR.check(1, 2) is True


def test_wrong(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(lambda x: x + 1) is False
    out = capsys.readouterr().out
    assert out == "❌ lab 99 exercise 1 (double): not yet. double(2) should be 4, got 3\n   Hint: multiply by two\n"
    assert logged(log)[-1]["status"] == "wrong"


def test_not_a_function_is_wrong(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(4) is False
    assert "expected a function, got int" in capsys.readouterr().out
    assert logged(log)[-1]["status"] == "wrong"


def _divides_by_zero(x):
    return x / 0


def test_error_in_learner_code(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    assert EX.check(_divides_by_zero) is False
    captured = capsys.readouterr()
    first = captured.out.splitlines()[0]
    assert first.startswith("❌ lab 99 exercise 1 (double): your code raised ZeroDivisionError: division by zero")
    assert "of _divides_by_zero)" in first
    assert "Hint: multiply by two" in captured.out
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
    assert EX.check(lambda x: 2 * x) is True
    assert list(tmp_path.iterdir()) == []


def test_hint(capsys: pytest.CaptureFixture[str]) -> None:
    EX.hint()
    assert capsys.readouterr().out == "💡 Hint for lab 99 exercise 1 (double): multiply by two\n"


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
