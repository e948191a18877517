"""The build report opened in a real browser: headless Chromium (Debian package `chromium`) loads the page from
disk with networking off and saves a screenshot, which must show the page (not a blank or error page).

    .venv/bin/python -m pytest -q -s -m slow tests/report/test_browser.py    # prints where the screenshot is

Set MEDC_SCREENSHOT_DIR to keep the screenshots somewhere else than pytest's temporary directory.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from medc.report import write_report

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if found is None:
        pytest.skip("headless Chromium is not installed (Debian/Ubuntu: apt-get install -y chromium)")
    return found


def screenshot(page: Path, png: Path, profile: Path, height: int = 2400) -> None:
    command = [
        chromium(),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",  # a fresh profile: nothing of another session is read
        f"--window-size=1280,{height}",
        f"--screenshot={png}",
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and png.is_file(), proc.stderr[-2000:]


@pytest.mark.parametrize("which", ["medc_k", "run_dir", "eval_dir"])
def test_report_renders_in_headless_chromium(which, request, tmp_path):
    from PIL import Image

    page = write_report(request.getfixturevalue(which))
    keep = Path(os.environ.get("MEDC_SCREENSHOT_DIR", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    png = keep / f"report-{which}.png"
    screenshot(page, png, tmp_path / "profile")
    print(f"\nscreenshot of {page}: {png}")
    with Image.open(png) as shot:
        assert shot.size == (1280, 2400)
        colours = shot.convert("RGB").getcolors(maxcolors=1 << 20)
    # a rendered page has text, charts in several colours and its header band; an error page has a handful
    assert colours is not None and len(colours) > 500
