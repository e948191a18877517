"""Language identification on a sample of a document: py3langid (a naive Bayes model shipped inside the package,
nothing downloaded).

    >>> identify_language("La aspirina inhibe de forma irreversible la ciclooxigenasa en las plaquetas de los "
    ...                   "pacientes. " * 8)
    ('es', 0.7542)

The sample is up to `sample_chars` characters from `_WINDOWS` evenly spaced places (an abstract alone may be in
another language than the body; a reference list alone says little).

py3langid ships its model LZMA-compressed: unpacking it costs 0.5-1 s in every process that identifies a
language, each build worker included. The unpacked arrays are kept in a cache folder (`MEDC_CACHE_DIR`, else
`$XDG_CACHE_HOME/medc`, else `~/.cache/medc`), one subfolder per py3langid version and model file; a process
then maps them in about 30 ms (they are mapped, not copied: the workers of a build share one copy in the page
cache). The same arrays make the same identifier (a test compares the two); a cache that cannot be read or
written is skipped, and the model is loaded as py3langid does it. Scores are computed by
`language_scores.VectorIdentifier`, py3langid's identifier with its byte walk and scoring done in numpy: the
same results, at a third of the time in a build.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from array import array
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_WINDOWS = 4  # places in the document the sample is taken from
_ARRAYS = ("nb_ptc", "nb_pc", "nb_classes", "tk_nextmove", "tk_output", "tk_row")


def identify_language(text: str, sample_chars: int = 1000) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the language of a sample of `text`."""
    lang, score = language_identifier().classify(sample(text, sample_chars))
    return lang, round(float(score), 4)


def sample(text: str, size: int) -> str:
    """Up to `size` characters of `text`, from `_WINDOWS` evenly spaced places."""
    if len(text) <= size:
        return text
    width = size // _WINDOWS
    step = (len(text) - width) / (_WINDOWS - 1)
    return "\n".join(text[int(i * step) : int(i * step) + width] for i in range(_WINDOWS))


@functools.cache
def language_identifier():  # -> a py3langid.langid.LanguageIdentifier, loaded once per process
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from medc.filters.language_scores import VectorIdentifier

    folder = model_cache_folder(Path(MODEL_DIR) / MODEL_FILE)
    try:
        identifier = _from_folder(VectorIdentifier, folder)
    except (OSError, ValueError, TypeError, KeyError) as exc:  # absent (first use), or unreadable
        logger.debug("no cached language model in %s (%s)", folder, exc)
        identifier = VectorIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        try:
            _to_folder(identifier, folder)
        except (OSError, AttributeError) as exc:  # a read-only home, or another py3langid layout
            logger.debug("could not cache the language model in %s: %s", folder, exc)
    identifier.attach_walk(_automaton_depth(identifier, folder))
    return identifier


def _automaton_depth(identifier, folder: Path) -> int:
    """The model's automaton depth, kept beside the cached arrays (computing it takes about 0.4 s)."""
    from medc.filters.language_scores import automaton_depth

    path = folder / "automaton_depth.npy"
    try:
        return int(np.load(path, allow_pickle=False))
    except (OSError, ValueError):
        pass
    depth = automaton_depth(identifier.tk_nextmove, identifier.tk_row)
    try:
        temp = folder / f".automaton_depth.{os.getpid()}.npy"
        np.save(temp, np.array(depth), allow_pickle=False)
        temp.replace(path)
    except OSError as exc:
        logger.debug("could not cache the automaton depth in %s: %s", folder, exc)
    return depth


def model_cache_folder(model_file: Path) -> Path:
    """Where the unpacked arrays of `model_file` live: one folder per py3langid version and model file."""
    from importlib.metadata import version

    root = os.environ.get("MEDC_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "medc"
    stat = model_file.stat()
    return Path(root) / f"py3langid-{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}"


def _from_folder(cls, folder: Path):
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    return cls(
        arrays["nb_ptc"],  # mapped: scoring reads only the rows of the features it meets
        np.array(arrays["nb_pc"]),
        arrays["nb_classes"].tolist(),
        arrays["tk_nextmove"],  # mapped, shared by the workers: the walk gathers from it with numpy
        arrays["tk_output"].tolist(),
        norm_probs=True,
        tk_row=_stdlib_array(arrays["tk_row"]),
    )


def _to_folder(identifier, folder: Path) -> None:
    if folder.exists():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name in _ARRAYS:
            np.save(temp / f"{name}.npy", np.asarray(getattr(identifier, name)), allow_pickle=False)
        temp.rename(folder)  # atomic: a process reads a complete folder or none
    except OSError:
        if not folder.exists():
            raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _stdlib_array(values: np.ndarray) -> array:
    out = array({2: "H", 4: "I", 8: "Q"}[values.dtype.itemsize])
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out
