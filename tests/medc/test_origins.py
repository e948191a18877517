"""Published origins name inputs, never paths of the building machine (medc/origins.py, medc/sources.py)."""

from __future__ import annotations

import json
import os

from hypothesis import given
from hypothesis import strategies as st

from medc.origins import public_command, public_origin, public_roots
from medc.sources import InputWalker


def test_roots_are_the_input_names_and_grow_until_they_differ(tmp_path):
    roots = public_roots(["/home/ana/a/train.json", "/home/ana/b/train.json", "/data/pmc/", "s3://pmc-oa-opendata/"])
    assert roots == {
        "/home/ana/a/train.json": "a/train.json",
        "/home/ana/b/train.json": "b/train.json",
        "/data/pmc/": "pmc",
    }
    assert public_roots(["/x/pmc", "/x/pmc/"]) == {"/x/pmc": "pmc", "/x/pmc/": "pmc"}  # one input named twice
    assert public_roots(["/data/*/PMC*.xml"]) == {"/data/*/PMC*.xml": "data"}


@given(st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=4), st.integers(2, 4))
def test_different_inputs_never_share_a_root(names, depth):
    specs = ["/" + "/".join(names[i:] + names[:i]) for i in range(min(depth, len(names)))]
    roots = public_roots(specs)
    distinct_paths = {os.path.abspath(s) for s in specs}
    assert len(set(roots.values())) == len(distinct_paths)


def test_origins_are_relative_to_the_input(tmp_path):
    base = tmp_path / "pmc"
    assert public_origin("pmc", base, base / "a" / "PMC1.xml") == "pmc/a/PMC1.xml"
    assert public_origin("chatdoctor.json", None, tmp_path / "chatdoctor.json") == "chatdoctor.json"


def test_walked_units_and_stats_carry_no_local_path(tmp_path):
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "x.json").write_text("{}")
    (tmp_path / "solo.json").write_text("{}")
    walker = InputWalker([str(tmp_path / "in"), str(tmp_path / "solo.json")], lambda n: n.endswith(".json"))
    assert [u.origin for u in walker] == ["in/a/x.json", "solo.json"]
    assert [s.path for s in walker.stats] == ["in", "solo.json"]
    assert str(tmp_path) not in json.dumps([s.path for s in walker.stats])


def test_commands_name_paths_as_origins_do(tmp_path):
    (tmp_path / "pmc").mkdir()
    argv = ["medc", "build-k", "--pmc", f"{tmp_path}/pmc/", f"--out={tmp_path}/out", "--workers", "2"]
    assert public_command(argv) == ["medc", "build-k", "--pmc", "pmc/", "--out=out", "--workers", "2"]
    assert public_command(["medc", "build-k", "--pmc", "s3://pmc-oa-opendata/"])[-1] == "s3://pmc-oa-opendata/"
