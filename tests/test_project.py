"""The project's set-up files agree with each other."""

from __future__ import annotations

import re

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
