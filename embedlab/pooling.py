"""From token vectors to one sentence vector: the pooling strategies, written out by hand.

A BERT-style encoder returns one vector per token, shape ``(batch, seq_len, dim)``,
plus an ``attention_mask`` (1 = real token, 0 = padding). A *pooling* turns that into
one vector per sentence:

* :func:`cls_pool` -- the vector of the first token (``[CLS]``);
* :func:`mean_pool` -- the average of the real tokens (padding masked out), what
  sentence-transformers' ``Pooling(pooling_mode_mean_tokens=True)`` does;
* :func:`max_pool` -- the element-wise maximum over the real tokens;
* :func:`mean_pool_unmasked` -- the average over *every* position, padding included:
  the bug :func:`mean_pool` avoids (its result depends on what else is in the batch).

:class:`TokenEncoder` runs a Hugging Face ``AutoModel`` on batches of texts and returns
every pooling from one forward pass, so pooling can be compared as a controlled
experiment (same model, same tokens, only the pooling changes). The functions work
on numpy arrays; torch tensors are converted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

POOLINGS = ("cls", "mean", "max", "mean_unmasked")
"""Pooling names :func:`pool` and :class:`TokenEncoder` understand."""


def _check(token_vectors, attention_mask) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert ``(batch, seq, dim)`` vectors and a ``(batch, seq)`` 0/1 mask."""
    vectors = np.asarray(token_vectors.detach().cpu() if hasattr(token_vectors, "detach") else token_vectors,
                         dtype=np.float32)
    mask = np.asarray(attention_mask.detach().cpu() if hasattr(attention_mask, "detach") else attention_mask)
    if vectors.ndim != 3:
        raise ValueError(f"token_vectors must have shape (batch, seq_len, dim), got {vectors.shape}")
    if mask.shape != vectors.shape[:2]:
        raise ValueError(f"attention_mask shape {mask.shape} does not match token_vectors {vectors.shape[:2]}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError("attention_mask must contain only 0 (padding) and 1 (real token)")
    if (mask.sum(axis=1) == 0).any():
        raise ValueError("a row of attention_mask has no real token (all zeros)")
    return vectors, mask.astype(np.float32)


def cls_pool(token_vectors, attention_mask) -> np.ndarray:
    """The first token's vector (``[CLS]`` for BERT tokenisers): shape ``(batch, dim)``."""
    vectors, _ = _check(token_vectors, attention_mask)
    return vectors[:, 0, :].copy()


def mean_pool(token_vectors, attention_mask) -> np.ndarray:
    """Average of the real tokens' vectors (padding excluded by the mask): ``(batch, dim)``."""
    vectors, mask = _check(token_vectors, attention_mask)
    summed = (vectors * mask[:, :, None]).sum(axis=1)
    return summed / mask.sum(axis=1, keepdims=True)


def max_pool(token_vectors, attention_mask) -> np.ndarray:
    """Element-wise maximum over the real tokens (padding can never win): ``(batch, dim)``."""
    vectors, mask = _check(token_vectors, attention_mask)
    return np.where(mask[:, :, None] > 0, vectors, -np.inf).max(axis=1)


def mean_pool_unmasked(token_vectors, attention_mask=None) -> np.ndarray:
    """Average over every position, padding included -- shown only to see why the mask matters."""
    if attention_mask is None:
        vectors = np.asarray(token_vectors, dtype=np.float32)
        if vectors.ndim != 3:
            raise ValueError(f"token_vectors must have shape (batch, seq_len, dim), got {vectors.shape}")
    else:
        vectors, _ = _check(token_vectors, attention_mask)
    return vectors.mean(axis=1)


_POOL_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "cls": cls_pool, "mean": mean_pool, "max": max_pool, "mean_unmasked": mean_pool_unmasked,
}


def pool(token_vectors, attention_mask, how: str = "mean") -> np.ndarray:
    """Apply the pooling named ``how`` (one of :data:`POOLINGS`)."""
    if how not in _POOL_FUNCTIONS:
        raise ValueError(f"unknown pooling {how!r}; choose from {', '.join(POOLINGS)}")
    return _POOL_FUNCTIONS[how](token_vectors, attention_mask)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row raises), so a dot product is the cosine."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    if (norms == 0).any():
        raise ValueError("cannot normalise a zero vector")
    return vectors / norms


class TokenEncoder:
    """A Hugging Face tokenizer + ``AutoModel`` from a local folder, returning token vectors and poolings.

    ``max_length`` truncates long texts (256 is what sentence-transformers uses for
    all-MiniLM-L6-v2, 512 for multilingual-e5-small). Runs on the CPU, without gradients.
    """

    def __init__(self, folder: str | Path, *, max_length: int = 256, model_kwargs: dict | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        if not Path(folder).is_dir():
            raise FileNotFoundError(f"model folder {folder} does not exist")
        self.folder, self.max_length = str(folder), max_length
        self.tokenizer = AutoTokenizer.from_pretrained(self.folder)
        # model_kwargs go to AutoModel.from_pretrained, e.g. {"add_pooling_layer": False} for a folder with no pooler
        self.model = AutoModel.from_pretrained(self.folder, **(model_kwargs or {})).eval()
        self._torch = torch

    def tokenize(self, texts: Sequence[str]):
        """The padded, truncated batch (``input_ids``, ``attention_mask``, ...) as torch tensors."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError("tokenize() takes a list of strings")
        return self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                              return_tensors="pt")

    def token_vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(last hidden states (batch, seq, dim), attention mask (batch, seq))`` of one padded batch."""
        batch = self.tokenize(texts)
        with self._torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state
        return hidden.float().numpy(), batch["attention_mask"].numpy()

    def encode(self, texts: Sequence[str], poolings: Sequence[str] = POOLINGS, *, batch_size: int = 32,
               show_progress: bool | None = None) -> dict[str, np.ndarray]:
        """Every requested pooling of ``texts`` from one forward pass per batch: ``{name: (n, dim)}``.

        Batches are taken in the order given (not sorted by length), so the padding a
        text gets depends on its neighbours -- which only ``mean_unmasked`` notices.
        Vectors are not normalised.
        """
        unknown = [p for p in poolings if p not in _POOL_FUNCTIONS]
        if unknown or not poolings:
            raise ValueError(f"poolings must be a non-empty subset of {POOLINGS}, got {list(poolings)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        texts = list(texts)
        out = {p: np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32) for p in poolings}
        from tqdm.auto import tqdm

        starts = range(0, len(texts), batch_size)
        progress = show_progress if show_progress is not None else len(texts) > 4 * batch_size
        for start in tqdm(starts, desc="forward pass", unit="batch", disable=not progress):
            hidden, mask = self.token_vectors(texts[start : start + batch_size])
            for name in poolings:
                out[name][start : start + len(hidden)] = pool(hidden, mask, name)
        return out
