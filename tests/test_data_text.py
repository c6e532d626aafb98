"""Chapter 7's text (rnnlab/data/text.py): the corpus and its checks, the split, the vocabulary,
the windows and the streams of ids."""
import sys

import numpy as np
import pytest

from rnnlab.data import DataUnavailable
from rnnlab.data import text as textdata
from rnnlab.data.text import (CORPUS_SHA256, UNKNOWN, Vocabulary, lm_streams, lm_windows,
                              load_corpus, split_text)


# --- the corpus --------------------------------------------------------------------------------

def test_the_corpus_is_the_documentation_text_and_verified_where_its_release_is_known():
    corpus = load_corpus()
    assert 100_000 < len(corpus) < 5_000_000
    assert "assert" in corpus.text and "Python Software Foundation" in corpus.licence
    python = ".".join(map(str, sys.version_info[:3]))
    assert corpus.python == python
    assert corpus.verified == (python in CORPUS_SHA256)


def test_a_python_without_pydoc_data_gets_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)     # import raises ImportError
    with pytest.raises(DataUnavailable, match="pydoc_data.*full Python installation"):
        load_corpus()


def test_a_modified_text_of_a_known_release_is_refused(monkeypatch):
    import pydoc_data.topics as topics

    python = ".".join(map(str, sys.version_info[:3]))
    monkeypatch.setitem(CORPUS_SHA256, python, "0" * 64)
    with pytest.raises(DataUnavailable, match="was modified"):
        load_corpus()
    monkeypatch.setitem(topics.topics, "assert", "changed")
    monkeypatch.delitem(CORPUS_SHA256, python)
    assert not load_corpus().verified


def test_dedupe_keeps_one_copy_of_each_text():
    from rnnlab.data.text import dedupe_topics

    rng = np.random.default_rng(12)
    letters = np.array(list("abcdefghij klmnop"))
    big = "".join(rng.choice(letters, 600))
    other = "".join(rng.choice(letters, 300))
    topics = {"compound": big, "while": big[100:250], "mixed": big[:80] + other[:200],
              "other": other[200:], "same": other[200:]}
    kept = dedupe_topics(topics)
    assert kept == sorted(kept)
    assert "compound" in kept and "while" not in kept      # a section of a longer topic
    assert "mixed" in kept                                  # mostly new text
    assert ("other" in kept) != ("same" in kept)            # identical topics: one copy
    assert dedupe_topics({"a": "xy", "b": "xy"}) == ["a"]   # texts shorter than a piece


def test_the_corpus_leaves_out_the_documentation_copies():
    corpus = load_corpus()
    assert {"while", "with", "if"} <= set(corpus.dropped) or sys.version_info[:2] != (3, 11)
    assert not set(corpus.topics) & set(corpus.dropped)
    assert corpus.text.startswith(__import__("pydoc_data.topics").topics.topics[corpus.topics[0]][:100])


def test_split_is_by_position_and_covers_the_text():
    text = "".join(chr(65 + i % 26) for i in range(1000))
    train, validation, test = split_text(text)
    assert (len(train), len(validation), len(test)) == (800, 100, 100)
    assert train + validation + test == text
    with pytest.raises(ValueError, match="three positive shares"):
        split_text(text, (0.5, 0.5))
    with pytest.raises(ValueError, match="non-empty string"):
        split_text("")
    with pytest.raises(ValueError, match="too short"):
        split_text("abc")


def test_vocabulary_round_trip_and_unknown_characters():
    vocab = Vocabulary.from_text("banana bread")
    assert vocab.symbols[0] == UNKNOWN and len(vocab) == 1 + len(set("banana bread"))
    ids = vocab.encode("bread")
    assert ids.dtype == np.int32 and vocab.decode(ids) == "bread"
    assert vocab.encode("x")[0] == 0 and vocab.decode([0]) == UNKNOWN
    with pytest.raises(ValueError, match=r"ids must lie in \[0, "):
        vocab.decode([len(vocab)])
    with pytest.raises(TypeError, match="string"):
        vocab.encode(["a"])


def test_load_text_uses_the_training_vocabulary():
    data = textdata.load_text()
    assert len(data.train) + len(data.validation) + len(data.test) == len(data.corpus)
    assert data.vocabulary == Vocabulary.from_text(data.corpus.text[:len(data.train)])
    assert data.train.min() > 0           # every training character is in the vocabulary


# --- windows -----------------------------------------------------------------------------------

def test_windows_predict_the_next_character_at_every_step():
    ids = np.arange(23)
    x, y = lm_windows(ids, 5)
    assert x.shape == y.shape == (4, 5)
    assert np.array_equal(y, x + 1) and np.array_equal(x.ravel(), ids[:20])
    with pytest.raises(ValueError, match="too few"):
        lm_windows(np.arange(5), 5)
    with pytest.raises(ValueError, match="1-D array of integers"):
        lm_windows(np.zeros((3, 4), int), 2)


def test_streams_continue_row_by_row_from_batch_to_batch():
    ids = np.arange(1000)
    x, y = lm_streams(ids, 10, 4)
    batches = x.reshape(-1, 4, 10)
    for k in range(len(batches) - 1):
        assert np.array_equal(batches[k + 1][:, 0], batches[k][:, -1] + 1)
    assert np.array_equal(y, x + 1)
    # the four streams are contiguous quarters of the text
    assert [int(batches[0][b, 0]) for b in range(4)] == [0, 249, 498, 747]
