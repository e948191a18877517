"""Object stores and other fsspec filesystems: a streamed, sorted listing for the coordinator, and concurrent,
bounded reads of a batch of objects for a worker.

    >>> for entry in iter_listing(fs, "pmc-oa-opendata/oa_comm/xml/all/"):
    ...     entry                               # ObjectEntry(path='pmc-oa-opendata/oa_comm/xml/all/PMC1.1.xml',
    ...                                         #             size=48213, stamp='"9b2c…"')
    >>> read_objects(["s3://b/k1.xml", "s3://b/k2.xml"])          # one concurrent round trip for the batch
    {'s3://b/k1.xml': b'<article…', 's3://b/k2.xml': FileNotFoundError(...)}

S3 lists a prefix in key order, one page of up to 1,000 keys at a time; the listing is consumed page by page, so
7M keys never sit in memory. Other filesystems are walked directory by directory, entries sorted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ObjectEntry:
    path: str  # without protocol, as the filesystem names it
    size: int
    stamp: str


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem of `url` and the path inside it."""
    import fsspec  # a local build never needs it

    return fsspec.core.url_to_fs(url, **anonymous_options(url))


def anonymous_options(url: str) -> dict[str, object]:
    # PMC's bucket is world-readable; without credentials s3fs must be told not to sign requests.
    credentials = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")
    if url.startswith("s3://") and not any(os.environ.get(name) for name in credentials):
        return {"anon": True}
    return {}


def iter_listing(fs: Any, root: str, page_size: int = 1000) -> Iterator[ObjectEntry]:
    """Every file under `root` (or `root` itself when it is a file), in a deterministic sorted order."""
    if type(fs).__name__ == "S3FileSystem":
        yield from _iter_s3(fs, root, page_size)
        return
    if not fs.isdir(root):
        info = fs.info(root)
        yield ObjectEntry(info["name"], int(info.get("size") or 0), _stamp(info))
        return
    yield from _iter_tree(fs, root)


def _iter_tree(fs: Any, root: str) -> Iterator[ObjectEntry]:
    entries = sorted(fs.ls(root, detail=True), key=lambda e: e["name"])
    for entry in entries:
        if entry["name"].rstrip("/").rsplit("/", 1)[-1].startswith("."):
            continue
        if entry["type"] == "directory":
            yield from _iter_tree(fs, entry["name"])
        else:
            yield ObjectEntry(entry["name"], int(entry.get("size") or 0), _stamp(entry))


def _iter_s3(fs: Any, root: str, page_size: int) -> Iterator[ObjectEntry]:
    from fsspec.asyn import sync

    bucket, _, prefix = root.strip("/").partition("/")
    if prefix and not root.endswith("/") and fs.isfile(root):
        info = fs.info(root)
        yield ObjectEntry(root, int(info["size"]), _stamp(info))
        return
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": f"{prefix}/" if prefix else "", "MaxKeys": page_size}
    while True:  # one page at a time: ListObjectsV2 returns keys in UTF-8 binary order
        page = sync(fs.loop, fs._call_s3, "list_objects_v2", **request)
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                yield ObjectEntry(f"{bucket}/{item['Key']}", int(item["Size"]), str(item.get("ETag", "")))
        if not page.get("IsTruncated"):
            return
        request["ContinuationToken"] = page["NextContinuationToken"]


def _stamp(info: dict[str, Any]) -> str:
    for key in ("ETag", "etag", "mtime", "LastModified", "last_modified", "created"):
        if info.get(key):
            return str(info[key])
    return ""


def read_objects(urls: list[str], max_bytes: int) -> dict[str, bytes | Exception]:
    """The bytes of each URL, fetched concurrently (async filesystems gather the requests in bounded groups); a
    missing or unreadable object, or one over `max_bytes`, maps to its exception instead."""
    by_fs: dict[str, list[str]] = {}
    for url in urls:
        by_fs.setdefault(url.split("://", 1)[0], []).append(url)
    out: dict[str, bytes | Exception] = {}
    for group in by_fs.values():
        fs, _ = filesystem(group[0])
        paths = [fs._strip_protocol(url) for url in group]
        try:
            found = fs.cat(paths, on_error="return")
        except OSError as exc:  # some filesystems still raise for the whole call
            found = {path: exc for path in paths}
        for url, path in zip(group, paths, strict=True):
            data = found.get(path, FileNotFoundError(path))
            if isinstance(data, bytes) and len(data) > max_bytes:
                data = ValueError(f"larger than the limit of {max_bytes} bytes")
            out[url] = data
    return out
