"""The card's YAML front matter, written the way huggingface_hub and datasets write it, without importing them.

    >>> card_yaml({"language": ["en"], "license": "other", "pretty_name": "MedC-K (rebuilt with medc)"})
    'language:\\n- en\\nlicense: other\\npretty_name: MedC-K (rebuilt with medc)'
    >>> features_yaml(pa.schema([("text", pa.string()), ("removed", pa.list_(pa.struct([("chars", pa.int64())])))]))
    [{'name': 'text', 'dtype': 'string'}, {'name': 'removed', 'list': [{'name': 'chars', 'dtype': 'int64'}]}]

Every build ends by writing its card, and importing `datasets` (with pandas) and `huggingface_hub`'s card
classes only to turn a Parquet schema and a few counts into YAML cost about half a second of a build. What they
write is simple for the column types medc's records have (strings, integers, floats, booleans, structs and
lists of them): `DatasetCardData.to_yaml` is `yaml.dump(..., sort_keys=False, allow_unicode=True)` of its
fields in a fixed order, and `DatasetInfo` lists features, splits and sizes per config. A test renders every
card of the test builds both ways and compares the text; a schema with another type (or with `datasets`'
own feature metadata) is still converted by `datasets`.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# The fields `DatasetCardData` sets in its constructor, in its order; other fields follow in the order given.
CARD_FIELDS = (
    "annotations_creators",
    "language_creators",
    "language",
    "license",
    "multilinguality",
    "size_categories",
    "source_datasets",
    "task_categories",
    "task_ids",
    "paperswithcode_id",
    "pretty_name",
    "config_names",
)
# Arrow types and the `dtype` datasets gives them (`datasets.features.features._arrow_to_datasets_dtype`).
DTYPES = {
    pa.string(): "string",
    pa.large_string(): "large_string",
    pa.bool_(): "bool",
    pa.int8(): "int8",
    pa.int16(): "int16",
    pa.int32(): "int32",
    pa.int64(): "int64",
    pa.float32(): "float32",
    pa.float64(): "float64",
    pa.binary(): "binary",
}


def card_yaml(fields: dict[str, Any]) -> str:
    """The YAML block (without `---` lines) of a dataset card with `fields`; None values are left out."""
    import yaml

    ordered = {k: fields[k] for k in CARD_FIELDS if fields.get(k) is not None}
    ordered |= {k: v for k, v in fields.items() if k not in CARD_FIELDS and v is not None}
    return yaml.dump(ordered, sort_keys=False, allow_unicode=True).strip()


def dataset_info_yaml(configs: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """`dataset_info` for configs given as {name, schema, splits: [(name, num_bytes, num_examples)],
    download_size, dataset_size}: one mapping for one config, else a list sorted by config name."""
    infos = {
        c["name"]: {
            "features": features_yaml(c["schema"]),
            "splits": [{"name": n, "num_bytes": b, "num_examples": e} for n, b, e in c["splits"]],
            "download_size": c["download_size"],
            "dataset_size": c["dataset_size"],
        }
        for c in configs
    }
    if len(infos) == 1:
        name, info = next(iter(infos.items()))
        return info if name == "default" else {"config_name": name, **info}
    return [{"config_name": name, **infos[name]} for name in sorted(infos)]


def features_yaml(schema: pa.Schema) -> list[dict[str, Any]]:
    """The `features` list `datasets.Features.from_arrow_schema(schema)._to_yaml_list()` gives."""
    if (schema.metadata and b"huggingface" in schema.metadata) or not all(_plain(f.type) for f in schema):
        from datasets import Features  # a type medc does not write: let datasets say it

        return Features.from_arrow_schema(schema)._to_yaml_list()
    return [{"name": f.name, **_feature(f.type)} for f in schema]


def _feature(tp: pa.DataType) -> dict[str, Any]:
    if pa.types.is_struct(tp):
        return {"struct": [{"name": f.name, **_feature(f.type)} for f in tp]}
    if pa.types.is_list(tp):
        inner = _feature(tp.value_type)
        # datasets writes `list: string` for a list of values and `list: [fields]` for a list of structs
        return {"list": inner.get("dtype", inner.get("struct", inner))}
    return {"dtype": DTYPES[tp]}


def _plain(tp: pa.DataType) -> bool:
    if pa.types.is_struct(tp):
        return all(_plain(f.type) for f in tp)
    if pa.types.is_list(tp):
        return _plain(tp.value_type)
    return tp in DTYPES
