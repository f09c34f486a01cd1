"""Conversions from an upstream layout to the course's file layout.

Each converter takes the upstream files (one list of paths per item of
:attr:`~embedlab.data.registry.HubFiles.files`) and returns the bytes of the
course's file. The store then checks those bytes against the pinned SHA-256, so a
converter never has to be trusted: a wrong conversion is refused, not saved.

Bad input fails with a :class:`ValueError` naming the file, the row and the problem.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

PAIR_COLUMNS = ("sentence1", "sentence2", "score")
QRELS_COLUMNS = ("query-id", "corpus-id", "score")


def _single(paths: Sequence[Path], what: str) -> Path:
    if len(paths) != 1:
        raise ValueError(f"{what}: expected exactly one upstream file, got {len(paths)}: {[p.name for p in paths]}")
    return paths[0]


def _number(value: object, where: str) -> str:
    """A label or score as the course writes it: integers without a decimal point."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{where}: score is {value!r}, not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            raise ValueError(f"{where}: score is missing (NaN)")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        try:
            return _number(float(value) if "." in value or "e" in value.lower() else int(value), where)
        except ValueError:
            raise ValueError(f"{where}: score {value!r} is not a number") from None
    raise ValueError(f"{where}: score is {value!r}, not a number")


def _cell_text(value: object, where: str, column: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: {column} is {value!r}, not text")
    if any(ch in value for ch in "\t\r\n"):
        raise ValueError(f"{where}: {column} contains a tab or a line break, which a tab-separated line cannot hold")
    return value


# ---------------------------------------------------------------- C-MTEB sentence pairs
def cn_pairs(paths: Sequence[Path]) -> bytes:
    """C-MTEB pair set (hub parquet, columns ``sentence1``, ``sentence2``, ``score``) -> ``s1<TAB>s2<TAB>label`` lines.

    Several parquet shards are read in the order given (the store sorts them by name).
    """
    import pyarrow.parquet as pq

    if not paths:
        raise ValueError("cn_pairs: no upstream parquet file")
    lines: list[str] = []
    for path in paths:
        try:
            table = pq.read_table(path)
        except Exception as err:  # pyarrow raises several types for a file that is not parquet
            raise ValueError(f"{path.name}: not a readable parquet file ({err})") from err
        missing = [c for c in PAIR_COLUMNS if c not in table.column_names]
        if missing:
            raise ValueError(f"{path.name}: not a C-MTEB sentence-pair file: no column {', '.join(missing)} "
                             f"(it has {', '.join(table.column_names)})")
        columns = [table.column(c).to_pylist() for c in PAIR_COLUMNS]
        for row, (s1, s2, score) in enumerate(zip(*columns), 1):
            where = f"{path.name} row {row}"
            lines.append(f"{_cell_text(s1, where, 'sentence1')}\t{_cell_text(s2, where, 'sentence2')}\t"
                         f"{_number(score, where)}\n")
    if not lines:
        raise ValueError(f"{', '.join(p.name for p in paths)}: no rows")
    return "".join(lines).encode("utf-8")


# ---------------------------------------------------------------- BEIR layout (SciFact)
def _jsonl_objects(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path.name} line {line_no}: not JSON ({err.msg})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path.name} line {line_no}: expected a JSON object, got {type(obj).__name__}")
            yield line_no, obj


def _beir_jsonl(paths: Sequence[Path], fields: tuple[str, ...], what: str) -> bytes:
    path = _single(paths, what)
    out: list[str] = []
    for line_no, obj in _jsonl_objects(path):
        missing = [f for f in fields if f not in obj]
        if missing:
            raise ValueError(f"{path.name} line {line_no}: no field {', '.join(missing)} (BEIR {what} needs "
                             f"{', '.join(fields)})")
        record = {f: obj[f] for f in fields}  # drops BEIR's "metadata" and anything else
        if isinstance(record["_id"], int) and not isinstance(record["_id"], bool):
            record["_id"] = str(record["_id"])
        for f in fields:
            if not isinstance(record[f], str):
                raise ValueError(f"{path.name} line {line_no}: {f} is {record[f]!r}, not text")
        out.append(json.dumps(record) + "\n")
    if not out:
        raise ValueError(f"{path.name}: no records")
    return "".join(out).encode("utf-8")


def beir_corpus(paths: Sequence[Path]) -> bytes:
    """BEIR/MTEB ``corpus.jsonl`` -> one ``{"_id", "title", "text"}`` object a line (ASCII-escaped JSON)."""
    return _beir_jsonl(paths, ("_id", "title", "text"), "corpus")


def beir_queries(paths: Sequence[Path]) -> bytes:
    """BEIR/MTEB ``queries.jsonl`` -> one ``{"_id", "text"}`` object a line (ASCII-escaped JSON)."""
    return _beir_jsonl(paths, ("_id", "text"), "queries")


def beir_qrels(paths: Sequence[Path]) -> bytes:
    """BEIR qrels (``.tsv`` with a header, any line ends, or MTEB's ``.jsonl``) -> tab-separated, LF, integer scores."""
    path = _single(paths, "qrels")
    rows: list[tuple[str, str, str]] = []
    if path.suffix == ".jsonl":
        for line_no, obj in _jsonl_objects(path):
            missing = [c for c in QRELS_COLUMNS if c not in obj]
            if missing:
                raise ValueError(f"{path.name} line {line_no}: no field {', '.join(missing)}")
            rows.append((str(obj["query-id"]), str(obj["corpus-id"]), _number(obj["score"], f"{path.name} line {line_no}")))
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t")
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != QRELS_COLUMNS:
                raise ValueError(f"{path.name}: expected the header {chr(9).join(QRELS_COLUMNS)!r}, got {header!r}")
            for line_no, fields in enumerate(reader, 2):
                if not fields:
                    continue
                if len(fields) != 3:
                    raise ValueError(f"{path.name} line {line_no}: expected 3 tab-separated fields, got {len(fields)}")
                rows.append((fields[0], fields[1], _number(fields[2].strip(), f"{path.name} line {line_no}")))
    if not rows:
        raise ValueError(f"{path.name}: no relevance judgements")
    buffer = io.StringIO()
    buffer.write("\t".join(QRELS_COLUMNS) + "\n")
    for row in rows:
        buffer.write("\t".join(row) + "\n")
    return buffer.getvalue().encode("utf-8")


def crlf_text(raw: bytes, prefix: str = "") -> bytes:
    """A plain-text file as the course stores its corpora: UTF-8, no BOM, CRLF line ends, ``prefix`` first.

    The upstream may be UTF-8 (with or without a BOM) or GB18030, with any line ends.
    """
    if not isinstance(raw, bytes):
        raise TypeError(f"raw must be bytes, got {type(raw).__name__}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("the file is neither UTF-8 nor GB18030 text")
    if "\x00" in text:
        raise ValueError("the file holds NUL characters: not a plain-text file")
    text = (prefix + text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\r\n").encode("utf-8")


#: Converters by the name the registry uses.
CONVERTERS: dict[str, Callable[..., bytes]] = {
    "cn_pairs": cn_pairs,
    "beir_corpus": beir_corpus,
    "beir_queries": beir_queries,
    "beir_qrels": beir_qrels,
}
