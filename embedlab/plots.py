"""Plots the course draws more than once (matplotlib; every axis labelled)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def use_cjk_font() -> str | None:
    """Pick an installed font that can draw Chinese labels, if any; returns its name."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
              "PingFang SC", "Heiti SC", "Arial Unicode MS")
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in installed:
            plt.rcParams["font.sans-serif"] = [name, *plt.rcParams["font.sans-serif"]]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    return None


def heatmap(matrix: np.ndarray, labels: Sequence[str], *, title: str, ax=None, vmin: float = -1.0,
            vmax: float = 1.0, cbar_label: str = "cosine similarity", fmt: str = ".2f"):
    """A labelled similarity heat-map with the value written in each cell; returns the axes."""
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.shape != (len(labels), len(labels)):
        raise ValueError(f"matrix shape {matrix.shape} does not match {len(labels)} labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(1 + 0.6 * len(labels), 0.8 + 0.5 * len(labels)))
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    if len(labels) <= 14:
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, format(matrix[i, j], fmt), ha="center", va="center", fontsize=8)
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=cbar_label)
    return ax
