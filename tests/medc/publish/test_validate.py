"""Cards the Hub would refuse are refused before any upload: medc's copy of the Hub's vocabularies, the Hub's
own validator (asked while planning, dry runs included), and the test Hub refusing such a commit as the Hub does."""

import base64
import json
from pathlib import Path

import datasets
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status
from hypothesis import given
from hypothesis import strategies as st

from medc.publish.card import size_category
from medc.publish.facts import card_links, read_build
from medc.publish.push import PushError, PushOptions, push
from medc.publish.validate import validate_build
from medc.publish.vocabulary import LICENSES, SIZE_CATEGORIES, TASK_CATEGORIES, hub_value_problems
from tests.hub import metadata
from tests.medc.publish.card_builds import medc_k

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def edit_card(out, old, new):
    card = out / "README.md"
    text = card.read_text()
    assert old in text, old
    card.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("license: other", "license: cc-by-nc", '"license" must be one of [apache-2.0, mit,'),
        ("- n<1K", "- n>1B", '"size_categories[0]" must be one of [unknown, n<1K, 1K<n<10K,'),
        ("- text-generation", "- text-gen", '"task_categories[0]" must be one of [text-classification,'),
    ],
)
def test_a_card_with_a_value_the_hub_refuses_is_refused_before_any_upload(fake_hub, tmp_path, old, new, message):
    out = medc_k(tmp_path / "k", papers=3, books=1)
    edit_card(out, old, new)
    problems = [str(p) for p in validate_build(read_build(out))]
    assert len(problems) == 1 and problems[0].startswith(f"hub_metadata: {message}")
    for dry_run in (True, False):
        with pytest.raises(PushError, match="nothing was uploaded"):
            push(out, PushOptions("me/medc-k", dry_run=dry_run))
    assert fake_hub.hub.log == []  # not even asked: nothing to plan with a card like this


def test_the_hubs_validator_is_asked_while_planning_and_has_the_last_word(fake_hub, tmp_path, monkeypatch):
    out = medc_k(tmp_path / "k", papers=3, books=1)
    # The Hub drops a value medc's copy of the vocabularies still lists (or never had a copy of).
    monkeypatch.setitem(metadata.CHECKED, "license", tuple(x for x in LICENSES if x != "other"))
    for dry_run in (True, False):
        with pytest.raises(PushError, match=r'the Hub would refuse README.md .*\n  - "license" must be one of'):
            push(out, PushOptions("me/medc-k", dry_run=dry_run))
    assert fake_hub.hub.repos == {} and fake_hub.hub.requests("POST", "/api/validate-yaml")


def test_the_test_hub_refuses_such_a_commit_as_the_hub_does(fake_hub):
    api = HfApi()
    api.create_repo("me/bad", repo_type="dataset")
    card = b"---\nlicense: cc-by-nc\nsize_categories:\n- n>1B\n---\n# x\n"
    with pytest.raises(ValueError, match=r'Invalid metadata in README.md.\n- "license" must be one of'):
        api.upload_file(path_or_fileobj=card, path_in_repo="README.md", repo_id="me/bad", repo_type="dataset")
    # the commit itself, for a client that does not ask the validator first
    header = {"key": "header", "value": {"summary": "card"}}
    readme = {"path": "README.md", "encoding": "base64", "content": base64.b64encode(card).decode()}
    body = "\n".join(json.dumps(x) for x in (header, {"key": "file", "value": readme}))
    url = f"{fake_hub.hub.url}/api/datasets/me/bad/commit/main"
    response = get_session().post(url, content=body, headers=build_hf_headers())
    with pytest.raises(BadRequestError, match=r"Invalid metadata in README.md.\n- \"license\" must be one of"):
        hf_raise_for_status(response)
    assert set(fake_hub.hub.files("me/bad")) == {".gitattributes"}


def test_size_categories_are_the_hubs_up_to_a_trillion_rows_and_beyond():
    assert [size_category(n) for n in (999, 1_000, 1_500_000_000, 99_000_000_000, 999_999_999_999)] == [
        "n<1K",
        "1K<n<10K",
        "1B<n<10B",
        "10B<n<100B",
        "100B<n<1T",
    ]
    assert size_category(2 * 10**12) == "n>1T"


@given(st.integers(min_value=0, max_value=10**15))
def test_every_size_category_medc_writes_is_one_the_hub_accepts(rows):
    assert hub_value_problems({"size_categories": [size_category(rows)]}) == []


def test_the_vocabularies_agree_with_the_copies_the_libraries_ship():
    shipped = json.loads((Path(datasets.__file__).parent / "utils/resources/size_categories.json").read_text())
    assert list(SIZE_CATEGORIES) == shipped
    assert {"text-generation", "question-answering", "other"} <= set(TASK_CATEGORIES)
    assert {"cc-by-4.0", "cc-by-nc-sa-4.0", "cc0-1.0", "other", "unknown"} <= set(LICENSES)
    assert hub_value_problems({"license": ["mit", "cc-by-nc"]}) == [
        f'"license[1]" must be one of [{", ".join(LICENSES)}]'
    ]


def test_files_the_card_links_to_travel_with_it_and_a_missing_one_is_a_problem(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=3, books=1)
    (out / "plots").mkdir(exist_ok=True)  # the card's own plots are there already
    (out / "plots" / "removals.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    edit_card(out, "## Uses", "![Removals by reason](plots/removals.png)\n\n## Uses")
    assert validate_build(read_build(out)) == []
    report = push(out, PushOptions("me/medc-k"))
    assert "plots/removals.png" in {f.path for f in report.plan.uploads}
    assert fake_hub.hub.files("me/medc-k")["plots/removals.png"] == (out / "plots/removals.png").read_bytes()
    (out / "plots" / "removals.png").unlink()
    assert [p.code for p in validate_build(read_build(out))] == ["card_link_missing"]


def test_card_links_are_relative_files_only():
    text = (
        "![a](plots/a.png) [b](./b.md#part) [web](https://x.org/c.png) [top](#uses) [up](../d.png) "
        '<img src="plots/e.png"> [abs](/etc/passwd)\n```json\n{"text": "see [f](f.png)"}\n```'
    )
    assert card_links(text) == ["plots/a.png", "b.md", "plots/e.png"]
