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


def bert_pretraining_diagram(tokens: Sequence[str] = ("[CLS]", "the", "cat", "sat", "[MASK]", "[SEP]", "it", "slept",
                                                      "[SEP]"),
                             *, masked: str = "down", layers: int = 6, ax=None):
    """A sketch of a BERT encoder and its two pretraining tasks: the masked token (MLM) and next-sentence
    prediction (NSP) from ``[CLS]``. Boxes and arrows only (no numbers); returns the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if "[MASK]" not in tokens or tokens[0] != "[CLS]":
        raise ValueError("tokens must start with [CLS] and contain one [MASK]")
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.2))
    n = len(tokens)
    xs = np.arange(n) * 1.2

    def box(x, y, w, h, text, colour, size=9):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc=colour, ec="0.3"))
        ax.text(x, y, text, ha="center", va="center", fontsize=size)

    def arrow(x0, y0, x1, y1, colour="0.4"):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10, color=colour))

    for x, tok in zip(xs, tokens):
        box(x, 0, 1.0, 0.45, tok, "#ffe9a8" if tok == "[MASK]" else "#eeeeee")
        box(x, 1.1, 1.1, 0.45, "tok+pos+seg", "#dbe9f6", size=6)
        arrow(x, 0.25, x, 0.85)
        arrow(x, 1.35, x, 1.9)
        box(x, 3.9, 1.0, 0.45, "h", "#d5f0d5")
        arrow(x, 3.05, x, 3.65)
    width = xs[-1] + 1.2
    box(xs[-1] / 2, 2.5, width, 1.1, f"{layers} × transformer layer: self-attention (every token looks at every token)"
        f" + feed-forward", "#c9dcf0", size=10)
    m = xs[list(tokens).index("[MASK]")]
    box(m, 5.0, 1.9, 0.5, f"MLM head: '{masked}'?", "#ffd27f", size=8)
    arrow(m, 4.15, m, 4.72, "#c77c00")
    box(xs[0], 5.0, 1.9, 0.5, "NSP head: B follows A?", "#f4b6b6", size=8)
    arrow(xs[0], 4.15, xs[0], 4.72, "#b03030")
    ax.text(-0.7, 0, "input tokens", ha="right", va="center", fontsize=9)
    ax.text(-0.7, 1.1, "embeddings", ha="right", va="center", fontsize=9)
    ax.text(-0.7, 3.9, "token vectors", ha="right", va="center", fontsize=9)
    ax.set_xlim(-3.2, width)
    ax.set_ylim(-0.6, 5.6)
    ax.set_xlabel("position in the input (segment A, then segment B)")
    ax.set_ylabel("from input (bottom) to training heads (top)")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("BERT pretraining: predict the masked token (MLM) and whether B follows A (NSP)")
    return ax
