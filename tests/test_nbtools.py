"""The notebook lint on tiny synthetic notebooks, and the papermill runner's short errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from embedlab.nbtools import NotebookFailure, all_notebooks, lint, run, _failing_lines

FIRST = "# Title\n\n**You will learn** a thing.\n**You need** nothing.\n**Time** 2 minutes."


def clean_notebook() -> nbformat.NotebookNode:
    params = new_code_cell("n_questions = 100")
    params.metadata["tags"] = ["parameters"]
    return new_notebook(cells=[
        new_markdown_cell(FIRST),
        new_code_cell("import embedlab\nimport numpy as np"),
        params,
        new_code_cell("print(n_questions)"),
    ])


def write(nb: nbformat.NotebookNode, folder: Path, name: str = "nb.ipynb") -> Path:
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_clean_notebook_passes(tmp_path: Path) -> None:
    assert lint(write(clean_notebook(), tmp_path)) == []


def add_code(source: str) -> Callable[[nbformat.NotebookNode], None]:
    return lambda nb: nb.cells.append(new_code_cell(source))


def with_output(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="100\n")]


def with_execution_count(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].execution_count = 5


def first_cell_code(nb: nbformat.NotebookNode) -> None:
    nb.cells.insert(0, new_code_cell("x = 1"))


def first_cell_without_labels(nb: nbformat.NotebookNode) -> None:
    nb.cells[0].source = "# Title\n\n**You will learn** a thing."


def untagged(nb: nbformat.NotebookNode) -> None:
    nb.cells[2].metadata["tags"] = []


def tagged_twice(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].metadata["tags"] = ["parameters"]


def tagged_markdown(nb: nbformat.NotebookNode) -> None:
    nb.cells[2].metadata["tags"] = []
    nb.cells[0].metadata["tags"] = ["parameters"]


def key_in_markdown(nb: nbformat.NotebookNode) -> None:
    nb.cells.append(new_markdown_cell("Use hf_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7 as your token."))


@pytest.mark.parametrize("change, problem", [
    pytest.param(with_output, "cell 3: has outputs (commit notebooks without outputs)", id="outputs"),
    pytest.param(with_execution_count, "cell 3: has outputs (commit notebooks without outputs)", id="exec-count"),
    pytest.param(first_cell_code, "first cell must be markdown (objectives, prerequisites, time)", id="first-code"),
    pytest.param(first_cell_without_labels, "first cell lacks **You need**, **Time**", id="labels"),
    pytest.param(untagged, "needs exactly one code cell tagged 'parameters' (found 0)", id="no-params"),
    pytest.param(tagged_twice, "needs exactly one code cell tagged 'parameters' (found 2)", id="two-params"),
    pytest.param(tagged_markdown, "needs exactly one code cell tagged 'parameters' (found 1)", id="md-params"),
    pytest.param(add_code("name = input('name? ')"), "cell 4: calls input(); notebooks must run unattended",
                 id="input"),
    pytest.param(add_code("model.to('cuda')"), "cell 4: hard-codes CUDA; the course runs on a CPU", id="cuda"),
    pytest.param(add_code("x = torch.zeros(3).cuda()"), "cell 4: hard-codes CUDA; the course runs on a CPU",
                 id="dot-cuda"),
    pytest.param(add_code("%pip install -q foo"), "cell 4: unpinned pip install of foo", id="pip"),
    pytest.param(add_code("!pip install bar==2.0 baz"), "cell 4: unpinned pip install of baz", id="pip-some"),
    pytest.param(add_code('client = OpenAI(api_key="sk-' + "abcdefghij0123456789XYZ" + '")'),
                 "cell 4: looks like an API key or token", id="sk-key"),
    pytest.param(add_code('OPENAI_API_KEY = "my-secret"'), "cell 4: looks like an API key or token", id="key-var"),
    pytest.param(key_in_markdown, "cell 4: looks like an API key or token", id="hf-token-md"),
])
def test_lint_finds_the_problem(tmp_path: Path, change, problem: str) -> None:
    nb = clean_notebook()
    change(nb)
    assert lint(write(nb, tmp_path)) == [problem]


@pytest.mark.parametrize("source", [
    "%pip install foo==1.0",
    "%pip install -q foo==1.0 bar==2.3.1",
    "user_input = 3  # not a call to input",
    "device = 'cpu'",
    'api_key = os.environ["OPENAI_API_KEY"]',
    "task = 'sk-learn'",
])
def test_lint_accepts_harmless_code(tmp_path: Path, source: str) -> None:
    nb = clean_notebook()
    nb.cells.append(new_code_cell(source))
    assert lint(write(nb, tmp_path)) == []


def test_lint_reports_every_problem(tmp_path: Path) -> None:
    nb = clean_notebook()
    first_cell_code(nb)
    nb.cells.append(new_code_cell("x = input()", execution_count=1))
    assert lint(write(nb, tmp_path)) == [
        "first cell must be markdown (objectives, prerequisites, time)",
        "cell 5: has outputs (commit notebooks without outputs)",
        "cell 5: calls input(); notebooks must run unattended",
    ]


def test_all_notebooks_in_folder_then_name_order(tmp_path: Path) -> None:
    for folder, name in [("solutions", "01_a.ipynb"), ("notebooks", "02_b.ipynb"), ("notebooks", "01_a.ipynb"),
                         ("labs", "01_a.ipynb"), ("other", "00_x.ipynb")]:
        (tmp_path / folder).mkdir(exist_ok=True)
        write(clean_notebook(), tmp_path / folder, name)
    found = [f"{p.parent.name}/{p.name}" for p in all_notebooks(tmp_path)]
    assert found == ["notebooks/01_a.ipynb", "notebooks/02_b.ipynb", "labs/01_a.ipynb", "solutions/01_a.ipynb"]


def test_run_failure_names_notebook_cell_and_error(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("y = x + 1"), new_code_cell("y / 0"),
                             new_code_cell("print('never reached')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    output = tmp_path / "executed" / "broken.ipynb"
    with pytest.raises(NotebookFailure) as caught:
        run(write(nb, tmp_path, "broken.ipynb"), output)
    failure = caught.value
    assert (failure.notebook, failure.cell) == ("broken.ipynb", 2)
    message = str(failure)
    assert message.startswith("broken.ipynb, cell 2: ZeroDivisionError: division by zero")
    assert "\x1b[" not in message  # no terminal colour codes
    assert len(message.splitlines()) <= 6
    assert output.exists()  # the executed copy is kept for inspection


def test_run_executes_with_parameters_in_the_notebook_folder(tmp_path: Path) -> None:
    nb = clean_notebook()
    nb.cells[1].source = "import os"
    nb.cells[3].source = "print(n_questions * 2, os.getcwd())"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "notebooks"
    folder.mkdir()
    output = tmp_path / "executed" / "ok.ipynb"
    assert run(write(nb, folder, "ok.ipynb"), output, parameters={"n_questions": 21}) == output
    executed = nbformat.read(output, as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert printed == f"42 {folder}\n"


def test_run_failure_cell_index_ignores_injected_parameters(tmp_path: Path) -> None:
    nb = clean_notebook()
    nb.cells[3].source = "1 / n"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with pytest.raises(NotebookFailure) as caught:
        run(write(nb, tmp_path, "p.ipynb"), tmp_path / "out" / "p.ipynb", parameters={"n": 0})
    assert caught.value.cell == 3  # the source notebook's cell, not papermill's (which has one more)


def test_lint_rejects_parameter_comments_papermill_cannot_parse(tmp_path: Path) -> None:
    nb = clean_notebook()
    nb.cells[2].source = "n_questions = 100  # how many (None = all)"
    assert any("papermill cannot parse" in p for p in lint(write(nb, tmp_path)))
    nb.cells[2].source = "n_questions = 100  # how many (None: all)"
    assert lint(write(nb, tmp_path)) == []


def test_claims_run_last_in_the_notebook_namespace(tmp_path: Path) -> None:
    nb = clean_notebook()
    nb.cells[3].source = "share = n_questions / 200"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = write(nb, tmp_path, "c.ipynb")
    before = source.read_bytes()
    output = tmp_path / "out" / "c.ipynb"
    run(source, output, claims="assert share == 0.5\nprint('claims hold')")
    executed = nbformat.read(output, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "claims hold\n"
    assert source.read_bytes() == before  # the lesson itself is never changed
    assert sorted(p.name for p in output.parent.iterdir()) == ["c.ipynb"]  # no temporary copy left
    with pytest.raises(NotebookFailure) as caught:
        run(source, output, claims="assert share > 0.9, 'the text says most'")
    assert caught.value.cell == len(nb.cells)
    assert "a claim of its text does not hold (tests/claims/c.py)" in str(caught.value)
    assert "the text says most" in str(caught.value)


def test_every_claims_file_belongs_to_a_notebook() -> None:
    from embedlab.env import PROJECT_ROOT

    claims = sorted((PROJECT_ROOT / "tests" / "claims").glob("*.py"))
    assert claims, "tests/claims/ holds the checks of what the notebooks' text says"
    for path in claims:
        assert (PROJECT_ROOT / "notebooks" / f"{path.stem}.ipynb").exists(), f"{path.name} names no notebook"


def test_failure_message_shows_the_line_that_raised() -> None:
    # the shape of an IPython traceback for a claims cell whose 19th line fails (seen with notebook 09's claims)
    tail = ["AssertionError                            Traceback (most recent call last)",
            "Cell In[19], line 19",
            "     17 # at a high temperature",
            "     18 assert share[0] > share[-1]",
            "---> 19 assert loss[-1] > loss[0]",
            "     20 # section 3b",
            "     21 assert np.mean(hn) > np.mean(en), (np.mean(hn), np.mean(en))",
            "     22 print('holds')",
            "AssertionError: "]
    shown = _failing_lines(tail)
    assert "---> 19 assert loss[-1] > loss[0]" in shown and shown[-1] == "AssertionError: "
    assert not any("np.mean(hn)" in line for line in shown)  # not the lines after the one that raised
    assert _failing_lines(["a", "b", "c", "d", "e", "Error: x"]) == ["b", "c", "d", "e", "Error: x"][-4:]
