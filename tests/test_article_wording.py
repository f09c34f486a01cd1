"""Learners read "the article" and its title, never our internal word "seed" for the source articles.

The course grew from five Chinese articles; a notebook cites one by its title and calls it "the article". "Seed" in the
sense of a random-number seed (`SEED`, "a fixed seed", "the same seed") is fine. Notebooks that still use the word
for the articles are listed in KNOWN_SEED_WORDING; remove a notebook from it when its text is fixed (the last test
fails while an entry is no longer needed, so the list only shrinks).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from embedlab.env import PROJECT_ROOT
from embedlab.nbtools import all_notebooks

#: Notebooks whose markdown still says "seed" for the source articles (to be emptied by whoever fixes them).
KNOWN_SEED_WORDING: set[str] = set()  # every notebook now cites the articles by title

_WORD = re.compile(r"\bseed(?:s|'s|’s|ed)?\b", re.IGNORECASE)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_FENCE = re.compile(r"```.*?```", re.DOTALL)
#: words just before "seed" that make it a random-number seed
_RANDOM_BEFORE = re.compile(r"\b(random|fixed|same|different|another|rng|numpy|torch)\s*$", re.IGNORECASE)
#: words just after "seed" that make it a random-number seed
_RANDOM_AFTER = re.compile(r"^\s*(=|value|number|parameter|argument)\b", re.IGNORECASE)


def seed_wording(markdown: str) -> list[str]:
    """Places where markdown uses "seed" other than for a random seed (code spans and blocks ignored)."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", markdown))
    hits = []
    for match in _WORD.finditer(text):
        before, after = text[max(0, match.start() - 30):match.start()], text[match.end():match.end() + 20]
        if _RANDOM_BEFORE.search(before) or _RANDOM_AFTER.search(after):
            continue
        hits.append(text[max(0, match.start() - 40):match.end() + 40].replace("\n", " "))
    return hits


def notebook_seed_wording(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [f"cell {i}: …{hit}…" for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for hit in seed_wording(cell.source)]


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_detector_tells_the_two_senses_apart() -> None:
    assert seed_wording("then scale up to the seed's 100,000 words")
    assert seed_wording("The seed built a vector library")
    assert seed_wording("reproduce the seed, then do it right")
    assert seed_wording("The course began from a seed notebook")
    assert not seed_wording("a fixed seed; the same seed gives the same start")
    assert not seed_wording("set `SEED = 0` and `seed=SEED`")
    assert not seed_wording("the random seed of numpy")


@pytest.mark.parametrize("path", all_notebooks(), ids=_key)
def test_markdown_says_the_article_not_seed(path: Path) -> None:
    if _key(path) in KNOWN_SEED_WORDING:
        pytest.xfail(f"{_key(path)} is a known exception (KNOWN_SEED_WORDING): cite the article by its title")
    hits = notebook_seed_wording(path)
    assert not hits, (f"{_key(path)} calls a source article 'seed'; cite it by its title and call it 'the article':\n  "
                      + "\n  ".join(hits))


def test_known_exceptions_are_still_needed() -> None:
    existing = {_key(p) for p in all_notebooks()}
    stale = sorted(k for k in KNOWN_SEED_WORDING if k not in existing or not notebook_seed_wording(PROJECT_ROOT / k))
    assert not stale, f"remove from KNOWN_SEED_WORDING (no 'seed' wording left, or no such notebook): {stale}"
