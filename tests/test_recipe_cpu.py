"""benchmarks/recipe_cpu.py: a chapter's recipe trained on a CPU, read from the chapter itself
(its network, optimiser and standardisation), so the evidence it gives follows the notebook."""

import importlib.util
import os
import sys

import pytest
import torch

from .harness import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
spec = importlib.util.spec_from_file_location("recipe_cpu", ROOT / "benchmarks" / "recipe_cpu.py")
recipe_cpu = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe_cpu)


@pytest.fixture(autouse=True)
def _back_home():
    here = os.getcwd()
    yield
    os.chdir(here)


@pytest.mark.parametrize("chapter, optimizer, normalize", [
    ("ch07", "torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)", "FASHION_MEAN_STD"),
    ("ch07-small", "torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)",
     "FASHION_MEAN_STD"),
    ("ch08", "torch.optim.Adam(net.parameters(), lr=1e-3)", "(0.2860, 0.3530)"),
])
def test_the_recipe_is_read_from_the_training_cell(chapter, optimizer, normalize):
    # These are the recipes docs/instructors.md's, ch07's and ch08's CPU figures were measured
    # with: a chapter that changes its recipe fails here, a reminder that those figures need
    # measuring again.
    path, build, _ = recipe_cpu.CHAPTERS[chapter]
    cells = recipe_cpu.run_chapter.code_cells(ROOT / path)
    source = dict(cells)[recipe_cpu.training_cell(cells, build)]
    assert recipe_cpu.optimizer_expression(source) == optimizer
    assert recipe_cpu.normalize_expression(source) == normalize


def test_the_training_cell_is_found_by_what_it_builds_and_trains():
    cells = [("a", "net = alexnet()"), ("b", "net = small_alexnet()\ndlcourse.train(net)"),
             ("c", "net = alexnet()\nh = dlcourse.train(net)")]
    assert recipe_cpu.training_cell(cells, "alexnet") == "c"  # not small_alexnet's
    assert recipe_cpu.training_cell(cells, "small_alexnet") == "b"
    with pytest.raises(ValueError, match=r"one cell that trains googlenet\(\), found 0"):
        recipe_cpu.training_cell(cells, "googlenet")


def test_a_cell_without_exactly_one_optimizer_is_refused():
    with pytest.raises(ValueError, match="found 0"):
        recipe_cpu.optimizer_expression("net = googlenet()")
    with pytest.raises(ValueError, match="found 2"):
        recipe_cpu.optimizer_expression("optimizer = a()\nif x:\n    optimizer = b()")


def test_a_short_run_trains_the_chapters_network(monkeypatch, capsys):
    monkeypatch.setenv("DLCOURSE_QUICK", "1")  # the cells before the training cell, quickly
    history = recipe_cpu.main(["ch08", "--resize", "32", "--epochs", "2", "--n-train", "64",
                               "--n-test", "64", "--optimizer",
                               "torch.optim.SGD(net.parameters(), lr=0.0)"])
    out = capsys.readouterr().out
    assert "googlenet, 64 images at 32x32, 2 epochs, seed 0" in out and "epoch 2: train_loss" in out
    assert len(history["train_loss"]) == 2 and "valid_acc" not in history
    assert f"test acc after epoch 2: {history['test_acc']:.4f}" in out
    # lr 0 (the --optimizer given, not the chapter's Adam): the weights never move, and both
    # epochs see the same 64 images in one batch, so their mean loss is the same
    assert history["train_loss"][1] == pytest.approx(history["train_loss"][0], rel=1e-6)
    assert history["train_acc"][0] == history["train_acc"][1]


def test_bf16_trains_as_on_a_recent_gpu_and_a_checkpoint_resumes(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DLCOURSE_QUICK", "1")
    calls = []
    real_train = recipe_cpu.dlcourse.train

    def train(*args, **kwargs):
        calls.append(kwargs)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(recipe_cpu.dlcourse, "train", train)
    checkpoint = tmp_path / "googlenet.pt"
    common = ["ch08", "--resize", "32", "--n-train", "64", "--n-test", "64", "--bf16",
              "--checkpoint", str(checkpoint)]
    first = recipe_cpu.main(common + ["--epochs", "1"])
    assert calls[0]["amp"] is torch.bfloat16 and calls[0]["channels_last"] is True
    assert "bfloat16" in capsys.readouterr().out and checkpoint.exists()
    both = recipe_cpu.main(common + ["--epochs", "2"])
    assert "resuming from" in capsys.readouterr().out
    assert len(both["train_loss"]) == 2 and both["train_loss"][0] == first["train_loss"][0]


def test_a_size_the_network_cannot_take_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("DLCOURSE_QUICK", "1")
    with pytest.raises(SystemExit, match="alexnet does not take 96x96 images"):
        recipe_cpu.main(["ch07", "--resize", "96", "--epochs", "1", "--n-train", "64",
                         "--n-test", "64"])
