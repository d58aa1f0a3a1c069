"""The helper package: comparisons, forbidden built-ins, data, quick mode, training, plots."""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dlcourse
from dlcourse import check, data, runtime
from dlcourse.check import (
    CheckFailed,
    count_calls,
    expect_close,
    expect_device_agnostic,
    expect_equal,
    expect_raises,
    expect_true,
    forbid,
    replaced,
)

# ---------------------------------------------------------------- comparisons


@pytest.mark.parametrize("seed", range(20))
def test_expect_close_accepts_within_and_rejects_beyond_tolerance(seed):
    gen = torch.Generator().manual_seed(seed)
    shape = tuple(torch.randint(1, 5, (int(torch.randint(0, 4, (1,), generator=gen)),),
                                generator=gen).tolist())
    expected = torch.randn(shape, generator=gen, dtype=torch.float64) * 10
    rtol, atol = 1e-4, 1e-6
    allowed = atol + rtol * expected.abs()
    jitter = torch.rand(shape, generator=gen, dtype=torch.float64) * 1.8 - 0.9
    inside = expected + jitter * allowed
    expect_close("inside", inside, expected, rtol=rtol, atol=atol)
    if expected.numel():
        i = int(torch.randint(0, expected.numel(), (1,), generator=gen))
        outside = inside.clone().reshape(-1)
        outside[i] = expected.reshape(-1)[i] + 3 * allowed.reshape(-1)[i]
        with pytest.raises(CheckFailed, match="largest difference") as info:
            expect_close("outside", outside.reshape(shape), expected, rtol=rtol, atol=atol)
        if shape:
            index = tuple(int(k) for k in torch.unravel_index(torch.tensor(i), shape))
            assert f"at index {index}" in str(info.value)


@pytest.mark.parametrize("actual, expected, message", [
    (torch.zeros(2, 7), torch.zeros(7, 2), "shape (2, 7), expected (7, 2)"),
    (torch.zeros(3), torch.zeros(3, dtype=torch.float64),
     "dtype torch.float32, expected torch.float64"),
    ([1.0, 2.0], torch.zeros(2), "expected a torch.Tensor, got list"),
    (torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]), "nan where 2.0 was expected"),
    (torch.tensor([float("inf")]), torch.tensor([1.0]), "inf"),
    ((1.0,), (1.0, 2.0), "expected 2 values, got 1"),
    ("text", 1.0, "expected a number or a tensor"),
])
def test_expect_close_says_what_differs(actual, expected, message):
    with pytest.raises(CheckFailed) as info:
        expect_close("f(x)", actual, expected, hint="look here")
    assert str(info.value).startswith("f(x): ") and message in str(info.value)
    assert "Hint: look here" in str(info.value)


def test_expect_close_matches_nan_and_inf_in_place():
    x = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0])
    expect_close("same specials", x.clone(), x)
    with pytest.raises(CheckFailed):
        expect_close("sign of inf", -x, x)


def test_expect_equal():
    expect_equal("ints", 3, 3)
    expect_equal("tuple", (1, (2, 3)), (1, (2, 3)))
    expect_equal("tensor", torch.arange(4), torch.arange(4))
    for actual, expected, message in [
        ([1, 2], (1, 2), "expected a tuple, got a list"),
        (torch.arange(4).float(), torch.arange(4), "dtype torch.float32, expected torch.int64"),
        (torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]), "got 4, expected 3 at index (2,)"),
        ("a", "b", "got 'a', expected 'b'"),
    ]:
        with pytest.raises(CheckFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
            expect_equal("x", actual, expected)


def test_expect_raises_and_true():
    expect_raises("bad p", ValueError, lambda: (_ for _ in ()).throw(ValueError("p")))
    with pytest.raises(CheckFailed, match="expected ValueError, got KeyError"):
        expect_raises("bad p", ValueError, lambda: {}["k"])
    with pytest.raises(CheckFailed, match="but it returned int 3"):
        expect_raises("bad p", ValueError, lambda: 3)
    expect_true("fine", True, "unused")
    with pytest.raises(CheckFailed, match="x: the input was modified"):
        expect_true("x", False, "the input was modified")


# ---------------------------------------------------------------- forbidden built-ins


def test_forbid_catches_every_alias_and_swallowed_calls():
    from torch.nn.functional import dropout as renamed

    x = torch.ones(5)

    def swallowed(t):
        try:
            return F.dropout(t, 0.5)
        except Exception:
            return t

    for use in (lambda t: F.dropout(t, 0.5), lambda t: renamed(t, 0.5), swallowed,
                lambda t: nn.Dropout(0.5)(t), lambda t: torch.dropout(t, 0.5, True)):
        with pytest.raises(CheckFailed, match="must not use"):
            with forbid(["torch.nn.functional.dropout", "torch.dropout"], "dropout_layer"):
                use(x)
    with forbid(["torch.nn.functional.dropout", "torch.no_such_function"], "dropout_layer"):
        (torch.rand_like(x) > 0.5) * x  # allowed operations still work
    assert F.dropout(x, 0.0).equal(x)  # and everything is restored afterwards


def test_count_calls_and_replaced():
    with count_calls(["torch.Tensor.backward", "torch.autograd.backward"]) as calls:
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum().backward()
        torch.autograd.backward((w * 3).sum())
    assert calls == {"torch.Tensor.backward": 1, "torch.autograd.backward": 1}
    namespace = {"f": 1}
    with replaced(namespace, f=2, g=3):
        assert namespace == {"f": 2, "g": 3}
    assert namespace == {"f": 1}


def test_expect_device_agnostic():
    meta = torch.ones(3, 4, device="meta")
    expect_device_agnostic("rand_like", lambda X: torch.rand_like(X) * X, meta)
    assert expect_device_agnostic("data-dependent", lambda X: X[X > 0], meta) is None
    with pytest.raises(CheckFailed, match="another device"):
        expect_device_agnostic("cpu mask", lambda X: torch.rand(X.shape) * X, meta)


def test_check_api_is_exported():
    assert set(check.__all__) <= set(dir(check))


LAZY = """
import sys
import dlcourse
assert "torchvision" not in sys.modules, "import dlcourse imported torchvision"
assert "matplotlib" not in sys.modules, "import dlcourse imported matplotlib"
from dlcourse import *
assert callable(train) and callable(load_mnist) and dlcourse.data.load_mnist is load_mnist
assert LivePlot is dlcourse.plot.LivePlot and callable(show_images)
assert dlcourse.train is train and set(dlcourse.__all__) <= set(dir(dlcourse))
try:
    dlcourse.no_such_helper
except AttributeError:
    print("ok")
"""


def test_every_helper_is_there_and_torchvision_only_on_first_use():
    """torchvision takes seconds to import, matplotlib half a second (in every grading
    process): ``import dlcourse`` leaves them to the first dataset helper and the first
    plot."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


# ---------------------------------------------------------------- quick mode, device


def test_checkpoints_go_to_google_drive_when_it_is_mounted(monkeypatch, tmp_path):
    monkeypatch.setattr(runtime, "COLAB_DRIVE", tmp_path / "MyDrive")
    assert runtime.checkpoint_file("alexnet.pt") == Path("checkpoints") / "alexnet.pt"
    (tmp_path / "MyDrive").mkdir()
    drive = tmp_path / "MyDrive" / "dlcourse"
    assert dlcourse.checkpoint_file("alexnet.pt") == drive / "alexnet.pt"


@pytest.mark.parametrize("env, quick", [
    ({}, False), ({"DLCOURSE_QUICK": "1"}, True), ({"DLCOURSE_QUICK": "0"}, False),
    ({"NBGRADER_EXECUTION": "autograde"}, True), ({"NBGRADER_EXECUTION": "validate"}, True),
])
def test_quick_mode(monkeypatch, env, quick):
    monkeypatch.delenv("DLCOURSE_QUICK", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert runtime.is_quick() is quick
    assert runtime.budget(10, 1) == (1 if quick else 10)


def test_device_description():
    assert isinstance(dlcourse.try_gpu(), torch.device)
    text = dlcourse.describe_device()
    assert text.startswith("Using") or "No GPU found" in text


# ---------------------------------------------------------------- data


def _has_data():
    return any(data._zipped(root, "FashionMNIST") or data._unzipped(root, "FashionMNIST")
               for root in data._roots())


@pytest.fixture
def shared_data():
    """The official .gz files; CI points DLCOURSE_DATA at them (`make data` needs them too)."""
    assert _has_data(), "no Fashion-MNIST: set DLCOURSE_DATA or run `make data` first"
    root = next(r for r in data._roots() if data._zipped(r, "FashionMNIST")
                or data._unzipped(r, "FashionMNIST"))
    return root


def test_prepare_links_read_only_data_into_the_data_folder(shared_data, tmp_path, monkeypatch):
    if not data._zipped(shared_data, "FashionMNIST"):
        pytest.fail(f"{shared_data} has no .gz files to test the offline unzip with")
    monkeypatch.setenv("DLCOURSE_DATA", str(shared_data))
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path / "data")
    monkeypatch.setattr(data, "_unzipped",
                        lambda root, name: root == tmp_path / "data" and all(
                            (data._raw(root, name) / f.removesuffix(".gz")).is_file()
                            for f in data._files(name)))
    root = data.prepare("FashionMNIST")
    assert root == tmp_path / "data"
    raw = data._raw(root, "FashionMNIST")
    assert (raw / "train-images-idx3-ubyte.gz").is_symlink()
    assert (raw / "train-images-idx3-ubyte").stat().st_size == 47_040_016
    ds = data.DATASETS["FashionMNIST"](str(root), train=False, download=False)
    assert len(ds) == 10_000


def test_missing_data_says_how_to_provide_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path / "data")

    class Offline(data.DATASETS["MNIST"]):
        def download(self):
            raise OSError("network is unreachable")

    monkeypatch.setitem(data.DATASETS, "MNIST", Offline)
    with pytest.raises(data.DataNotFound) as info:
        data.prepare("MNIST")
    message = str(info.value)
    assert "network is unreachable" in message and "DLCOURSE_DATA" in message
    assert "train-images-idx3-ubyte.gz" in message


def test_loaders(shared_data):
    train_iter, test_iter = dlcourse.load_fashion_mnist(batch_size=100, n_train=250, n_test=50,
                                                       seed=3)
    assert (len(train_iter), train_iter.num_examples, test_iter.num_examples) == (3, 250, 50)
    batches = list(train_iter)
    X, y = batches[0]
    assert X.shape == (100, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= float(X.min()) and float(X.max()) <= 1
    seen = torch.cat([b[1] for b in batches])
    assert len(seen) == 250
    again = torch.cat([b[1] for b in dlcourse.load_fashion_mnist(
        batch_size=100, n_train=250, n_test=50, seed=3)[0]])
    assert torch.equal(seen, again)  # same seed, same order
    big, _ = dlcourse.load_fashion_mnist(batch_size=8, resize=64, n_train=8, n_test=8)
    assert next(iter(big))[0].shape == (8, 1, 64, 64)
    assert len(dlcourse.dataset("FashionMNIST", train=False)) == 10_000


def test_a_validation_split_is_held_out_of_the_training_images(shared_data):
    """n_valid: a random part of the training set (chapter 5's split_indices with seed 0),
    never trained on, the same in every call."""
    train_iter, valid_iter, test_iter = dlcourse.load_fashion_mnist(
        batch_size=500, n_valid=1_000, n_test=100)
    assert (train_iter.num_examples, valid_iter.num_examples, test_iter.num_examples) == (
        59_000, 1_000, 100)
    official = dlcourse.dataset("FashionMNIST", train=True)
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
    assert torch.equal(valid_iter.images, official.data[order[:1_000]])
    assert torch.equal(train_iter.images, official.data[order[1_000:]])
    assert not valid_iter.shuffle and train_iter.shuffle
    # every class is in it, about as often as in the training set (6,000 of each)
    assert valid_iter.labels.bincount().min() > 60
    # n_train shortens the training part only: the validation images stay the same
    small, small_valid, _ = dlcourse.load_fashion_mnist(n_train=200, n_valid=1_000)
    assert small.num_examples == 200 and torch.equal(small_valid.images, valid_iter.images)
    assert torch.equal(small.images, train_iter.images[:200])
    with pytest.raises(ValueError, match="n_valid=60000: hold out between 1 and 59999"):
        dlcourse.load_fashion_mnist(n_valid=60_000)


# ---------------------------------------------------------------- training and plots


def test_train_reports_validation_every_epoch_and_test_once(capsys, monkeypatch):
    torch.manual_seed(0)
    X = torch.randn(96, 1, 4, 4)
    y = (X.flatten(1).sum(1) > 0).long()
    batches = [(X[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    val, test = [(X[64:80], y[64:80])], [(X[80:], y[80:])]
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    evaluated = []
    module = sys.modules["dlcourse.train"]

    def evaluate(net, data_iter, *args, real=module.evaluate_accuracy):
        evaluated.append("val" if data_iter is val else "test")
        return real(net, data_iter, *args)

    monkeypatch.setattr(module, "evaluate_accuracy", evaluate)
    history = dlcourse.train(net, batches, 3, lr=0.5, valid_iter=val, test_iter=test)
    monkeypatch.undo()
    # the test set is looked at once, after the last epoch: it cannot steer any choice
    assert evaluated == ["val", "val", "val", "test"]
    assert {k: len(v) for k, v in history.items() if k != "test_acc"} == {
        "train_loss": 3, "train_acc": 3, "valid_acc": 3}
    assert history["train_loss"][-1] < history["train_loss"][0]
    out = capsys.readouterr().out
    assert "valid acc" in out and "test acc" in out and "once, after the last epoch" in out
    assert dlcourse.evaluate_accuracy(net, val) == history["valid_acc"][-1]
    assert dlcourse.evaluate_accuracy(net, test) == history["test_acc"]
    assert not net.training
    # without held-out loaders: the training curves only, nothing evaluated
    history = dlcourse.train(nn.Sequential(nn.Flatten(), nn.Linear(16, 2)), batches, 1,
                             plot=False)
    assert set(history) == {"train_loss", "train_acc"}
    assert "valid acc" not in capsys.readouterr().out


def test_train_in_d2l_argument_order_is_told_the_new_one():
    """d2l's train_ch6(net, train_iter, test_iter, num_epochs, lr), written from habit."""
    batches = [(torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))]
    with pytest.raises(TypeError, match=r"train\(net, train_iter, num_epochs, valid_iter="):
        dlcourse.train(nn.Linear(2, 2), batches, batches, 10)


def test_live_plot_outside_a_notebook_keeps_the_values():
    board = dlcourse.LivePlot()
    board.add(1, loss=0.5, acc=0.8)
    board.add(2, loss=0.4)
    board.close()
    assert board.fig is None and board.data["loss"] == ([1.0, 2.0], [0.5, 0.4])


def test_live_plot_in_a_notebook_renders_at_most_every_interval(monkeypatch):
    """Adding points costs no rendering until `every` seconds have passed."""
    import IPython.display

    from dlcourse import plot

    class Handle:
        updates = 0

        def update(self, fig):
            Handle.updates += 1

    clock = [100.0]
    monkeypatch.setattr(plot, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda fig, display_id=False: Handle())
    monkeypatch.setattr(plot.time, "monotonic", lambda: clock[0])
    board = plot.LivePlot(every=0.5)
    for i in range(1000):
        board.add(i, loss=1 / (i + 1))
    assert Handle.updates == 1  # the first point; the clock has not moved since
    clock[0] += 0.6
    board.add(1000, loss=0.0)
    board.close()
    assert Handle.updates == 3
    line = board._lines["loss"]
    assert len(board.ax.lines) == 1 and len(line.get_xdata()) == 1001
    plt.close("all")


def test_plots():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    ax = dlcourse.draw_autograd_graph((a * b + a).sin(), {"a": a, "b": b})
    labels = [t.get_text() for t in ax.texts]
    assert "SinBackward0" in labels and any(t.startswith("a\n") for t in labels)
    with pytest.raises(ValueError, match="no grad_fn"):
        dlcourse.draw_autograd_graph(torch.ones(2))
    axes = dlcourse.show_images(torch.rand(5, 1, 8, 8), 2, 3, titles=list("abcde"))
    assert axes.shape == (2, 3)
    ax = dlcourse.plot_histories({"run": {"train_acc": [0.5, 0.6], "valid_acc": [0.4, 0.5]}})
    assert [line.get_label() for line in ax.lines] == ["run: train acc", "run: valid acc"]
    # several seeds: the mean curve and the band between the lowest and the highest run
    seeds = [{"train_acc": [0.5, 0.7], "valid_acc": [0.4, 0.6]},
             {"train_acc": [0.7, 0.9], "valid_acc": [0.2, 0.6]}]
    ax = dlcourse.plot_histories({"dropout": seeds, "none": {"train_acc": [0.1, 0.2]}})
    assert [line.get_label() for line in ax.lines] == [
        "dropout: train acc", "dropout: valid acc", "none: train acc"]
    assert list(ax.lines[1].get_ydata()) == pytest.approx([0.3, 0.6])
    band = ax.collections[1].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.2) and band[:, 1].max() == pytest.approx(0.6)
    plt.close("all")


def test_data_main_reports_missing_data(tmp_path, monkeypatch, capsys):
    def missing(name):
        raise data.DataNotFound(f"{name} is not in {tmp_path}")

    monkeypatch.setattr(data, "prepare", missing)
    with pytest.raises(SystemExit):
        data.main(["MNIST"])
    assert "MNIST is not in" in capsys.readouterr().err


# ---------------------------------------------------------------- the fast training path


def test_batch_loader_resizes_like_d2ls_pipeline(shared_data):
    """Resize + ToTensor (+ Normalize) on PIL images, as d2l does per image, within one grey
    level (PIL rounds to uint8, the batched path does not)."""
    from torchvision import transforms

    raw = data.dataset("FashionMNIST", train=False, transform=lambda img: img)
    images = torch.stack([torch.from_numpy(__import__("numpy").array(raw[i][0]))
                          for i in range(6)])
    labels = torch.tensor([raw[i][1] for i in range(6)])
    for size in (96, 224):
        per_image = transforms.Compose([transforms.Resize(size), transforms.ToTensor(),
                                        transforms.Normalize((0.29,), (0.35,))])
        expected = torch.stack([per_image(raw[i][0]) for i in range(6)])
        loader = data.BatchLoader(images, labels, 4, resize=size, normalize=(0.29, 0.35),
                                  channels_last=True)
        X = torch.cat([x for x, _ in loader])
        assert X.shape == (6, 1, size, size)
        assert (X - expected).abs().max() <= 1.01 / 255 / 0.35
        assert next(iter(loader))[0].is_contiguous(memory_format=torch.channels_last)


def _toy_problem(seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (96,), generator=g)
    images = torch.randint(0, 156, (96, 8, 8), dtype=torch.uint8, generator=g)
    images[labels == 1, :, :4] += 100  # class 1: a brighter left half
    train_iter = data.BatchLoader(images, labels, 32, shuffle=True,
                                  generator=torch.Generator().manual_seed(1))
    test_iter = data.BatchLoader(images[:32], labels[:32], 32)
    return train_iter, test_iter


def _toy_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Dropout(0.3),
                         nn.Linear(4 * 6 * 6, 2))


def test_training_resumes_from_its_checkpoint_exactly(tmp_path, capsys):
    """A run cut after epoch 2 and resumed gives the weights and history of an uncut run:
    model, optimiser, data order and dropout's random numbers all continue."""
    def run(epochs, checkpoint):
        torch.manual_seed(0)
        net = _toy_net()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        train_iter, test_iter = _toy_problem()
        history = dlcourse.train(net, train_iter, epochs, valid_iter=test_iter, optimizer=optimizer,
                                 plot=False, checkpoint=checkpoint)
        return net, history

    uncut, expected = run(4, None)
    path = tmp_path / "drive" / "run.pt"
    run(2, path)
    assert torch.load(path, weights_only=False)["epoch"] == 2
    resumed, history = run(4, path)
    assert "resuming from" in capsys.readouterr().out
    assert history == expected
    for a, b in zip(uncut.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)
    assert not path.with_name("run.pt.partial").exists()
    # A finished run is refused, not "resumed after epoch 4 of 4" with nothing trained
    with pytest.raises(ValueError, match=r"holds a finished run \(4 of 4 epochs\)"):
        run(4, path)
    with pytest.raises(ValueError, match=r"\(4 of 3 epochs\)"):
        run(3, path)
    # the same run without its validation loader would mix two kinds of history
    net = _toy_net()
    with pytest.raises(ValueError, match="recorded train_loss, train_acc, valid_acc per epoch"):
        dlcourse.train(net, _toy_problem()[0], 5, plot=False, checkpoint=path)
    _, longer = run(5, path)  # more epochs: it trains on from the checkpoint
    assert longer["train_loss"][:4] == expected["train_loss"] and len(longer["train_loss"]) == 5


def test_mixed_precision_choice(monkeypatch):
    assert dlcourse.amp_dtype(torch.device("cpu")) is None
    for capability, dtype in (((7, 5), torch.float16), ((8, 0), torch.bfloat16),
                              ((9, 0), torch.bfloat16), ((6, 1), None)):
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d, c=capability: c)
        assert dlcourse.amp_dtype(torch.device("cuda")) == dtype, capability


def test_speed_options_train_on_the_cpu():
    """bfloat16 autocast, channels-last and init_cnn run on the CPU too (what a laptop or
    the CPU-only grader meets); the net still learns."""
    torch.manual_seed(0)
    net = _toy_net()
    net.apply(dlcourse.init_cnn)
    assert not net[0].bias.any()
    train_iter, test_iter = _toy_problem()
    history = dlcourse.train(net, train_iter, 6, lr=0.05, valid_iter=test_iter, plot=False,
                             amp=torch.bfloat16, channels_last=True)
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_float16_with_loss_scaling_resumes_exactly(tmp_path):
    """The T4's path: float16 autocast with a gradient scaler, whose state the checkpoint
    keeps (CPU autocast runs the same scaler logic as CUDA's)."""
    def run(epochs, checkpoint=None):
        torch.manual_seed(0)
        net = _toy_net()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        train_iter, test_iter = _toy_problem()
        history = dlcourse.train(net, train_iter, epochs, valid_iter=test_iter, optimizer=optimizer,
                                 plot=False, checkpoint=checkpoint, amp=torch.float16)
        return net, history

    uncut, expected = run(4)
    path = tmp_path / "fp16.pt"
    run(2, path)
    scaler = torch.load(path, weights_only=False)["scaler"]
    assert scaler["scale"] > 1 and scaler["_growth_tracker"] == 6  # 2 epochs of 3 batches
    resumed, history = run(4, path)
    assert torch.load(path, weights_only=False)["scaler"]["_growth_tracker"] == 12  # continued
    assert history == expected and expected["train_loss"][-1] < expected["train_loss"][0]
    for a, b in zip(uncut.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_compiled_training_matches_eager_and_its_checkpoint_loads_without_compiling(tmp_path):
    """compile=True (torch.compile, inductor on the CPU) learns what eager mode learns, and
    its checkpoint holds the plain model's weights, so a run resumed without compiling works.
    No dropout here: compiled code draws its random numbers differently."""
    def run(epochs, compile, checkpoint=None):
        torch.manual_seed(0)
        net = _toy_net()
        net[3] = nn.Identity()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        train_iter, test_iter = _toy_problem()
        history = dlcourse.train(net, train_iter, epochs, valid_iter=test_iter, optimizer=optimizer,
                                 plot=False, compile=compile, checkpoint=checkpoint)
        return net, history

    eager, expected = run(3, compile=False)
    path = tmp_path / "compiled.pt"
    compiled, history = run(2, compile=True, checkpoint=path)
    assert set(torch.load(path, weights_only=False)["model"]) == set(eager.state_dict())
    resumed, history = run(3, compile=False, checkpoint=path)
    for key in expected:
        assert history[key] == pytest.approx(expected[key], abs=1e-4), key
    for a, b in zip(eager.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("index, layer, says", [
    (4, nn.Linear(4 * 6 * 6, 3), "4.weight is (2, 144) there, (3, 144) here; 4.bias is (2,) "
                                 "there, (3,) here"),
    (3, nn.Linear(4 * 6 * 6, 4 * 6 * 6), "it has no 3.weight; it has no 3.bias"),
    (0, nn.Identity(), "it has 0.weight, which this network lacks; it has 0.bias, which"),
], ids=["other shape", "layer added", "layer removed"])
def test_a_checkpoint_of_another_network_is_refused_before_loading(tmp_path, index, layer, says):
    """A student changes the network and runs the training cell again: the old checkpoint
    is named, with what differs and what to do, and the new network keeps its weights."""
    path = tmp_path / "run.pt"
    train_iter, test_iter = _toy_problem()
    dlcourse.train(_toy_net(), train_iter, 1, valid_iter=test_iter, plot=False,
                   checkpoint=path)
    net = _toy_net()
    net[index] = layer
    before = {k: v.clone() for k, v in net.state_dict().items()}
    with pytest.raises(ValueError, match="was written by another network") as error:
        dlcourse.train(net, train_iter, 2, valid_iter=test_iter, plot=False,
                       checkpoint=path)
    assert says in str(error.value) and str(path) in str(error.value)
    assert "Delete it" in str(error.value)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_seeded_draws_as_manual_seed_and_leaves_the_state_as_found():
    """The checks' seeding (the CPU generator only: torch.manual_seed formats the call stack
    for CUDA on every call) draws what torch.manual_seed would, and restores the state."""
    torch.manual_seed(1)
    torch.rand(3)
    before = torch.get_rng_state()
    with check.seeded(7):
        drawn = torch.randn(5)
    assert torch.equal(torch.get_rng_state(), before)
    torch.manual_seed(7)
    assert torch.equal(drawn, torch.randn(5))
