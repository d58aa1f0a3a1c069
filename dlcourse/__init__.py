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
from .plot import LivePlot, draw_autograd_graph, plot_histories, show_images
from .runtime import budget, checkpoint_file, describe_device, in_colab, is_quick, setup, try_gpu
from .train import amp_dtype, evaluate_accuracy, init_cnn, train

# The datasets' helpers are imported on first use: torchvision alone takes seconds to import
# (it imports torch._dynamo), and the chapters before the first dataset never need it, nor
# does the grader, which imports dlcourse.check in every grading process.
_DATA_HELPERS = ("dataset", "load_fashion_mnist", "load_mnist", "prepare")


def __getattr__(name: str):
    if name != "data" and name not in _DATA_HELPERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    data = importlib.import_module(f"{__name__}.data")
    if name == "data":
        return data
    globals()[name] = getattr(data, name)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | {"data"})


__version__ = "0.1.0"

__all__ = [
    "amp_dtype", "budget", "checkpoint_file", "dataset", "describe_device", "draw_autograd_graph",
    "evaluate_accuracy", "expect_close", "expect_equal", "expect_raises", "expect_true",
    "forbid", "in_colab", "init_cnn", "is_quick", "LivePlot", "load_fashion_mnist",
    "load_mnist", "plot_histories", "prepare", "setup", "show_images", "train", "try_gpu",
]  # fmt: skip
