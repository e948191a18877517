import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medc.records import Instruction, Message
from trainer.config import SFTData
from trainer.packing import IGNORE
from trainer.sft import PREAMBLE, PREAMBLE_INPUT, TemplateError, encode_segments, render_segments
from trainer.sft_data import SFTCorpus, SFTStream, pad_batch, targets_of
from trainer.sft_packing import best_fit_rows

DIALOGUE = Instruction(
    instruction="",
    input="",
    output="",
    source="dialogue",
    sample_id="d1",
    messages=[
        Message("user", "My blood pressure is high."),
        Message("assistant", "Lisinopril reduces it."),
        Message("user", "And in children?"),
        Message("assistant", "Ask a paediatrician."),
    ],
)


def ids_of(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def expected_labels(tokenizer, pieces):
    """BOS, then each piece tokenized on its own with its trained flag (pieces end at pre-token boundaries)."""
    ids, trained = [tokenizer.bos_token_id], [False]
    for text, flag in pieces:
        piece = ids_of(tokenizer, text)
        ids += piece
        trained += [flag] * len(piece)
    return ids, trained


def test_pmc_llama_dialogue_trains_every_assistant_turn_and_nothing_else(tokenizer):
    segments = render_segments(DIALOGUE, "pmc_llama", tokenizer)
    pieces = [
        (PREAMBLE + "\n\n### Instruction:\nMy blood pressure is high.\n\n### Response:\n", False),
        ("Lisinopril reduces it.</s>", True),
        ("\n\n### Instruction:\nAnd in children?\n\n### Response:\n", False),
        ("Ask a paediatrician.</s>", True),
    ]
    assert segments == pieces
    ex = encode_segments(segments, tokenizer, add_bos=True, max_len=1024)
    ids, trained = expected_labels(tokenizer, pieces)
    assert ex.ids.tolist() == ids
    assert ex.trained.tolist() == trained  # token by token
    runs = [tokenizer.decode(ex.ids[s]) for s in np.ma.clump_unmasked(np.ma.masked_array(ex.ids, ~ex.trained))]
    assert runs == ["Lisinopril reduces it.</s>", "Ask a paediatrician.</s>"]
    assert not ex.truncated


def test_chat_template_dialogue_trains_assistant_turns_with_their_end_marker(tokenizer):
    segments = render_segments(DIALOGUE, "chat", tokenizer)
    assert segments == [
        ("<s><|user|>\nMy blood pressure is high.</s>\n<|assistant|>\n", False),
        ("Lisinopril reduces it.</s>\n", True),
        ("<|user|>\nAnd in children?</s>\n<|assistant|>\n", False),
        ("Ask a paediatrician.</s>\n", True),
    ]
    ex = encode_segments(segments, tokenizer, add_bos=True, max_len=1024)
    ids, trained = expected_labels(tokenizer, [(segments[0][0][3:], False), *segments[1:]])
    assert ex.ids.tolist() == ids  # the template's own <s> is the only BOS
    assert ex.trained.tolist() == trained
    assert tokenizer.decode(ex.ids[ex.trained]) == "Lisinopril reduces it.</s>\nAsk a paediatrician.</s>\n"


def test_single_turn_record_uses_the_input_block():
    record = Instruction(
        instruction="Answer.",
        input="Is aspirin an NSAID?",
        output="Yes.",
        source="qa",
        sample_id="q1",
        messages=[Message("user", "x"), Message("assistant", "Yes.")],
    )

    class Tok:
        eos_token = "</s>"

    assert render_segments(record, "pmc_llama", Tok()) == [
        (
            PREAMBLE_INPUT + "\n\n### Instruction:\nAnswer.\n\n### Input:\nIs aspirin an NSAID?\n\n### Response:\n",
            False,
        ),
        ("Yes.</s>", True),
    ]


def test_record_without_assistant_turn_is_a_template_error(tokenizer):
    record = Instruction(
        instruction="", input="", output="", source="x", sample_id="x", messages=[Message("user", "hello")]
    )
    with pytest.raises(TemplateError, match="no assistant turn"):
        render_segments(record, "pmc_llama", tokenizer)
    with pytest.raises(TemplateError, match="no assistant turn"):
        render_segments(record, "chat", tokenizer)


def test_truncation_is_flagged(tokenizer):
    ex = encode_segments(render_segments(DIALOGUE, "pmc_llama", tokenizer), tokenizer, add_bos=True, max_len=10)
    assert ex.truncated and len(ex.ids) == 10


def test_targets_and_padding():
    ids, trained = np.array([1, 5, 6, 7, 2]), np.array([False, False, True, True, True])
    assert targets_of(ids, trained).tolist() == [IGNORE, 6, 7, 2, IGNORE]
    batch = pad_batch([(ids, trained), (ids[:3], trained[:3])], pad=0)
    assert batch["input_ids"].shape == (2, 8)
    assert batch["attention_mask"].tolist() == [[1] * 5 + [0] * 3, [1] * 3 + [0] * 5]
    assert batch["targets"][1].tolist() == [IGNORE, 6, IGNORE] + [IGNORE] * 5
    assert batch["n_tokens"] == 8


def synthetic_corpus(name, lengths, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(4, 100, sum(lengths))
    trained = rng.random(sum(lengths)) < 0.5
    return SFTCorpus(name, ids, trained, np.concatenate([[0], np.cumsum(lengths)]))


def packed_stream(**kwargs):
    corpora = {"a": synthetic_corpus("a", [5, 9, 3, 16, 7, 2, 11], 0), "b": synthetic_corpus("b", [4, 12, 6], 1)}
    data = SFTData(path="x", seq_len=16, packing=True)
    return SFTStream(corpora, {}, data, seed=0, micro_batch=2, grad_accum=1, pad=0, **kwargs)


def test_packed_rows_keep_examples_whole_and_apart():
    stream = packed_stream()
    batch = stream.next_micro_batch()
    for row in range(2):
        positions, targets = batch["position_ids"][row], batch["targets"][row]
        starts = np.flatnonzero(positions == 0)
        assert starts[0] == 0
        # the last token of each example predicts nothing (no target crosses into the next example)
        assert all(targets[s - 1] == IGNORE for s in starts[1:])
    assert "attention_mask" not in batch  # restarts in position_ids confine attention instead


def test_packed_stream_resumes_exactly():
    reference = packed_stream()
    expected = [reference.next_micro_batch() for _ in range(6)]
    first = packed_stream()
    head = [first.next_micro_batch() for _ in range(2)]
    resumed = packed_stream()
    resumed.load_state_dict(first.state_dict())
    got = head + [resumed.next_micro_batch() for _ in range(4)]
    for a, b in zip(got, expected, strict=True):
        assert all(np.array_equal(a[k], b[k]) for k in ("input_ids", "targets", "position_ids"))


def test_packed_epochs_are_planned_from_the_rows_the_packer_makes():
    """`epochs` passes are the rows that hold exactly epochs x examples, counted, not assumed 90% full: every
    example lands in the planned rows exactly `epochs` times (here 2), and steps cover those rows."""
    corpora = {"a": synthetic_corpus("a", [5, 9, 3, 16, 7, 2, 11, 13, 4], 0), "b": synthetic_corpus("b", [4, 12, 6], 1)}
    data = SFTData(path="x", seq_len=16, packing=True, epochs=2.0)
    stream = SFTStream(corpora, {}, data, seed=0, micro_batch=2, grad_accum=1, pad=0)
    plan = stream.plan
    members = [m for k in range(plan.planned_rows) for m in plan.row(k)]
    assert sorted(members) == sorted([(n, i) for n, c in corpora.items() for i in range(len(c))] * 2)
    for k in range(plan.planned_rows):
        assert sum(len(corpora[n].example(i)[0]) for n, i in plan.row(k)) <= 16
    assert stream.total_steps == -(-plan.planned_rows // 2)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 64), min_size=1, max_size=300), st.integers(64, 200))
def test_best_fit_keeps_every_example_once_and_never_overfills(lengths, capacity):
    rows = best_fit_rows(np.array(lengths), capacity)
    assert sorted(i for row in rows for i in row) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in row) <= capacity for row in rows)
    # no two rows could be merged: best fit leaves at most one row at most half full
    assert sum(sum(lengths[i] for i in row) <= capacity // 2 for row in rows) <= 1


def test_best_fit_fills_rows_fuller_than_next_fit():
    """stands for MedC-I's measured 72.5%-full next-fit rows: lengths spread over the whole row"""
    rng = np.random.default_rng(0)
    lengths = rng.integers(16, 1500, 2000)
    rows = best_fit_rows(lengths, 2048)
    next_fit, room = 1, 2048
    for n in lengths:
        if n > room:
            next_fit, room = next_fit + 1, 2048
        room -= n
    assert len(rows) < 0.85 * next_fit
    assert lengths.sum() / (len(rows) * 2048) > 0.95


def test_stream_from_a_build_counts_rejections(assets, tokenizer, tmp_path):
    data = SFTData(
        path=str(assets["medc_i"]),
        configs=("dialogue", "rationale_qa", "umls_kg"),
        seq_len=256,
        cache_dir=str(tmp_path),
    )
    stream = SFTStream.prepare(data, tokenizer, seed=0, micro_batch=4, grad_accum=2)
    summary = stream.summary()
    assert sorted(summary["sources"]) == ["dialogue", "rationale_qa"]  # umls_kg is absent: warned, skipped
    assert summary["sources"]["dialogue"]["examples"] == 48 and summary["validation_examples"] == 16
    assert summary["sources"]["dialogue"]["rejected"] == {} and summary["sources"]["dialogue"]["truncated"] == 0
    batch = stream.next_micro_batch()
    assert set(batch) == {"input_ids", "targets", "attention_mask", "n_tokens"}


def test_a_chat_templates_own_error_is_a_counted_rejection(assets, tmp_path):
    """stands for chat templates that `raise_exception('Conversation roles must alternate user/assistant...')`
    (Llama 2's, Mistral's): such records are counted by reason, the others train."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(assets["model"])
    tokenizer.chat_template = (
        "{% if messages|length > 2 %}{{ raise_exception('Only one user turn and one answer, please') }}{% endif %}"
        "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
    )
    with pytest.raises(TemplateError, match="chat template error: Only one user turn"):
        render_segments(DIALOGUE, "chat", tokenizer)
    data = SFTData(path=str(assets["medc_i"]), template="chat", seq_len=256, cache_dir=str(tmp_path))
    stream = SFTStream.prepare(data, tokenizer, seed=0, micro_batch=2, grad_accum=1)
    dialogue = stream.summary()["sources"]["dialogue"]
    assert dialogue["rejected"] == {"template: chat template error: Only one user turn and one answer, please": 16}
    assert dialogue["examples"] == 48 - 16  # every third dialogue has two turns
