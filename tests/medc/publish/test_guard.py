"""The licence guard, on the demo's MedC-I (UMLS-derived prompts, ChatDoctor dialogues) and on small builds."""

import json

import pytest
import yaml
from click.testing import CliRunner

from medc.cli import main
from medc.publish.facts import read_build
from medc.publish.licences import chatdoctor_release, licence_facts
from medc.publish.push import PushOptions, PushRefused, push
from tests.hub.metadata import card_data, metadata_errors
from tests.medc.publish.card_builds import medc_i, medc_k

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def writes(hub):
    """Every request that would change the Hub (the validator and reads do not)."""
    return [(m, p) for m, p in hub.log if m in ("POST", "PUT") and p != "/api/validate-yaml"]


def test_a_public_push_of_the_demo_medc_i_is_refused_naming_umls_and_chatdoctor(fake_hub, demo_medc_i):
    result = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i"])
    assert result.exit_code == 1
    assert "refusing to publish to the public, ungated repo me/medc-i" in result.output
    assert (
        "  - UMLS Metathesaurus: 20 records derived from UMLS sources MED-RT (level 0), MSH (level 0)" in result.output
    )
    assert "  - ChatDoctor dialogues: 3 records (chatdoctor_sample: 3)" in result.output
    for way_out in ("--private", "--gated", "--allow-restricted"):
        assert f"\n  {way_out} " in result.output
    assert fake_hub.hub.repos == {} and writes(fake_hub.hub) == [] and not fake_hub.hub.lfs  # nothing uploaded


def test_private_and_allowed_public_pushes_of_the_demo_medc_i_go_through(fake_hub, demo_medc_i):
    result = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i", "--private"])
    assert result.exit_code == 0, result.output
    assert "licence restriction (allowed: private repo): UMLS Metathesaurus" in result.output
    assert fake_hub.hub.repo("me/medc-i").private
    assert fake_hub.hub.files("me/medc-i")["README.md"] == (demo_medc_i / "README.md").read_bytes()
    result = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/open", "--allow-restricted"])
    assert result.exit_code == 0 and "(allowed: --allow-restricted)" in result.output
    assert not fake_hub.hub.repo("me/open").private and not fake_hub.hub.repo("me/open").gated


def test_a_gated_push_gates_the_repo_first_and_its_card_names_the_licences(fake_hub, demo_medc_i):
    local_card = (demo_medc_i / "README.md").read_bytes()
    result = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i", "--gated"])
    assert result.exit_code == 0, result.output
    assert "repo will be created, public, gated (auto approval)" in result.output
    hub = fake_hub.hub
    repo = hub.repo("me/medc-i")
    assert repo.gated == "auto" and not repo.private
    settings = hub.log.index(("PUT", "/api/datasets/me/medc-i/settings"))
    assert all(hub.log.index(w) > settings for w in writes(hub) if "settings" not in w[1] and "create" not in w[1])
    card = hub.files("me/medc-i")["README.md"].decode()
    meta = card_data(card)
    assert "UMLS Metathesaurus" in meta["extra_gated_prompt"] and "ChatDoctor dialogues" in meta["extra_gated_prompt"]
    assert set(meta["extra_gated_fields"].values()) == {"checkbox"} and len(meta["extra_gated_fields"]) == 2
    assert any(f.startswith("I hold my own UMLS Metathesaurus License") for f in meta["extra_gated_fields"])
    assert metadata_errors(card) == [] and card.split("---", 2)[2] == local_card.decode().split("---", 2)[2]
    assert (demo_medc_i / "README.md").read_bytes() == local_card  # the build's own card is left alone
    again = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i"])  # the repo is gated: allowed
    assert again.exit_code == 0 and "nothing to upload" in again.output, again.output


def test_an_existing_public_repo_is_gated_with_manual_approval_before_the_upload(fake_hub, tmp_path):
    out = medc_i(tmp_path / "i", sabs={"MSH": 0, "SNOMEDCT_US": 9})
    fake_hub.hub.create_repo("dataset", "me/medc-i", private=False)
    report = push(out, PushOptions("me/medc-i", gated="manual"))
    assert fake_hub.hub.repo("me/medc-i").gated == "manual" and report.verdict == "gated repo (manual approval)"
    fields = card_data(fake_hub.hub.files("me/medc-i")["README.md"].decode())["extra_gated_fields"]
    assert len(fields) == 3 and any("SNOMEDCT_US" in f for f in fields)  # UMLS, level 9 sources, ChatDoctor


def test_non_commercial_pmc_articles_are_refused_for_a_public_repo_unless_private(fake_hub, tmp_path):
    out = medc_k(tmp_path / "k", papers=4, books=0, nc=1)
    with pytest.raises(PushRefused, match=r"1 PMC articles carry a non-commercial licence \(CC BY-NC: 1\)"):
        push(out, PushOptions("me/medc-k"))
    assert fake_hub.hub.repos == {}
    assert push(out, PushOptions("me/medc-k", private=True)).private
    push(out, PushOptions("me/public-one", allow_restricted=True))
    with pytest.raises(PushRefused):  # an existing public repo stays public, whatever --private says
        push(out, PushOptions("me/public-one", private=True))
    assert push(medc_k(tmp_path / "open", papers=3, books=0), PushOptions("me/open")).verdict == "no restrictions"


def test_a_dry_run_shows_the_refusal_and_the_gate(fake_hub, demo_medc_i):
    refused = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i", "--dry-run"])
    assert refused.exit_code == 1 and "dry run: the push would be refused" in refused.output
    gated = CliRunner().invoke(main, ["push", str(demo_medc_i), "me/medc-i", "--dry-run", "--gated"])
    assert gated.exit_code == 0, gated.output
    assert "gate: the card uploaded asks each user to confirm 2 statement(s)" in gated.output
    assert fake_hub.hub.repos == {} and writes(fake_hub.hub) == []


def test_umls_content_at_level_0_and_chatdoctor_sources_are_restrictions(tmp_path):
    out = medc_i(tmp_path / "i", sabs={"MSH": 0})
    facts = licence_facts(read_build(out), out)
    assert [r.source for r in facts.restrictions] == ["UMLS Metathesaurus", "ChatDoctor dialogues"]
    assert "healthcaremagic: 8" in str(facts.restrictions[1])
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["extra"]["instructions"]["sources"]["healthcaremagic"] = {"staged": 9, "train": 6, "validation": 2}
    (out / "manifest.json").write_text(json.dumps(manifest))
    hub_view = licence_facts(read_build(out), None)  # no Parquet to count (a Hub repo): the manifest's counts
    assert [str(r).split(":")[0] for r in hub_view.restrictions] == ["UMLS Metathesaurus", "ChatDoctor dialogues"]
    assert "healthcaremagic: 8" in str(hub_view.restrictions[1])


@pytest.mark.parametrize(
    ("source", "release"),
    [
        ("healthcaremagic", "HealthCareMagic-100k"),
        ("HealthCareMagic-100k", "HealthCareMagic-100k"),
        ("icliniq", "iCliniq"),
        ("genmedgpt", "GenMedGPT-5k"),
        ("chatdoctor_sample", "ChatDoctor"),
        ("meddialog", None),
        ("medqa", None),
    ],
)
def test_chatdoctor_releases_are_told_by_their_source_names(source, release):
    assert chatdoctor_release(source) == release


def test_the_gate_metadata_is_valid_yaml_the_hub_accepts(demo_medc_i):
    from medc.publish.guard import gated_card

    facts = licence_facts(read_build(demo_medc_i), demo_medc_i)
    card = gated_card((demo_medc_i / "README.md").read_text(), facts.restrictions)
    meta = yaml.safe_load(card.split("---")[1])
    assert metadata_errors(card) == [] and meta["license"] == "other"
    assert meta["extra_gated_prompt"].count("\n- **") == 2
