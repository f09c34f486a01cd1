"""The shared heat-map (Agg backend: nothing is shown)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from embedlab.plots import heatmap, use_cjk_font  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_heatmap_labels_title_and_values() -> None:
    matrix = np.array([[1.0, 0.25, -0.5], [0.25, 1.0, 0.125], [-0.5, 0.125, 1.0]])
    ax = heatmap(matrix, ["cat", "dog", "car"], title="Cosine similarity")
    assert ax.get_title() == "Cosine similarity"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "car"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "car"]
    assert [t.get_text() for t in ax.texts] == ["1.00", "0.25", "-0.50", "0.25", "1.00", "0.12", "-0.50", "0.12",
                                                "1.00"]
    assert [t.get_color() for t in ax.texts][:3] == ["white", "black", "black"]  # readable on dark cells
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert len(colorbar_axes) == 1 and colorbar_axes[0].get_ylabel() == "cosine similarity"


def test_heatmap_draws_on_a_given_axes_with_options() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    ax = heatmap(np.eye(2), ["a", "b"], title="t", ax=right, vmin=0, vmax=2, fmt=".0f", cbar_label="count")
    assert ax is right and len(left.images) == 0
    assert [t.get_text() for t in ax.texts] == ["1", "0", "0", "1"]
    assert ax.images[0].get_clim() == (0, 2)


def test_heatmap_large_matrix_has_no_numbers() -> None:
    ax = heatmap(np.zeros((15, 15)), [str(i) for i in range(15)], title="big")
    assert len(ax.texts) == 0 and len(ax.get_xticklabels()) == 15


@pytest.mark.parametrize("shape", [(3, 2), (2, 2), (3,)])
def test_heatmap_shape_mismatch(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="does not match 3 labels"):
        heatmap(np.zeros(shape), ["a", "b", "c"], title="bad")


def test_use_cjk_font_puts_the_font_first() -> None:
    before = list(plt.rcParams["font.sans-serif"])
    try:
        name = use_cjk_font()
        if name is None:
            assert plt.rcParams["font.sans-serif"] == before
        else:
            assert plt.rcParams["font.sans-serif"][0] == name
            assert plt.rcParams["axes.unicode_minus"] is False
    finally:
        plt.rcParams["font.sans-serif"] = before
        plt.rcParams["axes.unicode_minus"] = True


def test_course_environment_draws_chinese_labels() -> None:
    """mplfonts is a pinned requirement, so a CJK font is always found; Chinese then renders without tofu."""
    import warnings

    before = list(plt.rcParams["font.sans-serif"])
    try:
        assert use_cjk_font() is not None
        fig, ax = plt.subplots()
        ax.set_title("曹操 孙权 男人 女人")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" for tofu
            fig.canvas.draw()
    finally:
        plt.rcParams["font.sans-serif"] = before
        plt.rcParams["axes.unicode_minus"] = True


def test_without_any_cjk_font_the_answer_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    from embedlab import plots

    before = list(plt.rcParams["font.sans-serif"])
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "Hei" not in f.name])
    monkeypatch.setattr(plots, "_bundled_cjk_font", lambda: None)
    assert use_cjk_font() is None
    assert plt.rcParams["font.sans-serif"] == before


def test_bert_diagram_has_title_axes_labels_and_both_heads() -> None:
    import warnings

    import matplotlib.pyplot as plt

    from embedlab.plots import bert_pretraining_diagram

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = bert_pretraining_diagram()
        ax.figure.canvas.draw()
    texts = [t.get_text() for t in ax.texts]
    assert "[MASK]" in texts and any(t.startswith("MLM head") for t in texts) and any(t.startswith("NSP") for t in texts)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="MASK"):
        bert_pretraining_diagram(("[CLS]", "no", "mask"))
