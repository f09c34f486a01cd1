"""The project's set-up files agree with each other."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from embedlab.env import PROJECT_ROOT


def requirements() -> list[str]:
    lines = (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned() -> None:
    unpinned = [r for r in requirements() if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", r)]
    assert not unpinned, f"pin these with ==: {unpinned}"


def test_torch_is_pinned_to_the_cpu_build_version() -> None:
    assert "torch==2.13.0" in requirements()


def test_environment_yml_installs_the_same_pins() -> None:
    spec = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    deps = spec["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.txt" in pip_section, "environment.yml must install requirements.txt, not a second list"
    conda_packages = [d for d in deps if isinstance(d, str) and d.split("=")[0] not in {"python", "pip"}]
    assert not conda_packages, f"packages pinned outside requirements.txt would drift: {conda_packages}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
    assert match, "README.md must mark its test command with <!-- test-command -->"
    command = match.group(1).strip()
    assert command in ci, f".ci/run must call the README's test command {command!r}"


# ------------------------------------------------------------------ Makefile: JupyterLab root, torch install
def makefile() -> str:
    return (PROJECT_ROOT / "Makefile").read_text()


def recipe(target: str) -> list[str]:
    """The recipe lines of a Makefile target (tab-indented lines after ``target:``)."""
    lines = makefile().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(target)}\s*:", line))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


def dry_run_setup() -> str:
    """What ``make setup`` would run on a fresh checkout (``-B``: as if nothing were installed)."""
    done = subprocess.run(["make", "-n", "-B", "setup"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_start_roots_jupyterlab_at_the_repository() -> None:
    lab = next(line for line in recipe("start") if "jupyter lab" in line)
    args = lab.split()
    assert "--ServerApp.root_dir=." in args, "labs/ and solutions/ must be reachable from the file browser"
    notebook = next(a for a in args if a.endswith(".ipynb"))
    assert notebook == "notebooks/00_orientation.ipynb" and (PROJECT_ROOT / notebook).is_file()
    assert not any(a.startswith("--notebook-dir") or a == "notebooks/" for a in args)


def test_setup_installs_the_pinned_torch_cpu_build_on_linux_with_a_fallback() -> None:
    script = dry_run_setup()
    pin = next(r for r in requirements() if r.startswith("torch=="))
    cpu_install = next(line for line in script.splitlines() if "--index-url" in line)
    assert "https://download.pytorch.org/whl/cpu" in cpu_install and f"'{pin}'" in cpu_install
    assert '"$(uname -s)" = Linux' in script  # only Linux: macOS and Windows wheels on PyPI are CPU builds
    assert "cannot be reached" in script and "comes from the default index" in script  # the fallback
    assert script.index("--index-url") < script.index("pip install --quiet -r requirements.txt")
    hosts = set(re.findall(r"https?://([^/'\"\s]+)", script))
    assert hosts == {"download.pytorch.org"}, hosts


def probe_command() -> list[str]:
    line = next(l for l in dry_run_setup().splitlines() if "threading" in l and " -c '" in l)
    code = line.split(" -c '", 1)[1].split("' ", 1)[0]
    return [sys.executable, "-c", code]


def test_torch_index_probe_answers_and_never_hangs(tmp_path: Path) -> None:
    reachable = tmp_path / "index.html"
    reachable.write_text("<html></html>")
    assert subprocess.run([*probe_command(), reachable.as_uri()], capture_output=True, timeout=30).returncode == 0
    assert subprocess.run([*probe_command(), (tmp_path / "nope").as_uri()], capture_output=True,
                          timeout=30).returncode == 1
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.perf_counter()
        done = subprocess.run([*probe_command(), f"http://127.0.0.1:{port}/torch/"], capture_output=True, timeout=60)
        assert done.returncode == 1 and time.perf_counter() - started < 10


def test_setup_names_the_way_to_choose_python_311() -> None:
    assert "make start PYTHON=python3.11" in dry_run_setup()
    start = re.search(r"^## Start$(.+?)^## Notebooks$", (PROJECT_ROOT / "README.md").read_text(), re.S | re.M)
    assert start and "make start PYTHON=python3.11" in start.group(1)
