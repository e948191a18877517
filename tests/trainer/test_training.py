"""End-to-end training on CPU with a real DeepSpeed engine (single process, gloo), tiny model, tiny data."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.trainer.trainer_fixtures import build_medc_k, chatml_model
from trainer.config import EngineConfig, OptimConfig, PretrainConfig, PretrainData, SFTConfig, SFTData

pytest.importorskip("deepspeed")


def pretrain_config(assets, out, *, zero_stage=2, steps=8, **data):
    return PretrainConfig(
        model=str(assets["model"]),
        out=str(out),
        max_steps=steps,
        save_every=4,
        eval_every=4,
        log_every=2,
        progress=False,
        keep_checkpoints=0,
        data=PretrainData(
            path=str(assets["medc_k"]), seq_len=64, val_sequences=4, cache_dir=str(out.parent / "cache"), **data
        ),
        optim=OptimConfig(lr=3e-3, warmup_steps=2),
        engine=EngineConfig(zero_stage=zero_stage, micro_batch_size=4, grad_accum=2),
    )


@pytest.fixture(scope="module")
def pretrained(assets, tmp_path_factory):
    from trainer.loop import run

    out = tmp_path_factory.mktemp("pretrain") / "run"
    return out, run(pretrain_config(assets, out))


def test_pretrain_loss_goes_down_and_metrics_are_logged(pretrained):
    out, summary = pretrained
    losses = summary["losses"]
    assert len(losses) == 8 and losses[-1] < losses[0] - 0.5
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in rows if "loss" in r]
    val = [r for r in rows if "val_loss" in r]
    assert [r["step"] for r in train] == [2, 4, 6, 8] and [r["step"] for r in val] == [4, 8]
    assert val[1]["val_loss"] < val[0]["val_loss"]
    assert all(r["tokens_per_s"] > 0 and "grad_norm" in r for r in train)
    assert "mfu" not in train[0]  # a CPU has no known peak FLOP/s
    assert train[0]["lr"] == pytest.approx(3e-3)  # the first update already uses lr (warmup of 2 steps)
    assert (out / "config.toml").exists() and json.loads((out / "deepspeed.json").read_text())["bf16"]["enabled"]


def test_resume_after_a_stop_reproduces_the_losses_exactly(assets, pretrained, tmp_path):
    """A copy of the finished run, cut back as if the job had died after logging step 8 but before saving it:
    resuming from the step-4 checkpoint gives bit-identical losses (same data position, optimizer, scheduler and
    RNG; CPU kernels are deterministic), and metrics.jsonl ends up with one line per step, as uninterrupted."""
    from trainer.loop import run

    out, summary = pretrained
    run_dir = tmp_path / "run"
    shutil.copytree(out, run_dir, ignore=shutil.ignore_patterns("step_00000008", "final"))
    (run_dir / "checkpoints" / "latest").write_text("step_00000004")
    resumed = run(pretrain_config(assets, run_dir), resume="auto")
    assert resumed["losses"] == summary["losses"][4:]
    before = (out / "metrics.jsonl").read_text().splitlines()
    after = (run_dir / "metrics.jsonl").read_text().splitlines()
    strip = [{k: v for k, v in json.loads(x).items() if k not in ("tokens_per_s", "elapsed_s")} for x in before]
    assert [{k: v for k, v in json.loads(x).items() if k not in ("tokens_per_s", "elapsed_s")} for x in after] == strip
    state = json.loads((out / "checkpoints" / "step_00000004" / "trainer_state.json").read_text())
    assert state["step"] == 4 and state["data"]["sampler"]["drawn"] == 4 * 8


def test_exported_model_loads_and_generates(pretrained):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainer.export import consolidated_state_dict

    out, _ = pretrained
    final = out / "final"
    assert (final / "model.safetensors").exists()
    model = AutoModelForCausalLM.from_pretrained(final)
    tokenizer = AutoTokenizer.from_pretrained(final)
    assert model.dtype == torch.bfloat16
    gen = model.generation_config
    assert (gen.bos_token_id, gen.eos_token_id, gen.pad_token_id) == (
        tokenizer.bos_token_id,
        tokenizer.eos_token_id,
        tokenizer.pad_token_id,
    )
    assert tokenizer.pad_token == "<pad>" and tokenizer.eos_token == "</s>"
    prompt = tokenizer("Aspirin inhibits", return_tensors="pt")
    generated = model.generate(**prompt, max_new_tokens=6, do_sample=False)
    assert generated.shape[1] > prompt["input_ids"].shape[1]
    master = consolidated_state_dict(out / "checkpoints", "step_00000008")  # fp32 weights of the last step
    weight = "model.layers.0.mlp.up_proj.weight"
    assert torch.equal(model.state_dict()[weight], master[weight].to(torch.bfloat16))


def sft_config(assets, out, *, steps, micro_batch=4, grad_accum=2, packing=True, template="chat", eval_every=3, **kw):
    return SFTConfig(
        model=str(assets["model"]),
        out=str(out),
        max_steps=steps,
        save_every=100,
        eval_every=eval_every,
        log_every=1,
        progress=False,
        **kw,
        data=SFTData(
            path=str(assets["medc_i"]),
            template=template,
            packing=packing,
            seq_len=128,
            cache_dir=str(Path(out).parent / "cache"),
        ),
        optim=OptimConfig(lr=3e-3, warmup_steps=1),
        engine=EngineConfig(zero_stage=1, micro_batch_size=micro_batch, grad_accum=grad_accum),
    )


def test_sft_with_a_chatml_template_learns_and_exports_every_stop_token(assets, tmp_path):
    """ZeRO-1 in bf16 with fp32 gradient accumulation (DeepSpeed's BF16_Optimizer, whose checkpoint export reads
    itself), a ChatML template whose `<|im_end|>` is not the EOS: the exported generation config stops on the base
    config's EOS ids and on `<|im_end|>`, and says it was tuned with the chat template."""
    from transformers import AutoTokenizer, GenerationConfig

    from trainer.loop import run

    model = chatml_model(assets, tmp_path / "chatml")
    summary = run(replace(sft_config(assets, tmp_path / "sft", steps=6), model=str(model)))
    assert summary["losses"][-1] < summary["losses"][0] - 0.5
    rows = [json.loads(x) for x in (tmp_path / "sft" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "val_loss" in r] == [3, 6]
    final = tmp_path / "sft" / "final"
    tokenizer = AutoTokenizer.from_pretrained(final)
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert im_end != tokenizer.eos_token_id
    eos = GenerationConfig.from_pretrained(final).eos_token_id
    assert eos == [tokenizer.eos_token_id, tokenizer.unk_token_id, im_end]
    assert json.loads((final / "medc.json").read_text()) == {"stage": "sft", "template": "chat"}


def test_loss_is_normalized_by_target_tokens_across_accumulation(assets, tmp_path):
    """Two examples of different lengths as two accumulated micro-batches give the same loss and the same
    update as both in one padded micro-batch: every target token weighs the same."""
    import torch
    from safetensors.torch import load_file

    from trainer.loop import run

    results = {}
    for name, (mb, ga) in {"accumulated": (1, 2), "together": (2, 1)}.items():
        cfg = sft_config(
            assets,
            tmp_path / name,
            steps=1,
            micro_batch=mb,
            grad_accum=ga,
            packing=False,
            template="pmc_llama",
            eval_every=0,
            export_dtype="float32",
        )
        # Adam with eps far above |gradient| makes the first update lr * g / (|g| + eps) ~ g: weights compare
        # gradients, without Adam's normalization magnifying rounding noise in near-zero gradients.
        cfg = replace(
            cfg,
            engine=EngineConfig(zero_stage=0, precision="fp32", micro_batch_size=mb, grad_accum=ga),
            optim=OptimConfig(lr=1.0, eps=1.0, warmup_steps=0, grad_clip=0),
        )
        summary = run(cfg)
        results[name] = (summary["losses"][0], load_file(tmp_path / name / "final" / "model.safetensors"))
    (loss_a, weights_a), (loss_b, weights_b) = results["accumulated"], results["together"]
    initial = load_file(assets["model"] / "model.safetensors")
    assert loss_a == pytest.approx(loss_b, abs=1e-5)
    for key in weights_a:
        assert not torch.equal(weights_a[key], initial[key])
        torch.testing.assert_close(weights_a[key] - initial[key], weights_b[key] - initial[key], atol=1e-7, rtol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("zero_stage", [0, 3])
def test_resume_and_export_with_other_zero_stages(assets, tmp_path, zero_stage):
    from transformers import AutoModelForCausalLM

    from trainer.loop import run

    full = run(pretrain_config(assets, tmp_path / "full", zero_stage=zero_stage, isolate_documents=True))
    shutil.copytree(tmp_path / "full" / "checkpoints" / "step_00000004", tmp_path / "saved" / "step_00000004")
    resumed = run(
        pretrain_config(assets, tmp_path / "resumed", zero_stage=zero_stage, isolate_documents=True),
        resume=str(tmp_path / "saved" / "step_00000004"),
    )
    assert resumed["losses"] == full["losses"][4:]
    assert AutoModelForCausalLM.from_pretrained(tmp_path / "full" / "final").num_parameters() > 0


@pytest.mark.slow
def test_two_processes_train_like_one_with_the_same_global_batch(assets, tmp_path):
    """torchrun with 2 CPU processes (gloo), micro-batch 2 each, against 1 process with micro-batch 4: the same
    sequences make up each step, so the losses agree up to the order of bf16 gradient reductions."""
    import os
    import socket
    import subprocess
    import sys

    from trainer.loop import run

    single = run(pretrain_config(assets, tmp_path / "one", steps=4))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "two"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT")}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(port),
        "-m",
        "medc",
        "-q",
        "train",
        "pretrain",
        "--model",
        str(assets["model"]),
        "--data",
        str(assets["medc_k"]),
        "--out",
        str(out),
        "--seq-len",
        "64",
        "--max-steps",
        "4",
        "--set",
        "engine.micro_batch_size=2",
        "--set",
        "engine.grad_accum=2",
        "--set",
        "optim.lr=3e-3",
        "--set",
        "optim.warmup_steps=2",
        "--set",
        "data.val_sequences=4",
        "--set",
        f"data.cache_dir={tmp_path / 'cache'}",
        "--set",
        "log_every=1",
        "--set",
        "progress=false",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if '"loss"' in x]
    assert [r["loss"] for r in rows] == pytest.approx(single["losses"], abs=2e-3)
    assert rows[-1]["tokens_seen"] == single["tokens_seen"]  # counted over both ranks
    assert sorted(p.name for p in (out / "checkpoints" / "step_00000004").glob("medc_rank*")) == [
        "medc_rank00000.pt",
        "medc_rank00001.pt",
    ]


def test_a_fresh_run_refuses_a_used_directory(assets, pretrained):
    from trainer.loop import run

    out, _ = pretrained
    with pytest.raises(ValueError, match=r"already has checkpoints .* pass --resume"):
        run(pretrain_config(assets, out))


def other_tokenizer_model(assets, tmp_path):
    """The tiny model with one more token in its tokenizer: other ids, so another tokenizer fingerprint."""
    from transformers import AutoTokenizer

    model = tmp_path / "model-more-tokens"
    shutil.copytree(assets["model"], model)
    tokenizer = AutoTokenizer.from_pretrained(model)
    tokenizer.add_tokens(["hyperkalaemia"])
    tokenizer.save_pretrained(model)
    return str(model)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("seq_len", "seq_len: 64 -> 32"),
        ("mix", "mix: "),
        ("seed", "seed: 42 -> 7"),
        ("grad_accum", "grad_accum: 2 -> 4"),
        ("max_steps", "total_steps: 8 -> 12"),
        ("data", "data: "),
        ("tokenizer", "data: "),
    ],
)
def test_resume_refuses_other_settings_before_loading_the_model(assets, pretrained, tmp_path, change, named):
    from trainer.loop import run

    out, _ = pretrained
    cfg = pretrain_config(assets, tmp_path / "run")
    data, engine = cfg.data, cfg.engine
    if change == "seq_len":
        cfg = replace(cfg, data=replace(data, seq_len=32))
    elif change == "mix":
        cfg = replace(cfg, data=replace(data, mix={"books": 1.0, "papers": 1.0}))
    elif change == "seed":
        cfg = replace(cfg, seed=7)
    elif change == "grad_accum":  # the same global batch, cut differently
        cfg = replace(cfg, engine=replace(engine, micro_batch_size=2, grad_accum=4))
    elif change == "max_steps":
        cfg = replace(cfg, max_steps=12)
    elif change == "data":
        cfg = replace(cfg, data=replace(data, path=str(build_medc_k(tmp_path / "medc-k", n_papers=30))))
    else:
        cfg = replace(cfg, model=other_tokenizer_model(assets, tmp_path))
    with pytest.raises(ValueError, match="written under other settings") as refused:
        run(cfg, resume=str(out / "checkpoints" / "step_00000004"))
    assert named in str(refused.value)
