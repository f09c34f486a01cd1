"""Generating labs from solutions: solution regions, LAB lines, hand-edited labs, drift."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from embedlab.labs import LabSourceError, build, cells_digest, drifted, make_lab, strip_solution

CODE = """def one_hot(word, vocab):
    # LAB: return ____  # build the vector
    ### BEGIN SOLUTION
    vec = np.zeros(len(vocab))
    vec[vocab[word]] = 1
    return vec
    ### END SOLUTION


lab01.ex1.check(one_hot)"""


def test_strip_solution_code() -> None:
    assert strip_solution(CODE) == """def one_hot(word, vocab):
    return ____  # build the vector


lab01.ex1.check(one_hot)"""


def test_strip_solution_markdown() -> None:
    source = ("**Question.** Which is closer?\n"
              "<!-- LAB: *Your answer here.* -->\n"
              "<!-- BEGIN SOLUTION -->\n"
              "The cat: cosine 0.8.\n"
              "<!-- END SOLUTION -->\n"
              "Next.")
    assert strip_solution(source) == "**Question.** Which is closer?\n*Your answer here.*\nNext."


def test_lab_lines_keep_indentation_and_plain_code_is_untouched() -> None:
    source = "for x in xs:\n    # LAB: y = ____\n        # LAB: z = 1\n    print(x)  # a comment\n# LAB:x = 2"
    assert strip_solution(source) == "for x in xs:\n    y = ____\n        z = 1\n    print(x)  # a comment\nx = 2"
    assert strip_solution("a = 1\n# an ordinary comment") == "a = 1\n# an ordinary comment"


def test_lab_lines_inside_a_solution_region_are_dropped() -> None:
    source = "### BEGIN SOLUTION\n# LAB: hidden = ____\nx = 1\n### END SOLUTION\ny = 2"
    assert strip_solution(source) == "y = 2"


@pytest.mark.parametrize("source, problem", [
    ("x = 1\n### END SOLUTION", "END SOLUTION without BEGIN SOLUTION"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx\n### END SOLUTION", "BEGIN SOLUTION inside another solution region"),
    ("### BEGIN SOLUTION\nx = 1", "BEGIN SOLUTION is never closed"),
    ("<!-- BEGIN SOLUTION -->\ntext", "BEGIN SOLUTION is never closed"),
], ids=["unbalanced", "nested", "unclosed", "unclosed-markdown"])
def test_bad_markers_raise(source: str, problem: str) -> None:
    with pytest.raises(LabSourceError, match=f"^cell 7: {problem}$"):
        strip_solution(source, "cell 7")


def solution_notebook(answer: str = "vec[vocab[word]] = 1") -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell("# Lab 1\n**You will learn** x **You need** y **Time** 1 min"),
        new_code_cell(CODE.replace("vec[vocab[word]] = 1", answer), execution_count=3,
                      outputs=[new_output("stream", name="stdout", text="✅ correct!\n")]),
        new_markdown_cell("<!-- LAB: Your answer. -->\n<!-- BEGIN SOLUTION -->\nSecret.\n<!-- END SOLUTION -->"),
    ])
    nb.metadata["papermill"] = {"duration": 1.0}
    return nb


def test_make_lab_clears_outputs_and_records_its_hash() -> None:
    solution = solution_notebook()
    lab = make_lab(solution, "01_x.ipynb")
    assert lab.cells[1].outputs == [] and lab.cells[1].execution_count is None
    assert "BEGIN SOLUTION" not in lab.cells[1].source and "return ____" in lab.cells[1].source
    assert lab.cells[2].source == "Your answer."
    assert "papermill" not in lab.metadata
    assert lab.metadata["embedlab"] == {"generated_from": "solutions/01_x.ipynb", "cells_sha256": cells_digest(lab)}
    # the solution itself is left as it was
    assert solution.cells[1].execution_count == 3 and "BEGIN SOLUTION" in solution.cells[1].source


def test_make_lab_names_the_cell_with_bad_markers() -> None:
    solution = solution_notebook()
    solution.cells.append(new_code_cell("### BEGIN SOLUTION\nx = 1"))
    with pytest.raises(LabSourceError, match="^01_x.ipynb cell 3: BEGIN SOLUTION is never closed$"):
        make_lab(solution, "01_x.ipynb")


def test_cells_digest_sees_sources_types_and_tags() -> None:
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    base = cells_digest(nb)
    nb.cells[0].outputs = [new_output("stream", name="stdout", text="1\n")]
    assert cells_digest(nb) == base  # outputs are not what a learner edits
    nb.cells[0].metadata["tags"] = ["parameters"]
    tagged = cells_digest(nb)
    assert tagged != base
    nb.cells[0].source = "x = 2"
    assert cells_digest(nb) not in {base, tagged}


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    solutions, labs = tmp_path / "solutions", tmp_path / "labs"
    solutions.mkdir()
    nbformat.write(solution_notebook(), solutions / "01_x.ipynb")
    return solutions, labs


def test_build_writes_then_reports_up_to_date(folders: tuple[Path, Path]) -> None:
    solutions, labs = folders
    assert build(solutions, labs) == ["01_x.ipynb: written"]
    lab = nbformat.read(labs / "01_x.ipynb", as_version=4)
    assert cells_digest(lab) == cells_digest(make_lab(nbformat.read(solutions / "01_x.ipynb", as_version=4)))
    assert "Secret" not in (labs / "01_x.ipynb").read_text(encoding="utf-8")
    assert build(solutions, labs) == ["01_x.ipynb: up to date"]


def test_build_follows_a_changed_solution(folders: tuple[Path, Path]) -> None:
    solutions, labs = folders
    build(solutions, labs)
    changed = solution_notebook()
    changed.cells[1].source = changed.cells[1].source.replace("# LAB: return ____", "# LAB: return ____  # new")
    nbformat.write(changed, solutions / "01_x.ipynb")
    assert build(solutions, labs) == ["01_x.ipynb: written"]
    assert "return ____  # new" in nbformat.read(labs / "01_x.ipynb", as_version=4).cells[1].source
    assert not (labs / "backup").exists()


def test_build_never_overwrites_a_hand_edited_lab(folders: tuple[Path, Path]) -> None:
    solutions, labs = folders
    build(solutions, labs)
    lab = nbformat.read(labs / "01_x.ipynb", as_version=4)
    lab.cells[1].source = lab.cells[1].source.replace("return ____", "return my_answer")
    nbformat.write(lab, labs / "01_x.ipynb")
    edited = (labs / "01_x.ipynb").read_bytes()

    report = build(solutions, labs)
    assert len(report) == 1 and report[0].startswith("01_x.ipynb: EDITED by hand, left alone")
    assert (labs / "01_x.ipynb").read_bytes() == edited

    report = build(solutions, labs, force=True)
    backups = list((labs / "backup").glob("01_x.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert report == [f"01_x.ipynb: your edited copy was saved as {backups[0]}", "01_x.ipynb: written"]
    assert "return ____" in nbformat.read(labs / "01_x.ipynb", as_version=4).cells[1].source
    assert build(solutions, labs) == ["01_x.ipynb: up to date"]


def test_drifted(folders: tuple[Path, Path]) -> None:
    solutions, labs = folders
    labs.mkdir()
    assert drifted(solutions, labs) == ["01_x.ipynb: missing (run python -m embedlab.labs build)"]

    build(solutions, labs)
    assert drifted(solutions, labs) == []

    nbformat.write(solution_notebook(answer="vec[vocab[word]] = 2"), solutions / "01_x.ipynb")
    assert drifted(solutions, labs) == []  # only the solution region changed: the lab is the same

    nbformat.write(solution_notebook(), solutions / "02_y.ipynb")
    build(solutions, labs)
    lab = nbformat.read(labs / "02_y.ipynb", as_version=4)
    lab.cells[0].source += " extra"
    nbformat.write(lab, labs / "02_y.ipynb")
    nbformat.write(lab, labs / "03_orphan.ipynb")
    assert drifted(solutions, labs) == [
        "02_y.ipynb: differs from solutions/02_y.ipynb (run python -m embedlab.labs build)",
        "03_orphan.ipynb: has no solution notebook",
    ]
