"""The card carries the build's main plots: PNG files under plots/ that it links by relative path (so `medc push`
uploads them and the Hub renders them), the same bytes for the same data, none left stale."""

import io
import json
import shutil

from PIL import Image

from medc.publish.card import write_card
from medc.publish.facts import read_build


def test_card_links_its_plots_and_they_decode(medc_k):
    card = (medc_k / "README.md").read_text(encoding="utf-8")  # written by the build itself
    assert "## Plots" in card
    build = read_build(medc_k)
    assert build.missing_links == []
    linked = [p for p in build.card_files if p.startswith("plots/")]
    assert linked == ["plots/records.png", "plots/lengths.png", "plots/rejections.png"]
    for link in linked:
        with Image.open(io.BytesIO((medc_k / link).read_bytes())) as image:
            image.load()
            assert image.format == "PNG" and image.size[0] > 300


def test_medc_i_card_shows_the_mix(medc_i):
    build = read_build(medc_i)
    assert {"plots/mix.png", "plots/decontamination.png"} <= set(build.card_files)


def test_same_data_same_bytes_and_no_stale_plots(medc_k, tmp_path):
    build = shutil.copytree(medc_k, tmp_path / "b")
    before = {p.name: p.read_bytes() for p in (build / "plots").iterdir()}
    manifest = json.loads((build / "manifest.json").read_text())
    (build / "manifest.json").write_text(json.dumps({**manifest, "rejections": {}}))  # a rebuild that rejects none
    write_card(build)
    after = {p.name: p.read_bytes() for p in (build / "plots").iterdir()}
    assert after == {k: v for k, v in before.items() if k != "rejections.png"}  # redrawn identical; one gone
    assert "plots/rejections.png" not in (build / "README.md").read_text()
