"""Plots the course draws more than once (matplotlib; every axis labelled)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese labels, if a font for them exists; returns the font's name.

    An installed system font wins (Noto Sans CJK, WenQuanYi, SimHei, YaHei, PingFang...);
    otherwise the Noto Sans CJK SC file (SIL Open Font Licence) that the ``mplfonts`` package
    ships, which the course's requirements install. ``None`` when neither is there: the
    notebooks then label Chinese words in pinyin instead of drawing empty boxes.
    """
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
              "PingFang SC", "Heiti SC", "Arial Unicode MS")
    installed = {f.name for f in font_manager.fontManager.ttflist}
    name = next((n for n in wanted if n in installed), None)
    if name is None:
        bundled = _bundled_cjk_font()
        if bundled is not None:
            font_manager.fontManager.addfont(str(bundled))
            name = font_manager.FontProperties(fname=str(bundled)).get_name()
    if name is None:
        return None
    if plt.rcParams["font.sans-serif"][:1] != [name]:
        plt.rcParams["font.sans-serif"] = [name, *plt.rcParams["font.sans-serif"]]
    plt.rcParams["axes.unicode_minus"] = False
    return name


def _bundled_cjk_font() -> Path | None:
    """The Noto Sans CJK SC file inside the ``mplfonts`` package, when it is installed."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


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
                strong = abs(matrix[i, j] - (vmin + vmax) / 2) > 0.3 * (vmax - vmin)  # a dark cell: white text
                ax.text(j, i, format(matrix[i, j], fmt), ha="center", va="center", fontsize=8,
                        color="white" if strong else "black")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=cbar_label)
    return ax
