"""The course's data sets, as data: where each file comes from and how to check it.

Every entry names the file's online source and a pinned SHA-256. A local copy
is only used when its digest is one the entry accepts; :mod:`embedlab.data.store`
does the checking and downloading.

A source is one of:

* ``url``: a file whose bytes are the course's file (downloaded and verified as is);
* :class:`HubFiles`: files of a Hugging Face dataset repository at a pinned revision,
  converted to the course layout by a function of :mod:`embedlab.data.convert`; the
  converted bytes must have the pinned digest;
* :class:`Built`: a table that a pinned package builds (:mod:`embedlab.data.mteb_tables`),
  verified against the pinned digest the same way;
* :class:`GitHubFile`: one file of a public GitHub repository at a pinned commit, turned into
  the course's text by :func:`embedlab.data.convert.crlf_text`; verified the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass(frozen=True)
class Copy:
    """One accepted version of a file: where it sits in the data folder and its SHA-256."""

    path: str
    sha256: str
    label: str


@dataclass(frozen=True)
class HubFiles:
    """Files of a dataset repository on the Hugging Face hub, at a pinned revision.

    Each item of ``files`` is a glob pattern relative to the repository root; alternatives
    separated by ``|`` are tried in order and the first that matches wins. The matching
    files are handed, one list per item, to ``convert.CONVERTERS[converter]``.
    """

    repo: str
    revision: str
    files: tuple[str, ...]
    converter: str

    def describe(self) -> str:
        """One line for ``status``: where the bytes come from and how they are converted."""
        return (f"https://huggingface.co/datasets/{self.repo} @ {self.revision[:12]}: "
                f"{', '.join(self.files)} -> {self.converter}")


@dataclass(frozen=True)
class Built:
    """A table built by a pinned package (``builder`` names a function of ``mteb_tables.BUILDERS``)."""

    builder: str
    recipe: str
    needs_network: bool

    def describe(self) -> str:
        """One line for ``status``."""
        return f"built: {self.recipe}" + (" (needs the network)" if self.needs_network else " (works offline)")


@dataclass(frozen=True)
class GitHubFile:
    """One file of a public GitHub repository at a pinned commit (a commit never changes).

    The store downloads it from ``raw.githubusercontent.com`` and converts it with
    :func:`embedlab.data.convert.crlf_text` (decoded, ``prefix`` put first, CRLF line ends);
    the result must have the pinned digest, so a changed or different file is never used.
    """

    repo: str
    commit: str
    path: str
    prefix: str = ""

    @property
    def url(self) -> str:
        """The raw file at the pinned commit."""
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{quote(self.path)}"

    def describe(self) -> str:
        """One line for ``status``."""
        extra = f", {self.prefix.strip()!r} put first" if self.prefix else ""
        return f"https://github.com/{self.repo}/blob/{self.commit[:12]}/{self.path} -> crlf_text{extra}"


Source = HubFiles | Built | GitHubFile


@dataclass(frozen=True)
class DataFile:
    """One file of a data set.

    ``copies[0]`` is the version a download produces (the official bytes); further
    copies are other accepted versions, e.g. a rebuilt copy with a different digest.
    """

    key: str
    dataset: str
    url: str | None
    copies: tuple[Copy, ...]
    licence: str
    citation: str
    notes: str = ""
    size: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    source: Source | None = None

    @property
    def path(self) -> str:
        """Where a download of this file is stored, relative to the data folder."""
        return self.copies[0].path

    @property
    def origin(self) -> str:
        """Where the file comes from online, in one line."""
        if self.url is not None:
            return self.url
        if self.source is not None:
            return self.source.describe()
        return "no online source"

    @property
    def obtainable(self) -> bool:
        """Whether the course can download or build the file itself."""
        return self.url is not None or isinstance(self.source, (HubFiles, Built, GitHubFile))


# Pinned digests without an "official" label were measured on the course's reference
# copy of the file (the one CI reads); a download whose digest differs is refused.
PINNED = "pinned (course reference copy)"


def _pinned(key: str, dataset: str, path: str, digest: str, *, url: str | None, licence: str, citation: str,
            notes: str = "", extra: dict[str, str] | None = None, source: Source | None = None) -> DataFile:
    """A file with one accepted version, pinned from the course's reference copy."""
    return DataFile(key, dataset, url, (Copy(path, digest, PINNED),), licence, citation, notes, extra=extra or {},
                    source=source)


_SQUAD_CITE = (
    "Rajpurkar, Jia, Liang. Know What You Don't Know: Unanswerable Questions for SQuAD. ACL 2018; "
    "Rajpurkar et al. SQuAD: 100,000+ Questions for Machine Comprehension of Text. EMNLP 2016."
)
_STSB_CITE = (
    "Cer et al. SemEval-2017 Task 1: Semantic Textual Similarity. 2017; "
    "May. Machine translated multilingual STS benchmark dataset (stsb_multi_mt). 2021."
)
_STSB_URL = "https://raw.githubusercontent.com/PhilipMay/stsb-multi-mt/main/data/{name}"
_NLTK_URL = "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/{name}"
_CMRC_URL = "https://raw.githubusercontent.com/ymcui/cmrc2018/master/squad-style-data/{name}"
_CMRC_CITE = "Cui et al. A Span-Extraction Dataset for Chinese Machine Reading Comprehension. EMNLP 2019."
_MTEB_CITE = "Muennighoff et al. MTEB: Massive Text Embedding Benchmark. EACL 2023; Enevoldsen et al. MMTEB. ICLR 2025."
_MTEB_NOTE = (
    "Aggregated from the public MTEB results repository (embeddings-benchmark/results, commit f4cc6c8, "
    "2026-08-20) with mteb 2.26.24's leaderboard tables. There is no single file to download: "
    "`python -m embedlab.data fetch mteb` rebuilds the tables (online, git needed) and keeps them only "
    "when they match the pinned digests."
)
_MTEB_BOARD = Built(
    "mteb-leaderboard",
    "mteb==2.26.24 leaderboard tables of embeddings-benchmark/results at commit f4cc6c8 "
    "(python -m embedlab.data fetch mteb)",
    needs_network=True,
)
_MTEB_META = Built("mteb-model-meta", "mteb==2.26.24 model registry, mteb.get_model_metas()", needs_network=False)
_LEGACY_URL = "https://raw.githubusercontent.com/embeddings-benchmark/leaderboard/main/{path}"

#: C-MTEB pair sets on the Hugging Face hub: the course's name -> (hub repository, pinned revision).
#: These are the pins of the installed mteb (``mteb.get_task(task).metadata.dataset``); a test checks they agree.
CN_PAIRS_HUB: dict[str, tuple[str, str]] = {
    "ATEC": ("C-MTEB/ATEC", "0f319b1142f28d00e055a6770f3f726ae9b7d865"),
    "BQ": ("C-MTEB/BQ", "e3dda5e115e487b39ec7e618c0c6a29137052a55"),
    "LCQMC": ("C-MTEB/LCQMC", "17f9b096f80380fce5ed12a9be8be7784b337daf"),
    "PAWSX": ("mteb/PAWSX", "bd129d4230ee0551b5469c566bced8da75abae0a"),
    "STS-B": ("mteb/STSB", "e036defee8f190911de6fc825a944b928c8cda53"),
}
#: The course's split names -> the hub's split names.
HUB_SPLITS = {"test": "test", "valid": "validation", "train": "train"}
#: SciFact as MTEB evaluates it (``mteb.get_task("SciFact").metadata.dataset``).
SCIFACT_HUB = ("mteb/scifact", "d56462d0e63a25450459c4f213e49ffdb866f7f9")
#: Public copies of the two novels' course texts, at pinned commits (found with a code search of GitHub; the
#: converted bytes must have the course digest). 西游记's copy lacks the title line and has LF line ends.
NOVEL_SOURCES = {
    "sanguoyanyi": GitHubFile("shibing624/ChatPDF", "a694d8c4c86e444e6220f3b5164d7e0dc021992d", "data/三国演义.txt"),
    "xiyouji": GitHubFile("summer19940609/readBook-demo", "fc9590b6f03cefc68894ba5999aead1cb90f11fe", "西游记.txt",
                          prefix="《西游记》吴承恩（明）\n\n"),
}
_CN_PAIRS_CITE = (
    "ATEC (Ant Financial), BQ (Chen et al. 2018), LCQMC (Liu et al. 2018), PAWS-X (Yang et al. 2019), "
    "STS-B-zh; as used by C-MTEB (Xiao et al. C-Pack, 2023)."
)

_SCIFACT_UPSTREAM = {
    "corpus.jsonl": ("corpus.jsonl",),
    "queries.jsonl": ("queries.jsonl",),
    "qrels/test.tsv": ("qrels/test.tsv|qrels/test.jsonl",),
    "qrels/train.tsv": ("qrels/train.tsv|qrels/train.jsonl",),
}
_SCIFACT_CONVERTER = {"corpus.jsonl": "beir_corpus", "queries.jsonl": "beir_queries",
                      "qrels/test.tsv": "beir_qrels", "qrels/train.tsv": "beir_qrels"}

_FILES: list[DataFile] = [
    DataFile(
        key="squad-v2.0-dev",
        dataset="squad",
        url="https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v2.0.json",
        copies=(
            Copy("squad/dev-v2.0.json", "80a5225e94905956a6446d296ca1093975c4d3b3260f1d6c8f68bc2ab77182d8", "official"),
            Copy(
                "squad/dev-v2.0.rebuilt.json",
                "f2047f507c5e7397da499f0deb8a5e84888f221a86f806c9da50dfbf0b95cce0",
                "rebuilt copy (same questions, contexts and answers; answer_start is the first occurrence)",
            ),
        ),
        size=4_370_528,
        licence="CC BY-SA 4.0",
        citation=_SQUAD_CITE,
        notes="35 articles, 1,204 paragraphs, 11,873 questions (5,928 answerable).",
    ),
    DataFile(
        key="squad-v1.1-dev",
        dataset="squad",
        url="https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v1.1.json",
        copies=(
            Copy("squad/dev-v1.1.json", "95aa6a52d5d6a735563366753ca50492a658031da74f301ac5238b03966972c9", "official"),
            Copy(
                "squad/dev-v1.1.rebuilt.json",
                "e3d0dc3818cf6b4e8638f2bca540d4638c2e1a3af658baf89ebc195b60b169e3",
                "rebuilt copy (same questions, contexts and answers; answer_start is the first occurrence)",
            ),
        ),
        licence="CC BY-SA 4.0",
        citation=_SQUAD_CITE,
        notes="48 articles, 2,067 paragraphs, 10,570 questions.",
    ),
    *[
        _pinned(
            f"stsb-{lang}-{split}",
            "stsb",
            f"stsb/stsb-{lang}-{split}.csv",
            digest,
            url=_STSB_URL.format(name=f"stsb-{lang}-{split}.csv"),
            licence="STS-B terms (scores CC BY-SA 4.0)",
            citation=_STSB_CITE,
            notes="sentence1, sentence2, score (0-5); no header row. The English test split is MTEB's STSBenchmark.",
        )
        for (lang, split), digest in {
            ("en", "train"): "e1e84fec60bbb598735552f54a35f4949904a484750fd2cb11e2720e49f63da6",
            ("en", "dev"): "d29586e96558c4eb52cf5ea5d14e9c24d3bf0e44f111b017caba43a5adc33226",
            ("en", "test"): "11523b625219e94e9ca05d2816b5f02cac1614c5894fe657376fa0806378d053",
            ("zh", "train"): "6d44b5faa6c88e76f0c5f39fcd5963622c121b1d106f139a33b5b1df24c20ce2",
            ("zh", "dev"): "f24a3580938f840d82ee3d520de3af2be355b389850f21d0cc5c228ba3f6cdc9",
            ("zh", "test"): "a583195cb30b9d99ae5fe1d03cd3e544c4c2a1c48d27713fb0686c7bae9fbb19",
        }.items()
    ],
    *[
        _pinned(
            f"cn-pairs-{name}-{split}",
            "senteval_cn",
            f"senteval_cn/{name}/{name}.{split}.data",
            digest,
            url=None,
            licence="research use (see each set)",
            citation=_CN_PAIRS_CITE,
            notes="Tab-separated sentence1, sentence2, label (0/1; 0-5 for STS-B).",
            source=HubFiles(*CN_PAIRS_HUB[name], (f"data/{HUB_SPLITS[split]}-*.parquet",), "cn_pairs"),
        )
        for (name, split), digest in {
            ("ATEC", "test"): "24c56edf6289a7f337af75553c360ece41a1e17e500cdb563f020ad25ece8319",
            ("ATEC", "valid"): "994b6452cad5c0c1efca215f45f99b0cd26515de12936cc5aa23810b0b55f703",
            ("BQ", "test"): "9592b13afdfdc034d3d1b883d58807ea21989624d94e321bb802efb08d98c6d1",
            ("BQ", "valid"): "fe7ccff114f4d9ad75f8468a65437eb52d22e5fb8ca1d56a25340ba4c367442b",
            ("LCQMC", "test"): "8969f9c16050f40df9da6f591443a47bc14c17a504a354ee4cc4ab5b9aa303d9",
            ("LCQMC", "valid"): "d3cd41ed89b8f6196a76ebff2aa03d5ecf42edcd12942aa865d34f7e570af7c2",
            ("PAWSX", "test"): "1e8aa66616c4f50499292aabd4a8c01685056f06ff2e97a977d836968cc50c11",
            ("PAWSX", "valid"): "3a9da4b372d981e607eaf9b4ad4a1db0c0a7040f54535870198bda7f13e07dd2",
            ("STS-B", "test"): "a22c0e4dba5d589b8f68feca2c11329031fdaee084c37c30ebea7feea12a3545",
            ("STS-B", "train"): "456904474b184025fc620fa62d887bdcd6c0de28bc94888602fc8112b8d0719c",
            ("STS-B", "valid"): "5d3297cb522b763970631790508c567a141be4d3b729669ae2a19743383340c6",
        }.items()
    ],
    *[
        _pinned(
            f"cmrc2018-{split}",
            "cmrc2018",
            f"cmrc2018/cmrc2018_{split}.squad.json",
            digest,
            url=_CMRC_URL.format(name=f"cmrc2018_{split}.json"),
            licence="CC BY-SA 4.0",
            citation=_CMRC_CITE,
            notes="SQuAD layout, Simplified Chinese. dev: 848 contexts, 3,219 questions.",
        )
        for split, digest in {
            "dev": "e9ff74231f05c230c6fa88b84441ee334d97234cbb610991cd94b82db00c7f1f",
            "trial": "f3fae95b57da8e03afb2b57467dd221417060ef4d82db13bf22fc88589f3a6f3",
        }.items()
    ],
    DataFile(
        key="drcd-dev",
        dataset="drcd",
        url="https://raw.githubusercontent.com/DRCKnowledgeTeam/DRCD/master/DRCD_dev.json",
        copies=(Copy("drcd/DRCD_dev.json", "e236df03861ba241bd7b29628cd48b3b8e339c60137e041a4358b5320ed61928", PINNED),),
        licence="CC BY-SA 3.0",
        citation="Shao et al. DRCD: a Chinese Machine Reading Comprehension Dataset. 2018.",
        notes="SQuAD-like, Traditional Chinese: 1,000 paragraphs, 3,524 questions.",
    ),
    *[
        _pinned(
            f"scifact-{part.replace('/', '-').removesuffix('.jsonl').removesuffix('.tsv')}",
            "scifact",
            f"scifact/{part}",
            digest,
            url=None,
            licence="claims CC BY 4.0, abstracts ODC-By 1.0",
            citation="Wadden et al. Fact or Fiction: Verifying Scientific Claims. EMNLP 2020; Thakur et al. BEIR. NeurIPS 2021.",
            notes="BEIR layout, as MTEB's SciFact task reads it (mteb/scifact on the Hugging Face hub).",
            extra={"archive": "https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/scifact.zip"},
            source=HubFiles(*SCIFACT_HUB, _SCIFACT_UPSTREAM[part], _SCIFACT_CONVERTER[part]),
        )
        for part, digest in {
            "corpus.jsonl": "fdb9153e212996d9dc6a545b91296c9c1fb8bfe2962a065bdf5c4676685158b9",
            "queries.jsonl": "067f01aaee010dcffe1197e59e584986503ff6984f15ac3e4d9840fcabd81990",
            "qrels/test.tsv": "68c0ac63f1c24b9e8ce497649694f09b2d0850bab7ec2b103cc66996f5f8b3a3",
            "qrels/train.tsv": "ac0902d9b1cb717df182aaff1306175877fdb8f55bb5c3e8597ad694fc8e539f",
        }.items()
    ],
    *[
        _pinned(
            f"nltk-{name}",
            "corpora",
            f"corpora/{name}.zip",
            digest,
            url=_NLTK_URL.format(name=f"{name}.zip"),
            licence=licence,
            citation=cite,
            notes=notes,
        )
        for name, digest, licence, cite, notes in [
            (
                "movie_reviews",
                "a41211ae685019137410268134db6a1a14428c89b671eb83056151a878539008",
                "CC BY 4.0",
                "Pang, Lee. A Sentimental Education. ACL 2004 (polarity dataset v2.0).",
                "2,000 reviews (1,000 pos / 1,000 neg), already tokenised, one sentence a line.",
            ),
            ("state_union", "366c1dc82b2abf896f42b2ec50ba802a0141a29f75d29ca48a7a243ce5bfbe8d",
             "public domain", "NLTK State of the Union corpus.", ""),
            ("inaugural", "7c5fb5793e31fbeae12bf1aa0ffda5336468f07cedb50654c6d31ca384e2046b",
             "public domain", "NLTK inaugural address corpus.", ""),
        ]
    ],
    *[
        _pinned(
            f"novel-{name}",
            "corpora",
            f"corpora/{name}.txt",
            digest,
            url=None,
            licence="public domain",
            citation=title,
            notes="UTF-8 with CRLF line ends, simplified characters (a common public edition; Project Gutenberg's "
                  "ebooks 23950 and 23962 are traditional-character editions of a different text).",
            source=NOVEL_SOURCES[name],
        )
        for name, digest, title in [
            ("sanguoyanyi", "48922aa73c07e0b9c6e23a9cf5cf61f1779dd33e11947a1eaac364f1c50f65c4", "罗贯中《三国演义》"),
            ("xiyouji", "3f2bf2164ee63ad7ce3ef88c830e88e860f47719740b13e6c4a1fe4d3be09b80", "吴承恩《西游记》"),
        ]
    ],
    DataFile(
        key="tinyshakespeare",
        dataset="corpora",
        url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        copies=(Copy("corpora/tinyshakespeare.txt", "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", PINNED),),
        licence="MIT; text public domain",
        citation="Karpathy. char-rnn (2015).",
    ),
    *[
        _pinned(
            f"mteb-{name.replace('_', '-')}",
            "mteb",
            f"mteb/mteb_{name}.csv",
            digest,
            url=None,
            licence="results CC0 1.0",
            citation=_MTEB_CITE,
            notes=_MTEB_NOTE,
            source=_MTEB_META if name == "model_meta" else _MTEB_BOARD,
        )
        for name, digest in {
            "eng_v2_summary": "273c9e55d390f906b2927708577c73ee3e4937c4bae1160294b1bfe42de52230",
            "eng_v2_per_task": "24324f7c31e2b95f88ff59503e0a6024ecaf5ef8e5ff6203a737ffc902ee5609",
            "eng_v1_summary": "b08b9336dc29a6b72b1131f9b8c016ba52178786accc83b68d2aa68419369fa8",
            "eng_v1_per_task": "f3955b08dbf4fa74d44041913ee856d8f5b2393c9c6daf904ef28c69a5a9a34e",
            "cmn_v1_summary": "94a7da392d1cd2addfd1e167afa9c17024ee63bfc9c337c92f50b787f5b4310c",
            "cmn_v1_per_task": "d52b24e19b680346b61f06499d7a6ca2afdbdf6a11dc908c4d4f235325ea4025",
            "model_meta": "447be68f3f06c817a65ece128d34a0b083e7b83fc160e3959901bca822dfdf6d",
        }.items()
    ],
]

_LEGACY = {
    "boards_data/en/data_overall/default.jsonl": "a57be3ce198c61f79a59641729172d253aef702d509c302d8df76b45389d7e9c",
    "boards_data/en/data_tasks/Classification/default.jsonl": "5e45babff059dcedfcea4f5b232934c56393f026fe04687a4646c1b4cf43830c",
    "boards_data/en/data_tasks/Clustering/default.jsonl": "00d428d6eceb0c8c8e250cf31dd83b03a6bcfaa4277f100e828f79b54eecb5e6",
    "boards_data/en/data_tasks/PairClassification/default.jsonl": "32f0e38f9015b70866d7ba91c8c86664da012925cfad3302b8bdc0aa375b72e1",
    "boards_data/en/data_tasks/Reranking/default.jsonl": "66f6018ea6708e65c1a9e0e340368327d0abcdf8ad1c6288b6376b1662e22cf4",
    "boards_data/en/data_tasks/Retrieval/default.jsonl": "dc6e09f5af11a27363dbbd1351683f3074fd46dc72b832f63be57751112ba366",
    "boards_data/en/data_tasks/STS/default.jsonl": "5709c863cc51fde5c62a63a5143818efc9c1fbe52b1a2438e84e35214f4dd1e6",
    "boards_data/en/data_tasks/Summarization/default.jsonl": "64decea2bade4957c8956ee627935aa1bc82226363f7e3b2f6e388ddfbe255a2",
    "boards_data/zh/data_overall/default.jsonl": "61f7d75dcdfb95c9575ead72ae7941a57ef2209b67a3ad671705e642cfcf641a",
    "boards_data/zh/data_tasks/Classification/default.jsonl": "25fa439bdae0220778172f4d1067ccfa0f19adac78c198af7ef4a6a664fb0aaa",
    "boards_data/zh/data_tasks/Clustering/default.jsonl": "49aa937e592b34fa99da3fbdc1fcbe09f745228c85a7d7a78a55ac30c35f8b80",
    "boards_data/zh/data_tasks/PairClassification/default.jsonl": "04642f0339dfcdda88fc741652656e888ae99a80ab77f017ed5a240af3b48d21",
    "boards_data/zh/data_tasks/Reranking/default.jsonl": "08926ab3793c4505bf2f031b62ebd6242dd677e41c0e583823b74b45c9a55243",
    "boards_data/zh/data_tasks/Retrieval/default.jsonl": "7ad1898e3414576bb757347c4dcee82deecd94204cda8904cc8d558ec8d086ba",
    "boards_data/zh/data_tasks/STS/default.jsonl": "f04807185966ba57ba0b4d53fdfb9111ec78f8a906afd07ed9c4b921554211ef",
    "model_meta.yaml": "da30e385717f6ddd39cfde981a34a7943ae5002b1250a74d531e334a34f442a4",
}

_FILES += [
    DataFile(
        key="mteb-legacy-" + path.removesuffix("/default.jsonl").removesuffix(".yaml").replace("boards_data/", "")
        .replace("/data_tasks/", "-").replace("/data_overall", "-overall").replace("_", "-").lower(),
        dataset="mteb_legacy",
        url=_LEGACY_URL.format(path=path),
        copies=(Copy(f"mteb/legacy_board/{path}", digest, PINNED),),
        licence="numbers from the CC0 MTEB results",
        citation=_MTEB_CITE,
        notes="The archived (pre-2025) MTEB leaderboard, embeddings-benchmark/leaderboard (archived 2025-02-04, "
              "read-only); the download is pinned by its SHA-256.",
    )
    for path, digest in _LEGACY.items()
]

#: Every file the course knows, by key.
REGISTRY: dict[str, DataFile] = {f.key: f for f in _FILES}


def get(key: str) -> DataFile:
    """The registry entry for ``key``; a clear error lists the known keys otherwise."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown data file {key!r}; known: {', '.join(sorted(REGISTRY))}") from None
