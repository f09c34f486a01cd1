"""The environment check of notebook 00: packages, data, models and the course index."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .env import PROJECT_ROOT


@dataclass(frozen=True)
class PackageRow:
    """A pinned package and what is installed."""

    name: str
    pinned: str
    installed: str | None

    @property
    def ok(self) -> bool:
        return self.installed is not None and self.installed.split("+")[0] == self.pinned


def pinned_packages(requirements: Path = PROJECT_ROOT / "requirements.txt") -> list[PackageRow]:
    """Every ``name==version`` line of requirements.txt with the installed version (``None`` if absent)."""
    rows = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s#]+)\s*(#.*)?", line)
        if not match:
            continue
        name, version = match.group(1), match.group(2)
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        rows.append(PackageRow(name, version, installed))
    return rows


def machine() -> dict[str, str]:
    """Python, OS and CPU facts that explain the timings a learner sees."""
    import torch

    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpu cores": str(os.cpu_count()),
        "torch": f"{torch.__version__} ({'CUDA available' if torch.cuda.is_available() else 'CPU only'})",
        "torch threads": str(torch.get_num_threads()),
    }


@dataclass(frozen=True)
class ModelRow:
    """An offline model, whether it loads, and how long a load and a small encode take."""

    name: str
    dim: int | None
    load_seconds: float | None
    encode_seconds: float | None
    error: str | None = None


def try_models(names: list[str], texts: list[str]) -> list[ModelRow]:
    """Load each model and encode ``texts`` once (no cache), timing both; failures are reported, not raised."""
    from .models import load_model

    rows = []
    for name in names:
        try:
            started = time.perf_counter()
            model = load_model(name, use_cache=False)
            loaded = time.perf_counter()
            model.encode(texts)
            rows.append(ModelRow(name, model.dim, loaded - started, time.perf_counter() - loaded))
        except Exception as err:  # noqa: BLE001 - the check reports every failure
            rows.append(ModelRow(name, None, None, None, f"{type(err).__name__}: {err}"))
    return rows


@dataclass(frozen=True)
class NotebookInfo:
    """A course notebook's title and stated time, read from its first cell."""

    path: str
    title: str
    time: str


def course_index(folder: Path = PROJECT_ROOT / "notebooks") -> list[NotebookInfo]:
    """Title and **Time** line of every notebook, in order (read from the files, so it never drifts)."""
    rows = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]) if cells else ""
        title = next((line.lstrip("# ").strip() for line in first.splitlines() if line.startswith("#")), path.stem)
        when = re.search(r"\*\*Time\*\*:?\s*(.+)", first)  # "**Time** about …" or "**Time**: about …"
        rows.append(NotebookInfo(path.name, title, when.group(1).strip() if when else "?"))
    return rows
