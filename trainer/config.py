"""Every training setting, as dataclasses whose field docstrings are the documentation (litgpt style).

A run is `model` + `data` + `optim` + `engine` + the run-level fields. A TOML file has one table per section and
`--set section.key=value` overrides any field (loading is `medc.config.load_config`):

    # pretrain.toml
    model = "meta-llama/Llama-2-7b-hf"
    out = "runs/pmc-llama-k"
    [data]
    path = "medc-k/"                 # a MedC-K build directory or a Hub repo id
    general = "HuggingFaceFW/fineweb-edu"
    seq_len = 2048
    mix = { books = 15, papers = 4, general = 1 }
    [optim]
    lr = 2e-5
    [engine]
    zero_stage = 3
    micro_batch_size = 4
    grad_accum = 8

Cross-field checks happen on construction and say what to do instead ("Can't provide both X and Y. Choose one.").
Checks that need the machine (fp16 on a CPU, flash-attention not installed) happen in `trainer.engine`.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MIX = {"books": 15.0, "papers": 4.0, "general": 1.0}
TEMPLATES = ("pmc_llama", "chat")
ATTENTION = ("sdpa", "flash_attention_2", "eager")
PRECISIONS = ("bf16", "fp16", "fp32")
GRAD_DTYPES = ("fp32", "precision")
OPTIMIZERS = ("auto", "torch", "deepspeed")


@dataclass(frozen=True)
class OptimConfig:
    """AdamW with linear warmup then cosine decay."""

    lr: float = 2e-5
    """Peak learning rate, reached at the end of warmup."""
    min_lr_ratio: float = 0.1
    """The cosine decay ends at lr * min_lr_ratio on the last step."""
    warmup_steps: int = 100
    """Optimizer steps of linear warmup; the first step already uses lr / warmup_steps (never 0)."""
    weight_decay: float = 0.0
    """Decoupled weight decay (AdamW)."""
    beta1: float = 0.9
    """Adam beta1."""
    beta2: float = 0.95
    """Adam beta2."""
    eps: float = 1e-8
    """Adam epsilon."""
    grad_clip: float = 1.0
    """Clip the global gradient norm to this value; 0 disables clipping."""
    optimizer: str = "auto"
    """`torch` (torch.optim.AdamW, fused on a GPU, passed to DeepSpeed), `deepspeed` (its FusedAdam, or CPUAdam when
    offloading; both JIT-compiled at first use), or `auto`: DeepSpeed's CPUAdam when offloading from a GPU, else
    torch's."""

    def __post_init__(self) -> None:
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio}")
        if self.warmup_steps < 0 or self.grad_clip < 0 or self.weight_decay < 0:
            raise ValueError("warmup_steps, grad_clip and weight_decay must be >= 0")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")


@dataclass(frozen=True)
class EngineConfig:
    """How DeepSpeed runs the model; the DeepSpeed JSON config is generated from these fields."""

    zero_stage: int = 2
    """ZeRO stage: 0 (plain data parallel), 1 (optimizer states sharded), 2 (+ gradients), 3 (+ parameters)."""
    offload: bool = False
    """Offload optimizer states (and with ZeRO-3 the parameters too) to CPU memory. Needs zero_stage >= 1."""
    precision: str = "bf16"
    """`bf16` (recommended), `fp16` (GPUs without bf16; dynamic loss scaling) or `fp32`."""
    micro_batch_size: int = 4
    """Sequences per forward pass on each device."""
    grad_accum: int = 8
    """Micro-batches per optimizer step; global batch = micro_batch_size * grad_accum * world size."""
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass: less memory, about a third more compute."""
    attention: str = "sdpa"
    """Attention kernel: `sdpa` (PyTorch scaled_dot_product_attention), `flash_attention_2` or `eager`."""
    compile: bool = False
    """`torch.compile` each decoder layer in place (parameter names, checkpoints and exports unchanged): fused
    kernels and faster steps on a GPU (MFU 36% -> 54% for a 1B LLaMA on an H100 with ZeRO-2), after a compile of a
    minute or so at the first step. Off by default: on a GPU it is checked with ZeRO-2 only (with ZeRO-3 a 1.1B
    model ran out of memory at micro-batch 8; with gradient checkpointing an H100 showed no memory saving)."""
    grad_accum_dtype: str = "fp32"
    """Dtype gradients are accumulated over micro-batches and reduced across ranks in: `fp32` (as Megatron and
    torchtitan do; DeepSpeed's `data_types.grad_accum_dtype` + `communication_data_type`) or `precision` (the
    training precision, DeepSpeed's default: bf16 sums lose the low bits of small gradients). ZeRO-0 has no fp32
    accumulation in DeepSpeed: it keeps the training precision and warns."""

    def __post_init__(self) -> None:
        if self.zero_stage not in (0, 1, 2, 3):
            raise ValueError(f"zero_stage must be 0, 1, 2 or 3, got {self.zero_stage}")
        if self.offload and self.zero_stage == 0:
            raise ValueError("offload needs ZeRO: set zero_stage to 1, 2 or 3, or turn offload off")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {self.attention!r}")
        if self.micro_batch_size < 1 or self.grad_accum < 1:
            raise ValueError("micro_batch_size and grad_accum must be >= 1")
        if self.grad_accum_dtype not in GRAD_DTYPES:
            raise ValueError(f"grad_accum_dtype must be one of {GRAD_DTYPES}, got {self.grad_accum_dtype!r}")


@dataclass(frozen=True)
class PretrainData:
    """Stage 1 data: MedC-K (`papers`, `books`) plus an optional general-domain text corpus, mixed by weight."""

    path: str = ""
    """A MedC-K build directory (data/<config>/train-*.parquet) or a Hub repo id with the same configs."""
    general: str | None = None
    """General-domain text: a local Parquet/JSONL/TXT file or directory, or a Hub dataset id (column `text`)."""
    general_name: str | None = None
    """Config (subset) name of the general-domain dataset, if it has several."""
    general_split: str = "train"
    """Split of the general-domain dataset."""
    text_column: str = "text"
    """Column holding the text, in every source."""
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    """Sampling weight per source, in tokens (PMC-LLaMA: books:papers:general = 15:4:1)."""
    seq_len: int = 2048
    """Tokens per packed training sequence."""
    isolate_documents: bool = False
    """Keep attention inside each document of a packed sequence (position ids restart at every document)."""
    add_bos: bool = True
    """Start every document with the tokenizer's BOS token (documents always end with EOS)."""
    epochs: float | None = None
    """Passes over `epoch_source` (default when nothing else is given: 1). Other sources repeat or are
    subsampled to keep the mix."""
    epoch_source: str = "books"
    """The source whose full pass makes one epoch (falls back to all data when it is absent)."""
    token_budget: int | None = None
    """Train on this many tokens instead of a number of epochs."""
    val_sequences: int = 16
    """Validation sequences per source, packed from whole documents held out of training (random documents
    holding about this many sequences, at most a tenth of the source's documents)."""
    cache_dir: str | None = None
    """Where tokenized data is cached (default: $MEDC_CACHE/tokens or ~/.cache/medc/tokens). Put it on shared
    storage to tokenize once per cluster; `medc train tokenize` fills it before the job."""
    stream: bool | None = None
    """Read sources as streams (`datasets` streaming), tokenizing only as many rows as the plan needs. Default:
    streamed when the location is not on this machine (a Hub dataset id), read from disk otherwise."""

    def __post_init__(self) -> None:
        if self.epochs is not None and self.token_budget is not None:
            raise ValueError("Can't provide both epochs and token_budget. Choose one.")
        if (self.epochs is not None and self.epochs <= 0) or (self.token_budget is not None and self.token_budget <= 0):
            raise ValueError("epochs and token_budget must be positive")
        if any(w < 0 for w in self.mix.values()) or not any(w > 0 for w in self.mix.values()):
            raise ValueError(f"mix weights must be >= 0 with at least one > 0, got {self.mix}")
        if self.seq_len < 2:
            raise ValueError(f"seq_len must be >= 2, got {self.seq_len}")
        if self.val_sequences < 0:
            raise ValueError("val_sequences must be >= 0")


@dataclass(frozen=True)
class SFTData:
    """Stage 2 data: MedC-I instruction records rendered with a prompt template, loss on assistant turns only."""

    path: str = ""
    """A MedC-I build directory or a Hub repo id."""
    configs: tuple[str, ...] = ("dialogue", "rationale_qa", "umls_kg")
    """MedC-I configs to train on (missing ones are skipped with a warning)."""
    template: str = "pmc_llama"
    """`pmc_llama` (the Alpaca-style prompt PMC-LLaMA used) or `chat` (the tokenizer's chat template)."""
    seq_len: int = 2048
    """Longest tokenized example; longer ones are truncated (and counted in the log)."""
    packing: bool = False
    """Pack several examples into each sequence without padding (attention kept inside each example)."""
    add_bos: bool = True
    """Start every example with BOS unless the rendered text already does."""
    epochs: float = 3.0
    """Passes over the instruction data."""
    val_split: str = "validation"
    """Split used for validation loss (skipped when the build has none)."""
    cache_dir: str | None = None
    """Where tokenized data is cached (default: $MEDC_CACHE/tokens or ~/.cache/medc/tokens)."""

    def __post_init__(self) -> None:
        if self.template not in TEMPLATES:
            raise ValueError(f"template must be one of {TEMPLATES}, got {self.template!r}")
        if not self.configs:
            raise ValueError("configs is empty; name at least one MedC-I config, e.g. dialogue")
        if self.seq_len < 2 or self.epochs <= 0:
            raise ValueError("seq_len must be >= 2 and epochs positive")


@dataclass(frozen=True)
class RunFields:
    """What both stages share. Subclasses add `data`."""

    model: str = ""
    """A local Hugging Face model directory or a Hub model id."""
    out: str = ""
    """Run directory: checkpoints/, metrics.jsonl, config.toml, final/ (the exported model)."""
    seed: int = 42
    """Seeds data order and model-side randomness."""
    max_steps: int | None = None
    """Stop after this many optimizer steps (overrides the length that epochs / token_budget give)."""
    save_every: int = 500
    """Save a checkpoint every this many optimizer steps (and always at the end)."""
    keep_checkpoints: int = 2
    """Checkpoints kept on disk; older ones are deleted. 0 keeps all."""
    eval_every: int = 500
    """Validation loss every this many steps (and at the end); 0 disables."""
    eval_batches: int = 8
    """Micro-batches of validation data per evaluation."""
    log_every: int = 10
    """Log loss, lr, tokens/s and MFU every this many steps."""
    tensorboard: bool = False
    """Also write TensorBoard event files to out/tensorboard (needs the tensorboard package)."""
    progress: bool = True
    """Show a progress bar (rank 0 only)."""
    peak_tflops: float | None = None
    """Peak dense TFLOP/s of one device for MFU; default: looked up from the GPU name (unknown on CPU)."""
    export_dtype: str = "bfloat16"
    """Dtype of the exported model weights: bfloat16, float16 or float32."""
    dist_timeout_min: float = 30.0
    """Timeout of every collective (barriers, all-reduces), in minutes. Tokenizing never happens inside one:
    ranks share the work through files in the cache (see `medc train tokenize`)."""

    def __post_init__(self) -> None:
        if not self.model:
            raise ValueError("model is empty; give --model (a local HF model directory or a Hub id)")
        if not self.out:
            raise ValueError("out is empty; give --out (the run directory)")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")
        if self.save_every < 1 or self.log_every < 1 or self.eval_every < 0 or self.eval_batches < 1:
            raise ValueError("save_every, log_every and eval_batches must be >= 1; eval_every >= 0")
        if self.dist_timeout_min <= 0:
            raise ValueError(f"dist_timeout_min must be positive, got {self.dist_timeout_min}")
        if self.export_dtype not in ("bfloat16", "float16", "float32"):
            raise ValueError(f"export_dtype must be bfloat16, float16 or float32, got {self.export_dtype!r}")
        if not getattr(self.data, "path", ""):
            raise ValueError("data.path is empty; give --data (a build directory or a Hub repo id)")


@dataclass(frozen=True)
class PretrainConfig(RunFields):
    """`medc train pretrain`: continued pretraining (knowledge injection) on MedC-K."""

    data: PretrainData = field(default_factory=PretrainData)
    optim: OptimConfig = field(default_factory=OptimConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)

    def __post_init__(self) -> None:
        RunFields.__post_init__(self)
        if self.data.epoch_source not in self.data.mix:
            raise ValueError(f"data.epoch_source {self.data.epoch_source!r} is not in data.mix {sorted(self.data.mix)}")


@dataclass(frozen=True)
class SFTConfig(RunFields):
    """`medc train sft`: instruction tuning on MedC-I."""

    data: SFTData = field(default_factory=SFTData)
    optim: OptimConfig = field(default_factory=lambda: OptimConfig(lr=2e-5, warmup_steps=20, beta2=0.999))
    engine: EngineConfig = field(default_factory=EngineConfig)


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of a config dataclass (and its bases), for help texts."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if dataclasses.is_dataclass(klass):
            docs.update(_docs_of(klass))
    return docs


@functools.cache
def _docs_of(cls: type) -> dict[str, str]:
    body = ast.parse(inspect.getsource(cls)).body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, after in itertools.pairwise(body):
        is_field = isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        if is_field and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            docs[node.target.id] = " ".join(str(after.value.value).split())
    return docs


def describe(cls: type, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(dotted key, doc, default) for every settable field, sections included: the `--set` reference."""
    rows: list[tuple[str, str, Any]] = []
    docs = field_docs(cls)
    defaults = cls() if prefix else None
    for f in dataclasses.fields(cls):
        default = _default_of(f, defaults)
        if dataclasses.is_dataclass(default):
            rows += describe(type(default), f"{prefix}{f.name}.")
        else:
            rows.append((f"{prefix}{f.name}", docs.get(f.name, ""), default))
    return rows


def _default_of(f: dataclasses.Field, instance: Any) -> Any:
    if instance is not None:
        return getattr(instance, f.name)
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def to_toml(data: dict[str, Any]) -> str:
    """A config dict (`medc.config.to_dict`) as TOML: top-level scalars, then one table per section. None values
    are left out (TOML cannot spell them), so they load back as their default None."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if v is not None and not isinstance(v, dict)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")
