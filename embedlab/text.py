"""Tokenisers the course shares: a simple English word splitter and jieba for Chinese."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?", re.IGNORECASE)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def tokenize_en(text: str) -> list[str]:
    """Lower-cased English word tokens (letters, digits, simple apostrophes); punctuation dropped."""
    return [t.lower() for t in _EN_WORD.findall(text)]


def segment_zh(text: str, *, keep_punctuation: bool = False) -> list[str]:
    """Chinese word segmentation with jieba (precise mode); drops white space and, by default, punctuation."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = [w.strip() for w in jieba.lcut(text)]
    if keep_punctuation:
        return [w for w in words if w]
    return [w for w in words if w and (_HAN.search(w) or re.search(r"\w", w))]


def split_sentences_zh(text: str) -> list[str]:
    """Split Chinese text into sentences at 。！？ and line breaks (empty pieces dropped)."""
    return [s.strip() for s in re.split(r"(?<=[。！？!?])|\n+", text) if s and s.strip()]


_SENTENCE_ZH = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’」』）)]*|\n+|$)")


def sentence_spans_zh(text: str) -> list[tuple[int, int]]:
    """Where each Chinese sentence of ``text`` starts and ends (character offsets, ``text[start:end]``).

    A sentence ends after 。！？!? (with any closing quotes or brackets right after them) or at a line
    break; spans exclude surrounding white space, and empty pieces are dropped. Offsets let a caller
    find the sentence that holds a given position, such as an annotated answer's start.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    spans = []
    for match in _SENTENCE_ZH.finditer(text):
        piece = match.group()
        if not piece.strip():
            continue
        start = match.start() + len(piece) - len(piece.lstrip())
        spans.append((start, match.end() - (len(piece) - len(piece.rstrip()))))
    return spans


def vocabulary(token_lists: Iterable[Iterable[str]], *, min_count: int = 1, max_size: int | None = None) -> dict[str, int]:
    """Word -> index for words seen at least ``min_count`` times, most frequent first (ties alphabetical)."""
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    if max_size is not None and max_size < 0:
        raise ValueError("max_size must be at least 0 (or None for no limit)")
    counts = Counter(t for tokens in token_lists for t in tokens)
    ranked = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return {w: i for i, w in enumerate(ranked[:max_size])}
