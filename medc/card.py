"""The dataset card (README.md with YAML front matter) of a build. A first version: configs and counts only;
issue 7 grows it into the full card."""

from __future__ import annotations

import json
from pathlib import Path


def write_card(out_dir: Path) -> Path:
    """Write `out_dir/README.md` from `out_dir/manifest.json` so `datasets.load_dataset(out_dir, config)` works."""
    from huggingface_hub import DatasetCard, DatasetCardData

    manifest = json.loads((Path(out_dir) / "manifest.json").read_text())
    configs = []
    for config, splits in manifest["files"].items():
        data_files = [{"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits]
        configs.append({"config_name": config, "data_files": data_files})
    data = DatasetCardData(pretty_name=f"{manifest['kind']} build", configs=configs)
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n# {manifest['kind']}\n")
    path = Path(out_dir) / "README.md"
    card.save(path)
    return path
