"""One test suite for a lab's checkers: reference answers pass, wrong answers and the blank are rejected.

Use it in ``tests/test_exercises_labNN.py``::

    test_reference_passes, test_wrong_rejected, test_blank_rejected, test_every_exercise_is_tested = \\
        checker_suite(labNN, REFERENCE, WRONG)

where ``REFERENCE`` maps an exercise number to a right answer and ``WRONG`` to a list of wrong ones
(each exercise takes one answer, usually the learner's function).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from embedlab.checks import ____, exercises_of


def checker_suite(lab: ModuleType, reference: dict[int, Any], wrong: dict[int, list[Any]]) -> tuple[Callable, ...]:
    def exercise(number: int):
        return getattr(lab, f"ex{number}")

    @pytest.mark.parametrize("number", sorted(reference))
    def test_reference_passes(number: int) -> None:
        assert exercise(number).evaluate(reference[number]) == ("passed", f"✅ {exercise(number).label}: correct!")

    @pytest.mark.parametrize("number,index", [(n, i) for n, answers in wrong.items() for i in range(len(answers))])
    def test_wrong_rejected(number: int, index: int) -> None:
        status, message = exercise(number).evaluate(wrong[number][index])
        assert status == "wrong", message

    @pytest.mark.parametrize("number", sorted(reference))
    def test_blank_rejected(number: int) -> None:
        assert exercise(number).evaluate(____)[0] == "blank"
        assert exercise(number).evaluate(lambda *args: ____)[0] == "blank"

    def test_every_exercise_is_tested() -> None:
        assert [e.number for e in exercises_of(lab)] == sorted(reference)

    return test_reference_passes, test_wrong_rejected, test_blank_rejected, test_every_exercise_is_tested
