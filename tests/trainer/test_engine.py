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
