"""Real data, online and offline: a registry, a verifying store, and typed loaders.

>>> from embedlab import data
>>> squad = data.load_squad("2.0")          # doctest: +SKIP
>>> data.status()                           # doctest: +SKIP
"""

from .loaders import (
    CN_PAIR_SETS,
    MTEB_TABLES,
    NOVELS,
    Paragraph,
    QADataset,
    Question,
    RetrievalSet,
    Review,
    SentencePair,
    load_cmrc2018,
    load_drcd,
    load_cn_pairs,
    load_movie_reviews,
    load_mteb_table,
    load_novel,
    load_scifact,
    load_squad,
    load_stsb,
    parse_squad,
)
from .registry import REGISTRY, Copy, DataFile, get
from .store import ChecksumError, DataError, Located, fetch, locate, sha256_of, status

__all__ = [
    "CN_PAIR_SETS", "MTEB_TABLES", "NOVELS", "REGISTRY", "ChecksumError", "Copy", "DataError", "DataFile",
    "Located", "Paragraph", "QADataset", "Question", "RetrievalSet", "Review", "SentencePair", "fetch", "get",
    "load_cmrc2018", "load_drcd", "load_cn_pairs", "load_movie_reviews", "load_mteb_table", "load_novel", "load_scifact",
    "load_squad", "load_stsb", "locate", "parse_squad", "sha256_of", "status",
]
