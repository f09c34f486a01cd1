"""The data layer: checksums, downloads, failures, loaders (tiny fixtures) and the status command."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from embedlab import data, env
from embedlab.data import loaders, store
from embedlab.data.registry import REGISTRY, Copy, DataFile

SHARED = Path(os.environ.get("EMBEDLAB_DATA_DIR", env.PROJECT_ROOT.parent / "shared" / "data"))


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def entry(tmp: Path, official: bytes, alt: bytes | None = None, url: str | None = None) -> DataFile:
    copies = [Copy("set/file.txt", sha(official), "official")]
    if alt is not None:
        copies.append(Copy("set/file.rebuilt.txt", sha(alt), "rebuilt copy"))
    return DataFile("toy", "toy", url, tuple(copies), "CC0", "nobody")


def test_registry_entries_are_complete() -> None:
    for key, item in REGISTRY.items():
        assert item.copies, key
        for copy in item.copies:
            assert len(copy.sha256) == 64 and int(copy.sha256, 16) >= 0, key
        assert item.licence and item.citation, key
        assert item.url is None or item.url.startswith("https://"), key


def test_every_file_has_an_online_source() -> None:
    for key, item in REGISTRY.items():
        assert item.url is not None or item.source is not None, key
        assert item.origin.startswith(("https://", "built: ")), key
    assert all(item.obtainable for item in REGISTRY.values()), [k for k, i in REGISTRY.items() if not i.obtainable]
    for key in ("novel-sanguoyanyi", "novel-xiyouji"):   # public GitHub copies at a pinned commit (see registry)
        source = REGISTRY[key].source
        assert re.fullmatch(r"[0-9a-f]{40}", source.commit), key
        assert source.url.startswith(f"https://raw.githubusercontent.com/{source.repo}/{source.commit}/"), key
        assert "%" in source.url and " " not in source.url, key   # the Chinese file name is URL-quoted


def test_squad_accepts_official_and_rebuilt_digests() -> None:
    squad = REGISTRY["squad-v2.0-dev"]
    assert squad.copies[0].sha256 == "80a5225e94905956a6446d296ca1093975c4d3b3260f1d6c8f68bc2ab77182d8"
    assert squad.copies[0].label == "official" and len(squad.copies) == 2


def test_locate_reports_which_copy(tmp_path: Path) -> None:
    item = entry(tmp_path, b"official bytes", b"rebuilt bytes")
    assert store.locate(item, tmp_path) is None
    (tmp_path / "set").mkdir()
    (tmp_path / "set/file.rebuilt.txt").write_bytes(b"rebuilt bytes")
    found = store.locate(item, tmp_path)
    assert found.label == "rebuilt copy" and found.path.name == "file.rebuilt.txt"
    (tmp_path / "set/file.txt").write_bytes(b"official bytes")
    assert store.locate(item, tmp_path).label == "official"


def test_bad_checksum_is_refused_and_left_untouched(tmp_path: Path) -> None:
    item = entry(tmp_path, b"official bytes")
    (tmp_path / "set").mkdir()
    target = tmp_path / "set/file.txt"
    target.write_bytes(b"tampered")
    with pytest.raises(store.ChecksumError, match="file.txt") as err:
        store.fetch(item, tmp_path)
    assert sha(b"tampered") in str(err.value)
    assert target.read_bytes() == b"tampered"


def test_missing_offline_fails_fast_with_directions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", False)
    item = entry(tmp_path, b"x", url="https://example.org/file.txt")
    started = time.perf_counter()
    with pytest.raises(store.DataError) as err:
        store.fetch(item, tmp_path)
    assert time.perf_counter() - started < 1.0
    message = str(err.value)
    assert "'toy'" in message and "https://example.org/file.txt" in message
    assert str(tmp_path / "set/file.txt") in message and "offline" in message


def test_missing_without_source_says_where_to_put_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    with pytest.raises(store.DataError, match="no download source"):
        store.fetch(entry(tmp_path, b"x"), tmp_path)


def test_download_verifies_and_renames_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    source = tmp_path / "server" / "file.txt"
    source.parent.mkdir()
    source.write_bytes(b"official bytes")
    root = tmp_path / "data"
    item = entry(tmp_path, b"official bytes", url=source.as_uri())
    path = store.fetch(item, root)
    assert path == root / "set/file.txt" and path.read_bytes() == b"official bytes"
    assert [p.name for p in path.parent.iterdir()] == ["file.txt"]  # no temporary file left behind


def test_download_with_wrong_digest_saves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    source = tmp_path / "file.txt"
    source.write_bytes(b"changed upstream")
    root = tmp_path / "data"
    with pytest.raises(store.ChecksumError, match="nothing was saved"):
        store.fetch(entry(tmp_path, b"official bytes", url=source.as_uri()), root)
    assert list((root / "set").iterdir()) == []


def test_download_error_names_file_and_destination(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env, "_online", True)
    item = entry(tmp_path, b"x", url=(tmp_path / "does-not-exist").as_uri())
    with pytest.raises(store.DataError, match="Could not download 'toy'"):
        store.fetch(item, tmp_path / "data")


def test_download_never_overwrites(tmp_path: Path) -> None:
    item = entry(tmp_path, b"x", url="https://example.org/x")
    (tmp_path / "set").mkdir()
    (tmp_path / "set/file.txt").write_bytes(b"mine")
    with pytest.raises(store.DataError, match="refusing to overwrite"):
        store.download(item, tmp_path)
    assert (tmp_path / "set/file.txt").read_bytes() == b"mine"


def test_unknown_key_lists_known_keys() -> None:
    with pytest.raises(KeyError, match="squad-v2.0-dev"):
        data.get("squad-v3")


STATUS = [sys.executable, "-m", "embedlab.data", "status"]


def run_status(data_dir: Path | None, offline: bool = True) -> subprocess.CompletedProcess:
    run_env = {k: v for k, v in os.environ.items() if k != "EMBEDLAB_DATA_DIR"}
    run_env["EMBEDLAB_OFFLINE"] = "1" if offline else "0"
    if data_dir is not None:
        run_env["EMBEDLAB_DATA_DIR"] = str(data_dir)
    return subprocess.run(STATUS, env=run_env, capture_output=True, text=True)


def test_status_command_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "stsb").mkdir()  # a (nearly empty) course data folder
    ok = run_status(tmp_path)
    assert ok.returncode == 0 and f"0 verified, {len(REGISTRY)} missing, 0 BAD CHECKSUM" in ok.stdout
    (tmp_path / "stsb/stsb-en-test.csv").write_text("not the real file")
    bad = run_status(tmp_path)
    assert bad.returncode == 1 and re.search(r"stsb-en-test\s+BAD CHECKSUM", bad.stdout)
    assert "1 file(s) fail their checksum" in bad.stdout


def test_status_shows_each_files_source(tmp_path: Path) -> None:
    (tmp_path / "squad").mkdir()
    out = run_status(tmp_path).stdout
    for key, item in REGISTRY.items():
        line = next(l for l in out.splitlines() if l.startswith(key + " "))
        assert item.origin in line, (key, line)
    assert "https://huggingface.co/datasets/C-MTEB/LCQMC" in out and "mteb.get_model_metas()" in out


def test_status_offline_without_data_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "squad").mkdir()
    result = run_status(tmp_path)
    assert "Point EMBEDLAB_DATA_DIR at the course data folder" in result.stdout
    assert "mteb-model-meta: built from an installed package on first use, offline too." in result.stdout


def test_status_online_says_missing_files_download(tmp_path: Path) -> None:
    result = run_status(tmp_path, offline=False)  # an empty folder is fine online: files download into it
    assert result.returncode == 0
    assert "download (or build) on first use" in result.stdout and "python -m embedlab.data fetch" in result.stdout
    assert "no pinned online copy" not in result.stdout  # every file has one


@pytest.mark.parametrize("offline", [True, False])
def test_status_rejects_a_data_dir_that_does_not_exist(tmp_path: Path, offline: bool) -> None:
    result = run_status(tmp_path / "nope", offline=offline)
    assert result.returncode == 2 and "does not exist" in result.stderr and str(tmp_path / "nope") in result.stderr
    assert "verified" not in result.stdout


@pytest.mark.parametrize("offline", [True, False])
def test_status_points_from_the_parent_to_the_data_folder(tmp_path: Path, offline: bool) -> None:
    (tmp_path / "data" / "squad").mkdir(parents=True)  # shared/ given instead of shared/data
    result = run_status(tmp_path, offline=offline)
    assert result.returncode == 2 and f"set EMBEDLAB_DATA_DIR={tmp_path / 'data'}" in result.stderr
    inner = run_status(tmp_path / "data" / "squad", offline=offline)  # one level too deep
    assert inner.returncode == 2 and f"set EMBEDLAB_DATA_DIR={tmp_path / 'data'}" in inner.stderr


def test_status_offline_rejects_a_folder_without_course_data(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    result = run_status(tmp_path)
    assert result.returncode == 2 and "holds none of the course's data folders" in result.stderr
    assert "squad/" in result.stderr


def test_data_dir_problem_accepts_the_real_folder() -> None:
    if not (SHARED / "SHA256SUMS").exists():
        pytest.skip("course data folder not present")
    assert store.data_dir_problem(SHARED, online=False) is None
    assert "set EMBEDLAB_DATA_DIR=" in store.data_dir_problem(SHARED.parent, online=False)


def test_checksum_error_says_the_one_thing_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    item = entry(tmp_path, b"official bytes", url="https://example.org/file.txt")
    (tmp_path / "set").mkdir()
    (tmp_path / "set/file.txt").write_bytes(b"tampered")
    monkeypatch.setattr(env, "_online", False)
    with pytest.raises(store.ChecksumError) as offline:
        store.locate(item, tmp_path)
    assert "from the course data folder" in str(offline.value) and "download" not in str(offline.value)
    monkeypatch.setattr(env, "_online", True)
    with pytest.raises(store.ChecksumError) as online:
        store.locate(item, tmp_path)
    assert "Move it aside" in str(online.value) and "https://example.org/file.txt" in str(online.value)
    assert (tmp_path / "set/file.txt").read_bytes() == b"tampered"


def test_missing_offline_names_a_wrong_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "stsb").mkdir(parents=True)
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(tmp_path))  # the parent of the data folder
    monkeypatch.setattr(env, "_online", False)
    with pytest.raises(store.DataError, match=re.escape(f"set EMBEDLAB_DATA_DIR={tmp_path / 'data'}")):
        data.load_stsb("en", "test")


# ------------------------------------------------------------------ loaders on tiny fixtures
SQUAD_V2 = {
    "version": "v2.0",
    "data": [
        {"title": "Cats", "paragraphs": [
            {"context": "Cats purr. Cats sleep a lot.", "qas": [
                {"id": "q1", "question": "What do cats do?", "is_impossible": False,
                 "answers": [{"text": "purr", "answer_start": 5}, {"text": "purr", "answer_start": 5}]},
                {"id": "q2", "question": "What do cats bark at?", "is_impossible": True, "answers": []},
            ]},
            {"context": "Dogs bark.", "qas": [
                {"id": "q3", "question": "Who barks?", "is_impossible": False,
                 "answers": [{"text": "Dogs", "answer_start": 0}]}]},
        ]},
    ],
}


def test_parse_squad_v2() -> None:
    ds = data.parse_squad(SQUAD_V2, "toy")
    assert [p.id for p in ds.paragraphs] == ["Cats/0", "Cats/1"]
    assert [q.id for q in ds.answerable()] == ["q1", "q3"]
    assert ds.questions[0].answers == ("purr",)  # duplicates folded, order kept
    assert ds.paragraph("Cats/1").context == "Dogs bark." and ds.titles == ["Cats"]
    assert ds.questions[0].answer_starts == (5,) and ds.questions[2].answer_starts == (0,)
    assert ds.questions[1].answer_starts == ()  # unanswerable: no answers, no positions


def test_parse_squad_keeps_the_marked_answer_position_not_the_first_occurrence() -> None:
    raw = {"data": [{"title": "T", "paragraphs": [{"context": "Paris is big. The capital is Paris.", "qas": [
        {"id": "q", "question": "What is the capital?", "answers": [
            {"text": "Paris", "answer_start": 29}, {"text": "the capital", "answer_start": 18},
            {"text": "Paris", "answer_start": 0}]},
        {"id": "r", "question": "No position?", "answers": [{"text": "big"}]}]}]}]}
    q, r = data.parse_squad(raw, "toy").questions
    assert q.answers == ("Paris", "the capital") and q.answer_starts == (29, 18)  # the first annotator's span
    assert "Paris is big. The capital is Paris."[29:34] == "Paris"
    assert r.answer_starts == (-1,)


def test_parse_squad_keeps_file_ids_and_rejects_other_layouts() -> None:
    cmrc = {"data": [{"id": "D0", "title": "T", "paragraphs": [
        {"id": "DEV_0", "context": "猫在睡觉。", "qas": [
            {"id": "DEV_0_QUERY_0", "question": "猫在做什么？", "answers": [{"text": "睡觉", "answer_start": 2}]}]}]}]}
    ds = data.parse_squad(cmrc, "cmrc")
    assert ds.paragraphs[0].id == "DEV_0" and not ds.questions[0].is_impossible
    with pytest.raises(ValueError, match="SQuAD-layout"):
        data.parse_squad({"rows": []}, "bad")


@pytest.fixture
def fixture_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every loader's fetch() at small files written here."""
    files: dict[str, Path] = {}

    def write(key: str, name: str, content: str | bytes) -> None:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        files[key] = path

    write("stsb-en-test", "stsb.csv", 'A cat sits.,"A cat, sitting.",4.5\nA man runs.,A car.,0.2\n')
    write("cn-pairs-LCQMC-test", "lcqmc.data", "我爱猫\t我喜欢猫\t1\n今天下雨\t股票涨了\t0\n")
    write("cn-pairs-BQ-test", "bq.data", "only two\tfields\n")
    write("scifact-corpus", "corpus.jsonl", '{"_id": "d1", "title": "T1", "text": "Body one."}\n{"_id": "d2", "title": "", "text": "Body two."}\n')
    write("scifact-queries", "queries.jsonl", '{"_id": "1", "text": "claim one"}\n{"_id": "9", "text": "no qrels"}\n')
    write("scifact-qrels-test", "test.tsv", "query-id\tcorpus-id\tscore\n1\td2\t1\n")
    write("novel-sanguoyanyi", "novel.txt", "第一回\r\n滚滚长江东逝水\r\n")
    buffer = tmp_path / "mr.zip"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("movie_reviews/README", "readme")
        archive.writestr("movie_reviews/pos/cv000_1.txt", "a fine film .\n\nwe liked it .\n")
        archive.writestr("movie_reviews/neg/cv001_2.txt", "dull .\n")
    files["nltk-movie_reviews"] = buffer
    write("squad-v2.0-dev", "squad.json", json.dumps(SQUAD_V2))
    monkeypatch.setattr(loaders, "fetch", lambda key: files[key])
    return files


def test_sentence_pair_loaders(fixture_files) -> None:
    pairs = data.load_stsb("en", "test")
    assert pairs[0] == data.SentencePair("A cat sits.", "A cat, sitting.", 4.5) and len(pairs) == 2
    assert data.load_cn_pairs("LCQMC")[1].score == 0.0
    with pytest.raises(ValueError, match="line 1: expected 3"):
        data.load_cn_pairs("BQ")
    with pytest.raises(ValueError, match="unknown Chinese pair set"):
        data.load_cn_pairs("XNLI")
    with pytest.raises(ValueError, match="lang in en/zh"):
        data.load_stsb("de")


def test_scifact_loader(fixture_files) -> None:
    rs = data.load_scifact()
    assert rs.corpus == {"d1": "T1 Body one.", "d2": "Body two."}
    assert rs.queries == {"1": "claim one"} and rs.qrels == {"1": {"d2": 1}}


def test_corpus_loaders(fixture_files) -> None:
    reviews = data.load_movie_reviews()
    assert [(r.fileid, r.label) for r in reviews] == [("neg/cv001_2.txt", "neg"), ("pos/cv000_1.txt", "pos")]
    assert reviews[1].sentences == (("a", "fine", "film", "."), ("we", "liked", "it", "."))
    assert data.load_novel("sanguoyanyi") == "第一回\n滚滚长江东逝水\n"
    with pytest.raises(ValueError, match="unknown novel"):
        data.load_novel("hongloumeng")
    assert len(data.load_squad("2.0").answerable()) == 2
    with pytest.raises(ValueError, match="SQuAD version"):
        data.load_squad("3.0")


# ------------------------------------------------------------------ the real files, when present
needs_shared = pytest.mark.skipif(not (SHARED / "SHA256SUMS").exists(), reason="course data folder not present")


@needs_shared
def test_real_squad_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(SHARED))
    squad = data.load_squad("2.0")
    assert (len(squad.titles), len(squad.paragraphs), len(squad.questions), len(squad.answerable())) == (35, 1204, 11873, 5928)
    found = data.locate("squad-v2.0-dev")
    assert found.label.startswith("rebuilt copy")


@needs_shared
def test_real_status_is_all_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDLAB_DATA_DIR", str(SHARED))
    rows = data.status()
    assert {r.state for r in rows} == {"verified"}, [r for r in rows if r.state != "verified"]


def test_qadataset_subset_keeps_only_those_articles() -> None:
    two = dict(SQUAD_V2, data=SQUAD_V2["data"] + [{"title": "Birds", "paragraphs": [
        {"context": "Birds sing.", "qas": [{"id": "q4", "question": "Who sings?", "is_impossible": False,
                                            "answers": [{"text": "Birds", "answer_start": 0}]}]}]}])
    ds = data.parse_squad(two, "toy")
    birds = ds.subset(["Birds"])
    assert [p.id for p in birds.paragraphs] == ["Birds/0"] and [q.id for q in birds.questions] == ["q4"]
    assert birds.titles == ["Birds"] and birds.paragraph("Birds/0").context == "Birds sing."
    cats = ds.subset({"Cats"})
    assert [q.id for q in cats.questions] == ["q1", "q2", "q3"] and [q.id for q in cats.answerable()] == ["q1", "q3"]
    assert len(ds.subset(ds.titles).paragraphs) == len(ds.paragraphs)  # all titles: everything
    with pytest.raises(ValueError, match="unknown article"):
        ds.subset(["Fish"])
    with pytest.raises(ValueError, match="empty"):
        ds.subset([])
    with pytest.raises(TypeError, match="not one string"):
        ds.subset("Cats")


def test_status_without_data_dir_offline_says_what_to_do() -> None:
    result = run_status(None)  # the default folder (data/external in a checkout), as `make start` runs it
    assert result.returncode in (0, 1)
    missing = int(re.search(r"(\d+) missing", result.stdout).group(1))
    if missing > 1:  # everything but the model table, which builds offline, needs the course data folder
        assert "Point EMBEDLAB_DATA_DIR at the course data folder" in result.stdout
