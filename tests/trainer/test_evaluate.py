"""The evaluator on a tiny Llama whose next-token preferences are set by hand (no download).

The model is a bigram table: a one-hot embedding, one decoder layer whose attention and MLP outputs are zeroed
(so the residual stream passes the token's one-hot through), and an `lm_head` holding the table. The logits
after token i are exactly `table[:, i]`, so a test can say "after `:` prefer ` C`" and know every
log-probability the scorer must report, including which position it must read them from.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from click.testing import CliRunner  # noqa: E402

from medc.cli import main  # noqa: E402
from trainer.evaluate.benchmark import load_benchmark  # noqa: E402
from trainer.evaluate.generate import generate_texts  # noqa: E402
from trainer.evaluate.loglik import plan_passes, score_choices  # noqa: E402
from trainer.evaluate.model import LoadedModel  # noqa: E402
from trainer.evaluate.run import EvalSettings, evaluate  # noqa: E402

QA = Path(__file__).parents[1] / "fixtures" / "qa"
WORDS = ["ĠA", "ĠB", "ĠC", "ĠD", "ĠE", "Ġyes", "Ġno", "Ġmaybe", "ĠOPTION", "ĠIS", "ĠCORRECT"]


def tiny_tokenizer():
    """Byte-level BPE over the 256 byte symbols, with merges that make ` A`..` E`, ` yes`, ` no`, ` maybe`,
    ` OPTION`, ` IS`, ` CORRECT` single tokens; a BOS is prepended like Llama's."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<s>": 0, "</s>": 1, "<pad>": 2}
    for symbol in sorted(pre_tokenizers.ByteLevel.alphabet()):
        vocab[symbol] = len(vocab)
    merges = []
    for word in WORDS:
        for end in range(2, len(word) + 1):
            if word[:end] not in vocab:
                merges.append((word[: end - 1], word[end - 1]))
                vocab[word[:end]] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 0)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")


def bigram_model(tokenizer, prefer: dict[tuple[str, str], float]):
    """A LlamaForCausalLM whose logits after token `prev` are `prefer[(prev, next)]` for `next`, else 0."""
    from transformers import LlamaConfig, LlamaForCausalLM

    size = len(tokenizer)
    hidden = -(-size // 8) * 8
    config = LlamaConfig(
        vocab_size=size,
        hidden_size=hidden,
        intermediate_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        tie_word_embeddings=False,
        rms_norm_eps=1e-12,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
    )
    model = LlamaForCausalLM(config).eval()
    table = torch.zeros(size, hidden)
    for (prev, nxt), logit in prefer.items():
        table[tokenizer.convert_tokens_to_ids(nxt), tokenizer.convert_tokens_to_ids(prev)] = logit
    with torch.no_grad():
        model.model.embed_tokens.weight.copy_(torch.eye(size, hidden))
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        # RMSNorm scales a one-hot vector by sqrt(hidden); undo that so the logits are the table itself.
        model.lm_head.weight.copy_(table / math.sqrt(hidden))
    return model


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


def log_softmax_at(logits: dict[int, float], size: int, target: int) -> float:
    z = math.log(sum(math.exp(v) for v in logits.values()) + (size - len(logits)))
    return logits.get(target, 0.0) - z


def test_tokenizer_makes_the_answer_letters_single_tokens(tokenizer):
    assert tokenizer("Answer: C")["input_ids"][-2:] == tokenizer.convert_tokens_to_ids([":", "ĠC"])
    assert tokenizer("x")["input_ids"][0] == 0


@pytest.mark.parametrize("preferred", ["A", "C"])
def test_loglik_picks_the_option_the_model_prefers(tokenizer, preferred):
    model = bigram_model(tokenizer, {(":", f"Ġ{preferred}"): 6.0})
    bench = load_benchmark("medqa", QA / "medqa_phrases_no_exclude_test.jsonl")
    summary, results = evaluate(
        LoadedModel(model, tokenizer, "tiny", "cpu", "float32"), bench, EvalSettings(batch_size=2)
    )
    assert [r.prediction for r in results] == ["ABCD".index(preferred)] * 3
    expected = sum(r.answer == "ABCD".index(preferred) for r in results) / 3  # answers are C, D, A
    assert summary.metrics["acc"] == pytest.approx(expected) and summary.metrics["acc_norm"] == summary.metrics["acc"]
    size = len(tokenizer)
    pick = tokenizer.convert_tokens_to_ids(f"Ġ{preferred}")
    assert results[0].logprobs[results[0].prediction] == pytest.approx(
        log_softmax_at({pick: 6.0}, size, pick), abs=1e-5
    )
    other = tokenizer.convert_tokens_to_ids("ĠB")
    assert results[0].logprobs[1] == pytest.approx(log_softmax_at({pick: 6.0}, size, other), abs=1e-5)


def test_multi_token_continuations_are_read_at_the_right_positions(tokenizer):
    """` xz` is three tokens (Ġ, x, z); the model strongly predicts that chain. An off-by-one read would not."""
    ids = dict(zip(["Ġ", "x", "z"], tokenizer.convert_tokens_to_ids(["Ġ", "x", "z"]), strict=True))
    assert tokenizer("Answer: zx")["input_ids"][-3:] == [ids["Ġ"], ids["z"], ids["x"]]
    model = bigram_model(tokenizer, {(":", "Ġ"): 5.0, ("Ġ", "x"): 5.0, ("x", "z"): 5.0})
    size = len(tokenizer)
    (scores,) = score_choices(model, tokenizer, [("Answer:", ["xz", "zx"])])
    hit = log_softmax_at({0: 5.0}, size, 0)
    assert scores.logprobs[0] == pytest.approx(3 * hit, abs=1e-5)
    miss = hit + log_softmax_at({ids["x"]: 5.0}, size, ids["z"]) + log_softmax_at({}, size, ids["x"])
    assert scores.logprobs[1] == pytest.approx(miss, abs=1e-5)
    assert scores.pred == 0


def test_shared_context_batching_and_truncation_give_the_same_scores(tokenizer):
    model = bigram_model(tokenizer, {(":", "ĠC"): 4.0, (":", "Ġmaybe"): 2.0, (":", "Ġno"): 3.0})
    bench = load_benchmark("pubmedqa", QA / "pubmedqa_ori_pqal.json").items[:1]
    bench += load_benchmark("medmcqa", QA / "medmcqa_dev.json").items[:2]
    from trainer.evaluate.prompts import loglik_choices, loglik_context

    requests = [(loglik_context(i), loglik_choices(i)) for i in bench]

    def flat(**kwargs) -> list[float]:
        return [x for s in score_choices(model, tokenizer, requests, **kwargs) for x in s.logprobs]

    reference = flat(batch_size=1, share_context=False)
    assert len(reference) == 3 + 2 * 4
    assert plan_passes(tokenizer, requests[:1], 4096)[0].ids[0] == tokenizer.bos_token_id
    assert plan_passes(tokenizer, requests[:1], 4096, add_bos=False)[0].ids[0] != tokenizer.bos_token_id
    kwargs_list = ({"batch_size": 3}, {"batch_size": 16, "share_context": True}, {"max_length": 12}, {"add_bos": False})
    for kwargs in kwargs_list:  # a bigram model ignores everything but the last token
        got = flat(**kwargs)
        assert got == pytest.approx(reference, abs=1e-5), kwargs
    pubmed = score_choices(model, tokenizer, requests[:1])[0]
    assert (pubmed.pred, pubmed.pred_norm) == (1, 2)  # no by log-likelihood, maybe per character


def random_llama(tokenizer, seed: int = 0):
    """A tiny Llama with random weights: real attention, so padding and masking mistakes would show."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
    )
    return LlamaForCausalLM(config).eval()


def test_padding_and_shared_context_do_not_change_scores_of_a_real_attention_model(tokenizer):
    model = random_llama(tokenizer)
    items = load_benchmark("medqa", QA / "medqa_US_test.jsonl").items
    items += load_benchmark("pubmedqa", QA / "pubmedqa_ori_pqal.json").items[:1]
    from trainer.evaluate.prompts import loglik_choices, loglik_context

    requests = [(loglik_context(i), loglik_choices(i)) for i in items]
    alone = [
        x for s in score_choices(model, tokenizer, requests, batch_size=1, share_context=False) for x in s.logprobs
    ]
    batched = [x for s in score_choices(model, tokenizer, requests, batch_size=8) for x in s.logprobs]
    assert batched == pytest.approx(alone, abs=1e-4)
    assert len(set(alone)) > 3  # the scores really differ between choices


def test_left_padded_generation_matches_one_at_a_time(tokenizer):
    model = random_llama(tokenizer, seed=1)
    prompts = ["Question: short?\nAnswer:", "Question: a much longer question about a patient?\nAnswer:"]
    together = generate_texts(model, tokenizer, prompts, batch_size=2, max_new_tokens=6)
    alone = [generate_texts(model, tokenizer, [p], batch_size=1, max_new_tokens=6)[0] for p in prompts]
    assert together == alone and all(together)


def test_generate_and_parse(tokenizer, caplog):
    chain = [":", "ĠOPTION", "ĠC", "ĠIS", "ĠCORRECT", ".", "</s>"]
    prefer = dict.fromkeys(itertools.pairwise(chain), 8.0)
    prefer["Ċ", "ĠOPTION"] = 8.0  # generate prompts end with "### Response:\n", as MedC-I training does
    model = bigram_model(tokenizer, prefer)
    texts = generate_texts(
        model,
        tokenizer,
        ["Short ###Answer:", "A much longer prompt ending the same way:"],
        batch_size=2,
        max_new_tokens=10,
    )
    assert texts == [" OPTION C IS CORRECT.", " OPTION C IS CORRECT."]
    bench = load_benchmark("medmcqa", QA / "medmcqa_dev.json")
    summary, results = evaluate(
        LoadedModel(model, tokenizer, "tiny", "cpu", "float32"),
        bench,
        EvalSettings(method="generate", batch_size=3, max_new_tokens=10),
    )
    assert [r.prediction for r in results] == [2, 2, 2, 2]
    assert summary.metrics["acc"] == 0.25 and summary.metrics["unparseable"] == 0.0
    assert summary.prompt_version == "pmc-llama/alpaca@v2"
    # The window is 256 positions: the byte-level prompts (~300 tokens) keep their last 246 tokens.
    assert "4 of 4 prompts are longer than 246 tokens" in caplog.text


def test_cli_all_writes_the_paper_table(tokenizer, tmp_path):
    model_dir = tmp_path / "tiny"
    bigram_model(tokenizer, {(":", "ĠC"): 5.0, (":", "Ġmaybe"): 3.0}).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    out = tmp_path / "out"
    args = [
        "eval",
        "--model",
        str(model_dir),
        "--all",
        "--medqa",
        str(QA / "medqa_phrases_no_exclude_test.jsonl"),
        "--medmcqa",
        str(QA / "medmcqa_dev.json"),
        "--pubmedqa",
        str(QA / "pubmedqa_ori_pqal.json"),
        "--ground-truth",
        str(QA / "pubmedqa_test_ground_truth.json"),
        "--device",
        "cpu",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # MedQA answers C, D, A -> 1/3; MedMCQA A, D, B, C -> 1/4; PubMedQA test PMIDs no, maybe -> 1/2.
    assert f"| {model_dir} | loglik | 33.33 | 25.00 | 50.00 | 36.11 |" in result.output
    summary = json.loads((out / "medmcqa-loglik.summary.json").read_text())
    assert summary["items"] == 4 and summary["device"] == "cpu" and summary["prompt_version"] == "lm-eval/medmcqa@v1"
    assert summary["data_sha256"] == hashlib.sha256((QA / "medmcqa_dev.json").read_bytes()).hexdigest()
    rows = [json.loads(x) for x in (out / "pubmedqa-loglik.predictions.jsonl").read_text().splitlines()]
    assert [(r["id"], r["prediction"]) for r in rows] == [("pubmedqa:10000002", 2), ("pubmedqa:10000003", 2)]
    assert json.loads((out / "pubmedqa-loglik.summary.json").read_text())["rejections"] == {"not_in_ground_truth": 1}


def test_cli_usage_errors(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["eval", "--model", "x", "--all", "--medqa", str(QA / "medqa_US_test.jsonl")])
    assert missing.exit_code == 2 and "--medmcqa, --pubmedqa" in missing.output
    ambiguous = tmp_path / "mine.jsonl"
    ambiguous.write_text(json.dumps({"question": "Q?", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 2}))
    result = runner.invoke(main, ["eval", "--model", "never-loaded", "--task", "medmcqa", "--data", str(ambiguous)])
    assert result.exit_code == 1 and "--cop-base" in result.output  # refused before any model load
    wrong = runner.invoke(
        main, ["eval", "--model", "x", "--task", "medqa", "--data", str(ambiguous), "--cop-base", "1"]
    )
    assert wrong.exit_code == 2 and "--cop-base is for MedMCQA" in wrong.output


CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def test_generate_asks_a_chat_tuned_model_through_its_template_and_stops_at_its_end_of_turn(tmp_path):
    """A model `medc train sft --template chat` tuned (medc.json says so) with ChatML, whose `<|im_end|>` is not
    the EOS: the prompt is its chat template's, and the answer ends at `<|im_end|>` (the model would go on with
    ` D` after it)."""
    import json

    from trainer.evaluate.model import load_model

    tokenizer = tiny_tokenizer()
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.chat_template = CHATML
    chain = ["Ċ", "ĠOPTION", "ĠC", "ĠIS", "ĠCORRECT", "<|im_end|>", "ĠD", "ĠIS"]
    model = bigram_model(tokenizer, dict.fromkeys(itertools.pairwise(chain), 8.0))
    directory = tmp_path / "chat-tuned"
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    (directory / "medc.json").write_text(json.dumps({"stage": "sft", "template": "chat"}))
    loaded = load_model(str(directory), device="cpu", dtype="float32")
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert loaded.template == "chat" and loaded.stop_ids == [tokenizer.eos_token_id, im_end]
    bench = load_benchmark("medqa", QA / "medqa_phrases_no_exclude_test.jsonl")
    summary, results = evaluate(loaded, bench, EvalSettings(method="generate", batch_size=3, max_new_tokens=10))
    assert [r.output for r in results] == [" OPTION C IS CORRECT"] * 3 and [r.prediction for r in results] == [2] * 3
    assert summary.prompt_version == "medc-i/chat-template@v1"
    from trainer.evaluate.prompts import chat_prompt

    prompt = chat_prompt(bench.items[0], tokenizer)
    assert prompt.startswith("<|im_start|>user\n") and prompt.endswith("<|im_end|>\n<|im_start|>assistant\n")
    loaded.stop_ids = None  # without the end-of-turn token the answer runs on into the next turn
    _, unstopped = evaluate(loaded, bench, EvalSettings(method="generate", batch_size=3, max_new_tokens=10))
    assert unstopped[0].output.startswith(" OPTION C IS CORRECT D IS")


def test_device_map_loads_across_devices_and_scores_the_same(tokenizer, tmp_path):
    from trainer.evaluate.model import load_model

    directory = tmp_path / "tiny"
    random_llama(tokenizer).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    bench = load_benchmark("medqa", QA / "medqa_US_test.jsonl")
    plain = load_model(str(directory), device="cpu", dtype="float32")
    mapped = load_model(str(directory), dtype="float32", device_map="auto")
    assert mapped.device == "map:cpu"
    scores = [[r.logprobs for r in evaluate(m, bench)[1]] for m in (plain, mapped)]
    assert scores[0] == scores[1]


def test_pubmedqa_without_ground_truth_refuses_the_training_fold(tmp_path):
    """stands for ori_pqal.json: 1,000 labeled items, 500 of them PubMedQA's training fold"""
    import json

    item = next(iter(json.loads((QA / "pubmedqa_ori_pqal.json").read_text()).values()))
    many = tmp_path / "ori_pqal.json"
    many.write_text(json.dumps({str(20000000 + k): item for k in range(501)}))
    with pytest.raises(ValueError, match="training fold"):
        load_benchmark("pubmedqa", many)
    assert len(load_benchmark("pubmedqa", many, all_items=True).items) == 501
    test_set = tmp_path / "test_set.json"
    test_set.write_text(json.dumps({str(20000000 + k): item for k in range(500)}))
    assert len(load_benchmark("pubmedqa", test_set).items) == 500
