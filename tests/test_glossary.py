"""The zh/en glossary (notebooks/glossary.md) and the notebooks' links into it.

* every glossary row has a Chinese term, an English term, a definition in both languages, an anchor, and names the
  notebook where the term first appears (a notebook that exists, or "—" for a term only the articles use);
* every link from a course notebook (notebooks/, labs/, solutions/) to glossary.md points at an anchor that exists;
* no notebook links a term before the notebook the glossary says it first appears in.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from embedlab.env import PROJECT_ROOT
from embedlab.nbtools import all_notebooks

GLOSSARY = PROJECT_ROOT / "notebooks" / "glossary.md"

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']\s*>\s*</a>""")
#: a markdown link or an HTML href: the target, up to a closing parenthesis, quote or space
_LINK = re.compile(r"""\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|href=["']([^"']+)["']""")
_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _cells(row: str) -> list[str]:
    """The cells of one markdown table row (``|`` inside backticks is not used in the glossary)."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _heading_slug(text: str) -> str:
    """GitHub/JupyterLab-style anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- \u3400-\u9fff]", "", text.strip().lower())
    return text.replace(" ", "-")


def glossary_rows() -> list[dict[str, str]]:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| 中文"))
    header = _cells(lines[start])
    assert len(header) == 4, f"glossary header should have 4 columns, has {header}"
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        rows.append({"line": line, "zh": cells[0], "en": cells[1], "definition": cells[2],
                     "first": cells[3] if len(cells) > 3 else "", "n_cells": str(len(cells))})
    return rows


def glossary_anchors() -> set[str]:
    text = GLOSSARY.read_text(encoding="utf-8")
    headings = {_heading_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.MULTILINE)}
    return set(_ANCHOR.findall(text)) | headings


def _first_notebook(cell: str) -> str | None:
    """The notebook named in a row's 'first appears' cell (``None`` for '—')."""
    match = _MD_LINK.search(cell)
    return match.group(1) if match else None


def glossary_links(path: Path) -> list[tuple[int, str]]:
    """(cell index, anchor) of every link from a notebook's markdown cells to notebooks/glossary.md."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for match in _LINK.finditer(cell.source):
            target = unquote(match.group(1) or match.group(2))
            if "://" in target or target.startswith("#"):
                continue
            file, _, anchor = target.partition("#")
            if (path.parent / file).resolve() == GLOSSARY.resolve():
                found.append((index, anchor))
    return found


def test_glossary_exists_beside_the_notebooks() -> None:
    assert GLOSSARY.exists(), "notebooks/glossary.md is missing"


def test_every_row_has_both_languages_an_anchor_and_a_first_notebook() -> None:
    rows = glossary_rows()
    assert len(rows) >= 40, f"only {len(rows)} glossary rows"
    problems = []
    anchors_seen: dict[str, str] = {}
    for row in rows:
        label = row["line"][:60]
        if row["n_cells"] != "4":
            problems.append(f"{label}: {row['n_cells']} columns, not 4")
            continue
        ids = _ANCHOR.findall(row["zh"])
        if len(ids) != 1:
            problems.append(f"{label}: the 中文 cell needs exactly one <a id=...></a> anchor")
        for anchor in ids:
            if anchor in anchors_seen:
                problems.append(f"{label}: anchor #{anchor} also used by {anchors_seen[anchor]}")
            anchors_seen[anchor] = label
        zh_term = _ANCHOR.sub("", row["zh"])
        if not _CJK.search(zh_term):
            problems.append(f"{label}: the 中文 column has no Chinese")
        if not _LATIN.search(row["en"]):
            problems.append(f"{label}: the English column has no English")
        zh_def, _, en_def = row["definition"].partition("<br>")
        if not (_CJK.search(zh_def) and _LATIN.search(en_def)):
            problems.append(f"{label}: the definition should be Chinese, then <br>, then English")
        first = _first_notebook(row["first"])
        if first is None:
            if row["first"] != "—":
                problems.append(f"{label}: 'first appears' should link a notebook or be '—'")
        elif not (GLOSSARY.parent / first).exists():
            problems.append(f"{label}: 'first appears' links {first}, which does not exist")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_glossary_links_point_at_existing_anchors(path: Path) -> None:
    anchors = glossary_anchors()
    broken = [f"cell {i}: glossary.md#{a}" for i, a in glossary_links(path) if a and a not in anchors]
    assert not broken, f"{path.parent.name}/{path.name} links to anchors that glossary.md lacks:\n  " + "\n  ".join(broken)


def test_no_term_is_linked_before_the_notebook_where_it_first_appears() -> None:
    first_of = {}
    for row in glossary_rows():
        ids = _ANCHOR.findall(row["zh"])
        first = _first_notebook(row["first"])
        if ids:
            first_of[ids[0]] = first
    problems = []
    for path in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        for index, anchor in glossary_links(path):
            if anchor not in first_of:
                continue  # a broken anchor is the other test's failure
            first = first_of[anchor]
            if first is None or path.name[:2] < first[:2]:
                problems.append(f"{path.name} cell {index} links #{anchor}, but the glossary says it first appears in "
                                f"{first or '— (no notebook)'}: update the glossary's 'first appears' column")
    assert not problems, "\n".join(problems)


def test_the_first_three_notebooks_link_the_glossary() -> None:
    for name in ("00_orientation", "01_one_hot_vs_dense", "02_word2vec"):
        path = PROJECT_ROOT / "notebooks" / f"{name}.ipynb"
        assert glossary_links(path), f"{name} has no link to glossary.md"
