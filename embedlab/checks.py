"""Auto-checked exercises for the labs, in the spirit of Kaggle's learntools.

A lab cell looks like::

    def one_hot(word, vocab):
        return ____            # your code here

    lab01.ex1.check(one_hot)

``____`` is a placeholder: an exercise that still contains it reports "not answered
yet" instead of crashing, so an untouched lab runs to the end. A wrong answer gets a
short explanation and a hint, never a stack trace. Every result is printed, and, when
``EMBEDLAB_CHECK_LOG`` names a file, appended to it as a JSON line (the tests use this).
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable
from typing import Any


class _Blank:
    """The ``____`` placeholder a lab leaves for the learner to fill in."""

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        raise NotAnswered()


____ = _Blank()


class NotAnswered(Exception):
    """The answer still contains the ``____`` placeholder."""


class Incorrect(AssertionError):
    """The answer is wrong; the message says how, in words a learner can use."""


def is_blank(value: Any) -> bool:
    """True for the placeholder itself, or a tuple/list that contains it."""
    if isinstance(value, _Blank):
        return True
    return isinstance(value, (tuple, list)) and any(isinstance(v, _Blank) for v in value)


def expect(condition: bool, message: str) -> None:
    """Raise :class:`Incorrect` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Incorrect(message)


def call_answer(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a learner's function; a ``____`` result or ``NotImplementedError`` means "not answered"."""
    if is_blank(func):
        raise NotAnswered()
    if not callable(func):
        raise Incorrect(f"expected a function, got {type(func).__name__}")
    try:
        result = func(*args, **kwargs)
    except NotImplementedError:
        raise NotAnswered() from None
    if is_blank(result):
        raise NotAnswered()
    return result


class Exercise:
    """One checked exercise: ``check(answer)`` prints a verdict and returns ``True`` when right."""

    def __init__(self, lab: str, number: int, title: str, checker: Callable[..., None], hint: str) -> None:
        self.lab, self.number, self.title, self._checker, self._hint = lab, number, title, checker, hint

    @property
    def label(self) -> str:
        return f"{self.lab} exercise {self.number} ({self.title})"

    def hint(self) -> None:
        """Print the hint."""
        print(f"💡 Hint for {self.label}: {self._hint}")

    def evaluate(self, *answers: Any) -> tuple[str, str]:
        """The verdict without printing: ``(status, message)``, status one of passed/blank/wrong/error."""
        try:
            if any(is_blank(a) for a in answers):
                raise NotAnswered()
            self._checker(*answers)
        except NotAnswered:
            return "blank", f"⏳ {self.label}: not answered yet. Replace every ____ with your code."
        except Incorrect as wrong:
            return "wrong", f"❌ {self.label}: not yet. {wrong}\n   Hint: {self._hint}"
        except Exception as err:  # noqa: BLE001 - a learner's bug becomes a short message
            where = traceback.extract_tb(err.__traceback__)[-1]
            return "error", (f"❌ {self.label}: your code raised {type(err).__name__}: {err} "
                             f"(line {where.lineno} of {where.name}).\n   Hint: {self._hint}")
        return "passed", f"✅ {self.label}: correct!"

    def check(self, *answers: Any) -> bool:
        """Check the answer(s), print the verdict, and return ``True`` when right; never raises."""
        status, message = self.evaluate(*answers)
        print(message)
        self._log(status)
        return status == "passed"

    def _log(self, status: str) -> None:
        path = os.environ.get("EMBEDLAB_CHECK_LOG")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"lab": self.lab, "exercise": self.number, "status": status}) + "\n")


def exercises_of(module: Any) -> list[Exercise]:
    """The :class:`Exercise` objects a lab's checker module defines, by number."""
    found = [v for v in vars(module).values() if isinstance(v, Exercise)]
    return sorted(found, key=lambda e: e.number)
