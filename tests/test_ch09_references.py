"""ch09's reference solutions against the contract in COURSE.md, on the built-ins it names.

Grading compares a student's answers with the reference's, so the reference must be what the
contract says: Adam equal to torch.optim.Adam over many steps, transfer_model working on
torchvision's networks, load_checkpoint resuming exactly, channel_stats and
confusion_matrix equal to what NumPy-free float64 counting gives.
"""

import math

import pytest
import torch
import torchvision
from torch import nn

from .harness import Chapter

CH09 = "ch09_transfer_learning"


@pytest.fixture(scope="module")
def ns():
    return Chapter(CH09).namespace()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("lr, betas, eps", [(1e-3, (0.9, 0.999), 1e-8),
                                            (0.05, (0.5, 0.9), 1e-3),
                                            (0.2, (0.0, 0.0), 0.5),
                                            (0.01, (0.95, 0.99999), 1e-6)])
def test_adam_is_torchs_adam_over_many_steps(ns, lr, betas, eps, dtype):
    """200 steps on parameters of several shapes, one of them without a gradient at every
    third step: the same parameters as torch.optim.Adam."""
    g = torch.Generator().manual_seed(0)
    shapes = [(4, 3), (), (2, 1, 3), (5,)]
    start = [torch.randn(s, generator=g, dtype=dtype) for s in shapes]
    targets = [torch.randn(s, generator=g, dtype=dtype) for s in shapes]

    def train(make):
        params = [p.clone().requires_grad_() for p in start]
        optimizer = make(params)
        for t in range(200):
            optimizer.zero_grad()
            used = params[:-1] if t % 3 == 0 else params
            sum(((p - y) ** 4).sum() for p, y in zip(used, targets)).backward()
            optimizer.step()
        return params

    ours = train(lambda p: ns["Adam"](iter(p), lr=lr, betas=betas, eps=eps))
    torchs = train(lambda p: torch.optim.Adam(p, lr=lr, betas=betas, eps=eps))
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == torch.float64 else {"rtol": 1e-4,
                                                                         "atol": 1e-6}
    for a, b in zip(ours, torchs):
        torch.testing.assert_close(a, b, **tol)


@pytest.mark.parametrize("name, head, features", [("resnet18", "fc", 512),
                                                  ("densenet121", "classifier", 1024)])
def test_transfer_model_on_torchvisions_networks(ns, name, head, features):
    """As the cheat sheet does it: frozen backbone, new head; one Adam step changes the head
    only."""
    torch.manual_seed(0)
    net = ns["transfer_model"](getattr(torchvision.models, name)(weights=None), head, 3)
    trainable = {n for n, p in net.named_parameters() if p.requires_grad}
    assert trainable == {f"{head}.{k}" for k in ("0.weight", "0.bias", "3.weight", "3.bias")}
    assert getattr(net, head)[0].in_features == features
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)
    net.eval()  # batch norm's statistics: not what is tested here
    nn.functional.cross_entropy(net(torch.randn(2, 3, 64, 64)), torch.tensor([0, 2])).backward()
    optimizer.step()
    changed = {n for n, p in net.named_parameters() if not torch.equal(p, before[n])}
    assert changed == trainable


def test_checkpoints_resume_exactly_and_refuse_another_network(ns, tmp_path):
    def fresh():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                            nn.Linear(8, 3))
        return net, torch.optim.Adam(net.parameters(), lr=0.01)

    def epochs(net, optimizer, first, last):
        for epoch in range(first, last):
            torch.manual_seed(epoch)
            x = torch.randn(16, 4)
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), (x.sum(1) > 0).long()).backward()
            optimizer.step()

    uncut = fresh()
    epochs(*uncut, 0, 6)
    cut = fresh()
    epochs(*cut, 0, 3)
    ns["save_checkpoint"](tmp_path / "run.pt", *cut, 3)
    resumed = fresh()
    first = ns["load_checkpoint"](tmp_path / "run.pt", *resumed)
    epochs(*resumed, first, 6)
    assert first == 3
    for a, b in zip(uncut[0].state_dict().values(), resumed[0].state_dict().values()):
        assert torch.equal(a, b)
    other = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 5))
    with pytest.raises(ValueError) as error:
        ns["load_checkpoint"](tmp_path / "run.pt", other)
    for key in ("3.weight", "3.bias", "4.weight", "4.bias"):
        assert key in str(error.value)


def test_channel_stats_and_confusion_matrix_count_as_by_hand(ns):
    g = torch.Generator().manual_seed(1)
    images = 50 + torch.rand(7, 3, 5, 6, generator=g)
    data = torch.utils.data.TensorDataset(images, torch.zeros(7))
    mean, std = ns["channel_stats"](data)
    pixels = images.double().transpose(0, 1).reshape(3, -1)
    for c in range(3):
        values = pixels[c].tolist()
        m = math.fsum(values) / len(values)
        s = math.sqrt(math.fsum((v - m) ** 2 for v in values) / len(values))
        assert math.isclose(mean[c], m, rel_tol=1e-6) and math.isclose(std[c], s, rel_tol=1e-5)
    preds = torch.randint(0, 4, (300,), generator=g)
    labels = torch.randint(0, 4, (300,), generator=g)
    matrix = ns["confusion_matrix"](preds, labels, 6)
    for i in range(6):
        for j in range(6):
            assert matrix[i, j] == sum(1 for p, y in zip(preds, labels) if y == i and p == j)
