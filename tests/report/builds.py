"""Small real builds and runs for the report tests: authored JATS articles (one per quality-filter reason),
a text book, an encrypted PDF and a truncated XML file, built by the real `medc build-k`; MedC-I from the
MedC-I fixtures with decontamination; a training run's and an evaluation's files as the trainer writes them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medc.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROSE = (
    "Acute kidney injury is common in patients admitted to intensive care, and its incidence has risen over the "
    "last decade. We followed the patients of {n} hospitals for a year and recorded the stage of the injury, the "
    "treatment they were given and whether the kidney function had recovered at discharge. "
)


SPANISH = (
    "La anemia es frecuente en los niños menores de cinco años de las zonas rurales, y su causa más común es la "
    "falta de hierro en la dieta. Estudiamos a los niños de doce comunidades durante un año y medimos la "
    "hemoglobina antes y después de la intervención, que consistió en la entrega de suplementos a las familias."
)
BOOK = [
    "The nephron is the functional unit of the kidney. Each kidney holds about a million of them, and each "
    "consists of a glomerulus, where the blood is filtered, and a tubule, where the filtrate is changed into urine "
    "by the reabsorption of water and solutes and the secretion of waste. " * 2,
    "Potassium balance depends on the kidney: most of the potassium filtered is reabsorbed in the proximal tubule, "
    "and the amount excreted is set in the collecting duct under the control of aldosterone. " * 3,
]


def jats(pmcid: int, title: str, paragraphs: list[str], article_type: str = "research-article") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="{article_type}"><front><article-meta>'
        f'<article-id pub-id-type="pmc">{pmcid}</article-id>'
        f"<title-group><article-title>{title}</article-title></title-group>"
        '<permissions><license license-type="open-access" xlink:href="https://creativecommons.org/licenses/by/4.0/">'
        "<license-p>CC BY</license-p></license></permissions></article-meta></front>"
        f"<body><sec><title>Introduction</title>{body}</sec></body></article>\n"
    )


def lay_out_medc_k_inputs(root: Path) -> tuple[Path, Path]:
    """One input per case the report must show: kept articles, an exact duplicate, each filter's rejection."""
    pmc, books = root / "pmc", root / "books"
    pmc.mkdir(parents=True)
    books.mkdir(parents=True)
    good = [PROSE.format(n=n) * 3 for n in range(4)]
    outcomes = [PROSE.format(n=n) * 2 for n in range(7, 11)]
    articles = {
        "PMC100.xml": jats(100, "Kidney injury in intensive care", good),
        # the same article under a second PMCID (a republished paper): an exact duplicate
        "PMC101.xml": jats(101, "Kidney injury in intensive care", good),
        "PMC102.xml": jats(102, "Outcomes after kidney injury", outcomes),
        # the same study with a sentence added (a preprint and its published version): a near duplicate
        "PMC111.xml": jats(111, "Outcomes after kidney injury", [*outcomes, "Funding was provided by the ministry."]),
        # stands for a data supplement published as an article: a table of numbers (low_alpha)
        "PMC103.xml": jats(103, "Supplementary data", [" ".join(f"{i}.{i % 7} {i * 3}" for i in range(200))]),
        # stands for a page template repeated on every page (repeated_lines)
        "PMC104.xml": jats(104, "Forms", ["This is the patient form of the ward"] * 40),
        # stands for a keyword list without running text (non_language)
        "PMC105.xml": jats(
            105, "Keywords", [" ".join(f"nephropathy{i} glomerulus{i} creatinine{i}" for i in range(40))]
        ),
        # stands for a short erratum (too_short)
        "PMC106.xml": jats(106, "Erratum", ["In Table 2 the dose should read 10 mg."]),
        # stands for a correction notice (article_type_excluded)
        "PMC107.xml": jats(107, "Correction", good[:1], article_type="correction"),
        # stands for a truncated download (an XML syntax error)
        "PMC108.xml": jats(108, "Truncated", good)[:300],
    }
    for name, text in articles.items():
        (pmc / name).write_text(text, encoding="utf-8")
    # stands for devcorpus SciELO articles in Spanish (wrong_language in an English build)
    (pmc / "PMC109.xml").write_text(
        jats(109, "Anemia en la infancia", [f"{SPANISH} Grupo {n}." for n in range(4)]), encoding="utf-8"
    )
    # stands for a download that is not XML at all (a zip saved under an .xml name)
    (pmc / "PMC110.xml").write_bytes((FIXTURES / "pmc" / "malformed_fatal.xml").read_bytes())
    (books / "nephrology.txt").write_text("Nephrology notes\n\n" + "\n\n".join(BOOK), encoding="utf-8")
    (books / "locked.pdf").write_bytes(_encrypted_pdf())
    return pmc, books


def _encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Confidential lecture notes.")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="secret")


def build_medc_k(root: Path) -> Path:
    pmc, books = lay_out_medc_k_inputs(root / "inputs")
    out = root / "medc-k"
    result = CliRunner().invoke(
        main, ["-q", "build-k", "--pmc", str(pmc), "--books", str(books), "--out", str(out), "--workers", "0"]
    )
    assert result.exit_code == 0, result.output
    return out


def build_medc_i(root: Path) -> Path:
    """MedC-I from the MedC-I fixtures (see tests/cli/test_build_i.py): duplicates, contaminated records, bad JSON,
    empty answers, a malformed RRF row."""
    medc_i = FIXTURES / "medc_i"
    out = root / "medc-i"
    args = [
        "build-i",
        "--dialogues", str(medc_i / "dialogues"),
        "--dialogue-columns", "user=question,assistant=answer,id=qid",
        "--medqa", str(medc_i / "qa" / "medqa_train.jsonl"),
        "--medmcqa", str(medc_i / "qa" / "medmcqa_train.json"),
        "--pubmedqa", str(medc_i / "qa" / "ori_pqaa.json"),
        "--umls", str(medc_i / "umls"),
        "--decontaminate", str(medc_i / "eval"),
        "--validation-fraction", "0.25",
        "--workers", "0",
        "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(main, ["-q", *args])
    assert result.exit_code == 0, result.output
    return out


def write_run(root: Path, *, peak_tflops: float | None = 100.0, checkpoints: bool = True) -> Path:
    """A pretraining run's files, written by the trainer's own writers: `MetricsLog` (metrics.jsonl), the data
    summary (data.json), config.toml and the checkpoints' trainer_state.json (the sampler position)."""
    from trainer.metrics import MetricsLog

    root.mkdir(parents=True)
    log = MetricsLog(
        root, total_steps=40, flops_per_token=1.5e9, peak_flops=peak_tflops * 1e12 if peak_tflops else None, world=1
    )
    for step in range(5, 45, 5):
        log.train(step=step, loss=6.0 / step**0.3, lr=3e-4 * min(1, step / 10), tokens=40960, seconds=2.0,
                  grad_norm=1.0 / step, tokens_seen=step * 8192)  # fmt: skip
        if step % 10 == 0:
            log.validation(step=step, loss=6.2 / step**0.25, tokens=4096)
        if step % 10 == 0 and checkpoints:
            drawn = step * 4  # 4 sequences a step, drawn 15:4:1 (books, papers, general)
            taken = {"books": drawn * 15 // 20, "papers": drawn * 4 // 20, "general": drawn // 20}
            state = {"step": step, "tokens_seen": step * 8192, "data": {"sampler": {"drawn": drawn, "taken": taken}}}
            (root / "checkpoints" / f"step_{step:08d}").mkdir(parents=True)
            (root / "checkpoints" / f"step_{step:08d}" / "trainer_state.json").write_text(json.dumps(state))
    log.close()
    sources = {
        name: {"documents": docs, "tokens": docs * 900, "sequences": docs * 2, "validation": 2, "share": share}
        for name, docs, share in (("books", 30, 0.75), ("papers", 80, 0.2), ("general", 50, 0.05))
    }
    (root / "data.json").write_text(json.dumps({"sources": sources, "total_samples": 800, "total_steps": 40}))
    (root / "config.toml").write_text(
        '# medc train pretrain\nmodel = "runs/tiny"\nmax_steps = 40\n\n[data]\npath = "medc-k"\n'
        "mix = { books = 15.0, papers = 4.0, general = 1.0 }\nseq_len = 2048\n\n[optim]\nlr = 0.0003\n"
    )
    return root


def write_eval(root: Path) -> Path:
    """An evaluation directory as `medc eval --all` writes it (trainer/evaluate/report.py's writers)."""
    from trainer.evaluate.report import EvalSummary, ItemResult, accuracy_metrics, write_run, write_task

    summaries = []
    for task, n, right in (("medqa", 8, 3), ("medmcqa", 10, 4), ("pubmedqa", 5, 3)):
        results = [
            ItemResult(f"{task}:{i}", 0, 0 if i < right else 1, i < right, 0 if i < right else 1) for i in range(n)
        ]
        metrics = accuracy_metrics(results, "loglik")
        skipped = {"no_answer": 1} if task == "medqa" else {}
        summary = EvalSummary(
            task, "loglik", "runs/sft/final", "lm-eval/v1", f"{task}.jsonl", "ab" * 32, n, metrics, rejections=skipped
        )
        write_task(root, summary, results)
        summaries.append(summary)
    write_run(root, summaries)
    return root
