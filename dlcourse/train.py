"""The training loop the chapters share: a progress bar and live curves.

Written out in the chapters where training is taught (ch05); the helper is what later
chapters call so that the page shows the idea, not the plumbing.
"""

from __future__ import annotations

import time

import torch
from torch import nn
from tqdm.auto import tqdm

from .plot import LivePlot


def evaluate_accuracy(net: nn.Module, data_iter, device=None) -> float:
    """Accuracy of ``net`` on ``data_iter``, in eval mode and without building a graph."""
    device = device or next(net.parameters()).device
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / max(total, 1)


def train(net: nn.Module, train_iter, test_iter, num_epochs: int, lr: float = 0.1,
          loss_fn=None, optimizer=None, device=None, plot: bool = True,
          title: str | None = None) -> dict[str, list[float]]:
    """Train ``net`` with mini-batch SGD (or ``optimizer``); return the per-epoch history.

    Shows one progress bar over all batches and, in a notebook, live curves of the training
    loss, training accuracy and test accuracy. ``loss_fn`` must return the batch mean
    (cross-entropy by default).
    """
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.to(device)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    optimizer = optimizer or torch.optim.SGD(net.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    board = LivePlot(xlabel="epoch", ylim=(0, None), title=title) if plot else None
    batches = len(train_iter)
    start, seen = time.perf_counter(), 0
    with tqdm(total=num_epochs * batches, desc=title or "training", unit="batch") as bar:
        for epoch in range(num_epochs):
            net.train()
            loss_sum, correct, n = 0.0, 0, 0
            for i, (X, y) in enumerate(train_iter):
                X, y = X.to(device), y.to(device)
                logits = net(X)
                loss = loss_fn(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                loss_sum += loss.item() * y.numel()
                correct += (logits.argmax(dim=1) == y).sum().item()
                n += y.numel()
                bar.update(1)
                if board is not None and (i + 1) % max(1, batches // 5) == 0:
                    board.add(epoch + (i + 1) / batches,
                              train_loss=loss_sum / n, train_acc=correct / n)
            seen += n
            test_acc = evaluate_accuracy(net, test_iter, device)
            history["train_loss"].append(loss_sum / n)
            history["train_acc"].append(correct / n)
            history["test_acc"].append(test_acc)
            bar.set_postfix(loss=f"{loss_sum / n:.3f}", train_acc=f"{correct / n:.3f}",
                            test_acc=f"{test_acc:.3f}")
            if board is not None:
                board.add(epoch + 1, test_acc=test_acc)
    if board is not None:
        board.close()
    seconds = time.perf_counter() - start
    print(f"loss {history['train_loss'][-1]:.3f}, train acc {history['train_acc'][-1]:.3f}, "
          f"test acc {history['test_acc'][-1]:.3f}; {seen / seconds:,.0f} examples/s on {device}")
    return history
