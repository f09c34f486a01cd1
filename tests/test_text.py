"""Tokenisers and vocabularies."""

from __future__ import annotations

import pytest

from embedlab.text import segment_zh, split_sentences_zh, tokenize_en, vocabulary


def test_tokenize_en() -> None:
    assert tokenize_en("The cat's 2 dogs, don't they?") == ["the", "cat's", "2", "dogs", "don't", "they"]
    assert tokenize_en("Hello—WORLD!!") == ["hello", "world"]
    assert tokenize_en("  ... ") == []


def test_segment_zh_known_words() -> None:
    assert segment_zh("我爱北京天安门") == ["我", "爱", "北京", "天安门"]


def test_segment_zh_punctuation_and_spaces() -> None:
    words = segment_zh("我爱北京天安门， 你呢？")
    assert "，" not in words and "？" not in words and " " not in words and "" not in words
    assert words[:4] == ["我", "爱", "北京", "天安门"]
    with_punct = segment_zh("我爱北京天安门， 你呢？", keep_punctuation=True)
    assert "，" in with_punct and "？" in with_punct and "" not in with_punct
    assert [w for w in with_punct if w not in {"，", "？"}] == words


def test_segment_zh_keeps_latin_words_and_numbers() -> None:
    words = segment_zh("我用Python写了3个程序")
    assert "Python" in words and "3" in words


def test_split_sentences_zh() -> None:
    text = "今天天气很好。我们去公园吧！你去吗？\n好的\n\n再见"
    assert split_sentences_zh(text) == ["今天天气很好。", "我们去公园吧！", "你去吗？", "好的", "再见"]
    assert split_sentences_zh("Really?! 真的") == ["Really?", "!", "真的"]
    assert split_sentences_zh("   \n ") == []


def test_vocabulary_by_frequency_then_alphabetical() -> None:
    docs = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "the"]]
    # the: 3; cat, sat: 2 (alphabetical); a, dog: 1 (alphabetical)
    assert vocabulary(docs) == {"the": 0, "cat": 1, "sat": 2, "a": 3, "dog": 4}


def test_vocabulary_min_count_and_max_size() -> None:
    docs = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "the"]]
    assert vocabulary(docs, min_count=2) == {"the": 0, "cat": 1, "sat": 2}
    assert vocabulary(docs, min_count=4) == {}
    assert vocabulary(docs, max_size=2) == {"the": 0, "cat": 1}
    assert vocabulary(docs, max_size=0) == {}
    assert vocabulary(iter([iter(["猫", "狗", "猫"])])) == {"猫": 0, "狗": 1}  # any iterables


@pytest.mark.parametrize("kwargs, message", [
    ({"min_count": 0}, "min_count must be at least 1"),
    ({"max_size": -1}, "max_size must be at least 0"),
])
def test_vocabulary_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vocabulary([["a", "b"]], **kwargs)
