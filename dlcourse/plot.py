"""Pictures: image grids, live training curves, autograd graphs."""

from __future__ import annotations

import time
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import torch


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """A grid of images (tensors of shape (H, W) or (C, H, W), or arrays) with titles."""
    fig, axes = plt.subplots(num_rows, num_cols,
                             figsize=(num_cols * scale, num_rows * scale), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(imgs):
            continue
        img = imgs[i]
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu()
            if img.dim() == 3:
                img = img.squeeze(0) if img.shape[0] == 1 else img.permute(1, 2, 0)
            img = img.numpy()
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        if titles is not None and i < len(titles):
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return axes


class LivePlot:
    """Curves that update while a model trains, and stay fast over long runs.

    d2l's ProgressBoard clears and redraws every curve on every point. Here each curve is
    one matplotlib line whose data is replaced, and the figure is re-rendered at most once
    every ``every`` seconds (and once at the end), so the cost per point stays constant.
    Outside a notebook nothing is drawn; the values are kept in :attr:`data`.
    """

    def __init__(self, xlabel="epoch", ylabel=None, ylim=None, title=None, every=0.5,
                 figsize=(5, 3.2)):
        self.data = defaultdict(lambda: ([], []))
        self.every = every
        self._lines = {}
        self._last = 0.0
        self._handle = None
        if not _in_notebook():
            self.fig = None
            return
        from IPython.display import display

        self.fig, self.ax = plt.subplots(figsize=figsize)
        plt.close(self.fig)  # shown through the display handle only
        self.ax.set_xlabel(xlabel)
        if ylabel:
            self.ax.set_ylabel(ylabel)
        if title:
            self.ax.set_title(title)
        self.ax.grid(True, alpha=0.3)
        self._ylim = ylim
        self._handle = display(self.fig, display_id=True)

    def add(self, x, **values) -> None:
        for name, y in values.items():
            xs, ys = self.data[name]
            xs.append(float(x))
            ys.append(float(y))
        if self.fig is None:
            return
        for name, (xs, ys) in self.data.items():
            if name not in self._lines:
                (self._lines[name],) = self.ax.plot([], [], label=name.replace("_", " "))
                self.ax.legend(loc="best")
            self._lines[name].set_data(xs, ys)
        if time.monotonic() - self._last >= self.every:
            self._draw()

    def _draw(self) -> None:
        self.ax.relim()
        self.ax.autoscale_view()
        if self._ylim is not None:
            self.ax.set_ylim(*self._ylim)
        self._handle.update(self.fig)
        self._last = time.monotonic()

    def close(self) -> None:
        """Draw the final state."""
        if self.fig is not None:
            self._draw()


def plot_histories(histories: dict, keys=("train_acc", "valid_acc"), title=None):
    """Per-epoch curves of several runs side by side: ``{"no dropout": history, ...}``.

    A list of histories under one label (the same run with several seeds) is drawn as its
    mean, with the band from the lowest to the highest run shaded: one seed's curve alone
    hides how much of a difference is noise. Keys a history lacks are left out.
    """
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for (label, runs), color in zip(histories.items(), plt.rcParams["axes.prop_cycle"]):
        runs = runs if isinstance(runs, list) else [runs]
        for key, style in zip(keys, ("--", "-", ":")):
            if key not in runs[0]:
                continue
            ys = np.array([run[key] for run in runs])
            epochs = range(1, ys.shape[1] + 1)
            ax.plot(epochs, ys.mean(axis=0), style, color=color["color"],
                    label=f"{label}: {key.replace('_', ' ')}")
            if len(runs) > 1:
                ax.fill_between(epochs, ys.min(axis=0), ys.max(axis=0), color=color["color"],
                                alpha=0.2)
    ax.set_xlabel("epoch")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def _node_label(fn, names) -> str:
    variable = getattr(fn, "variable", None)
    if variable is not None:
        name = next((k for k, v in names.items() if v is variable), "leaf")
        return f"{name}\n{tuple(variable.shape)}\n(AccumulateGrad)"
    return type(fn).__name__


def draw_autograd_graph(output: torch.Tensor, names: dict[str, torch.Tensor] | None = None,
                        ax=None):
    """Draw the graph autograd recorded for ``output``: one box per backward node.

    Arrows follow the backward pass, from the output down to the leaves whose ``.grad`` it
    fills; ``names`` labels the leaves (``{"w1": w1}``).
    """
    names = names or {}
    if output.grad_fn is None:
        raise ValueError("output has no grad_fn: nothing was recorded (requires_grad=False?)")
    depth, edges, order = {output.grad_fn: 0}, [], [output.grad_fn]
    for fn in order:  # breadth first; `order` grows while we walk it
        for child, _ in fn.next_functions:
            if child is None:
                continue
            edges.append((fn, child))
            if child not in depth:
                order.append(child)
            depth[child] = max(depth.get(child, 0), depth[fn] + 1)
    # a node sits below every node that uses it
    for _ in range(len(order)):
        for parent, child in edges:
            depth[child] = max(depth[child], depth[parent] + 1)
    levels = defaultdict(list)
    for fn in order:
        levels[depth[fn]].append(fn)
    pos = {}
    for level, fns in levels.items():
        for i, fn in enumerate(fns):
            pos[fn] = ((i + 1) / (len(fns) + 1), -level)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.1 * (len(levels) + 1)))
    boxes = {}
    for fn, (x, y) in pos.items():
        leaf = getattr(fn, "variable", None) is not None
        boxes[fn] = ax.text(x, y, _node_label(fn, names), ha="center", va="center", fontsize=8,
                            bbox=dict(boxstyle="round", fc="#cfe8cf" if leaf else "#dde6f5",
                                      ec="gray"))
    for parent, child in edges:
        skip = depth[child] - depth[parent] > 1  # bend long edges around the nodes between
        ax.annotate("", xy=(0.5, 1), xycoords=boxes[child], xytext=(0.5, 0),
                    textcoords=boxes[parent],
                    arrowprops=dict(arrowstyle="->", color="gray",
                                    connectionstyle=f"arc3,rad={0.35 if skip else 0}"))
    ax.set_xlim(0, 1)
    ax.set_ylim(-len(levels) + 0.5, 0.5)
    ax.axis("off")
    return ax
