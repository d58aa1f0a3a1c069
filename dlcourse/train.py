"""The training loop the chapters share: a progress bar, live curves, and the GPU speed-ups.

Written out in the chapters where training is taught (ch05); the helper is what later
chapters call so that the page shows the idea, not the plumbing. On a GPU it also turns on
what makes AlexNet and GoogLeNet train in minutes on Colab (mixed precision, channels-last,
cuDNN autotuning, optionally ``torch.compile``) and keeps a checkpoint after every epoch so
that a disconnected runtime resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm


def init_cnn(module: nn.Module) -> None:
    """Xavier-uniform weights for every Linear and Conv2d (apply with ``net.apply``).

    d2l's AlexNet and GoogLeNet are meant to start from this; d2l 1.0.3 forgets to apply it
    when a model is built outside its Trainer (AlexNet then reaches 0.83 instead of 0.9).
    Lazy layers must be materialised first (one forward pass).
    """
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The mixed-precision type worth using on ``device``, or None for full precision.

    bfloat16 where the GPU computes it natively (Ampere and later: A100, L4, H100), float16
    with loss scaling on older tensor-core GPUs (Colab's T4, V100). On the CPU, bfloat16
    autocast is slower than float32 on most laptops, so it stays off.
    """
    if device.type != "cuda":
        return None
    major, _ = torch.cuda.get_device_capability(device)
    if major >= 8:
        return torch.bfloat16
    return torch.float16 if major >= 7 else None


def _has_conv(net: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.conv._ConvNd) for m in net.modules())


def _autocast(device: torch.device, amp: torch.dtype | None):
    return torch.autocast(device.type, amp) if amp is not None else contextlib.nullcontext()


def evaluate_accuracy(net: nn.Module, data_iter, device=None, amp: torch.dtype | None = None,
                      channels_last: bool = False) -> float:
    """Accuracy of ``net`` on ``data_iter``, in eval mode and without building a graph."""
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.eval()
    correct, total = 0, 0
    with torch.no_grad(), _autocast(device, amp):
        for X, y in data_iter:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            if channels_last and X.dim() == 4:
                X = X.contiguous(memory_format=torch.channels_last)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / max(total, 1)


def _mismatch(mine: dict, saved: dict) -> str | None:
    """Every way the saved weights differ from the model's (as ch09's load_checkpoint names
    them), or None if they fit."""
    problems = []
    for key in [*mine, *(k for k in saved if k not in mine)]:
        if key not in saved:
            problems.append(f"it has no {key}")
        elif key not in mine:
            problems.append(f"it has {key}, which this network lacks")
        elif mine[key].shape != saved[key].shape:
            problems.append(f"{key} is {tuple(saved[key].shape)} there, "
                            f"{tuple(mine[key].shape)} here")
    return "; ".join(problems) or None


def _save(path: Path, state: dict) -> None:
    """Write the checkpoint atomically: a disconnect mid-write must not destroy the last one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def train(net: nn.Module, train_iter, num_epochs: int, lr: float = 0.1, *, valid_iter=None,
          test_iter=None, loss_fn=None, optimizer=None, device=None, plot: bool = True,
          title: str | None = None, amp="auto", channels_last="auto", compile: bool = False,
          checkpoint: str | os.PathLike | None = None) -> dict:
    """Train ``net`` with mini-batch SGD (or ``optimizer``); return the per-epoch history.

    Shows one progress bar over all batches and, in a notebook, live curves of the training
    loss and accuracy, and of the validation accuracy after every epoch when ``valid_iter`` is
    given: that is the curve to choose epochs and hyperparameters on. ``test_iter`` is
    evaluated once, after the last epoch, so that the test set judges the finished model
    and never takes part in choosing it. ``loss_fn`` must return the batch mean
    (cross-entropy by default).

    Returns ``{"train_loss": [...], "train_acc": [...], "valid_acc": [...]}`` (one value per
    epoch; ``valid_acc`` only with ``valid_iter``), and ``"test_acc"``, one number, with
    ``test_iter``.

    Speed-ups, each on by default where it helps: ``amp`` (mixed precision, see
    :func:`amp_dtype`; ``False`` for full precision, or a dtype), ``channels_last`` (for
    convolutional nets on a GPU) and cuDNN autotuning; ``compile=True`` adds
    ``torch.compile`` (a minute of compiling, then faster epochs on a GPU).

    ``checkpoint``: a file written after every epoch (model, optimiser, loss scaler, random
    states, history). When it exists, training resumes after its last epoch: on Colab, point
    it at Google Drive and a disconnect costs at most one epoch. A checkpoint of another
    network, or of a run that has already trained ``num_epochs`` epochs, is refused
    (ValueError).
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int):
        # d2l's train_ch6(net, train_iter, test_iter, num_epochs, lr) order, from habit
        raise TypeError(f"num_epochs must be an int, not {type(num_epochs).__name__}: call "
                        "train(net, train_iter, num_epochs, valid_iter=..., test_iter=...)")
    device = torch.device(device) if device is not None else next(net.parameters()).device
    net.to(device)
    on_gpu = device.type == "cuda"
    if amp == "auto":
        amp = amp_dtype(device)
    amp = amp or None
    if channels_last == "auto":
        channels_last = on_gpu and _has_conv(net)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    if on_gpu:
        torch.backends.cudnn.benchmark = True  # input sizes are fixed: pick the fastest kernels
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    optimizer = optimizer or torch.optim.SGD(net.parameters(), lr=lr)
    # float16 needs loss scaling (its gradients underflow); bfloat16 has float32's range.
    scaler = torch.amp.GradScaler(device.type, enabled=amp == torch.float16)
    model = torch.compile(net) if compile else net
    history = {"train_loss": [], "train_acc": []}
    if valid_iter is not None:
        history["valid_acc"] = []
    generator = getattr(train_iter, "generator", None)

    first_epoch = 0
    checkpoint = Path(checkpoint) if checkpoint is not None else None
    if checkpoint is not None and checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        mismatch = _mismatch(net.state_dict(), state["model"])
        if mismatch:
            # A student who changed the network and runs the cell again: say so before
            # loading anything, instead of load_state_dict's list of missing keys.
            raise ValueError(f"{checkpoint} was written by another network ({mismatch}). "
                             "Delete it to start training over, or pass another checkpoint.")
        if state["epoch"] >= num_epochs:
            # Not "resuming after epoch 10 of 10", which trains nothing and returns the old
            # history as if it were new: a finished run is refused, as ch09's resume cell does.
            raise ValueError(f"{checkpoint} holds a finished run ({state['epoch']} of "
                             f"{num_epochs} epochs). Delete it to train again, or ask for "
                             "more epochs to train on from it.")
        if set(state["history"]) != set(history):
            raise ValueError(f"{checkpoint} recorded {', '.join(state['history'])} per epoch, "
                             f"this run records {', '.join(history)}: resume it with the same "
                             "loaders, or delete it to start over.")
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scaler.load_state_dict(state["scaler"])
        history = state["history"]
        torch.set_rng_state(state["rng"])
        if on_gpu and state.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(state["cuda_rng"], device)
        if generator is not None and state["generator"] is not None:
            generator.set_state(state["generator"])
        first_epoch = state["epoch"]
        print(f"resuming from {checkpoint} after epoch {first_epoch} of {num_epochs}")

    board = None
    if plot:  # matplotlib is imported by the first plot (see dlcourse/__init__.py)
        from .plot import LivePlot

        board = LivePlot(xlabel="epoch", ylim=(0, None), title=title)
    if board is not None:
        for epoch, values in enumerate(zip(*history.values()), start=1):
            board.add(epoch, **dict(zip(history, values)))
    batches = len(train_iter)
    start, seen = time.perf_counter(), 0
    with tqdm(total=num_epochs * batches, initial=first_epoch * batches,
              desc=title or "training", unit="batch") as bar:
        for epoch in range(first_epoch, num_epochs):
            net.train()
            loss_sum, correct, n = 0.0, 0, 0
            for i, (X, y) in enumerate(train_iter):
                X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if channels_last and X.dim() == 4:
                    X = X.contiguous(memory_format=torch.channels_last)
                with _autocast(device, amp):
                    logits = model(X)
                    loss = loss_fn(logits, y)
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                # .item() waits for the GPU: sum on the device, read once per epoch.
                loss_sum += loss.detach().float() * y.numel()
                correct += (logits.argmax(dim=1) == y).sum()
                n += y.numel()
                bar.update(1)
                if board is not None and (i + 1) % max(1, batches // 5) == 0:
                    board.add(epoch + (i + 1) / batches,
                              train_loss=float(loss_sum) / n, train_acc=int(correct) / n)
            seen += n
            loss_sum, correct = float(loss_sum), int(correct)
            history["train_loss"].append(loss_sum / n)
            history["train_acc"].append(correct / n)
            shown = {"loss": f"{loss_sum / n:.3f}", "train_acc": f"{correct / n:.3f}"}
            if valid_iter is not None:
                valid_acc = evaluate_accuracy(model, valid_iter, device, amp, channels_last)
                history["valid_acc"].append(valid_acc)
                shown["valid_acc"] = f"{valid_acc:.3f}"
                if board is not None:
                    board.add(epoch + 1, valid_acc=valid_acc)
            bar.set_postfix(shown)
            if checkpoint is not None:
                _save(checkpoint, {
                    "epoch": epoch + 1, "model": net.state_dict(),
                    "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(),
                    "history": history, "rng": torch.get_rng_state(),
                    "cuda_rng": torch.cuda.get_rng_state(device) if on_gpu else None,
                    "generator": generator.get_state() if generator is not None else None,
                })
    if board is not None:
        board.close()
    seconds = time.perf_counter() - start
    summary = (f"loss {history['train_loss'][-1]:.3f}, "
               f"train acc {history['train_acc'][-1]:.3f}")
    if valid_iter is not None:
        summary += f", valid acc {history['valid_acc'][-1]:.3f}"
    if test_iter is not None:
        history["test_acc"] = evaluate_accuracy(model, test_iter, device, amp, channels_last)
        summary += f", test acc {history['test_acc']:.3f} (once, after the last epoch)"
    if seen:
        summary += f"; {seen / seconds:,.0f} examples/s on {device}"
    print(summary)
    return history
