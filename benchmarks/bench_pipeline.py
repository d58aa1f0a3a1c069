"""Images per second delivered at 224x224 and 96x96: dlcourse's loader against d2l's.

d2l's route (``d2l.FashionMNIST(resize=...)``, as the lecture notes use it) decodes and
resizes every image with PIL in DataLoader worker processes (4 by default). dlcourse keeps
the dataset as one uint8 tensor on the device and resizes whole batches at once. Both
deliver float32 batches of shape (256, 1, S, S) in shuffled order; each is timed over the
same number of images, best of ``REPEATS`` runs, in this process, one after the other.

With a GPU, the training comparison (``--train``) also runs: the same AlexNet trained for
one epoch by d2l's Trainer and by ``dlcourse.train`` with the fast loader.

    python benchmarks/bench_pipeline.py [--images N] [--train]
"""

import argparse
import os
import time
import warnings
from pathlib import Path

import torch

import dlcourse
from dlcourse.data import BatchLoader, dataset

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3


def d2l_data(size, batch_size, n_train=None):
    import d2l.torch as d2l

    # d2l looks for its data in ../data: from benchmarks/ that is the course's data/.
    here = os.getcwd()
    os.chdir(ROOT / "benchmarks")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = d2l.FashionMNIST(batch_size=batch_size, resize=(size, size))
    finally:
        os.chdir(here)
    if n_train is not None:
        data.train = torch.utils.data.Subset(data.train, range(n_train))
    return data


def d2l_loader(size, batch_size):
    return d2l_data(size, batch_size).train_dataloader()


def fast_loader(size, batch_size, device="cpu"):
    train = dataset("FashionMNIST", train=True)
    return BatchLoader(train.data, train.targets, batch_size, shuffle=True, resize=size,
                       device=device)


def images_per_second(loader, n_images):
    best = 0.0
    for _ in range(REPEATS):
        seen, start = 0, time.perf_counter()
        for X, _ in loader:  # a new epoch: d2l starts its worker processes here
            seen += len(X)
            if seen >= n_images:
                break
        best = max(best, seen / (time.perf_counter() - start))
        assert X.dtype == torch.float32 and X.shape[-1] == X.shape[-2]
    return best


def pipeline(n_images, batch_size=256):
    dlcourse.prepare("FashionMNIST")
    # d2l asks for 4 workers on this 2-core machine; PyTorch warns, we measure it as it is.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    for size in (224, 96):
        d2l_rate = images_per_second(d2l_loader(size, batch_size), n_images)
        fast_rate = images_per_second(fast_loader(size, batch_size), n_images)
        print(f"{size}x{size}: d2l loader {d2l_rate:,.0f} images/s, dlcourse {fast_rate:,.0f} "
              f"images/s")
        where = "" if size == 224 else f" at {size}x{size}"
        print(f"pipeline vs d2l{where}: {fast_rate / d2l_rate:.1f}x")


def d2l_alexnet(lr=0.01, num_classes=10):
    """AlexNet exactly as d2l's chapter defines it (d2l 1.0.3's library has no AlexNet)."""
    import d2l.torch as d2l
    from torch import nn

    class AlexNet(d2l.Classifier):
        def __init__(self):
            super().__init__()
            self.save_hyperparameters()
            self.lr = lr
            self.net = nn.Sequential(
                nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
                nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
                nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
                nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
                nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
                nn.LazyLinear(num_classes))

    return AlexNet()


def training(device="cuda", size=224, n_train=None, epochs=1, batch_size=128):
    """AlexNet trained by d2l's Trainer and by dlcourse.train: images/s and test accuracy.

    d2l 1.0.3 has no ``train_ch6`` any more; its ``Trainer`` is the same loop. Both models
    start from the same Xavier initialisation (which d2l's own AlexNet forgets).
    """
    import d2l.torch as d2l

    device = torch.device(device)
    results = {}
    data = d2l_data(size, batch_size, n_train)
    torch.manual_seed(0)
    model = d2l_alexnet()
    model.apply_init([next(iter(data.train_dataloader()))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(max_epochs=epochs, num_gpus=int(device.type == "cuda"))
    model.board.display = False
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(model, data)
    seconds = _synchronized(device, start)
    n = len(data.train)
    _, test_iter = dlcourse.load_fashion_mnist(256, resize=size, n_train=1, device=device)
    results["d2l Trainer"] = (n * epochs / seconds,
                              dlcourse.evaluate_accuracy(model.net.to(device), test_iter, device))

    torch.manual_seed(0)
    net = d2l_alexnet().net.to(device)
    net(torch.zeros(1, 1, size, size, device=device))
    net.apply(dlcourse.init_cnn)
    train_iter, test_iter = dlcourse.load_fashion_mnist(batch_size, resize=size, device=device,
                                                        n_train=n_train, seed=0)
    start = time.perf_counter()
    # d2l's Trainer evaluates its validation loader (the test set) after every epoch: so
    # does this run, so that both times include the same evaluation.
    history = dlcourse.train(net, train_iter, epochs, lr=0.01, valid_iter=test_iter, plot=False)
    seconds = _synchronized(device, start)
    results["dlcourse.train"] = (n * epochs / seconds, history["valid_acc"][-1])
    for name, (rate, acc) in results.items():
        print(f"{name}: {rate:,.0f} training images/s (evaluation included), test acc {acc:.3f}")
    ratio = results["dlcourse.train"][0] / results["d2l Trainer"][0]
    print(f"training vs d2l: {ratio:.1f}x")
    return ratio


def _synchronized(device, start):
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=12_800,
                        help="images per timed run (default 12,800: 50 batches)")
    parser.add_argument("--train", action="store_true", help="also the GPU training comparison")
    args = parser.parse_args()
    print(f"CPU threads: {torch.get_num_threads()}; {args.images:,} images per run, best of "
          f"{REPEATS}")
    pipeline(args.images)
    if args.train:
        if torch.cuda.is_available():
            training()
        else:
            print("training vs d2l: skipped, no GPU here")


if __name__ == "__main__":
    main()
