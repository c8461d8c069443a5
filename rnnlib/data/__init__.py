"""Small data sets that ship with rnnlib: nothing is downloaded.

- :func:`adding_problem` and :func:`recall_task`: long-range dependencies with a
  delay you choose, the classic tests of whether a network remembers;
- :func:`noisy_sine`: a time series to predict one step ahead;
- :func:`load_corpus` and :class:`CharVocab`: a small English text written for this
  project, for character-level language models.

Arrays are created on the selected backend (:mod:`rnnlib.backend`).
"""

from .corpus import CharVocab, char_streams, load_corpus
from .tasks import adding_problem, noisy_sine, recall_task

__all__ = ["adding_problem", "recall_task", "noisy_sine", "load_corpus", "CharVocab",
           "char_streams"]
