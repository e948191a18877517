"""Which Hub failures are worth retrying, and retrying them with exponential backoff.

    >>> retry(lambda: api.create_commit(...), Backoff(retries=6, first=2.0, cap=120.0), what="commit 2/5")
    commit 2/5 failed (HTTP 429); retry 1/6 in 30.0 s       # the server's Retry-After wins over the schedule
    commit 2/5 failed (RemoteProtocolError); retry 2/6 in 4.0 s

Transient: HTTP 408, 429 and 5xx gateway/server errors, and transport failures (refused or dropped connections,
timeouts) anywhere down the exception's cause chain (the client wraps upload failures in RuntimeError). Anything
else (401, a malformed request, a missing repo) is raised at once: waiting will not fix it.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    retries: int = 6
    first: float = 2.0  # seconds before the first retry, doubled each time
    cap: float = 120.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.first * 2 ** (attempt - 1))


class GaveUp(Exception):
    """Still failing after every retry; `reason` is the last transient failure."""

    def __init__(self, what: str, retries: int, reason: str) -> None:
        super().__init__(f"gave up on {what} after {retries} retries ({reason})")
        self.reason = reason


def retry(
    call: Callable[[], T],
    backoff: Backoff,
    what: str,
    sleep: Callable[[float], None],
    only_http: bool = False,
) -> T:
    """`call()`, again after a transient failure, up to `backoff.retries` times; then GaveUp (from the error).
    `only_http`: retry server answers (429, 5xx) but not a connection that cannot be made at all."""
    attempt = 0
    while True:
        try:
            return call()
        except Exception as err:
            reason = transient_reason(err)
            if reason is None or (only_http and not reason.startswith("HTTP")):
                raise
            attempt += 1
            if attempt > backoff.retries:
                raise GaveUp(what, backoff.retries, reason) from err
            wait = retry_after(err)
            wait = backoff.delay(attempt) if wait is None else wait
            log.warning("%s failed (%s); retry %d/%d in %.1f s", what, reason, attempt, backoff.retries, wait)
            sleep(wait)


def transient_reason(err: BaseException) -> str | None:
    """Why `err` is worth retrying (`HTTP 429`, `RemoteProtocolError`), or None."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        status = getattr(getattr(current, "response", None), "status_code", None)
        if status in TRANSIENT_STATUS:
            return f"HTTP {status}"
        if isinstance(current, _transport_errors()):
            return type(current).__name__
        current = current.__cause__ or current.__context__
    return None


def _transport_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module in ("httpx2", "httpx"):  # huggingface_hub 2.x speaks httpx2; older versions httpx
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(importlib.import_module(module).TransportError)
    return tuple(errors)


def retry_after(err: BaseException) -> float | None:
    """The server's `Retry-After` in seconds, when it sent one as a number."""
    headers = getattr(getattr(err, "response", None), "headers", None) or {}
    value = headers.get("Retry-After")
    return float(value) if value is not None and str(value).strip().isdigit() else None
