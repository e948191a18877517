"""The card's YAML, written without huggingface_hub and datasets (`medc.publish.metadata`), is the text their own
classes write: each card of the test builds is rendered both ways and compared."""

import pyarrow as pa
import pytest
from datasets import DatasetInfo, Features, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard, DatasetCardData

from medc.publish import card, sections
from medc.publish.facts import read_build
from medc.publish.licences import licence_facts
from medc.publish.metadata import features_yaml
from medc.records import BOOKS, PAPERS, document_schema, instruction_schema
from tests.medc.publish.card_builds import medc_i, medc_k, paper, write_build


def hub_rendered_card(out) -> str:
    """The card as huggingface_hub's DatasetCard and datasets' DatasetInfosDict write it."""
    build = read_build(out)
    licences = licence_facts(build, out)
    fields = card.card_data(build, licences)
    fields.pop("dataset_info")
    data = DatasetCardData(**fields)
    infos = DatasetInfosDict()
    for config in build.configs:
        splits = SplitDict()
        for s in config.splits:
            splits.add(SplitInfo(name=s.name, num_bytes=s.num_bytes, num_examples=s.num_rows))
        infos[config.name] = DatasetInfo(
            features=Features.from_arrow_schema(config.schema),
            splits=splits,
            download_size=config.size,
            dataset_size=config.num_bytes,
            config_name=config.name,
        )
    infos.to_dataset_card_data(data)
    context = sections.CardContext(build, licences, card.read_examples(out, build), card.pretty_name(build), out)
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{sections.render_body(context)}"))


@pytest.mark.parametrize(
    "make",
    [
        lambda out: medc_k(out, papers=10, books=3, nc=4, shard_bytes=4096),  # two configs: a list of infos
        lambda out: medc_i(out, sabs={"MSH": 0, "SNOMEDCT_US": 9}),  # three configs, two splits, UMLS
        lambda out: write_build(out, "medc-k", {"papers": {"train": [paper(i) for i in range(3)]}}),  # one config
    ],
)
def test_card_is_the_text_huggingface_hub_writes(tmp_path, make):
    out = make(tmp_path / "build")
    assert (out / "README.md").read_text() == hub_rendered_card(out)


@pytest.mark.parametrize(
    "schema",
    [
        document_schema(PAPERS),
        document_schema(BOOKS),
        instruction_schema(),
        pa.schema([("tags", pa.list_(pa.string())), ("nested", pa.list_(pa.list_(pa.int32())))]),
        pa.schema([("when", pa.timestamp("s")), ("n", pa.float32())]),  # not medc's: datasets converts it
    ],
)
def test_features_are_what_datasets_writes(schema):
    assert features_yaml(schema) == Features.from_arrow_schema(schema)._to_yaml_list()
