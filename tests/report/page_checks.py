"""What every report page must be: self-contained (no outside reference of any kind) with images that decode."""

from __future__ import annotations

import base64
import html.parser
import io
import re


class _References(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.targets: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data") and value is not None:
                self.targets.append((tag, name, value))


def outside_references(page: str) -> list[str]:
    """Everything in `page` a browser would load from elsewhere: src/href that are not `data:` or `#anchors`,
    scripts, stylesheets, frames, CSS `url(...)` and `@import`."""
    parser = _References()
    parser.feed(page)
    found = [f"<{t} {a}={v[:60]!r}>" for t, a, v in parser.targets if not v.startswith(("data:", "#"))]
    found += [f"<{t}>" for t in parser.tags if t in ("script", "link", "iframe", "object", "embed", "base")]
    found += re.findall(r"url\(|@import", page)
    return found


def decoded_images(page: str) -> list[tuple[int, int]]:
    """(width, height) of each embedded PNG, decoded by Pillow (fails on a corrupt image)."""
    from PIL import Image

    sizes = []
    for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page):
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            image.load()
            sizes.append(image.size)
    return sizes
