"""Fetch upstream files at a pinned revision: the Hugging Face hub, or one file of a GitHub repository.

The files land in the hub library's own cache (``~/.cache/huggingface``), so a second
conversion does not download them again; the store converts them to the course layout
and keeps the result only when its SHA-256 is the pinned one.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from .registry import GitHubFile, HubFiles


class UpstreamError(RuntimeError):
    """The pinned upstream cannot be read (network, missing file, unexpected layout)."""


def match_files(source: HubFiles, names: list[str]) -> list[list[str]]:
    """For each item of ``source.files``, the repository files it names (sorted).

    An item is a glob pattern, or alternatives separated by ``|`` tried in order.
    """
    groups = []
    for item in source.files:
        for pattern in item.split("|"):
            matched = sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))
            if matched:
                groups.append(matched)
                break
        else:
            shown = ", ".join(sorted(names)[:12]) + (" ..." if len(names) > 12 else "")
            raise UpstreamError(
                f"{source.repo} at revision {source.revision[:12]} has no file matching {item!r} "
                f"(its files: {shown}); the upstream layout is not the one the course expects: please report it"
            )
    return groups


def hub_files(source: HubFiles) -> list[list[Path]]:
    """Download the files ``source`` names, at its pinned revision; one list of local paths per item."""
    from huggingface_hub import HfApi, hf_hub_download

    try:
        names = HfApi().list_repo_files(source.repo, repo_type="dataset", revision=source.revision)
    except Exception as err:  # the hub client raises its own HTTP and connection errors
        raise UpstreamError(f"cannot list {source.repo} at revision {source.revision[:12]}: {err}") from err
    groups = []
    for group in match_files(source, list(names)):
        paths = []
        for name in group:
            try:
                paths.append(Path(hf_hub_download(source.repo, name, repo_type="dataset", revision=source.revision)))
            except Exception as err:
                raise UpstreamError(f"cannot download {name} of {source.repo} at {source.revision[:12]}: {err}") from err
        groups.append(paths)
    return groups


def github_file(source: GitHubFile, timeout: float = 60.0) -> bytes:
    """The bytes of ``source`` at its pinned commit (raw.githubusercontent.com)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(source.url, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as err:
        raise UpstreamError(f"cannot download {source.url}: HTTP {err.code} (the repository or commit may be gone)") from err
    except (urllib.error.URLError, OSError) as err:
        raise UpstreamError(f"cannot download {source.url}: {err}") from err
