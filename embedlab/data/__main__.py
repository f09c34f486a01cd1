"""``python -m embedlab.data status``: which data files are here, verified, or missing, and where each comes from.

``python -m embedlab.data fetch [NAME ...]``: download, convert or build the missing files
(NAME is a file key such as ``scifact-corpus`` or a data set such as ``mteb``; none: all).

Exit codes: 0 fine, 1 a file fails its checksum (or a fetch failed), 2 ``EMBEDLAB_DATA_DIR`` is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import env
from .registry import REGISTRY
from .store import DataError, StatusRow, builds_offline, data_dir_problem, fetch, locate, status


def _folder_problem(root: Path, online: bool, command: str) -> str | None:
    if not os.environ.get("EMBEDLAB_DATA_DIR"):
        return None
    # fetch fills a folder, so an empty one is fine for it even offline (some files build offline)
    return data_dir_problem(root, online=online or command == "fetch")


def _print_status(root: Path, online: bool) -> int:
    rows = status(root)
    width = max(len(r.key) for r in rows)
    for row in rows:
        print(f"{row.key:<{width}}  {row.state:<12}  {row.source}")
        if row.state == "BAD CHECKSUM":
            print(f"{'':<{width}}  {'':<12}  {row.detail}")
    counts = {s: sum(r.state == s for r in rows) for s in ("verified", "missing", "BAD CHECKSUM")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    _print_hint(rows, root, online)
    return 1 if counts["BAD CHECKSUM"] else 0


def _print_hint(rows: list[StatusRow], root: Path, online: bool) -> None:
    """One sentence on what to do next, when something is not verified."""
    bad = [r for r in rows if r.state == "BAD CHECKSUM"]
    if bad:
        print(f"{len(bad)} file(s) fail their checksum and are not used; the line under each says what to do.")
    missing = [r for r in rows if r.state == "missing"]
    if not missing:
        return
    if not online:
        local = [r.key for r in missing if builds_offline(REGISTRY[r.key])]
        if len(local) < len(missing):
            print(f"Offline: {len(missing) - len(local)} file(s) are missing and cannot be downloaded here. Point "
                  "EMBEDLAB_DATA_DIR at the course data folder (your instructor's copy), e.g. "
                  "EMBEDLAB_OFFLINE=1 EMBEDLAB_DATA_DIR=/path/to/data make start")
        if local:
            print(f"{', '.join(local)}: built from an installed package on first use, offline too.")
        return
    manual = [r.key for r in missing if not REGISTRY[r.key].obtainable]
    auto = len(missing) - len(manual)
    if auto:
        print(f"Online: {auto} missing file(s) download (or build) on first use and are checked against their "
              f"pinned SHA-256; to get them all now, run: python -m embedlab.data fetch")
    if manual:
        print(f"{len(manual)} file(s) have no pinned online copy ({', '.join(manual)}): copy them from the course "
              f"data folder into {root}")


def _fetch(names: list[str], root: Path) -> int:
    datasets = {e.dataset for e in REGISTRY.values()}
    unknown = [n for n in names if n not in REGISTRY and n not in datasets]
    if unknown:
        print(f"unknown file or data set: {', '.join(unknown)}; known data sets: {', '.join(sorted(datasets))}",
              file=sys.stderr)
        return 2
    chosen = [e for e in REGISTRY.values() if not names or e.key in names or e.dataset in names]
    failed = 0
    for entry in chosen:
        try:
            if locate(entry, root) is not None:
                continue
            print(f"{entry.key}: {fetch(entry, root)}")
        except DataError as err:
            failed += 1
            print(f"{entry.key}: FAILED\n  " + str(err).replace("\n", "\n  "), file=sys.stderr)
    print(f"{len(chosen) - failed} of {len(chosen)} file(s) verified, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["status", "fetch"], help="what to do")
    parser.add_argument("names", nargs="*", help="fetch: file keys or data sets (default: everything)")
    args = parser.parse_args(argv)
    if args.command == "status" and args.names:
        parser.error("status takes no names")
    root = env.data_dir()
    online = env.is_online()
    print(f"data folder: {root}  ({'online' if online else 'offline'})")
    problem = _folder_problem(root, online, args.command)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.command == "fetch":
        return _fetch(args.names, root)
    return _print_status(root, online)


if __name__ == "__main__":
    sys.exit(main())
