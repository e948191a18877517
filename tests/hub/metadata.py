"""The test Hub's check of README.md metadata, as the real Hub answers it: the YAML must parse into a mapping,
and `license`, `size_categories` and `task_categories` must come from the Hub's vocabularies. Messages are the
real validator's (`"license" must be one of [apache-2.0, mit, ...]`); the value lists are the snapshot medc keeps
(medc/publish/vocabulary.py, copied from the Hub's public lists), the checking and wording are this module's own.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from medc.publish.vocabulary import LICENSES, SIZE_CATEGORIES, TASK_CATEGORIES

# The Hub's front-matter pattern (huggingface_hub.repocard.REGEX_YAML_BLOCK says it is the server's).
FRONT_MATTER = re.compile(r"^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))")
CHECKED = {"license": LICENSES, "size_categories": SIZE_CATEGORIES, "task_categories": TASK_CATEGORIES}


def card_data(readme: str) -> Any:
    """The parsed front matter (None without one); raises yaml.YAMLError."""
    match = FRONT_MATTER.search(readme)
    return yaml.safe_load(match.group(2)) if match else None


def metadata_errors(readme: str) -> list[str]:
    """What the Hub objects to in a README.md; empty when it would accept it."""
    try:
        data = card_data(readme)
    except yaml.YAMLError as err:
        return [f"Invalid YAML: {err}"]
    if data is None:
        return []
    if not isinstance(data, dict):
        return ['"value" must be of type object']
    errors = []
    for key, allowed in CHECKED.items():
        value = data.get(key)
        if value is None:
            continue
        for where, item in (
            [(f"{key}[{i}]", v) for i, v in enumerate(value)] if isinstance(value, list) else [(key, value)]
        ):
            if item not in allowed:
                errors.append(f'"{where}" must be one of [{", ".join(allowed)}]')
    return errors
