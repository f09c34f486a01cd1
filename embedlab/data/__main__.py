"""``python -m embedlab.data status``: which data sets are here, verified, or missing."""

from __future__ import annotations

import argparse
import sys

from .. import env
from .store import status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.data", description=__doc__)
    parser.add_argument("command", choices=["status"], help="what to do")
    parser.parse_args(argv)
    root = env.data_dir()
    rows = status(root)
    print(f"data folder: {root}  ({'online' if env.is_online() else 'offline'})")
    width = max(len(r.key) for r in rows)
    for row in rows:
        print(f"{row.key:<{width}}  {row.state:<12}  {row.detail}")
    counts = {s: sum(r.state == s for r in rows) for s in ("verified", "missing", "BAD CHECKSUM")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["BAD CHECKSUM"] else 0


if __name__ == "__main__":
    sys.exit(main())
