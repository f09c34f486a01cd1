"""Lab 10's checkers accept the reference answers and reject wrong and blank ones, each with its own message."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedlab.checks import ____
from embedlab.exercises import lab10
from embedlab.service import RequestError

from checker_suite import checker_suite


def percentile(latencies, q):
    ordered = sorted(latencies)
    position = q / 100 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def parse_normalize(body):
    value = body.get("normalize")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise RequestError(f"'normalize' must be true or false, not {value!r}", param="normalize")
    return value


def nearest_rank(latencies, q):
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def unsorted(latencies, q):
    position = q / 100 * (len(latencies) - 1)
    low = int(position)
    high = min(low + 1, len(latencies) - 1)
    return latencies[low] + (latencies[high] - latencies[low]) * (position - low)


def fraction_q(latencies, q):
    return percentile(latencies, q / 100)


def lower_value(latencies, q):
    return sorted(latencies)[int(q / 100 * (len(latencies) - 1))]


def accepts_ints(body):
    value = body.get("normalize")
    if value is None:
        return True
    if value not in (True, False):
        raise RequestError(f"'normalize' must be true or false, not {value!r}", param="normalize")
    return bool(value)


def accepts_strings(body):
    value = body.get("normalize", True)
    if isinstance(value, str):
        return value.lower() == "true"
    if value is None:
        return True
    if not isinstance(value, bool):
        raise RequestError(f"'normalize' must be true or false, not {value!r}", param="normalize")
    return value


def raises_value_error(body):
    value = body.get("normalize")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ValueError(f"'normalize' must be true or false, not {value!r}")
    return value


def null_is_false(body):
    value = body.get("normalize", True)
    if value is not None and not isinstance(value, bool):
        raise RequestError(f"'normalize' must be true or false, not {value!r}", param="normalize")
    return bool(value)


def vague_message(body):
    value = body.get("normalize")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise RequestError("bad request")
    return value


def status_500(body):
    value = body.get("normalize")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise RequestError(f"'normalize' must be true or false, not {value!r}", status=500)
    return value


def no_value_in_message(body):
    value = body.get("normalize")
    if value is None:
        return True
    if not isinstance(value, bool):
        raise RequestError("'normalize' must be a boolean", param="normalize")
    return value


MEASURED = {"on": 120.0, "off": 40.0, "p95_on": 0.2, "p95_off": 0.6, "texts_per_pass_on": 7.5}
REFERENCE = {1: percentile, 2: parse_normalize}
WRONG = {1: [nearest_rank, unsorted, fraction_q, lower_value, lambda lat, q: float(np.mean(lat))],
         2: [accepts_ints, accepts_strings, raises_value_error, null_is_false, vague_message, status_500,
             no_value_in_message, lambda body: body.get("normalize", True)]}

_reference_passes, test_wrong_rejected, _blank_rejected, _every = checker_suite(lab10, REFERENCE, WRONG)


@pytest.mark.parametrize("number", sorted(REFERENCE))
def test_reference_passes(number: int) -> None:
    exercise = getattr(lab10, f"ex{number}")
    assert exercise.evaluate(REFERENCE[number]) == ("passed", f"✅ {exercise.label}: correct!")


@pytest.mark.parametrize("number", sorted(REFERENCE))
def test_blank_rejected(number: int) -> None:
    exercise = getattr(lab10, f"ex{number}")
    assert exercise.evaluate(____)[0] == "blank"
    assert exercise.evaluate(lambda *args: ____)[0] == "blank"


def test_every_exercise_is_tested() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab10)] == [1, 2, 3]


def test_reference_percentile_is_numpy() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 100):
        values = list(rng.exponential(0.05, size=n))
        for q in (0, 1, 50, 95, 99, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


@pytest.mark.parametrize("answer, words", [
    (nearest_rank, "nearest-rank"),
    (unsorted, "sort them first"),
    (fraction_q, "q is in percent"),
], ids=["nearest-rank", "unsorted", "fraction"])
def test_ex1_names_the_mistake(answer, words) -> None:
    status, message = lab10.ex1.evaluate(answer)
    assert status == "wrong" and words in message, message


@pytest.mark.parametrize("answer, words", [
    (accepts_ints, "isinstance(value, bool)"),
    (accepts_strings, "A string is not a boolean"),
    (raises_value_error, "500 Internal Server Error"),
    (null_is_false, "default: True"),
    (vague_message, "name the field"),
    (status_500, "4xx"),
    (no_value_in_message, "say what was sent"),
], ids=["ints", "strings", "value-error", "null-false", "vague", "status-500", "no-value"])
def test_ex2_names_the_mistake(answer, words) -> None:
    status, message = lab10.ex2.evaluate(answer)
    assert status == "wrong" and words in message, message


def test_ex2_not_callable() -> None:
    status, message = lab10.ex2.evaluate(42)
    assert status == "wrong" and "expected a function" in message


# ---------------------------------------------------------------- exercise 3: the prediction
def test_ex3_right_prediction_passes_with_the_measurement() -> None:
    status, message = lab10.ex3.evaluate("b", dict(MEASURED))
    assert status == "passed" and message.startswith(f"✅ {lab10.ex3.label}: correct!")
    assert "7.5 texts per forward pass" in message and "120.0 requests/s" in message and "3.0x" in message
    assert "600 ms without" in message


@pytest.mark.parametrize("prediction", ["a", "c"])
def test_ex3_wrong_prediction_explains(prediction) -> None:
    status, message = lab10.ex3.evaluate(prediction, dict(MEASURED))
    assert status == "wrong" and "the measurement says" in message and "never more than 16" in message


@pytest.mark.parametrize("per_pass, right", [(1.0, "a"), (1.49, "a"), (1.5, "b"), (8.0, "b"), (16.0, "b"),
                                             (16.5, "c"), (40.0, "c")])
def test_ex3_outcome_follows_the_texts_per_pass(per_pass, right) -> None:
    for choice in "abc":
        measured = {"on": 100, "off": 90, "texts_per_pass_on": per_pass}
        assert lab10.ex3.evaluate(choice, measured)[0] == ("passed" if choice == right else "wrong")


def test_ex3_throughput_alone_does_not_decide() -> None:
    """A big or small speed-up does not change the verdict: the texts per pass do."""
    for on, off in [(500, 50), (100, 100), (20, 100)]:
        assert lab10.ex3.evaluate("b", {"on": on, "off": off, "texts_per_pass_on": 6.0})[0] == "passed"


def test_ex3_blank_and_unmeasured() -> None:
    assert lab10.ex3.evaluate(____, None)[0] == "blank"
    assert lab10.ex3.evaluate(____, dict(MEASURED))[0] == "blank"
    status, message = lab10.ex3.evaluate("b", None)
    assert status == "blank" and "has not run yet" in message


@pytest.mark.parametrize("measured", [{"on": 10}, {"on": 0, "off": 3, "texts_per_pass_on": 4},
                                      {"on": "fast", "off": 1, "texts_per_pass_on": 4}, {"on": 10, "off": 3}, [10, 3]])
def test_ex3_rejects_a_malformed_measurement(measured) -> None:
    status, message = lab10.ex3.evaluate("a", measured)
    assert status == "wrong" and "measurement cell builds" in message


@pytest.mark.parametrize("prediction", ["d", "yes", 1])
def test_ex3_rejects_an_unknown_choice(prediction) -> None:
    status, message = lab10.ex3.evaluate(prediction, dict(MEASURED))
    assert status == "wrong" and "PREDICTION should be one of" in message
