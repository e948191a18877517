"""`medc explain BUILD_DIR ID`: why a document's text is what it is: every span its builder removed, by rule.

    $ medc explain medc-k/ pmc:PMC7654321
    pmc:PMC7654321 (papers) from pmc/oa_comm_xml.PMC007xxxxxx.baseline.tar.gz::PMC007xxxxxx/PMC7654321.xml
    rule                         chars  times
    pmc.back_matter              25869      1
    pmc.citation_marker            412     48
    ...
    pmc.citation_marker  "[1]–[3]"   …is well known ⟦[1]–[3]⟧. Reviewed in…
    pmc.section.funding  "Funding This work was supported by …"

The document is found in the build's shards (or, when dedup removed it, its staged parts), its input is read
again (a file, an archive member `a.tar.gz::member`, an object URL) and parsed again with the build's settings
and tracing on, which keeps the text of every removal. The per-rule totals are those of the trace (exact); the
manifest's come from the build (parts cut before parsing are measured on their bytes there).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import click

# config -> (builder module, its options class, the trace function): the builders that can explain themselves.
TRACERS: dict[str, tuple[str, str, str]] = {"papers": ("builders.pmc", "PmcOptions", "trace")}


@click.command("explain")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("doc_id")
@click.option("--rule", "rule_prefix", default="", help="Only removals whose rule starts with this, e.g. pmc.section.")
@click.option("--width", default=160, show_default=True, help="Characters of each removed span shown.")
def command(build_dir: Path, doc_id: str, rule_prefix: str, width: int) -> None:
    """Show the text spans the builder removed from document DOC_ID of BUILD_DIR, with their rules."""
    from medc.cli.paths import check_build_dir

    check_build_dir(build_dir, "BUILD_DIR")
    config, origin = _find(build_dir, doc_id)
    if config not in TRACERS:
        raise click.ClickException(f"{doc_id} is in config {config!r}, which `medc explain` cannot trace yet")
    module_name, options_name, trace_name = TRACERS[config]
    module = importlib.import_module(module_name)
    options = _options(build_dir, config, getattr(module, options_name))
    unit = _read_unit(build_dir, origin, module)
    traced = [
        r
        for r in getattr(module, trace_name)(unit, options)
        if getattr(getattr(r, "document", None), "id", "") == doc_id
    ]
    if not traced:
        raise click.ClickException(f"{origin} no longer gives {doc_id} when parsed again (was the input changed?)")
    spans = [s for s in traced[0].spans if s.rule.startswith(rule_prefix)]
    click.echo(f"{doc_id} ({config}) from {origin}")
    _totals(spans)
    for span in spans:
        click.echo(_span_line(span, width))


def _find(build_dir: Path, doc_id: str) -> tuple[str, str]:
    """(config, origin) of `doc_id`, from the shards, else from the staged parts (a removed duplicate)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for pattern in ("data/*/*.parquet", ".staging/parts/*/*.parquet"):
        for path in sorted(build_dir.glob(pattern)):
            table = pq.read_table(path, columns=["id", "origin"])
            found = table.filter(pc.equal(table.column("id"), doc_id))
            if found.num_rows:
                return path.parent.name, found.column("origin")[0].as_py()
    raise click.ClickException(f"{build_dir}: no document {doc_id!r} in its shards or staged parts")


def _options(build_dir: Path, config: str, options_class: type) -> Any:
    from medc.config import from_dict

    manifest = build_dir / "manifest.json"
    settings = json.loads(manifest.read_text(encoding="utf-8")).get("settings", {}) if manifest.exists() else {}
    values = {k: v for k, v in settings.get("parse", {}).get(config, {}).items() if v is not None}
    return from_dict(options_class, values)


def _read_unit(build_dir: Path, origin: str, module: Any) -> Any:
    """The work unit `origin` names, read as the build read it (sidecars included), from where the input was on
    the machine that built `build_dir` (`medc.origins.local_input`)."""
    from medc.origins import local_input
    from medc.sources import InputError, InputWalker, read_units

    path, sep, member = origin.partition("::")
    wanted = (member or path).rsplit("/", 1)[-1]
    sidecars = getattr(module, "sidecars", None)
    local = local_input(build_dir, path)
    walker = InputWalker(
        [local], lambda name: name.rsplit("/", 1)[-1] in (wanted, wanted.removesuffix(".gz")), sidecars=sidecars
    )
    try:
        refs = [ref for ref in walker if not sep or ref.origin.endswith(f"::{member}")]
        for _, unit, _ in read_units(refs, walker.max_unit_bytes, sidecars):
            if not unit.problem:
                return unit
    except InputError as exc:
        raise click.ClickException(f"{origin}: the input is gone ({exc})") from None
    raise click.ClickException(f"{origin}: not found in its input ({local}) any more")


def _totals(spans: list[Any]) -> None:
    chars: dict[str, int] = {}
    times: dict[str, int] = {}
    for span in spans:
        chars[span.rule] = chars.get(span.rule, 0) + len(span.text)
        times[span.rule] = times.get(span.rule, 0) + 1
    width = max((len(rule) for rule in chars), default=4)
    click.echo(f"{'rule':<{width}}  {'chars':>8}  {'times':>6}")
    for rule in sorted(chars, key=lambda r: -chars[r]):
        click.echo(f"{rule:<{width}}  {chars[rule]:>8}  {times[rule]:>6}")
    click.echo("")


def _span_line(span: Any, width: int) -> str:
    text = span.text if len(span.text) <= width else span.text[: width - 1] + "…"
    line = f"{span.rule}  {json.dumps(text, ensure_ascii=False)}"
    if span.before or span.after:
        before = " ".join(span.before.split())[-40:]
        after = " ".join(span.after.split())[:40]
        line += f"   …{before}⟦{' '.join(span.text.split())[:60]}⟧{after}…"
    return line
