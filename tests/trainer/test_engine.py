import pytest

from tests.trainer.trainer_fixtures import tiny_llama
from trainer.config import EngineConfig, OptimConfig
from trainer.engine import deepspeed_config, lr_lambda
from trainer.metrics import flops_per_token, peak_flops


def test_deepspeed_config_follows_the_trainer_config():
    ds = deepspeed_config(
        EngineConfig(zero_stage=3, offload=True, micro_batch_size=2, grad_accum=4),
        OptimConfig(grad_clip=0.5),
        world=8,
        device="cuda",
    )
    assert (ds["train_micro_batch_size_per_gpu"], ds["gradient_accumulation_steps"], ds["train_batch_size"]) == (
        2,
        4,
        64,
    )
    assert ds["gradient_clipping"] == 0.5 and ds["bf16"]["enabled"] and not ds["fp16"]["enabled"]
    zero = ds["zero_optimization"]
    assert zero["stage"] == 3 and zero["offload_optimizer"]["device"] == "cpu"
    assert zero["offload_param"]["device"] == "cpu"
    assert ds["optimizer"]["type"] == "AdamW"  # offloaded states: DeepSpeed's CPUAdam


@pytest.mark.parametrize(
    ("engine", "device", "deepspeed_optimizer"),
    [
        (EngineConfig(), "cuda", False),  # torch's fused AdamW: no JIT-compiled op
        (EngineConfig(), "cpu", False),
        (EngineConfig(offload=True), "cuda", True),
    ],
)
def test_auto_optimizer(engine, device, deepspeed_optimizer):
    ds = deepspeed_config(engine, OptimConfig(), world=1, device=device)
    assert ("optimizer" in ds) is deepspeed_optimizer
    assert ds.get("zero_force_ds_cpu_optimizer", True) is deepspeed_optimizer
    assert "offload_param" not in ds["zero_optimization"]


def test_schedule_warms_up_from_a_nonzero_rate_then_decays_to_the_floor():
    factor = lr_lambda(OptimConfig(warmup_steps=4, min_lr_ratio=0.1), total_steps=20)
    assert [factor(s) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert factor(4) == pytest.approx(1.0) and factor(19) == pytest.approx(0.1)
    assert all(factor(s) >= factor(s + 1) for s in range(4, 19))


def test_flops_and_peak():
    class Config:
        num_hidden_layers, hidden_size, vocab_size, tie_word_embeddings = 2, 64, 100, False

    n_params = 10_000 + 100 * 64
    assert flops_per_token(Config, n_params, seq_len=128) == 6 * 10_000 + 12 * 2 * 64 * 128
    assert peak_flops(312) == 312e12


def test_compile_blocks_compiles_each_layer_in_place_and_computes_the_same_logits():
    torch = pytest.importorskip("torch")
    from trainer.engine import compile_blocks

    model = tiny_llama()
    ids = torch.randint(0, 64, (2, 16))
    with torch.no_grad():
        eager = model(input_ids=ids).logits
    keys = list(model.state_dict())
    compile_blocks(model)
    assert list(model.state_dict()) == keys  # checkpoints and exports keep their names
    assert all(layer._compiled_call_impl is not None for layer in model.model.layers)
    assert model._compiled_call_impl is None  # the mask is built eagerly, outside the compiled layers
    with torch.no_grad():
        compiled = model(input_ids=ids).logits
    torch.testing.assert_close(compiled, eager, rtol=1e-4, atol=1e-4)


def saved_activation_bytes(model, torch) -> int:
    """Bytes of non-parameter tensors autograd keeps for backward outside checkpointed regions, for one step."""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    total = 0

    def pack(t):
        nonlocal total
        if t.untyped_storage().data_ptr() not in params:
            total += t.numel() * t.element_size()
        return t

    ids = torch.randint(0, 64, (16, 64))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = model(input_ids=ids).logits.sum()
    loss.backward()
    return total


def test_gradient_checkpointing_still_drops_activations_under_compiled_layers():
    torch = pytest.importorskip("torch")
    from trainer.engine import compile_blocks

    plain, checkpointed = tiny_llama().train(), tiny_llama().train()
    checkpointed.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    for model in (plain, checkpointed):
        compile_blocks(model)
    assert saved_activation_bytes(checkpointed, torch) < saved_activation_bytes(plain, torch) / 3


@pytest.mark.parametrize(("zero_stage", "optimizer"), [(1, "BF16_Optimizer"), (2, "DeepSpeedZeroOptimizer")])
def test_gradients_accumulate_and_reduce_in_fp32_under_zero_1_and_2(zero_stage, optimizer):
    """bf16 training, fp32 gradients: DeepSpeed 0.19's ZeRO-1 switches to its BF16_Optimizer (fp32 gradient
    buffers), ZeRO-2 keeps a separate fp32 accumulation partition; both reduce in fp32."""
    torch = pytest.importorskip("torch")
    deepspeed = pytest.importorskip("deepspeed")
    from trainer.engine import init_distributed

    init_distributed()
    engine_cfg = EngineConfig(zero_stage=zero_stage, micro_batch_size=1, grad_accum=4)
    ds = deepspeed_config(engine_cfg, OptimConfig(), world=1, device="cpu")
    assert ds["data_types"] == {"grad_accum_dtype": "fp32"} and ds["communication_data_type"] == "fp32"
    model = tiny_llama().train().to(torch.bfloat16)
    adam = torch.optim.AdamW(model.parameters(), lr=1e-3)
    engine, *_ = deepspeed.initialize(model=model, optimizer=adam, config=ds)
    assert type(engine.optimizer).__name__ == optimizer
    assert engine.communication_data_type == torch.float32
    ids = torch.randint(0, 64, (1, 16))
    engine.backward(engine(input_ids=ids, labels=ids).loss)
    if zero_stage == 1:
        assert all(g.dtype == torch.float32 for g in engine.optimizer.fp32_groups_gradients_flat)
    else:
        assert engine.optimizer.gradient_accumulation_dtype == torch.float32
    assert "data_types" not in deepspeed_config(
        EngineConfig(zero_stage=zero_stage, grad_accum_dtype="precision"), OptimConfig(), world=1
    )


def test_latest_is_replaced_atomically(tmp_path, monkeypatch):
    import os

    from trainer.checkpoint import write_atomic

    latest = tmp_path / "latest"
    write_atomic(latest, "step_00000004")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomic(latest, "step_00000008")
    assert latest.read_text() == "step_00000004" and [p.name for p in tmp_path.iterdir()] == ["latest"]


def test_each_rank_has_its_own_seed():
    from trainer.loop import rank_seed

    seeds = [rank_seed(42, rank) for rank in range(64)]
    assert len(set(seeds)) == 64 and rank_seed(42, 3) == rank_seed(42, 3) and rank_seed(7, 0) != seeds[0]


def test_export_at_the_end_leaves_the_other_ranks_out_of_any_collective(tmp_path, monkeypatch):
    """Rank 0 consolidates alone; rank 1 returns at once instead of waiting in a barrier that a long export
    would time out."""
    import torch.distributed as tdist

    from trainer.export import export_model

    def collective(*args, **kwargs):
        raise AssertionError("rank 1 waited in a collective")

    monkeypatch.setattr(tdist, "barrier", collective)
    assert export_model(tmp_path, "bfloat16", is_main=False) == tmp_path / "final"
    assert not (tmp_path / "final").exists()


def test_collectives_get_the_configured_timeout(monkeypatch):
    import deepspeed

    from trainer.config import PretrainConfig, PretrainData
    from trainer.engine import init_distributed

    seen = {}
    real = deepspeed.init_distributed
    monkeypatch.setattr(deepspeed, "init_distributed", lambda **kw: seen.update(kw) or real(**kw))
    init_distributed(timeout_min=45)
    assert seen["timeout"].total_seconds() == 45 * 60
    with pytest.raises(ValueError, match="dist_timeout_min must be positive"):
        PretrainConfig(model="m", out="o", data=PretrainData(path="d"), dist_timeout_min=0)
