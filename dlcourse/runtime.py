"""Where the notebook runs: quick mode, the device, Colab."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

_TRUE = {"1", "true", "yes", "on"}


def is_quick() -> bool:
    """True when training cells should run a small budget.

    Quick mode is on with ``DLCOURSE_QUICK=1`` (CI, a laptop without patience) and always
    while nbgrader autogrades or validates a notebook, so grading never trains for real.
    """
    if os.environ.get("DLCOURSE_QUICK", "").strip().lower() in _TRUE:
        return True
    return os.environ.get("NBGRADER_EXECUTION", "") in {"autograde", "validate"}


def budget(full, quick):
    """``full`` normally, ``quick`` in quick mode: ``epochs = budget(10, 1)``."""
    return quick if is_quick() else full


def try_gpu(i: int = 0) -> torch.device:
    """The i-th CUDA GPU if there is one, else Apple's MPS if present, else the CPU."""
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    mps = getattr(torch.backends, "mps", None)
    if i == 0 and mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


# Where Colab mounts Google Drive (drive.mount("/content/drive")).
COLAB_DRIVE = Path("/content/drive/MyDrive")


def checkpoint_file(name: str) -> Path:
    """Where a long run keeps its checkpoint: ``MyDrive/dlcourse/`` when Google Drive is
    mounted on Colab (it outlives the runtime), else ``checkpoints/`` in this folder."""
    folder = COLAB_DRIVE / "dlcourse" if COLAB_DRIVE.is_dir() else Path("checkpoints")
    return folder / name


def in_colab() -> bool:
    return "google.colab" in sys.modules


def describe_device() -> str:
    """One line naming the device, with the way to a GPU on Colab when there is none."""
    device = try_gpu()
    if device.type == "cuda":
        return f"Using GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Using Apple's GPU (MPS)."
    hint = (
        " On Colab: Runtime > Change runtime type > T4 GPU, then run the notebook again."
        if in_colab()
        else " Training cells will be slow; quick mode (DLCOURSE_QUICK=1) keeps them short."
    )
    return "No GPU found: using the CPU." + hint


def setup(*datasets: str) -> None:
    """What a chapter's setup cell calls on Colab: get the data, then name the device."""
    from .data import prepare

    for name in datasets:
        print(f"{name}: {prepare(name) / name}")
    print(describe_device())
