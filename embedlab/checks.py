"""Auto-checked exercises for the labs, in the spirit of Kaggle's learntools.

A lab cell looks like::

    def one_hot(word, vocab):
        return ____            # your code here

    lab01.ex1.check(one_hot)

``____`` is a placeholder: an exercise that still contains it reports "not answered
yet" instead of crashing, so an untouched lab runs to the end. Feedback comes in tiers:

1. a wrong answer gets a short, specific explanation of what is wrong (never a stack trace)
   and the names of the next two tiers;
2. ``lab01.ex1.hint()`` prints a hint that points at the idea, not at the code;
3. ``lab01.ex1.solution()`` prints a worked solution, only when asked.

Every result is printed, and, when ``EMBEDLAB_CHECK_LOG`` names a file, appended to it as
a JSON line (the tests use this). ``check`` returns a :class:`Verdict`, true when the
answer passed, which Jupyter does not echo under the printed message.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
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


class Verdict:
    """What :meth:`Exercise.check` returns: true when the answer passed, false otherwise.

    Use it like a bool (``ok = lab02.ex1.check(f)``, ``if ok: ...``). The message is already
    printed, so when a check is a cell's last line Jupyter shows nothing more: no ``True`` or
    ``False`` under the ✅.
    """

    __slots__ = ("label", "status", "message")

    def __init__(self, label: str, status: str, message: str) -> None:
        self.label, self.status, self.message = label, status, message

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"<{self.label}: {self.status}>"

    def _ipython_display_(self) -> None:
        """IPython/Jupyter display hook: the verdict was printed by ``check``, so display nothing."""


class Exercise:
    """One checked exercise: ``check(answer)`` prints a verdict and returns a true :class:`Verdict` when right.

    ``hint`` points at the idea; ``solution`` is the worked code, shown only by :meth:`solution`.
    """

    def __init__(self, lab: str, number: int, title: str, checker: Callable[..., None], hint: str,
                 solution: str = "") -> None:
        self.lab, self.number, self.title, self._checker = lab, number, title, checker
        self._hint = hint
        self._solution = textwrap.dedent(solution).strip("\n")

    @property
    def label(self) -> str:
        return f"{self.lab} exercise {self.number} ({self.title})"

    @property
    def name(self) -> str:
        """How a notebook names this exercise, e.g. ``lab05.ex3``."""
        digits = "".join(re.findall(r"\d+", self.lab))
        return f"lab{digits}.ex{self.number}"

    def _more(self) -> str:
        return f"   Stuck? {self.name}.hint() gives a hint; {self.name}.solution() shows a worked solution."

    def hint(self) -> None:
        """Print the hint (the idea, not the code)."""
        print(f"💡 Hint for {self.label}: {self._hint}\n   Still stuck? {self.name}.solution() shows a worked solution.")

    def solution(self) -> None:
        """Print a worked solution."""
        if not self._solution:
            print(f"📝 {self.label}: no worked solution is stored for this exercise.")
            return
        print(f"📝 A solution for {self.label}:\n\n{self._solution}")

    def evaluate(self, *answers: Any) -> tuple[str, str]:
        """The verdict without printing: ``(status, message)``, status one of passed/blank/wrong/error."""
        try:
            if any(is_blank(a) for a in answers):
                raise NotAnswered()
            self._checker(*answers)
        except NotAnswered:
            return "blank", f"⏳ {self.label}: not answered yet. Replace every ____ with your code."
        except Incorrect as wrong:
            return "wrong", f"❌ {self.label}: not yet. {wrong}\n{self._more()}"
        except Exception as err:  # noqa: BLE001 - a learner's bug becomes a short message
            where = traceback.extract_tb(err.__traceback__)[-1]
            return "error", (f"❌ {self.label}: your code raised {type(err).__name__}: {err} "
                             f"(line {where.lineno} of {where.name}).\n{self._more()}")
        return "passed", f"✅ {self.label}: correct!"

    def check(self, *answers: Any) -> Verdict:
        """Check the answer(s), print the verdict, and return it (true when right); never raises."""
        status, message = self.evaluate(*answers)
        print(message)
        self._log(status)
        return Verdict(self.label, status, message)

    def _log(self, status: str) -> None:
        path = os.environ.get("EMBEDLAB_CHECK_LOG")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"lab": self.lab, "exercise": self.number, "status": status}) + "\n")


def exercises_of(module: Any) -> list[Exercise]:
    """The :class:`Exercise` objects a lab's checker module defines, by number."""
    found = [v for v in vars(module).values() if isinstance(v, Exercise)]
    return sorted(found, key=lambda e: e.number)


class Prediction(Exercise):
    """An exercise where the learner predicts, runs a measurement, then checks: ``check(PREDICTION, measured)``.

    ``choices`` maps every accepted prediction to what it means; ``outcome(measured)`` says which choice the
    measurement supports (raising :class:`Incorrect` when ``measured`` is not what the measurement cell builds);
    ``explain(measured)`` says what was measured and why. The verdict explains the measurement either way: a right
    prediction passes, with the reason; a wrong one is recorded as wrong (it was), and its message is what was
    measured and why, not just ❌. A blank prediction stays "not answered yet", and so does a prediction whose
    measurement has not run (``measured`` is None), with a message that says so.
    """

    def __init__(self, lab: str, number: int, title: str, choices: dict[str, str], outcome: Callable[[Any], str],
                 explain: Callable[[Any], str], hint: str, solution: str = "") -> None:
        self.choices, self._outcome, self._explain = choices, outcome, explain
        super().__init__(lab, number, title, self._judge, hint, solution)

    def _choice(self, prediction) -> str:
        *first, last = [repr(c) for c in self.choices]
        names = f"{', '.join(first)} or {last}"
        expect(isinstance(prediction, str) and prediction.strip().lower() in self.choices,
               f"PREDICTION should be one of {names} (a string), got {prediction!r}")
        return prediction.strip().lower()

    def _judge(self, prediction, measured=None) -> None:
        choice = self._choice(prediction)
        if measured is None:
            raise NotAnswered()
        right = self._outcome(measured)
        expect(choice == right, f"you predicted {self.choices[choice]}, but the measurement says "
                                f"{self.choices[right]}.\n   {self._explain(measured)}\n   A prediction that misses "
                                "teaches the most: once you can say why, set PREDICTION to what you now expect and "
                                "check again.")

    def evaluate(self, *answers) -> tuple[str, str]:
        status, message = super().evaluate(*answers)
        prediction, measured = (list(answers) + [None, None])[:2]
        if status == "blank" and not is_blank(prediction) and measured is None:
            message = (f"⏳ {self.label}: your prediction ({prediction!r}) is noted, but the measurement above has "
                       "not run yet (it prints what it needs); run it, then this check again.")
        elif status == "passed":
            message = f"✅ {self.label}: correct!\n   {self._explain(measured)}"
        elif status == "wrong" and isinstance(prediction, str) and prediction.strip().lower() in self.choices:
            message = message.replace(": not yet. ", ": ", 1)  # a prediction is not "not yet": it was made
        return status, message
