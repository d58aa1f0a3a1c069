"""A chapter's training recipe on the full training set, on a CPU, at a size or precision
a CPU can afford: evidence for the GPU targets of chapters 7 and 8 when no GPU is at hand.

The network comes from the solution notebook (its code cells up to the training cell, run
as benchmarks/run_chapter.py runs them), and the optimiser and the standardisation from the
training cell's own ``optimizer = ...`` and ``normalize=...``, so the run follows the chapter
as it is (batch 128 and seed 0, as in the cells; ``--seed`` for another draw). Prints the
history of every epoch.

    python benchmarks/recipe_cpu.py ch08 --resize 48 --epochs 10     # 47 min on 2 cores
    python benchmarks/recipe_cpu.py ch08 --bf16                      # 36 min, AVX512-BF16
    python benchmarks/recipe_cpu.py ch08 --optimizer \
        "torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)"
    python benchmarks/recipe_cpu.py ch07 --bf16 --checkpoint /tmp/alexnet.pt

``--bf16`` trains as ``dlcourse.train`` does on an A100 or H100 (bfloat16 autocast,
channels-last); on a CPU with AVX512-BF16 that runs AlexNet at 224x224 and GoogLeNet at
96x96 about 2.5 times faster than float32, so both train at their chapter's size.
``--checkpoint`` lets a run that is stopped resume where it was.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import torch

import dlcourse

sys.path.insert(0, str(Path(__file__).parent))
import run_chapter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# chapter: (notebook, function that builds the network, its image size)
CHAPTERS = {
    "ch07": ("solutions/ch07_alexnet/ch07_alexnet.ipynb", "alexnet", 224),
    "ch07-small": ("solutions/ch07_alexnet/ch07_alexnet.ipynb", "small_alexnet", None),
    "ch08": ("solutions/ch08_googlenet/ch08_googlenet.ipynb", "googlenet", 96),
}


def training_cell(cells: list[tuple[str, str]], build: str) -> str:
    """The id of the one code cell that builds the network with ``build()`` and trains it
    (found by its content: cell ids are renumbered when a chapter gains a cell)."""
    found = [cell_id for cell_id, source in cells
             if "dlcourse.train(" in source and re.search(rf"\b{build}\(\)", source)]
    if len(found) != 1:
        raise ValueError(f"expected one cell that trains {build}(), found {len(found)}")
    return found[0]


def setting(source: str, pattern: str, name: str) -> str:
    """The one expression ``pattern`` finds in a training cell's source."""
    found = re.findall(pattern, source, re.MULTILINE)
    if len(found) != 1:
        raise ValueError(f"expected one {name} in the training cell, found {len(found)}")
    return found[0].strip()


def optimizer_expression(source: str) -> str:
    return setting(source, r"^\s*optimizer = (.+)$", "'optimizer = ...' line")


def normalize_expression(source: str) -> str:
    return setting(source, r"normalize=(\([^)]*\)|\w+)", "'normalize=...'")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", choices=CHAPTERS)
    parser.add_argument("--resize", type=int, default=None,
                        help="image side (default: the chapter's size on a GPU)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=None, help="default: all 60,000")
    parser.add_argument("--n-test", type=int, default=None, help="default: all 10,000")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the initial weights and the shuffling (the cells use 0)")
    parser.add_argument("--optimizer", default=None,
                        help="a Python expression over `net` and `torch` in place of the "
                             "chapter's optimiser")
    parser.add_argument("--bf16", action="store_true",
                        help="bfloat16 autocast and channels-last, as on a recent GPU")
    parser.add_argument("--checkpoint", default=None,
                        help="a file written after every epoch; an existing one is resumed")
    args = parser.parse_args(argv)
    path, build, size = CHAPTERS[args.chapter]
    path = ROOT / path
    cells = run_chapter.code_cells(path)
    cell = training_cell(cells, build)
    sources = dict(cells)
    optimizer = args.optimizer or optimizer_expression(sources[cell])
    resize = args.resize or size

    namespace = run_chapter.run(path, until=cell)
    normalize = eval(normalize_expression(sources[cell]), namespace)
    train_iter, test_iter = dlcourse.load_fashion_mnist(
        128, resize=resize, n_train=args.n_train, n_test=args.n_test, device="cpu",
        seed=args.seed, normalize=normalize)
    torch.manual_seed(args.seed)
    net = namespace[build]()
    try:
        with torch.no_grad():
            net(next(iter(train_iter))[0][:1])  # materialise lazy layers before initialising
    except RuntimeError as error:  # e.g. AlexNet's first dense layer wants 224x224 images
        raise SystemExit(f"{build} does not take {resize or 28}x{resize or 28} images: "
                         f"{error}") from None
    net.apply(dlcourse.init_cnn)
    namespace["net"] = net
    optimizer_object = eval(optimizer, namespace)
    print(f"{build}, {train_iter.num_examples:,} images at {resize or 28}x{resize or 28}, "
          f"{args.epochs} epochs, seed {args.seed}, {torch.get_num_threads()} threads, "
          f"{'bfloat16' if args.bf16 else 'float32'}, optimizer = {optimizer}", flush=True)
    start = time.perf_counter()
    # The chapter's recipe is fixed (nothing is chosen on the way), so it trains on all
    # 60,000 images and the test set judges it once, at the end, as in the chapter.
    history = dlcourse.train(net, train_iter, args.epochs, test_iter=test_iter,
                             optimizer=optimizer_object, plot=False, title=build,
                             amp=torch.bfloat16 if args.bf16 else False,
                             channels_last=args.bf16, checkpoint=args.checkpoint)
    per_epoch = [key for key in history if key != "test_acc"]
    for epoch, values in enumerate(zip(*(history[key] for key in per_epoch)), start=1):
        print(f"epoch {epoch}: " + ", ".join(f"{k} {v:.4f}" for k, v in zip(per_epoch, values)))
    print(f"test acc after epoch {args.epochs}: {history['test_acc']:.4f}")
    print(f"{time.perf_counter() - start:.0f} s")
    return history


if __name__ == "__main__":
    main()
