"""The character corpus: a short English text written for this project."""

from __future__ import annotations

from importlib import resources

from ..backend import asarray


def load_corpus() -> str:
    """The whole corpus as one string (about 28,000 characters), header line removed."""
    text = resources.files(__package__).joinpath("corpus.txt").read_text(encoding="ascii")
    return text.split("\n", 2)[2] if text.startswith("#") else text


class CharVocab:
    """Characters <-> integer ids, for the V characters of a text.

    ``vocab = CharVocab(text)``; ``vocab.encode("abc")`` gives a list of ids,
    ``vocab.decode(ids)`` the string back; ``len(vocab)`` is V.
    """

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"text: characters not in the vocabulary: {unknown!r}")
        return [self.index[ch] for ch in text]

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def char_streams(text: str, vocab: CharVocab, N: int):
    """Cut a text into N parallel streams for truncated BPTT.

    Returns ``(x, d)``: input ids and target ids, both integer (N, L), with d the next
    character of x (``d[:, t] = x[:, t + 1]`` within a stream); L = (len(text) - 1) // N.
    """
    if not (isinstance(N, int) and N > 0):
        raise ValueError(f"N: expected a positive integer, got {N!r}")
    ids = vocab.encode(text)
    L = (len(ids) - 1) // N
    if L < 1:
        raise ValueError(f"N: {N} streams do not fit in a text of {len(ids)} characters")
    x = [ids[n * L : (n + 1) * L] for n in range(N)]
    d = [ids[n * L + 1 : (n + 1) * L + 1] for n in range(N)]
    return asarray(x, dtype="int64"), asarray(d, dtype="int64")
