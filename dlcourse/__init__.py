"""Helpers for the self-grading deep-learning course.

Kept small on purpose: each helper is taught in a chapter first and only the plumbing that
would distract from later chapters lives here.

- :mod:`dlcourse.runtime`: quick mode (``is_quick``, ``budget``), ``try_gpu``, Colab setup;
- :mod:`dlcourse.data`: Fashion-MNIST and MNIST, offline first;
- :mod:`dlcourse.train`: the training loop with a progress bar and live curves;
- :mod:`dlcourse.plot`: image grids, live curves, autograd graphs;
- :mod:`dlcourse.check`: the comparison API used by visible and hidden tests.
"""

import importlib

from .check import expect_close, expect_equal, expect_raises, expect_true, forbid
from .runtime import budget, checkpoint_file, describe_device, in_colab, is_quick, setup, try_gpu
from .train import amp_dtype, evaluate_accuracy, init_cnn, train

# Imported on first use: the datasets' helpers need torchvision, seconds to import (it imports
# torch._dynamo), which the chapters before the first dataset never need; the plots need
# matplotlib, half a second. The grader, which imports dlcourse.check in every grading
# process, needs neither.
_ON_FIRST_USE = {
    "data": ("dataset", "load_fashion_mnist", "load_mnist", "prepare"),
    "plot": ("LivePlot", "draw_autograd_graph", "plot_histories", "show_images"),
}


def __getattr__(name: str):
    module = next((m for m, names in _ON_FIRST_USE.items() if name == m or name in names), None)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(f"{__name__}.{module}")
    if name == module:
        return loaded
    globals()[name] = getattr(loaded, name)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_ON_FIRST_USE))


__version__ = "0.1.0"

__all__ = [
    "amp_dtype", "budget", "checkpoint_file", "dataset", "describe_device", "draw_autograd_graph",
    "evaluate_accuracy", "expect_close", "expect_equal", "expect_raises", "expect_true",
    "forbid", "in_colab", "init_cnn", "is_quick", "LivePlot", "load_fashion_mnist",
    "load_mnist", "plot_histories", "prepare", "setup", "show_images", "train", "try_gpu",
]  # fmt: skip
