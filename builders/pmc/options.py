"""What the PMC article builder keeps, drops and rejects. Defaults follow PMC-LLaMA's description of its corpus.

[papers]                       # build.toml (or --set papers.keep_tables=true)
keep_tables = true
license_groups = ["commercial"]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields

from builders.pmc.filelist import LICENSE_GROUPS, FileListIndex

CALLOUT_MODES = ("keep", "parenthetical", "all")
SUB_ARTICLE_MODES = ("drop", "append")
TRANSLATION_MODES = ("document", "sub_article")
# Section kinds that `keep_*` flags govern, wherever they appear (body, back matter, footnotes).
SECTION_KINDS = (
    "acknowledgements",
    "funding",
    "competing_interests",
    "authors",
    "supplementary",
    "references",
    "appendices",
    "footnotes",
    "back_notes",
)


@dataclass(frozen=True)
class PmcOptions:
    """Options of `builders.pmc.parse`. Every `keep_*` flag is False where PMC-LLaMA removed that part."""

    keep_captions: bool = True  # figure captions, each as its own paragraph
    keep_tables: bool = False  # tables as caption + one line per row ("a | b | c")
    keep_references: bool = False  # the reference list, one line per reference, under "References"
    keep_citation_markers: bool = False  # `[1]`, `[2–5]`, `(1, 3)`, `(Smith et al., 2010)` built from bibr xrefs
    callouts: str = "parenthetical"  # figure/table callouts: keep | parenthetical ("(Fig. 1)" only) | all
    keep_authors: bool = False  # author line after the title, and "Author contributions" sections
    keep_acknowledgements: bool = False
    keep_funding: bool = False
    keep_competing_interests: bool = False
    keep_supplementary: bool = False  # supplementary-material blocks ("Click here for additional data file.")
    keep_footnotes: bool = False
    keep_appendices: bool = False
    keep_back_notes: bool = False  # other back-matter sections: data availability, ethics, abbreviations, ...
    keep_boxed_text: bool = True
    keep_urls: bool = False
    sub_articles: str = "drop"  # peer reviews, author responses: drop | append (after the main text)
    # Translations (<sub-article article-type="translation">): document (each its own Document, `translation_of`
    # naming the article) | sub_article (dropped or appended like the other sub-articles)
    translations: str = "document"
    skip_abstract_types: tuple[str, ...] = ("graphical", "teaser", "toc", "video", "web-summary")
    exclude_article_types: tuple[str, ...] = (
        "correction",
        "corrigendum",
        "erratum",
        "expression-of-concern",
        "partial-retraction",
        "retraction",
    )
    require_body: bool = True  # reject articles without body text (abstract-only and scanned-PDF records)
    # Reject articles without a PMCID (`no_pmcid`); by default their id is their DOI, else their publisher id,
    # else the file's content hash (`PaperMeta.id_type` says which).
    require_pmcid: bool = False
    drop_retracted: bool = True  # reject articles marked retracted (file list, or a retraction-forward link)
    license_groups: tuple[str, ...] = LICENSE_GROUPS  # commercial | noncommercial | other (FORMATS.md §1.1)
    languages: tuple[str, ...] = ()  # xml:lang codes to keep, e.g. ("en",); empty keeps every language
    max_bytes: int = 64 << 20  # larger files are rejected as too_large (the largest PMC articles are ~20 MB)
    # Licence / retraction / version per PMCID from file lists; set by `with_filelists`, not from TOML.
    filelist: FileListIndex | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise ValueError(f"{f.name} must be true or false, got {value!r}")
            if f.type == "tuple[str, ...]":
                self._set_words(f.name, value)
        if self.callouts not in CALLOUT_MODES:
            raise ValueError(f"callouts must be one of {', '.join(CALLOUT_MODES)}, got {self.callouts!r}")
        if self.sub_articles not in SUB_ARTICLE_MODES:
            raise ValueError(f"sub_articles must be one of {', '.join(SUB_ARTICLE_MODES)}, got {self.sub_articles!r}")
        if self.translations not in TRANSLATION_MODES:
            raise ValueError(f"translations must be one of {', '.join(TRANSLATION_MODES)}, got {self.translations!r}")
        unknown = sorted(set(self.license_groups) - set(LICENSE_GROUPS))
        if unknown or not self.license_groups:
            raise ValueError(
                f"license_groups must be a non-empty list of {', '.join(LICENSE_GROUPS)}; got "
                f"{list(self.license_groups)}"
            )
        if not isinstance(self.max_bytes, int) or self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be a positive number of bytes, got {self.max_bytes!r}")
        if self.filelist is not None and not isinstance(self.filelist, FileListIndex):
            raise ValueError("filelist cannot be set in a config file; pass the file lists with --pmc-filelist")

    def _set_words(self, name: str, value: object) -> None:
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):  # type: ignore[attr-defined]
            raise ValueError(f"{name} must be a list of strings, got {value!r}")
        object.__setattr__(self, name, tuple(sorted({v.strip().lower() for v in value})))  # type: ignore[attr-defined]

    def kept_kinds(self) -> frozenset[str]:
        """The section kinds (SECTION_KINDS) these options keep."""
        return _kept_kinds(self)


@functools.lru_cache(maxsize=8)  # asked once per article; options are hashable and fixed for a build
def _kept_kinds(options: PmcOptions) -> frozenset[str]:
    flags = {
        "acknowledgements": options.keep_acknowledgements,
        "funding": options.keep_funding,
        "competing_interests": options.keep_competing_interests,
        "authors": options.keep_authors,
        "supplementary": options.keep_supplementary,
        "references": options.keep_references,
        "appendices": options.keep_appendices,
        "footnotes": options.keep_footnotes,
        "back_notes": options.keep_back_notes,
    }
    return frozenset(kind for kind, keep in flags.items() if keep)
