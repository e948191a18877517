"""Decontamination against evaluation sets (medc/decontamination): reading the evaluation files, the normal form,
and the checks for MedC-I records and MedC-K documents, on authored files in the benchmarks' formats."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medc.decontamination import (
    DecontaminationConfig,
    EvalFileError,
    Hit,
    InstructionIndex,
    benchmark_of,
    load_eval_set,
    method_of,
    normalize,
    tokens,
)
from medc.decontamination.documents import DocumentDecontamination, DocumentIndex
from medc.decontamination.windows import Vocabulary, hash_levels, sequence_hash, window_hashes
from medc.instructions import templates
from medc.records import Document, PaperMeta, QAItem, Rejection

FIXTURES = Path(__file__).parents[1] / "fixtures"
EVAL = FIXTURES / "medc_i" / "eval"
QA = FIXTURES / "qa"
PUBMEDQA = FIXTURES / "decontamination" / "pubmedqa"


def qa_input(question: str, options: list[str]) -> str:
    return templates.QA_INPUT.format(question=question, options=templates.options_block(options))


@pytest.fixture(scope="module")
def index() -> InstructionIndex:
    return InstructionIndex(load_eval_set([str(EVAL)]).items)


# --- the normal form ----------------------------------------------------------------------------------------


def test_tokens_ignore_case_spacing_line_breaks_and_british_spelling():
    assert tokens("Which is a feature of a\nLeukaemoid reaction?") == tokens(
        "which is a feature of a leukemoid reaction"
    )
    assert normalize("Oedema of the foetus; haemoglobin 7 g/dL") == "edema of the fetus hemoglobin 7 g dl"
    assert normalize("Tumours, centres, paediatric anaemia, sulphate, analysed") == normalize(
        "tumors centers pediatric anemia sulfate analyzed"
    )


@given(st.text(max_size=80))
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12))
def test_a_whole_sequence_hashes_as_its_window(ids):
    array = np.array(ids, dtype=np.uint64)
    (_, level), *_ = list(hash_levels(array, len(ids), {len(ids)}))
    assert int(level[0]) == sequence_hash(array)  # 0 on both sides when an id is 0


def test_windows_skip_words_no_item_has():
    vocab = Vocabulary([["aspirin", "inhibits", "cox"]])
    ids = vocab.ids(["aspirin", "inhibits", "cox", "and", "aspirin", "inhibits", "cox"])
    assert ids.tolist() == [1, 2, 3, 0, 1, 2, 3]
    assert len(window_hashes(ids, 3)) == 1  # the same window twice, none spanning the unknown word


# --- evaluation files ---------------------------------------------------------------------------------------


def test_eval_set_reads_each_benchmark_and_records_its_files():
    evals = load_eval_set([str(EVAL)])
    assert evals.counts() == {"medmcqa": 4, "medqa": 2}
    assert [(f["path"], f["benchmark"], f["items"]) for f in evals.files] == [
        ("eval/medmcqa_dev.json", "medmcqa", 4),  # named from the input, no local path
        ("eval/medqa_test.jsonl", "medqa", 2),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "medqa_bigbio_source_test.jsonl",  # bigbio med_qa_en_source: options as [{"key", "value"}]
        "medqa_bigbio_qa_test.jsonl",  # bigbio med_qa_en_bigbio_qa: choices and a one-text answer list
        "medqa_test_bom_array.json",  # a JSON array after a UTF-8 byte-order mark
    ],
)
def test_medqa_exports_give_the_same_items_as_the_native_file(name):
    native = load_eval_set([str(QA / "medqa_US_test.jsonl")]).items
    other = load_eval_set([str(QA / name)]).items
    assert [(q.question, q.options, q.answer) for q in other] == [(q.question, q.options, q.answer) for q in native]


def test_a_file_without_items_stops_with_its_name(tmp_path):
    bad = tmp_path / "test.jsonl"
    bad.write_text(json.dumps({"question": "Q?", "options": "A) x B) y", "answer_idx": "A"}) + "\n")
    with pytest.raises(EvalFileError, match=r"test\.jsonl: no evaluation items could be read \(1 missing_field"):
        load_eval_set([str(bad)])
    with pytest.raises(EvalFileError, match="not a MedQA, MedMCQA or PubMedQA file"):
        load_eval_set([str(QA.parent / "medc_i" / "dialogues" / "iCliniq.json")])


def test_ground_truth_restricts_pubmedqa_to_the_test_split_and_alone_is_refused():
    both = load_eval_set([str(PUBMEDQA)])
    assert sorted(q.id for q in both.items) == ["pubmedqa:30000001", "pubmedqa:30000002", "pubmedqa:30000003"]
    assert [f["benchmark"] for f in both.files] == ["pubmedqa", "pubmedqa_ground_truth"]
    assert load_eval_set([str(PUBMEDQA / "ori_pqal.json")]).counts() == {"pubmedqa": 4}
    with pytest.raises(EvalFileError, match="holds only PubMedQA answers"):
        load_eval_set([str(PUBMEDQA / "test_ground_truth.json")])


# --- MedC-I records -----------------------------------------------------------------------------------------

TETANUS = "All of the following are true about tetanus except"
TETANUS_DEV = [
    "Incubation is 3-21 days",
    "Spasms are triggered by noise",
    "Consciousness is lost early",
    "Mortality is high in neonates",
]
LEUKEMOID = [
    "High leukocyte alkaline phosphatase score",
    "Philadelphia chromosome",
    "Basophilia",
    "Splenomegaly with blasts",
]


def test_a_copy_is_found_through_line_breaks_case_and_spelling(index):
    splint = "splinting of an avulsed permanent incisor after replantation is recommended for"
    found = index.check(
        [
            ("Pick one.", qa_input(TETANUS, TETANUS_DEV)),
            # dev-0003 has a line break inside its question; this copy does not
            ("Pick one.", qa_input(splint.capitalize(), ["One day", "Two weeks", "Three months", "Six months"])),
            # dev-0004 says leukaemoid
            ("Pick one.", qa_input("Which of the following is a feature of a leukemoid reaction?", LEUKEMOID)),
        ]
    )
    assert [(h.method, h.item) for h in found] == [
        ("question", "medmcqa:dev-0001"),
        ("question", "medmcqa:dev-0003"),
        ("question", "medmcqa:dev-0004"),
    ]


def test_one_line_reworded_options_and_specific_question_alone(index):
    one_line = (
        "Q: Which of the following is a feature of a leukemoid reaction? A) high LAP score B) Philadelphia "
        "chromosome C) basophilia D) splenomegaly with blasts"
    )
    reworded = qa_input(
        "Which of the following is a feature of a leukemoid reaction?", [*LEUKEMOID[:3], "Blasts with a big spleen"]
    )
    alone = "Is it true that the drug of choice for anaphylaxis is adrenaline?"
    found = index.check([("", one_line), ("Pick one.", reworded), ("Answer as a doctor.", alone)])
    assert [(h.method, h.item) for h in found] == [
        ("question", "medmcqa:dev-0004"),
        ("question", "medmcqa:dev-0004"),
        ("question", "medmcqa:dev-0002"),  # "drug", "choice", "anaphylaxis": specific, and no other item asks it
    ]
    assert found[2].evidence == "question found whole, 1 of 4 options"


def test_a_generic_stem_with_other_options_is_honest_training_data(index):
    other = [
        "It is caused by Clostridium tetani",
        "It is transmitted person to person",
        "Trismus is an early sign",
        "It is prevented by toxoid",
    ]
    assert index.check([("Pick one.", qa_input(TETANUS, other)), ("Answer.", f"Explain: {TETANUS}")]) == [None, None]


def test_a_reworded_stem_is_found_by_word_share_not_another_topic():
    items = [
        QAItem(
            "medmcqa:a",
            "medmcqa",
            "Drug of choice for anaphylaxis is",
            ["Antihistamine", "Hydrocortisone", "Salbutamol", "Adrenaline"],
            3,
        ),
        QAItem(
            "medmcqa:b",
            "medmcqa",
            "Drug of choice for absence seizures is",
            ["Phenytoin", "Carbamazepine", "Ethosuximide", "Valproate"],
            2,
        ),
    ]
    index = InstructionIndex(items)
    found = index.check(
        [
            (
                "",
                qa_input(
                    "Drug of choice in anaphylaxis is", ["Antihistamine", "Hydrocortisone", "Salbutamol", "Adrenaline"]
                ),
            ),
            # 9 of its 10 words, but another disease: not the item (its key word "anaphylaxis" is missing)
            (
                "",
                qa_input(
                    "Drug of choice for urticaria is", ["Antihistamine", "Hydrocortisone", "Salbutamol", "Adrenaline"]
                ),
            ),
        ]
    )
    assert found[0] is not None and (found[0].method, found[0].item) == ("similar", "medmcqa:a")
    assert found[0].evidence == "1.00 of the words of its question and options"  # content words: in/for are not
    assert found[1] is None


def test_a_quoted_vignette_is_found_by_its_windows_and_a_phrase_is_not(index):
    vignette = json.loads((EVAL / "medqa_test.jsonl").read_text().splitlines()[1])["question"]
    quoted = f"My daughter had this in her exam: {vignette.replace('two hours', '2 hours')} Who is right?"
    unrelated = "Which of the following is the most appropriate next step in diagnosis of my rash?"
    found = index.check([("Answer as a doctor.", quoted), ("Answer as a doctor.", unrelated)])
    assert (found[0].method, found[0].item) == ("ngram", "medqa:medqa_test:2") and found[1] is None


def test_boilerplate_windows_do_not_count():
    stem = "A 30-year-old man comes to the physician because of a 2-week history of"
    items = [
        QAItem(f"medqa:t:{i}", "medqa", f"{stem} symptom number {i} and more words.", ["a", "b"], 0) for i in range(12)
    ]
    index = InstructionIndex(items, DecontaminationConfig(ngram=8, common_items=10))
    assert index.check([("", f"{stem} a cough that will not stop.")]) == [None]
    # The windows past the shared stem are specific to item 3, and they are all there.
    assert index.check([("", f"{stem} symptom number 3 and more words.")])[0].item == "medqa:t:3"


def test_pubmedqa_abstract_under_another_question_is_found_section_by_section():
    evals = load_eval_set([str(PUBMEDQA)])
    item = next(q for q in evals.items if q.id == "pubmedqa:30000001")
    index = InstructionIndex(evals.items)
    sections = item.context.split("\n")
    text = templates.CONTEXT_QA_INPUT.format(
        context=f"BACKGROUND: {sections[0]} METHODS: {sections[1]} RESULTS: {sections[2]}",
        question="Does tranexamic acid help?",
        options=templates.options_block(["yes", "no", "maybe"]),
    )
    (hit,) = index.check([("Answer.", text)])
    assert (hit.method, hit.item, hit.evidence) == ("ngram", "pubmedqa:30000001", "1.00 of its 13-token windows")


def test_hit_details_name_benchmark_item_and_method():
    hit = Hit("ngram", "pubmedqa:30000002", "1.00 of the item's 13-token windows are in the document")
    assert hit.detail().startswith("pubmedqa item pubmedqa:30000002, by ngram: 1.00")
    assert (benchmark_of(hit.detail()), method_of(hit.detail())) == ("pubmedqa", "ngram")
    assert (benchmark_of("free text"), method_of("free text")) == ("unknown", "unknown")


# --- MedC-K documents ---------------------------------------------------------------------------------------


def paper(pmid: str | None, text: str) -> Document:
    return Document("pmc:PMC1", "papers", "A title", text, "pmc/PMC1.xml", PaperMeta(pmcid="PMC1", pmid=pmid))


def test_documents_by_pmid_by_text_and_clean():
    evals = load_eval_set([str(PUBMEDQA)])
    step = DocumentDecontamination(DocumentIndex(evals.items))
    abstract = next(q for q in evals.items if q.id == "pubmedqa:30000002").context.replace("\n", " [1] ")
    by_pmid = step(paper("30000001", "Unrelated text."))
    by_text = step(paper(None, f"Introduction. {abstract} Discussion follows."))
    assert by_pmid == Rejection(
        "pmc/PMC1.xml",
        "contaminated",
        "pubmedqa item pubmedqa:30000001, by pmid: the article's PMID 30000001 is the item's",
        "pmc:PMC1",
    )
    assert by_text.detail.startswith("pubmedqa item pubmedqa:30000002, by ngram: 1.00 of the item's 13-token")
    clean = paper("30000004", "Vitamin D deficiency is common among older people, and this cohort studied falls.")
    assert step(clean) is clean  # 30000004 is outside test_ground_truth.json's test split


def test_short_items_are_matched_in_documents_by_identifier_only():
    short = QAItem("medmcqa:x", "medmcqa", "Drug of choice for anaphylaxis is", ["Adrenaline", "Salbutamol"], 0)
    index = DocumentIndex([short])
    assert index.item_ids == []  # 5 words and an answer make no 8 windows: a fact, not a leaked item
    assert index.check(None, "The drug of choice for anaphylaxis is adrenaline, given intramuscularly.") is None


def test_the_document_index_is_small_and_pickles(tmp_path):
    index = DocumentIndex(load_eval_set([str(PUBMEDQA), str(EVAL)]).items)
    blob = pickle.dumps(index)
    assert len(blob) < 20_000 and pickle.loads(blob).check("30000003", "") is not None


def test_config_is_validated():
    with pytest.raises(ValueError, match="min_overlap"):
        DecontaminationConfig(min_overlap=0)
    with pytest.raises(ValueError, match="similarity"):
        DecontaminationConfig(similarity=1.5)
    with pytest.raises(ValueError, match="min_question_tokens"):
        DecontaminationConfig(min_question_tokens=13)


def test_card_section_counts_per_benchmark_and_reads_older_manifests():
    from medc.publish.sections import decontamination_section

    new = {"eval_items": {"pubmedqa": 500}, "removed": {"pubmedqa": 3}, "removed_by_method": {"pmid": 2, "ngram": 1}}
    text = decontamination_section({"decontamination": {**new, "settings": {"ngram": 13, "min_overlap": 0.3}}})
    assert "| pubmedqa | 500 | 3 |" in text and "By evidence: pmid 2, ngram 1." in text and "13-token" in text
    old = decontamination_section({"decontamination": {"eval_items": 5, "removed": {"medqa": 1}}})
    assert "| all benchmarks | 5 | 0 |" in old and "| medqa |  | 1 |" in old
    assert decontamination_section({}) == ""
