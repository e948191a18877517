"""Check, before anything slow starts, that a model, data or run path a verb was given can be used: a local
directory (or file) that exists, or else a valid Hugging Face Hub id. Each problem is one line naming the option
and the value:

    >>> check_model("./no-such-dir", "--model")
    PathError: --model ./no-such-dir: no such directory, and not a Hub model id
    >>> check_model("meta-llama/Llama-2-7b-hf", "--model")   # offline, not in the cache
    PathError: --model meta-llama/Llama-2-7b-hf: no such directory, and the Hub model is not in the local cache
    and the Hub cannot be reached (offline)

Whether a string can be a Hub id is a rule about its characters (`huggingface_hub.utils.validate_repo_id`), so
saying that `./no-such-dir` is none needs no network. A model that looks like a Hub id is asked for its
`config.json` (small, cached, what `from_pretrained` fetches first anyway), so a missing, private, gated or
unreachable model is told apart here rather than in a transformers traceback.
"""

from __future__ import annotations

from pathlib import Path

from medc.config import ConfigError


class PathError(ConfigError):
    """A path or Hub id given to an option cannot be used (exit code 2, like any wrong setting)."""


def is_hub_id(value: str) -> bool:
    """Whether `value` is a syntactically valid Hub repo id (`name` or `namespace/name`)."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(value)
    except HFValidationError:
        return False
    return True


def check_model(value: str, label: str, revision: str | None = None) -> None:
    """A local model directory holding config.json, or a Hub model id whose config.json can be fetched."""
    path = Path(value).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PathError(f"{label} {value}: the directory has no config.json, so it is not a Hugging Face model")
        return
    if path.exists():
        raise PathError(f"{label} {value}: a file; give a model directory (with config.json) or a Hub model id")
    if not is_hub_id(value):
        raise PathError(f"{label} {value}: no such directory, and not a Hub model id")
    _fetch_hub_config(value, label, revision)


def check_dataset(value: str, label: str) -> None:
    """A local file or directory, or a valid Hub dataset id (the data loader asks the Hub about it)."""
    if Path(value).expanduser().exists():
        return
    if not is_hub_id(value):
        raise PathError(f"{label} {value}: no such file or directory, and not a Hub dataset id")


def check_run_dir(value: str, label: str) -> None:
    """A run directory to write into: it may not exist yet, but it must not be a file."""
    if Path(value).expanduser().is_file():
        raise PathError(f"{label} {value}: a file, not a run directory")


def _fetch_hub_config(repo_id: str, label: str, revision: str | None) -> None:
    from huggingface_hub import errors as hub
    from huggingface_hub import hf_hub_download

    where = f"{label} {repo_id}: no such directory"
    try:
        hf_hub_download(repo_id, "config.json", revision=revision)
    except hub.GatedRepoError:
        raise PathError(f"{label} {repo_id}: a gated model; request access on the Hub, then set HF_TOKEN") from None
    except hub.RepositoryNotFoundError:
        raise PathError(
            f"{where}, and no such model on the Hub (or it is private: set HF_TOKEN or `hf auth login`)"
        ) from None
    except hub.RevisionNotFoundError:
        raise PathError(f"{label} {repo_id}: the Hub model has no revision {revision!r}") from None
    except (hub.LocalEntryNotFoundError, hub.OfflineModeIsEnabled):
        raise PathError(
            f"{where}, and the Hub model is not in the local cache and the Hub cannot be reached (offline)"
        ) from None
    except hub.EntryNotFoundError:
        raise PathError(f"{label} {repo_id}: the Hub repo has no config.json (not a transformers model)") from None
    except hub.HfHubHTTPError as exc:
        from medc.cli.errors import one_line

        raise PathError(f"{label} {repo_id}: the Hub answered {one_line(str(exc), 200)}") from None


def check_build_dir(path: Path, label: str, needs: tuple[str, ...] = ("manifest.json",)) -> None:
    """A medc build directory: it holds at least one of `needs` (manifest.json, README.md, data/)."""
    if not any((path / name).exists() for name in needs):
        raise PathError(
            f"{label} {path}: not a medc build directory (no {' or '.join(needs)}); "
            "make one with `medc build-k` or `medc build-i`"
        )
