import httpx2
import pytest

from medc.publish.retry import Backoff, GaveUp, retry, transient_reason


class HTTPFailure(Exception):
    def __init__(self, status, headers=None):
        super().__init__(f"HTTP {status}")
        self.response = type("Response", (), {"status_code": status, "headers": headers or {}})()


def failing(*errors):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return call, calls


def test_transient_failures_are_retried_on_a_doubling_schedule_capped_and_retry_after_wins():
    call, calls = failing(
        HTTPFailure(503),
        HTTPFailure(502),
        HTTPFailure(429, {"Retry-After": "30"}),
        httpx2.RemoteProtocolError("peer closed"),
        httpx2.ReadTimeout("slow"),
    )
    slept = []
    assert retry(call, Backoff(retries=5, first=2, cap=5), "commit", slept.append) == "done"
    assert slept == [2, 4, 30.0, 5, 5] and len(calls) == 6


def test_permanent_failures_are_raised_at_once_and_transient_ones_give_up_after_the_retries():
    call, calls = failing(HTTPFailure(401))
    with pytest.raises(HTTPFailure):
        retry(call, Backoff(retries=3), "commit", lambda s: None)
    assert len(calls) == 1
    call, calls = failing(*[HTTPFailure(500)] * 4)
    with pytest.raises(GaveUp, match=r"gave up on commit 2/3 after 3 retries \(HTTP 500\)"):
        retry(call, Backoff(retries=3), "commit 2/3", lambda s: None)
    assert len(calls) == 4


def test_a_transport_error_wrapped_by_the_client_is_still_transient():
    try:
        try:
            raise httpx2.ConnectError("connection refused")
        except httpx2.ConnectError as inner:
            raise RuntimeError("Error while uploading 'data/x.parquet' to the Hub.") from inner
    except RuntimeError as outer:
        assert transient_reason(outer) == "ConnectError"
    assert transient_reason(ValueError("bad yaml")) is None
