"""Lay out the bundled samples as a user's inputs would look, so the demo exercises the real input paths.

    inputs/
      pmc/oa_comm_xml.PMC009xxxxxx.baseline.2026-01-01.tar.gz   legacy bulk package: two copies of one trial
                                                                 (a near-duplicate pair) and a correction notice
      pmc/cloud/PMC9000004.1/PMC9000004.1.{xml,json}             PMC Cloud Service layout, namespaced JATS 1.4
      pmc/PMC9000005.xml                                         a truncated download
      books/handbook.pdf                                         a textbook generated from samples/book/handbook.md:
                                                                 title, copyright, contents, three chapters (one in
                                                                 two columns), running headers/footers, an index
      books/locked.pdf                                           an encrypted PDF
Everything else (dialogues, QA files, UMLS rows) is read from the samples directory as it is.
"""

from __future__ import annotations

import io
import re
import shutil
import tarfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

BULK_MEMBERS = ("PMC9000001.nxml", "PMC9000002.nxml", "PMC9000003.nxml")
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class DemoInputs:
    samples: Path
    pmc: Path
    books: Path

    def sample(self, relative: str) -> str:
        return str(self.samples / relative)


def samples_dir() -> Path:
    return Path(str(resources.files("medc.demo") / "samples"))


def lay_out_inputs(root: Path) -> DemoInputs:
    samples = samples_dir()
    pmc, books = root / "pmc", root / "books"
    shutil.rmtree(root, ignore_errors=True)
    pmc.mkdir(parents=True)
    books.mkdir(parents=True)
    _bulk_package(samples / "pmc", pmc / "oa_comm_xml.PMC009xxxxxx.baseline.2026-01-01.tar.gz")
    shutil.copytree(samples / "pmc" / "PMC9000004.1", pmc / "cloud" / "PMC9000004.1")
    shutil.copy(samples / "pmc" / "PMC9000005.xml", pmc / "PMC9000005.xml")
    book = handbook_pdf((samples / "book" / "handbook.md").read_text(encoding="utf-8"))
    (books / "handbook.pdf").write_bytes(book)
    (books / "locked.pdf").write_bytes(_encrypted_pdf())
    return DemoInputs(samples, pmc, books)


def _bulk_package(source: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as tar:
        for name in BULK_MEMBERS:
            data = (source / name).read_bytes()
            info = tarfile.TarInfo(f"PMC009xxxxxx/{name.replace('.nxml', '.xml')}")
            info.size, info.mtime = len(data), 1767225600  # fixed mtime: the same bytes on every run
            tar.addfile(info, io.BytesIO(data))


def handbook_pdf(markdown: str) -> bytes:
    """The sample textbook as a PDF: `% title` lines, `# chapter` headings, blank-line paragraphs."""
    from medc.demo.textbook_pdf import FixtureBook

    title = re.findall(r"^% (.+)$", markdown, flags=re.M)[0]
    chapters = [
        (m[0], [p.strip() for p in m[1].split("\n\n") if p.strip()])
        for m in re.findall(r"^# (.+?)\n(.*?)(?=^# |\Z)", markdown, flags=re.M | re.S)
    ]
    book = FixtureBook(title)
    book.title_page("Demonstration Authors")
    book.copyright_page()
    book.toc_page([(name, 4 + 2 * i) for i, (name, _) in enumerate(chapters)])
    for i, (name, paragraphs) in enumerate(chapters):
        references = ["Demo Author A. Fluid physiology. Demo J Med. 2020;1:1-9."] if i == len(chapters) - 1 else ()
        book.chapter(name, [_hyphenatable(p) for p in paragraphs], columns=2 if i == 1 else 1, references=references)
    book.index_pages(
        [
            f"{word}, {page}"
            for page, word in enumerate(
                ("acid-base", "anion gap", "dehydration", "hyperkalaemia", "insulin", "kidney injury", "potassium"), 5
            )
        ]
    )
    return book.to_bytes()


def _hyphenatable(paragraph: str) -> str:
    # Soft hyphens in long words let the layout break them at line ends (`extra-` / `cellular`), which the
    # books builder must join again.
    return re.sub(r"\b([a-z]{5})([a-z]{5,})\b", lambda m: m[1] + SOFT_HYPHEN + m[2], paragraph)


def _encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Confidential lecture notes.")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="secret")
