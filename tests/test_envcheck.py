"""The environment report of notebook 00."""

from __future__ import annotations

from pathlib import Path

from embedlab import envcheck


def test_pinned_packages_reads_requirements(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\nnumpy==2.4.6\nnot-a-real-package-xyz==1.0  # note\n\n")
    rows = envcheck.pinned_packages(req)
    assert [(r.name, r.pinned) for r in rows] == [("numpy", "2.4.6"), ("not-a-real-package-xyz", "1.0")]
    assert rows[0].installed == "2.4.6" and rows[0].ok
    assert rows[1].installed is None and not rows[1].ok


def test_course_index_reads_titles_and_times(tmp_path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell("# 07 · Toy\n\n**You will learn** x\n\n**Time** about 3 minutes."),
                             new_code_cell("1")])
    nbformat.write(nb, tmp_path / "07_toy.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell("no title")]), tmp_path / "08_bare.ipynb")
    colon = new_notebook(cells=[new_markdown_cell("# 09 · Colon\n\n**Time**: about 2 minutes.")])
    nbformat.write(colon, tmp_path / "09_colon.ipynb")
    rows = envcheck.course_index(tmp_path)
    assert [(r.path, r.title, r.time) for r in rows] == [("07_toy.ipynb", "07 · Toy", "about 3 minutes."),
                                                         ("08_bare.ipynb", "08_bare", "?"),
                                                         ("09_colon.ipynb", "09 · Colon", "about 2 minutes.")]


def test_try_models_reports_failures_without_raising() -> None:
    rows = envcheck.try_models(["glove-6B-50d", "no-such-model"], ["a cat"])
    assert rows[0].error is None and rows[0].dim == 50 and rows[0].load_seconds >= 0
    assert rows[1].dim is None and "ModelUnavailable" in rows[1].error
