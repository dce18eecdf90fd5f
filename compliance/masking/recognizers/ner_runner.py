"""natasha's NER model run one text at a time, without slovnet's batch machinery.

natasha's ``NewsNERTagger`` (slovnet underneath) is built for batches: every call goes through
generators, chunking, ``Record`` objects, ``numpy.pad`` and a Viterbi decoder written for a
batch of padded sequences. The masker tags one short text per call (the candidate sentences of
one part, about 11 tokens on the sample e-mails), so that machinery cost more than the model's
arithmetic. :class:`NerRunner` runs **the same model with the same arrays and the same numpy
operations on operands of the same shape and memory layout**, so its scores are bit for bit
slovnet's and its spans are the same; only the bookkeeping around them is cut:

- tokens straight from razdel (slovnet's own tokenizer) instead of three layers of records;
- the convolutions' zero padding written into a zeroed array instead of ``numpy.pad`` (the
  same C-ordered array, so the same matrix product follows);
- the CRF's Viterbi pass for one unpadded sequence (the same additions and ``argmax`` per
  step, without the batch's masks and index grids);
- the BIO tags read into spans in one loop (slovnet's ``bio_spans``).

A text with a word the vocabulary reads as padding (the model would see a padded position)
goes to natasha's own tagger. ``tests/compliance/test_masking_ner_runner.py`` holds the two
to the same spans and the same scores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from razdel import tokenize

Span = tuple[int, int, str]


class NerRunner:
    """``runner(text)`` -> ``[(start, stop, type)]``: natasha's NER spans of ``text``."""

    def __init__(self, tagger: Any) -> None:
        infer = tagger.infer
        self._tagger: Callable[[str], Any] = tagger
        self._model = infer.model
        self._words = infer.encoder.words_vocab
        self._shapes = infer.encoder.shapes_vocab
        self._tags = list(infer.decoder.tags_vocab.items)
        self._transitions = self._model.head.crf.transitions.array
        layers = self._model.encoder.layers
        self._layers = [(layer, layer.conv.padding, _filters(layer.conv)) for layer in layers]

    def __call__(self, text: str) -> list[Span]:
        tokens = [(t.start, t.stop, t.text) for t in tokenize(text)]
        if not tokens:
            return _natasha_spans(self._tagger(text))
        word_id, shape_id = self._ids([word for _, _, word in tokens])
        if (word_id == self._words.pad_id).any():
            return _natasha_spans(self._tagger(text))
        tags = self._viterbi(self.emissions(word_id, shape_id)[0])
        return _bio_spans(tokens, [self._tags[tag] for tag in tags])

    def emissions(self, word_id: Any, shape_id: Any) -> Any:
        """The CRF's input for one sequence: ``(1, tokens, tags)``, as slovnet computes it."""
        model = self._model
        x = model.emb(word_id, shape_id)
        x = np.swapaxes(x, 2, 1)
        for layer, padding, weight_t in self._layers:
            x = layer.norm(layer.relu(_conv(layer.conv, x, padding, weight_t)))
        x = np.swapaxes(x, 2, 1)
        return model.head(x)

    def _ids(self, words: list[str]) -> tuple[Any, Any]:
        """slovnet's encoder for one sequence: word and shape ids, shape ``(1, tokens)``."""
        from slovnet.shape import word_shape

        encode_word, encode_shape = self._words.encode, self._shapes.encode
        word_ids = [encode_word(word.lower()) for word in words]
        shape_ids = [encode_shape(word_shape(word)) for word in words]
        word_id = np.full((1, len(words)), self._words.pad_id)
        shape_id = np.full((1, len(words)), self._shapes.pad_id)
        word_id[0, :] = np.array(word_ids)
        shape_id[0, :] = np.array(shape_ids)
        return word_id, shape_id

    def _viterbi(self, emissions: Any) -> list[int]:
        """slovnet's ``CRF.decode`` for one sequence without padding: the best tag path."""
        tags_num = emissions.shape[1]
        transitions = self._transitions
        columns = np.arange(tags_num)
        score = emissions[0].reshape(1, tags_num)
        history = []
        for index in range(1, emissions.shape[0]):
            step = (
                score.reshape(1, tags_num, 1)
                + transitions
                + emissions[index].reshape(1, 1, tags_num)
            )
            best = step.argmax(-2)  # (1, tags): the best previous tag for each tag
            score = step[0, best[0], columns].reshape(1, tags_num)
            history.append(best[0])
        tag = int(score[0].argmax())
        path = [tag]
        for best_before in reversed(history):
            tag = int(best_before[tag])
            path.append(tag)
        path.reverse()
        return path


def _filters(conv: Any) -> Any:
    """The convolution's filters as slovnet multiplies them: a transposed view."""
    filters_count, in_dim, kernel_size = conv.weight.shape
    return conv.weight.array.reshape(filters_count, in_dim * kernel_size).T


def _conv(conv: Any, x: Any, padding: int, weight_t: Any) -> Any:
    """slovnet's ``Conv1d`` with the zero padding written directly (``numpy.pad`` makes the
    same C-ordered array, so the matrix product below gets the same operands)."""
    batch_size, in_dim, seq_len = x.shape
    padded = np.zeros((batch_size, in_dim, seq_len + 2 * padding), dtype=x.dtype)
    padded[:, :, padding : padding + seq_len] = x
    batch_stride, in_stride, seq_stride = padded.strides
    filters_count, _, kernel_size = conv.weight.shape
    windows_count = seq_len + 2 * padding - kernel_size + 1
    windows = np.ndarray(
        (batch_size, windows_count, in_dim, kernel_size),
        dtype=padded.dtype,
        buffer=padded.data,
        strides=(batch_stride, padded.itemsize, in_stride, seq_stride),
    )
    windows = windows.reshape(batch_size * windows_count, in_dim * kernel_size)
    output = np.matmul(windows, weight_t) + conv.bias.array
    output = output.reshape(batch_size, windows_count, filters_count)
    return output.swapaxes(2, 1)


def _bio_spans(tokens: list[tuple[int, int, str]], tags: list[str]) -> list[Span]:
    """slovnet's ``bio_spans``: B-X starts a span, I-X extends it, O ends it."""
    spans: list[Span] = []
    current: str | None = None
    start = stop = 0
    for (token_start, token_stop, _), tag in zip(tokens, tags, strict=True):
        part, _, kind = tag.partition("-")
        if part == "O":
            if current:
                spans.append((start, stop, current))
                current = None
        elif part == "B":
            if current:
                spans.append((start, stop, current))
            current, start, stop = kind or None, token_start, token_stop
        elif part == "I":
            stop = token_stop
    if current:
        spans.append((start, stop, current))
    return spans


def _natasha_spans(markup: Any) -> list[Span]:
    return [(span.start, span.stop, span.type) for span in markup.spans]
