"""Keep pyarrow from importing pandas in a build worker: pyarrow asks, on its first conversion of any Python or
numpy value (`pa.array`, `pa.scalar`, `pa.table`), whether pandas can be imported, and imports it (about 0.15 s
of CPU per process) to recognise pandas objects, which medc never hands it.

    >>> skip_pandas_probe()     # once, first thing in a worker process
    >>> "pandas" in sys.modules, pa.array(["a"]).type
    (False, DataType(string))

The probe is answered once with pandas hidden; pyarrow remembers the answer for its is-this-pandas checks, and
still imports pandas when asked for a conversion to or from pandas (`to_pandas`, `from_pandas`). Only for
processes that run nothing but a build: the workers, and the process of a `medc build-*` command. In a process
that goes on to hand pyarrow pandas objects directly (`pa.array(series)`), a categorical would arrive as its
values. Nothing is done where pandas is loaded already (a test session, a notebook).
"""

from __future__ import annotations

import sys
from typing import Any

_done: list[bool] = []


class _HidePandas:
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("hidden from pyarrow's probe by medc")


def skip_pandas_probe() -> None:
    """Answer pyarrow's pandas probe without importing pandas (once per process; nothing if pandas is loaded)."""
    if _done or "pandas" in sys.modules:
        return
    _done.append(True)
    import pyarrow as pa

    hide = _HidePandas()
    sys.meta_path.insert(0, hide)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hide)
