"""One error path for every verb: what goes wrong becomes one `Error:` line on stderr and an exit code, never a
traceback (unless `-vv` asks for one).

    $ medc build-k --pmc pmc/ --out k/ --set dedup.threshold=abc
    Error: dedup.threshold wants a number, got 'abc'            (exit code 2)
    $ medc eval --model ./no-such-dir --task medqa --data test.jsonl
    Error: --model ./no-such-dir: no such directory, and not a Hub model id     (exit code 2)

Exit codes: 2 for a wrong setting, option value or path (`ConfigError`, and click's own usage errors); 1 for
anything else (bad inputs, an empty build, a failure on the way). An exception nobody foresaw still gets one line,
its type and message, and a pointer to `-vv`.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

# Exceptions of these modules are the user's to fix, so their message is the whole story; looked up only when
# the module is already imported (an exception of a module never imported cannot have been raised).
EXPECTED = {
    "medc.sources": "InputError",
    "medc.staging": "StagingMismatch",
    "medc.executors": "ExecutorUnavailable",
}


class OneLineError(click.ClickException):
    """A ClickException shown as `Error: message` alone (no usage block); `exit_code` as the class sets it."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file or sys.stderr)


class SettingError(OneLineError):
    """A wrong setting, option value or path: exit code 2, as click gives usage errors."""

    exit_code = 2


def as_click_error(exc: Exception) -> click.ClickException:
    """The one-line error `exc` becomes (see the module docstring)."""
    from medc.config import ConfigError

    if isinstance(exc, ConfigError):
        return SettingError(str(exc))
    if _is_expected(exc):
        return OneLineError(str(exc))
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return OneLineError(f"{exc.filename}: {exc.strerror}")
    return OneLineError(f"{type(exc).__name__}: {one_line(str(exc))} (run `medc -vv ...` for the traceback)")


def one_line(text: str, limit: int = 500) -> str:
    """A message of several lines as one line, cut at `limit` characters."""
    flat = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _is_expected(exc: Exception) -> bool:
    for module, name in EXPECTED.items():
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(exc, cls):
            return True
    return False
