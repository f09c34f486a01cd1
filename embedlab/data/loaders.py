"""Loaders that turn the course's data files into plain, typed Python structures.

Each loader calls :func:`~embedlab.data.store.fetch`, so it reads a verified local
copy, downloads one when online, or fails fast with a message saying what to do.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .store import fetch


# ---------------------------------------------------------------- reading comprehension (SQuAD layout)
@dataclass(frozen=True)
class Paragraph:
    """One context paragraph; ``id`` is stable across runs (the file's own id, or ``title/index``)."""

    id: str
    title: str
    context: str


@dataclass(frozen=True)
class Question:
    """One question, the paragraph it was written about, and its gold answer texts."""

    id: str
    text: str
    paragraph_id: str
    answers: tuple[str, ...]
    is_impossible: bool = False
    # where each answer in ``answers`` starts in the paragraph (characters), as the annotators marked it;
    # -1 where the file gives no position. The same text can occur earlier in the paragraph than the marked span.
    answer_starts: tuple[int, ...] = ()


@dataclass
class QADataset:
    """A SQuAD-layout set: unique paragraphs and the questions asked about them."""

    name: str
    paragraphs: list[Paragraph]
    questions: list[Question]
    _by_id: dict[str, Paragraph] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.paragraphs}

    def paragraph(self, paragraph_id: str) -> Paragraph:
        """The paragraph with this id."""
        return self._by_id[paragraph_id]

    def answerable(self) -> list[Question]:
        """Questions that have at least one gold answer (SQuAD 2.0 also has unanswerable ones)."""
        return [q for q in self.questions if not q.is_impossible and q.answers]

    @property
    def titles(self) -> list[str]:
        """Article titles, in file order."""
        return list(dict.fromkeys(p.title for p in self.paragraphs))

    def subset(self, titles: list[str] | tuple[str, ...] | set[str]) -> QADataset:
        """A new set with only these articles' paragraphs and the questions about them (file order kept).

        A smaller corpus is an easier retrieval task: fewer paragraphs compete for each question.
        """
        if isinstance(titles, str):
            raise TypeError("titles must be a collection of article titles, not one string")
        wanted = set(titles)
        if not wanted:
            raise ValueError("titles is empty: give at least one article title")
        unknown = wanted - set(self.titles)
        if unknown:
            raise ValueError(f"{self.name}: unknown article title(s) {sorted(unknown)[:5]}; see .titles")
        paragraphs = [p for p in self.paragraphs if p.title in wanted]
        kept = {p.id for p in paragraphs}
        questions = [q for q in self.questions if q.paragraph_id in kept]
        return QADataset(f"{self.name} ({len(wanted)} articles)", paragraphs, questions)


def parse_squad(raw: dict, name: str) -> QADataset:
    """Parse a SQuAD-layout JSON object (SQuAD 1.1/2.0, CMRC 2018, DRCD)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
        raise ValueError(f"{name}: not a SQuAD-layout file (expected a top-level 'data' list)")
    paragraphs: list[Paragraph] = []
    questions: list[Question] = []
    for article in raw["data"]:
        title = article.get("title", "")
        for index, para in enumerate(article["paragraphs"]):
            pid = str(para.get("id") or f"{title}/{index}")
            paragraphs.append(Paragraph(pid, title, para["context"]))
            for qa in para["qas"]:
                starts: dict[str, int] = {}   # answer text -> the first annotator's marked start
                for a in qa.get("answers", []):
                    start = a.get("answer_start")
                    starts.setdefault(a["text"], int(start) if isinstance(start, int) and start >= 0 else -1)
                questions.append(
                    Question(str(qa["id"]), qa["question"], pid, tuple(starts),
                             bool(qa.get("is_impossible", False)), tuple(starts.values()))
                )
    return QADataset(name, paragraphs, questions)


def _read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_squad(version: str = "2.0") -> QADataset:
    """SQuAD dev set, ``version`` ``"2.0"`` (default) or ``"1.1"``."""
    if version not in {"2.0", "1.1"}:
        raise ValueError(f"SQuAD version must be '2.0' or '1.1', not {version!r}")
    return parse_squad(_read_json(fetch(f"squad-v{version}-dev")), f"SQuAD {version} dev")


def load_cmrc2018(split: str = "dev") -> QADataset:
    """CMRC 2018 (Simplified Chinese, SQuAD layout), ``split`` ``"dev"`` or ``"trial"``."""
    if split not in {"dev", "trial"}:
        raise ValueError(f"CMRC 2018 split must be 'dev' or 'trial', not {split!r}")
    return parse_squad(_read_json(fetch(f"cmrc2018-{split}")), f"CMRC 2018 {split}")


def load_drcd() -> QADataset:
    """DRCD dev (Traditional Chinese, SQuAD layout): 1,000 paragraphs, 3,524 questions."""
    return parse_squad(_read_json(fetch("drcd-dev")), "DRCD dev")


# ---------------------------------------------------------------- sentence pairs
@dataclass(frozen=True)
class SentencePair:
    """Two sentences and a gold score (0-5 similarity, or a 0/1 paraphrase label)."""

    sentence1: str
    sentence2: str
    score: float


def load_stsb(lang: str = "en", split: str = "test") -> list[SentencePair]:
    """STS Benchmark, English or (machine-translated) Chinese; scores 0-5."""
    if lang not in {"en", "zh"} or split not in {"train", "dev", "test"}:
        raise ValueError(f"STS-B needs lang in en/zh and split in train/dev/test, got {lang!r}/{split!r}")
    with fetch(f"stsb-{lang}-{split}").open(encoding="utf-8", newline="") as handle:
        return [SentencePair(s1, s2, float(score)) for s1, s2, score in csv.reader(handle)]


CN_PAIR_SETS = ("ATEC", "BQ", "LCQMC", "PAWSX", "STS-B")


def load_cn_pairs(name: str = "LCQMC", split: str = "test") -> list[SentencePair]:
    """A Chinese sentence-pair set used by C-MTEB (ATEC, BQ, LCQMC, PAWSX, STS-B)."""
    if name not in CN_PAIR_SETS:
        raise ValueError(f"unknown Chinese pair set {name!r}; choose from {', '.join(CN_PAIR_SETS)}")
    pairs = []
    with fetch(f"cn-pairs-{name}-{split}").open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) != 3:
                raise ValueError(f"{name}.{split} line {line_no}: expected 3 tab-separated fields")
            pairs.append(SentencePair(parts[0], parts[1], float(parts[2])))
    return pairs


# ---------------------------------------------------------------- retrieval (BEIR layout)
@dataclass
class RetrievalSet:
    """A BEIR-layout set: documents, queries, and which documents are relevant to which query."""

    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_scifact(split: str = "test") -> RetrievalSet:
    """SciFact (as in BEIR and MTEB): ``corpus`` text is ``title + ' ' + abstract``."""
    if split not in {"test", "train"}:
        raise ValueError(f"SciFact split must be 'test' or 'train', not {split!r}")
    corpus = {d["_id"]: f"{d.get('title', '')} {d['text']}".strip() for d in _read_jsonl(fetch("scifact-corpus"))}
    qrels: dict[str, dict[str, int]] = {}
    with fetch(f"scifact-qrels-{split}").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {q["_id"]: q["text"] for q in _read_jsonl(fetch("scifact-queries")) if q["_id"] in qrels}
    return RetrievalSet(corpus, queries, qrels)


# ---------------------------------------------------------------- text corpora
@dataclass(frozen=True)
class Review:
    """One movie review: its file id, ``pos``/``neg`` label, and tokenised sentences."""

    fileid: str
    label: str
    sentences: tuple[tuple[str, ...], ...]


def load_movie_reviews() -> list[Review]:
    """NLTK movie_reviews: 2,000 reviews, lower-cased and tokenised, one sentence a line."""
    reviews = []
    with zipfile.ZipFile(fetch("nltk-movie_reviews")) as archive:
        for name in sorted(archive.namelist()):
            parts = name.split("/")
            if len(parts) != 3 or parts[1] not in {"pos", "neg"} or not name.endswith(".txt"):
                continue
            text = io.TextIOWrapper(archive.open(name), encoding="utf-8")
            sentences = tuple(tuple(line.split()) for line in text if line.strip())
            reviews.append(Review(f"{parts[1]}/{parts[2]}", parts[1], sentences))
    return reviews


NOVELS = ("sanguoyanyi", "xiyouji")


def load_novel(name: str = "sanguoyanyi") -> str:
    """A public-domain Chinese classic as one string (line ends normalised to ``\\n``)."""
    if name not in NOVELS:
        raise ValueError(f"unknown novel {name!r}; choose from {', '.join(NOVELS)}")
    return fetch(f"novel-{name}").read_text(encoding="utf-8").replace("\r\n", "\n")


# ---------------------------------------------------------------- MTEB leaderboard tables
MTEB_TABLES = ("eng_v2_summary", "eng_v2_per_task", "eng_v1_summary", "eng_v1_per_task",
               "cmn_v1_summary", "cmn_v1_per_task", "model_meta")


def load_mteb_table(name: str = "eng_v2_summary"):  # -> pandas.DataFrame
    """One MTEB leaderboard table (2026-08-20) as a pandas DataFrame; scores are x100."""
    if name not in MTEB_TABLES:
        raise ValueError(f"unknown MTEB table {name!r}; choose from {', '.join(MTEB_TABLES)}")
    import pandas as pd

    return pd.read_csv(fetch(f"mteb-{name.replace('_', '-')}"))
