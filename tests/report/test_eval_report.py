"""The evaluation report: accuracy per task and method beside the PMC-LLaMA paper's Table 2 rows."""

import html

from medc.report import write_report
from medc.report.eval_page import eval_page
from medc.report.paper import PAPER_ROWS
from tests.report.page_checks import decoded_images, outside_references


def test_accuracy_beside_the_paper_rows(eval_dir):
    page = eval_page(eval_dir)
    (accuracy,) = [b for b in page.sections[0].blocks if b.kind == "table"]
    assert accuracy.columns == ["model", "method", "MedQA", "MedMCQA", "PubMedQA", "Avg"]
    # 3/8, 4/10, 3/5 correct; the average of the three, computed here
    assert accuracy.rows[0] == ["runs/sft/final (this run)", "loglik", "37.50", "40.00", "60.00", "45.83"]
    paper = {row[0]: row[2:] for row in accuracy.rows[1:]}
    assert len(paper) == len(PAPER_ROWS)
    assert paper["PMC-LLaMA 13B (paper)"] == ["56.36", "56.04", "77.90", "63.43"]
    assert paper["Human (pass) (paper)"] == ["50.00", "–", "60.00", "(55.00)"]  # a partial average is marked


def test_eval_page_cites_the_paper_and_is_self_contained(eval_dir):
    text = html.unescape(write_report(eval_dir).read_text(encoding="utf-8"))
    assert "PMC-LLaMA: Toward Building Open-source Language Models for Medicine" in text
    assert "arXiv:2304.14454" in text and "Table 2" in text
    assert "no_answer 1" in text and "lm-eval/v1" in text  # per-task details: skipped items, prompt version
    assert outside_references(text) == [] and len(decoded_images(text)) == 1


def test_task_summaries_without_the_run_summary(eval_dir, tmp_path):
    # `medc eval --task medqa` writes only medqa-loglik.summary.json
    one = tmp_path / "one"
    one.mkdir()
    (one / "medqa-loglik.summary.json").write_bytes((eval_dir / "medqa-loglik.summary.json").read_bytes())
    accuracy = next(b for b in eval_page(one).sections[0].blocks if b.kind == "table")
    assert accuracy.rows[0] == ["runs/sft/final (this run)", "loglik", "37.50", "–", "–", "(37.50)"]
