"""The licence guard: may this build go to that repo, and what does a gated repo ask of its users?

    >>> verdict(facts.restrictions, private=False, gated=None, allow_restricted=False)
    'refused'
    >>> print(refusal_message("me/medc-i", facts.restrictions))
    refusing to publish to the public, ungated repo me/medc-i: it holds content its licences do not let anyone
    redistribute openly:
      - UMLS Metathesaurus: 20 records derived from UMLS sources MED-RT (level 0), MSH (level 0); ...
      - ChatDoctor dialogues: 3 records (chatdoctor_sample: 3) from ChatDoctor's ChatDoctor data, ...
    Ways out:
      --private           push to a private repo (only you and your organisation can read it)
      --gated             ...

A gated repo shows its users a prompt and one checkbox per restriction (`extra_gated_prompt`,
`extra_gated_fields` in the card's metadata), so each user states they hold the licences the content needs
before the Hub lets them download it. The gate is added to the card as it is uploaded; the card on disk stays
as the build wrote it.
"""

from __future__ import annotations

from typing import Any

from medc.publish.licences import Restriction

GATE_MODES = ("auto", "manual")  # the Hub's `gated` setting: approve requests automatically, or by hand
WAYS_OUT = (
    ("--private", "push to a private repo (only you and your organisation can read it)"),
    (
        "--gated",
        "push to a gated repo: each user must state in the access form that they hold the licences listed above "
        "(with --manual-approval, you also approve each request yourself)",
    ),
    ("--allow-restricted", "publish openly anyway, if you hold the rights to redistribute this content"),
)


def verdict(restrictions: list[Restriction], *, private: bool, gated: str | None, allow_restricted: bool) -> str:
    """Why the push may go on (`no restrictions`, `private repo`, `gated repo`, `--allow-restricted`), or
    `refused`: restricted content headed for a public, ungated repo without `allow_restricted`."""
    if not restrictions:
        return "no restrictions"
    if private:
        return "private repo"
    if gated:
        return f"gated repo ({gated} approval)"
    return "--allow-restricted" if allow_restricted else "refused"


def refusal_message(repo_id: str, restrictions: list[Restriction]) -> str:
    reasons = "\n".join(f"  - {r}" for r in restrictions)
    width = max(len(flag) for flag, _ in WAYS_OUT)
    ways = "\n".join(f"  {flag:<{width}}  {what}" for flag, what in WAYS_OUT)
    return (
        f"refusing to publish to the public, ungated repo {repo_id}: it holds content its licences do not let "
        f"anyone redistribute openly:\n{reasons}\nWays out (nothing was uploaded):\n{ways}"
    )


def gate_metadata(restrictions: list[Restriction]) -> dict[str, Any]:
    """The card metadata of a gated repo: a prompt naming every licence, and one required checkbox each."""
    listed = "\n".join(f"- **{r.source}**: {r.terms}." for r in restrictions)
    prompt = (
        "This dataset holds content whose licences bind every user, so access is granted only to users who "
        f"hold or accept each of them:\n\n{listed}\n\nTick each statement below only if it is true for you."
    )
    return {"extra_gated_prompt": prompt, "extra_gated_fields": {r.terms: "checkbox" for r in restrictions}}


def gated_card(text: str, restrictions: list[Restriction]) -> str:
    """`text` (a README.md with YAML front matter) with the gate's metadata set; the rest unchanged."""
    from huggingface_hub import DatasetCard

    card = DatasetCard(text)
    for key, value in gate_metadata(restrictions).items():
        card.data[key] = value
    return str(card)
