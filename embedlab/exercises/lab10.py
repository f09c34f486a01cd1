"""Checkers for lab 10, an embedding service: percentiles from raw latencies, a validated request field, and a
prediction about micro-batching at concurrency 16."""

from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, NotAnswered, Prediction, call_answer, expect
from ..service import RequestError

# Latency samples (seconds): unsorted, with ties, a slow tail, and tiny samples where definitions differ most.
_SAMPLES = [
    [0.031, 0.012, 0.250, 0.018, 0.019, 0.022, 0.017, 0.040, 0.016, 0.021],
    [0.5],
    [0.2, 0.1],
    [0.010, 0.010, 0.010, 0.300, 0.011, 0.012, 0.013],
    list(np.random.default_rng(10).lognormal(mean=-3.5, sigma=0.6, size=203).round(5)),
]
_QS = [0, 50, 90, 95, 99, 100]


def _nearest_rank(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _unsorted_linear(values, q):
    position = q / 100 * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def _number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


# ------------------------------------------------------------------ exercise 1: percentiles
def _check_percentile(percentile) -> None:
    for values in _SAMPLES:
        for q in _QS:
            got = call_answer(percentile, list(values), q)
            expect(_number(got), f"return one number (a latency in the same unit as the input), got {type(got).__name__}")
            want = float(np.percentile(values, q))
            if abs(float(got) - want) <= 1e-9 * max(1.0, abs(want)):
                continue
            sample = f"{len(values)} latencies" if len(values) > 12 else str(list(values))
            said = f"percentile({sample}, {q}) should be {want:.6g}, you returned {float(got):.6g}"
            if abs(float(got) - _nearest_rank(values, q)) < 1e-12:
                raise Incorrect(f"{said}. That is the nearest-rank definition (a value of the sample); the course, like "
                                "numpy's default, interpolates linearly between the two closest ranks")
            if len(values) > 1 and abs(float(got) - _unsorted_linear(list(values), q)) < 1e-12:
                raise Incorrect(f"{said}. The latencies arrive in the order the requests finished: sort them first")
            if abs(float(got) - want * 100) < 1e-9 or abs(float(got) - float(np.percentile(values, q / 100))) < 1e-12:
                raise Incorrect(f"{said}. q is in percent (0 to 100): the position is q / 100 * (n - 1)")
            raise Incorrect(f"{said} (sort, then take position q / 100 * (n - 1) counted from 0, interpolating "
                            "between the two closest values)")


ex1 = Exercise("lab10", 1, "percentiles from raw latencies", _check_percentile,
               "sort the latencies. The q-th percentile sits at position q / 100 * (n - 1) of the sorted list, "
               "counted from 0; when that position falls between two values, go the same fraction of the way from "
               "the lower to the upper one (numpy's default, 'linear').",
               solution="""
               def percentile(latencies, q):
                   ordered = sorted(latencies)
                   position = q / 100 * (len(ordered) - 1)
                   low = int(position)                    # floor: the position is never negative
                   high = min(low + 1, len(ordered) - 1)
                   return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
               """)


# ------------------------------------------------------------------ exercise 2: a validated request field
_GOOD = [({}, True), ({"normalize": None}, True), ({"normalize": True}, True), ({"normalize": False}, False),
         ({"input": "x", "model": "m", "normalize": False}, False)]
_BAD = [{"normalize": "false"}, {"normalize": "yes"}, {"normalize": 1}, {"normalize": 0}, {"normalize": 1.0},
        {"normalize": []}, {"normalize": {"value": True}}]


def _check_normalize(parse_normalize) -> None:
    for body, want in _GOOD:
        try:
            got = call_answer(parse_normalize, dict(body))
        except RequestError as err:
            raise Incorrect(f"parse_normalize({body}) raised RequestError ({err.message!r}), but that body is fine: "
                            f"it should return {want}" + (" (a missing field or null means the default, True)"
                                                          if want and body.get("normalize") is not True else ""))
        expect(got is want, f"parse_normalize({body}) should return {want}, you returned {got!r}"
                            + (" (left out or null, the field takes its default: True)"
                               if "normalize" not in body or body["normalize"] is None else ""))
    for body in _BAD:
        value = body["normalize"]
        try:
            got = call_answer(parse_normalize, dict(body))
        except (NotAnswered, Incorrect):
            raise
        except RequestError as err:
            expect(400 <= err.status < 500, f"a bad value is the client's mistake: use a 4xx status (400), not {err.status}")
            expect("normalize" in err.message,
                   f"for {body} your message is {err.message!r}: name the field ('normalize') so the client knows "
                   "what to fix")
            expect(repr(value) in err.message or str(value) in err.message or type(value).__name__ in err.message,
                   f"for {body} your message is {err.message!r}: say what was sent (e.g. {value!r}) as well as what "
                   "is allowed")
            continue
        except Exception as err:  # noqa: BLE001 - the point of the exercise
            raise Incorrect(f"for {body} your function raised {type(err).__name__}; the service turns only RequestError "
                            "into a 4xx answer, any other exception becomes a 500 Internal Server Error. Raise "
                            "RequestError(message, param='normalize')") from None
        hint = (" In Python True == 1 and False == 0, so `value in (True, False)` lets 1 and 0 through: test the type, "
                "isinstance(value, bool)" if isinstance(value, (int, float)) else
                " A string is not a boolean: JSON has true and false, and \"false\" as text is a mistake to report")
        raise Incorrect(f"parse_normalize({body}) returned {got!r}; it should raise RequestError (a 400 naming "
                        f"the field).{hint}")


ex2 = Exercise("lab10", 2, "a new request field with validation", _check_normalize,
               "three cases: the field is missing or null (use the default), it is a JSON boolean (use it), or it is "
               "anything else (reject it with RequestError, naming the field and the value). Careful: in Python, 1 == "
               "True, and isinstance(True, int) is true too; only isinstance(value, bool) tells a boolean.",
               solution="""
               def parse_normalize(body):
                   value = body.get("normalize")
                   if value is None:
                       return True
                   if not isinstance(value, bool):
                       raise RequestError(f"'normalize' must be true or false, not {value!r}", param="normalize")
                   return value
               """)


# ------------------------------------------------------------------ exercise 3: predict micro-batching at 16
# The prediction is about what batching DOES (how many texts share a forward pass), which the service counts
# exactly; the throughput it buys is printed with it, but not judged: on a shared 2-core machine that ratio
# moves between about 1.1x and 3x from run to run, so a prediction about it would be a coin toss.
BATCHING_CHOICES = {
    "a": "about one text per forward pass (the requests rarely arrive together, so there is nothing to merge)",
    "b": "several texts per forward pass, but never more than 16",
    "c": "more than 16 texts per forward pass (the service fills its batches of up to 64)",
}


def _batching_outcome(measured) -> str:
    expect(isinstance(measured, dict) and {"on", "off", "texts_per_pass_on"} <= set(measured)
           and all(_number(measured[k]) and measured[k] > 0 for k in ("on", "off", "texts_per_pass_on")),
           "measured should be what the measurement cell builds: {'on': requests/s, 'off': requests/s, "
           "'texts_per_pass_on': texts per forward pass with batching, ...}, all > 0")
    per_pass = float(measured["texts_per_pass_on"])
    return "a" if per_pass < 1.5 else "b" if per_pass <= 16 else "c"


def _explain_batching(measured) -> str:
    on, off, per_pass = float(measured["on"]), float(measured["off"]), float(measured["texts_per_pass_on"])
    said = (f"Measured at concurrency 16: {per_pass:.1f} texts per forward pass with micro-batching (1.0 without); "
            f"{on:.1f} requests/s with it, {off:.1f} without ({on / off:.1f}x).")
    extra = (f" p95 latency: {measured['p95_on'] * 1000:.0f} ms with, {measured['p95_off'] * 1000:.0f} ms without."
             if _number(measured.get("p95_on")) and _number(measured.get("p95_off")) else "")
    return (f"{said}{extra}\n   Why: 16 clients each wait for their answer before sending the next request, so at most "
            "16 requests are ever in flight, and a batch can hold only the requests waiting at that moment: several, "
            "never more than 16, whatever the maximum batch size. Without batching each request is a forward pass of "
            "its own, paying the whole per-pass overhead (Python, tokenizer, PyTorch); with batching the waiting "
            "requests share one pass. How much throughput that buys depends on how much of a pass is overhead, and on "
            "what else the machine is doing: measure it on yours.")


ex3 = Prediction("lab10", 3, "predict: micro-batching at concurrency 16", BATCHING_CHOICES,
                 _batching_outcome, _explain_batching,
                 "count the requests that can be waiting at one moment: each of the 16 clients sends its next request "
                 "only when its previous answer came back. Can a batch hold requests that have not been sent yet?",
                 solution="""
                 PREDICTION = "b"
                 """)
