"""Helpers for the self-grading deep-learning course.

Kept small on purpose: each helper is taught in a chapter first and only the plumbing that
would distract from later chapters lives here.

- :mod:`dlcourse.runtime`: quick mode (``is_quick``, ``budget``), ``try_gpu``, Colab setup;
- :mod:`dlcourse.data`: Fashion-MNIST and MNIST, offline first;
- :mod:`dlcourse.train`: the training loop with a progress bar and live curves;
- :mod:`dlcourse.plot`: image grids, live curves, autograd graphs;
- :mod:`dlcourse.check`: the comparison API used by visible and hidden tests.
"""

from .check import expect_close, expect_equal, expect_raises, expect_true, forbid
from .data import dataset, load_fashion_mnist, load_mnist, prepare
from .plot import LivePlot, draw_autograd_graph, plot_histories, show_images
from .runtime import budget, describe_device, in_colab, is_quick, setup, try_gpu
from .train import amp_dtype, evaluate_accuracy, init_cnn, train

__version__ = "0.1.0"

__all__ = [
    "amp_dtype", "budget", "dataset", "describe_device", "draw_autograd_graph",
    "evaluate_accuracy", "expect_close", "expect_equal", "expect_raises", "expect_true",
    "forbid", "in_colab", "init_cnn", "is_quick", "LivePlot", "load_fashion_mnist",
    "load_mnist", "plot_histories", "prepare", "setup", "show_images", "train", "try_gpu",
]  # fmt: skip
