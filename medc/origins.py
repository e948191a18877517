"""Origins as published: relative to the input the user named, never a path of the machine that built the data.

    >>> roots = public_roots(["/home/ana/data/chatdoctor_sample.json", "/home/ana/pmc/"])
    >>> roots
    {'/home/ana/data/chatdoctor_sample.json': 'chatdoctor_sample.json', '/home/ana/pmc/': 'pmc'}
    >>> public_origin(roots["/home/ana/pmc/"], Path("/home/ana/pmc"), Path("/home/ana/pmc/a/PMC1.xml"))
    'pmc/a/PMC1.xml'
    >>> public_command(["medc", "build-k", "--pmc", "/home/ana/pmc/", "--out", "/scratch/out"])
    ['medc', 'build-k', '--pmc', 'pmc/', '--out', 'out']

An input is named by its last path component, or by as many trailing components as it takes to tell it from
the other inputs of the build (`a/train.json` and `b/train.json` stay apart: origins are also the keys that let
a build resume, so two inputs must never share one). URLs (`s3://...`) are public already and stay as given.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath


def is_local(spec: str) -> bool:
    return "://" not in spec or spec.startswith("file://")


def local_base(spec: str) -> Path:
    """The directory or file an input names: a glob's fixed leading directories (`data/*/x.json` → `data`)."""
    path = Path(spec.removeprefix("file://"))
    if glob.has_magic(spec):
        fixed = []
        for part in path.parts:
            if glob.has_magic(part):
                break
            fixed.append(part)
        path = Path(*fixed) if fixed else Path(".")
    return path


def public_roots(inputs: Sequence[str]) -> dict[str, str]:
    """{input as given: the name its origins start with} for the local inputs among `inputs`."""
    local = [spec for spec in dict.fromkeys(inputs) if is_local(spec)]
    parts = {spec: [p for p in Path(os.path.abspath(local_base(spec))).parts if p not in ("/", "\\")] for spec in local}
    depth = dict.fromkeys(local, 1)
    while True:
        names = {spec: "/".join(parts[spec][-depth[spec] :]) or "input" for spec in local}
        by_name: dict[str, list[str]] = {}
        for spec, name in names.items():
            by_name.setdefault(name, []).append(spec)
        clashes = [
            spec
            for specs in by_name.values()
            if len({os.path.abspath(local_base(s)) for s in specs}) > 1  # the same path twice is one input
            for spec in specs
            if depth[spec] < len(parts[spec])
        ]
        if not clashes:
            return names
        for spec in clashes:
            depth[spec] += 1


def public_origin(root: str, base: Path | None, path: Path) -> str:
    """The origin of `path`, a file found under the input `base` (None: the input is the file itself)."""
    if base is None or path == base:
        return root
    try:
        relative = PurePosixPath(*path.relative_to(base).parts)
    except ValueError:  # not under base (cannot happen for walked files); never leak the absolute path
        relative = PurePosixPath(path.name)
    return f"{root}/{relative}"


def public_command(argv: Sequence[str]) -> list[str]:
    """`argv` with every argument that names an existing local path (alone or as `--opt=PATH`) replaced by its
    public name, the way origins name inputs."""
    candidates = []
    for arg in argv:
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if value and _names_path(value):
            candidates.append(value)
    roots = public_roots(candidates)
    out = []
    for arg in argv:
        prefix, value = (
            (arg.split("=", 1)[0] + "=", arg.split("=", 1)[1]) if arg.startswith("--") and "=" in arg else ("", arg)
        )
        if value in roots:
            value = roots[value] + ("/" if value.endswith("/") else "")
        out.append(prefix + value)
    return out


def _names_path(value: str) -> bool:
    if not is_local(value) or value.startswith("-"):
        return False
    return os.path.isabs(value) or value.startswith(("~", "..")) or os.path.exists(value) or glob.has_magic(value)


# Beside a build, never published: where each public input name was on the building machine, so that `medc explain`
# and `medc report` can read an input again on that machine.
LOCAL_INPUTS = ".inputs.local.json"


def record_local_inputs(out_dir: Path, inputs: Sequence[Sequence[str]]) -> None:
    """Write `out_dir/.inputs.local.json`: {public name: local path} for the local inputs of every source."""
    import json

    found: dict[str, str] = {}
    for source in inputs:
        for spec, name in public_roots(list(source)).items():
            found.setdefault(name, os.path.abspath(local_base(spec)))
    temp = out_dir / f"{LOCAL_INPUTS}.tmp"
    temp.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
    temp.replace(out_dir / LOCAL_INPUTS)


def local_input(build_dir: Path, origin: str) -> str:
    """The local path of `origin` (without any `::member`) on the machine that built `build_dir`; a URL as it is."""
    import json

    path = origin.partition("::")[0]
    if not is_local(path):
        return path
    try:
        roots = json.loads((Path(build_dir) / LOCAL_INPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        roots = {}
    for name in sorted(roots, key=len, reverse=True):
        if path == name:
            return roots[name]
        if path.startswith(name + "/"):
            return os.path.join(roots[name], *path[len(name) + 1 :].split("/"))
    return path  # a build from before public origins, or run elsewhere: the origin may still be a path here
