"""Online sources: upstream layouts converted to the course layout, MTEB tables built by the pinned mteb.

Nothing here touches the network. Upstream files are written here in the upstream layout
(Hugging Face parquet with the C-MTEB columns; MTEB's and BEIR's jsonl/tsv), derived from the
course's own copies, and the conversion must give back the course file byte for byte
(its pinned SHA-256). The tiny fixtures check that bad upstream input fails clearly.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab import data, env
from embedlab.data import convert, mteb_tables, store, upstream
from embedlab.data.registry import CN_PAIRS_HUB, REGISTRY, SCIFACT_HUB, Built, Copy, DataFile, GitHubFile, HubFiles

SHARED = Path(os.environ.get("EMBEDLAB_DATA_DIR", env.PROJECT_ROOT.parent / "shared" / "data"))
needs_shared = pytest.mark.skipif(not (SHARED / "SHA256SUMS").exists(), reason="course data folder not present")


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def course_bytes(key: str) -> bytes:
    return (SHARED / REGISTRY[key].path).read_bytes()


def write_pairs_parquet(path: Path, rows: list[tuple], score_type: pa.DataType = pa.int64()) -> Path:
    """A parquet file as the C-MTEB repositories hold them (data/<split>-00000-of-00001.parquet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({
        "sentence1": [r[0] for r in rows],
        "sentence2": [r[1] for r in rows],
        "score": pa.array([r[2] for r in rows], score_type),
    })
    pq.write_table(table, path)
    return path


# ------------------------------------------------------------------ pins agree with the installed mteb
def test_hub_pins_are_the_installed_mteb_pins() -> None:
    import mteb

    task_names = {"ATEC": "ATEC", "BQ": "BQ", "LCQMC": "LCQMC", "PAWSX": "PAWSX", "STS-B": "STSB"}
    for course_name, (repo, revision) in CN_PAIRS_HUB.items():
        pinned = mteb.get_task(task_names[course_name]).metadata.dataset
        assert (repo, revision) == (pinned["path"], pinned["revision"]), course_name
    pinned = mteb.get_task("SciFact").metadata.dataset
    assert SCIFACT_HUB == (pinned["path"], pinned["revision"])
    assert mteb.__version__ == mteb_tables.MTEB_VERSION


def test_hub_sources_name_the_pinned_split_files() -> None:
    for key, item in REGISTRY.items():
        if key.startswith("cn-pairs-"):
            split = key.rsplit("-", 1)[1]
            hub_split = {"test": "test", "valid": "validation", "train": "train"}[split]
            assert item.source.files == (f"data/{hub_split}-*.parquet",) and item.source.converter == "cn_pairs"
            assert len(item.source.revision) == 40
    assert REGISTRY["scifact-qrels-test"].source.files == ("qrels/test.tsv|qrels/test.jsonl",)


# ------------------------------------------------------------------ C-MTEB pairs: parquet -> tab-separated
@needs_shared
@pytest.mark.parametrize("key", [k for k in REGISTRY if k.startswith("cn-pairs-")])
def test_cn_pairs_parquet_converts_to_the_course_file(tmp_path: Path, key: str) -> None:
    rows = [line.split("\t") for line in course_bytes(key).decode("utf-8").split("\n") if line]
    upstream_file = write_pairs_parquet(tmp_path / "data" / "test-00000-of-00001.parquet",
                                        [(a, b, int(c)) for a, b, c in rows])
    assert sha(convert.cn_pairs([upstream_file])) == REGISTRY[key].copies[0].sha256


def test_cn_pairs_reads_shards_in_order_and_writes_integer_labels(tmp_path: Path) -> None:
    first = write_pairs_parquet(tmp_path / "test-00000-of-00002.parquet", [("我爱猫", "我喜欢猫", 1.0)], pa.float64())
    second = write_pairs_parquet(tmp_path / "test-00001-of-00002.parquet", [("下雨", "股票", 0), ("a", "b", 5)])
    assert convert.cn_pairs([first, second]) == "我爱猫\t我喜欢猫\t1\n下雨\t股票\t0\na\tb\t5\n".encode()
    fractional = write_pairs_parquet(tmp_path / "f.parquet", [("a", "b", 3.8)], pa.float64())
    assert convert.cn_pairs([fractional]) == b"a\tb\t3.8\n"


def test_cn_pairs_rejects_bad_upstream_input(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"text_a": ["x"], "text_b": ["y"], "label": [1]}), wrong)
    with pytest.raises(ValueError, match="no column sentence1, sentence2, score"):
        convert.cn_pairs([wrong])
    tab = write_pairs_parquet(tmp_path / "tab.parquet", [("ok", "has\ta tab", 1)])
    with pytest.raises(ValueError, match=r"tab.parquet row 1: sentence2 contains a tab"):
        convert.cn_pairs([tab])
    empty = write_pairs_parquet(tmp_path / "empty.parquet", [])
    with pytest.raises(ValueError, match="no rows"):
        convert.cn_pairs([empty])
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_text("hello")
    with pytest.raises(ValueError, match="not a readable parquet file"):
        convert.cn_pairs([not_parquet])
    nan = write_pairs_parquet(tmp_path / "nan.parquet", [("a", "b", float("nan"))], pa.float64())
    with pytest.raises(ValueError, match="score is missing"):
        convert.cn_pairs([nan])


# ------------------------------------------------------------------ SciFact: MTEB / BEIR layout -> course layout
def mteb_jsonl(lines: list[str]) -> str:
    """MTEB's mteb/scifact files: the same records, UTF-8 (not ASCII-escaped), no BEIR metadata."""
    return "".join(json.dumps(json.loads(line), ensure_ascii=False) + "\n" for line in lines)


def beir_jsonl(lines: list[str]) -> str:
    """BEIR's scifact.zip files: a "metadata" field on every record, CRLF line ends."""
    return "".join(json.dumps({**json.loads(line), "metadata": {}}) + "\r\n" for line in lines)


@needs_shared
@pytest.mark.parametrize("layout", [mteb_jsonl, beir_jsonl])
@pytest.mark.parametrize("part", ["corpus", "queries"])
def test_scifact_jsonl_converts_to_the_course_file(tmp_path: Path, layout, part: str) -> None:
    key = f"scifact-{part}"
    upstream_file = tmp_path / f"{part}.jsonl"
    upstream_file.write_text(layout(course_bytes(key).decode("utf-8").splitlines()), encoding="utf-8")
    converted = convert.CONVERTERS[REGISTRY[key].source.converter]([upstream_file])
    assert sha(converted) == REGISTRY[key].copies[0].sha256


@needs_shared
@pytest.mark.parametrize("split", ["test", "train"])
def test_scifact_qrels_tsv_and_jsonl_convert_to_the_course_file(tmp_path: Path, split: str) -> None:
    key = f"scifact-qrels-{split}"
    text = course_bytes(key).decode("utf-8")
    crlf = tmp_path / f"{split}.tsv"
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    assert sha(convert.beir_qrels([crlf])) == REGISTRY[key].copies[0].sha256
    jsonl = tmp_path / f"{split}.jsonl"
    jsonl.write_text("".join(json.dumps({"query-id": q, "corpus-id": c, "score": float(s)}) + "\n"
                             for q, c, s in (line.split("\t") for line in text.splitlines()[1:])))
    assert sha(convert.beir_qrels([jsonl])) == REGISTRY[key].copies[0].sha256


def test_beir_converters_reject_bad_upstream_input(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"_id": "1", "title": "T", "text": "ok"}\n{"_id": "2", "text": "no title"}\n')
    with pytest.raises(ValueError, match="corpus.jsonl line 2: no field title"):
        convert.beir_corpus([corpus])
    corpus.write_text('{"_id": "1", "title": "T", "text": "ok"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2: not JSON"):
        convert.beir_corpus([corpus])
    qrels = tmp_path / "test.tsv"
    qrels.write_text("qid\tdocid\trel\n1\t2\t1\n")
    with pytest.raises(ValueError, match="expected the header"):
        convert.beir_qrels([qrels])
    qrels.write_text("query-id\tcorpus-id\tscore\n1\t2\n")
    with pytest.raises(ValueError, match="line 2: expected 3 tab-separated fields"):
        convert.beir_qrels([qrels])
    qrels.write_text("query-id\tcorpus-id\tscore\n1\t2\thigh\n")
    with pytest.raises(ValueError, match="'high' is not a number"):
        convert.beir_qrels([qrels])
    with pytest.raises(ValueError, match="exactly one upstream file"):
        convert.beir_queries([])


def test_beir_converter_keeps_the_course_fields_only(tmp_path: Path) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"_id": 7, "text": "β-cells", "metadata": {"x": 1}}\n', encoding="utf-8")
    assert convert.beir_queries([queries]) == b'{"_id": "7", "text": "\\u03b2-cells"}\n'


# ------------------------------------------------------------------ fetching from the hub (network replaced)
def test_match_files_tries_alternatives_and_names_what_is_there() -> None:
    source = HubFiles("org/set", "a" * 40, ("data/test-*.parquet", "qrels/test.tsv|qrels/test.jsonl"), "cn_pairs")
    names = ["README.md", "data/test-00001-of-00002.parquet", "data/test-00000-of-00002.parquet", "qrels/test.jsonl"]
    assert upstream.match_files(source, names) == [
        ["data/test-00000-of-00002.parquet", "data/test-00001-of-00002.parquet"], ["qrels/test.jsonl"]]
    with pytest.raises(upstream.UpstreamError, match=r"no file matching 'data/test-\*.parquet' \(its files: README.md\)"):
        upstream.match_files(source, ["README.md"])


def hub_entry(content: bytes) -> DataFile:
    return DataFile("toy-pairs", "toy", None, (Copy("toy/pairs.data", sha(content), "pinned"),), "CC0", "nobody",
                    source=HubFiles("org/pairs", "b" * 40, ("data/test-*.parquet",), "cn_pairs"))


def test_fetch_converts_hub_files_verifies_and_saves_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    parquet = write_pairs_parquet(tmp_path / "hub" / "test-00000-of-00001.parquet", [("猫", "狗", 0), ("a", "a", 1)])
    asked = []
    monkeypatch.setattr(upstream, "hub_files", lambda source: asked.append(source) or [[parquet]])
    item = hub_entry("猫\t狗\t0\na\ta\t1\n".encode())
    root = tmp_path / "data"
    path = data.fetch(item, root)
    assert path == root / "toy/pairs.data" and path.read_text(encoding="utf-8") == "猫\t狗\t0\na\ta\t1\n"
    assert [p.name for p in path.parent.iterdir()] == ["pairs.data"]  # no temporary file left behind
    assert asked == [item.source]
    assert data.fetch(item, root) == path and len(asked) == 1  # verified copy: no second download


def test_fetch_saves_nothing_when_the_conversion_differs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    parquet = write_pairs_parquet(tmp_path / "test.parquet", [("changed", "upstream", 1)])
    monkeypatch.setattr(upstream, "hub_files", lambda source: [[parquet]])
    root = tmp_path / "data"
    with pytest.raises(store.ChecksumError, match="nothing was saved"):
        data.fetch(hub_entry(b"the course's bytes\n"), root)
    assert not (root / "toy/pairs.data").exists() and list((root / "toy").iterdir()) == []


def test_fetch_reports_an_unexpected_upstream_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    wrong = tmp_path / "test.parquet"
    pq.write_table(pa.table({"text": ["x"]}), wrong)
    monkeypatch.setattr(upstream, "hub_files", lambda source: [[wrong]])
    with pytest.raises(store.DataError, match="Could not convert 'toy-pairs'.*no column sentence1"):
        data.fetch(hub_entry(b"x"), tmp_path / "data")


def test_fetch_offline_does_not_touch_the_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", False)
    monkeypatch.setattr(upstream, "hub_files", lambda source: pytest.fail("offline: no hub access"))
    with pytest.raises(store.DataError, match="offline") as err:
        data.fetch(hub_entry(b"x"), tmp_path)
    assert "huggingface.co/datasets/org/pairs" in str(err.value) and str(tmp_path / "toy/pairs.data") in str(err.value)


def test_fetch_never_overwrites_a_file_that_appears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    parquet = write_pairs_parquet(tmp_path / "test.parquet", [("a", "b", 1)])
    item = hub_entry(b"a\tb\t1\n")
    target = tmp_path / "data" / "toy/pairs.data"

    def hub_then_someone_writes(source):
        target.parent.mkdir(parents=True)
        target.write_bytes(b"a\tb\t1\n")  # e.g. a second process finished first; not ours to replace
        return [[parquet]]

    monkeypatch.setattr(upstream, "hub_files", hub_then_someone_writes)
    with pytest.raises(store.DataError, match="refusing to overwrite"):
        store.produce(item, tmp_path / "data")
    assert target.read_bytes() == b"a\tb\t1\n"


# ------------------------------------------------------------------ MTEB tables
def test_model_meta_table_is_built_by_the_pinned_mteb() -> None:
    built = mteb_tables.build_model_meta()
    assert sha(built) == REGISTRY["mteb-model-meta"].copies[0].sha256


def test_model_meta_table_builds_offline_into_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", False)
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(tmp_path))
    table = data.load_mteb_table("model_meta")  # the loader fetches, which builds it here
    assert len(table) == 969 and "sentence-transformers/all-MiniLM-L6-v2" in set(table["name"])
    assert data.locate("mteb-model-meta", tmp_path).path == tmp_path / "mteb/mteb_model_meta.csv"


def test_mteb_version_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import mteb

    monkeypatch.setattr(mteb, "__version__", "9.9.9")
    with pytest.raises(mteb_tables.BuildError, match=r"pinned to mteb 2.26.24, but mteb 9.9.9 .*pip install mteb==2.26.24"):
        mteb_tables.build_model_meta()


@needs_shared
@pytest.mark.parametrize("short", list(mteb_tables.BENCHMARKS))
def test_per_task_table_serialises_to_the_course_file(short: str) -> None:
    key = f"mteb-{short.replace('_', '-')}-per-task"
    course = pd.read_csv(SHARED / REGISTRY[key].path)
    scores = [c for c in course.columns if c != "Model"]
    upstream_table = course.copy()
    upstream_table[scores] = upstream_table[scores] / 100  # mteb's table holds 0-1 scores, in its own order
    upstream_table = upstream_table.sample(frac=1, random_state=0)[["Model", *reversed(scores)]]
    assert sha(mteb_tables.per_task_csv(upstream_table)) == REGISTRY[key].copies[0].sha256


@needs_shared
@pytest.mark.parametrize("short", list(mteb_tables.BENCHMARKS))
def test_summary_table_serialises_to_the_course_file(short: str) -> None:
    key = f"mteb-{short.replace('_', '-')}-summary"
    course = pd.read_csv(SHARED / REGISTRY[key].path)

    def value(v):
        return None if pd.isna(v) else v

    metas = {row["Model"]: {"license": value(row["License"]), "open_weights": bool(row["Open Weights"]),
                            "reference": value(row["Reference"])} for _, row in course.iterrows()}
    upstream_table = course.drop(columns=list(mteb_tables.SUMMARY_EXTRA))
    for column in upstream_table.columns:
        if column not in mteb_tables._NOT_SCORES:
            upstream_table[column] = upstream_table[column] / 100
    assert sha(mteb_tables.summary_csv(upstream_table, metas)) == REGISTRY[key].copies[0].sha256
    with pytest.raises(ValueError, match="mteb's order"):
        mteb_tables.summary_csv(upstream_table.iloc[::-1], metas)
    with pytest.raises(ValueError, match="no metadata for model"):
        mteb_tables.summary_csv(upstream_table, {})


def test_leaderboard_tables_need_the_network_and_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", False)
    item = REGISTRY["mteb-eng-v2-summary"]
    assert isinstance(item.source, Built) and item.source.needs_network
    with pytest.raises(store.DataError, match="offline") as err:
        data.fetch(item, tmp_path)
    assert "f4cc6c8" in str(err.value) and "EMBEDLAB_DATA_DIR" in str(err.value)
    with pytest.raises(mteb_tables.BuildError, match="needs the network"):
        mteb_tables.results_checkout(tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_leaderboard_build_is_verified_before_saving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    item = REGISTRY["mteb-cmn-v1-per-task"]
    monkeypatch.setitem(mteb_tables.BUILDERS, "mteb-leaderboard", lambda entry: b"Model,AFQMC\r\nx,1.00\r\n")
    with pytest.raises(store.ChecksumError, match="nothing was saved"):
        data.fetch(item, tmp_path)
    assert not (tmp_path / item.path).exists()
    if (SHARED / item.path).exists():
        monkeypatch.setitem(mteb_tables.BUILDERS, "mteb-leaderboard", lambda entry: course_bytes(entry.key))
        assert data.fetch(item, tmp_path).read_bytes() == course_bytes(item.key)


def test_legacy_board_downloads_are_pinned_by_digest() -> None:
    legacy = [item for key, item in REGISTRY.items() if key.startswith("mteb-legacy-")]
    assert len(legacy) == 16
    for item in legacy:
        suffix = item.path.removeprefix("mteb/legacy_board/")
        assert item.url == f"https://raw.githubusercontent.com/embeddings-benchmark/leaderboard/main/{suffix}"
        assert len(item.copies) == 1 and len(item.copies[0].sha256) == 64


# ------------------------------------------------------------------ the two novels: GitHub copies at a pinned commit
def test_crlf_text_normalises_encoding_line_ends_and_puts_the_prefix_first() -> None:
    want = "《西游记》\r\n\r\n第一回\r\n诗曰：\r\n".encode()
    assert convert.crlf_text("第一回\n诗曰：\n".encode(), "《西游记》\n\n") == want            # LF
    assert convert.crlf_text("第一回\r\n诗曰：\r\n".encode(), "《西游记》\n\n") == want        # CRLF already
    assert convert.crlf_text("第一回\r诗曰：\r".encode(), "《西游记》\r\n\r\n") == want        # old Mac CR
    assert convert.crlf_text("\ufeff第一回\n诗曰：\n".encode(), "《西游记》\n\n") == want       # UTF-8 with a BOM
    assert convert.crlf_text("第一回\n诗曰：\n".encode("gb18030"), "《西游记》\n\n") == want     # GB18030
    assert convert.crlf_text(want) == want                                                     # idempotent


@pytest.mark.parametrize("raw, error, message", [
    (b"\x00\x01text", ValueError, "NUL characters"),
    (b"\xff\xfe\xfd\x80\x80", ValueError, "neither UTF-8 nor GB18030"),
    ("第一回", TypeError, "raw must be bytes, got str"),
])
def test_crlf_text_rejects_what_is_not_a_text_file(raw, error, message) -> None:
    with pytest.raises(error, match=message):
        convert.crlf_text(raw)


@needs_shared
@pytest.mark.parametrize("key", ["novel-sanguoyanyi", "novel-xiyouji"])
def test_novel_upstream_converts_to_the_course_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """The upstream as the pinned copies hold it (measured in their stored text: 三国演义 byte for byte;
    西游记 without its title line and with LF line ends) converts back to the course file and its digest."""
    monkeypatch.setattr(env, "_online", True)
    course = course_bytes(key)
    source = REGISTRY[key].source
    upstream_text = course.decode("utf-8").replace("\r\n", "\n")
    assert upstream_text.startswith(source.prefix)
    upstream_bytes = upstream_text[len(source.prefix):].encode() if source.prefix else course
    asked = []
    monkeypatch.setattr(upstream, "github_file", lambda src: asked.append(src) or upstream_bytes)
    path = data.fetch(key, tmp_path)
    assert path.read_bytes() == course and sha(course) == REGISTRY[key].copies[0].sha256
    assert asked == [source]


def github_entry(content: bytes) -> DataFile:
    return DataFile("toy-novel", "toy", None, (Copy("toy/novel.txt", sha(content), "pinned"),), "public domain", "nobody",
                    source=GitHubFile("someone/books", "c" * 40, "小说.txt", prefix="《小说》\n"))


def test_fetch_converts_a_github_file_and_refuses_other_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    item = github_entry("《小说》\r\n第一回\r\n".encode())
    assert item.source.url == "https://raw.githubusercontent.com/someone/books/" + "c" * 40 + "/%E5%B0%8F%E8%AF%B4.txt"
    monkeypatch.setattr(upstream, "github_file", lambda src: "第一回\n".encode())
    assert data.fetch(item, tmp_path / "ok").read_bytes() == "《小说》\r\n第一回\r\n".encode()
    monkeypatch.setattr(upstream, "github_file", lambda src: "第二回\n".encode())   # the upstream changed
    with pytest.raises(store.ChecksumError, match="nothing was saved") as err:
        data.fetch(item, tmp_path / "changed")
    assert "course data folder" in str(err.value) and str(tmp_path / "changed" / "toy/novel.txt") in str(err.value)
    assert list((tmp_path / "changed" / "toy").iterdir()) == []


def test_fetch_reports_a_github_download_that_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)

    def gone(src):
        raise upstream.UpstreamError(f"cannot download {src.url}: HTTP 404 (the repository or commit may be gone)")

    monkeypatch.setattr(upstream, "github_file", gone)
    with pytest.raises(store.DataError, match="Could not download 'toy-novel'.*HTTP 404") as err:
        data.fetch(github_entry(b"x"), tmp_path)
    assert str(tmp_path / "toy/novel.txt") in str(err.value)


def test_fetch_offline_does_not_touch_github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", False)
    monkeypatch.setattr(upstream, "github_file", lambda src: pytest.fail("offline: no download"))
    with pytest.raises(store.DataError, match="offline") as err:
        data.fetch(github_entry(b"x"), tmp_path)
    assert "github.com/someone/books/blob/cccccccccccc/小说.txt" in str(err.value)


def test_github_file_names_the_url_when_the_network_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error
    import urllib.request

    def refuse(url, timeout):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    source = GitHubFile("someone/books", "c" * 40, "小说.txt")
    with pytest.raises(upstream.UpstreamError, match=r"cannot download https://raw\.githubusercontent\.com/someone/books/c+/%E5"):
        upstream.github_file(source)
