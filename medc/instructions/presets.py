"""Named bundles of build-i settings: `medc build-i --preset pmc-llama ...`.

A preset is the base of the settings: the TOML file, the flags and `--set` still win over it.

`pmc-llama` reproduces the released PMC-LLaMA instruction set (axiong/pmc_llama_instructions): its columns
(`instruction`, `input`, `output`, `source`, `sample_id`, which every MedC-I build has; medc adds `messages` and
`origin`), its source names (`medqa_train`, `medmcqa`, `pubmedqa.ori_pqaa`, `umls`, `umls_relation`, `liveqa`,
`medicationqa`) and its prompt layout (`medc.instructions.templates`, "the PMC-LLaMA layout"). The instruction
sentences are medc's own; the release's wording is not copied. `sample_id` stays medc's stable text id (the
release numbered MedQA questions and left the other sources' ids empty).
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "pmc-llama": {
        "qa": {
            "layout": "pmc-llama",
            # {split}: train, dev or test read off the file name (US/train.jsonl → medqa_train)
            "source_names": {"medqa": "medqa_{split}", "medmcqa": "medmcqa", "pubmedqa": "pubmedqa.{stem}"},
        },
        "umls": {"definition_source": "umls", "relation_source": "umls_relation"},
    },
}


def preset_settings(name: str | None) -> dict[str, Any]:
    """The settings of preset `name` (a deep copy, safe to merge into), or {} without one."""
    if name is None:
        return {}
    if name not in PRESETS:
        raise ValueError(f"preset {name!r}; choose one of {sorted(PRESETS)}")
    return {
        section: {k: (dict(v) if isinstance(v, dict) else v) for k, v in values.items()}
        for section, values in PRESETS[name].items()
    }
