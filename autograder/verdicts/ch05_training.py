# Probes of ch05 (see autograder/verdicts/__init__.py). No dataset here: the training loops run
# on a few synthetic 4x4 "images" through a loader written below. As in the hidden tests, the
# exercises that call earlier ones are run on correct versions of those, so that one mistake
# is not counted twice.
from torch import nn
from torch.nn import functional as F

LOG_SOFTMAX = [F.log_softmax, torch.log_softmax, torch.Tensor.log_softmax,
               torch.special.log_softmax, getattr(torch, "_log_softmax", None)]
CROSS_ENTROPY = [*LOG_SOFTMAX, F.cross_entropy, F.nll_loss]
MOVES = [torch.Tensor.to, torch.Tensor.cuda, torch.Tensor.cpu, torch.as_tensor]


def _log_softmax(o):
    return o - torch.logsumexp(o, dim=1, keepdim=True)


def _accuracy(logits, y):
    return (logits.argmax(dim=1) == y).double().mean().item()


def _cross_entropy(o, y):
    return -_log_softmax(o)[torch.arange(len(y)), y].mean()


class _Loader:
    """Fixed batches (the last one smaller), with BatchLoader's attributes that students use."""

    def __init__(self, X, y, batch_size):
        self.X, self.y, self.batch_size = X, y, batch_size

    def __len__(self):
        return -(-len(self.y) // self.batch_size)

    @property
    def num_examples(self):
        return len(self.y)

    def __iter__(self):
        for start in range(0, len(self.y), self.batch_size):
            yield self.X[start:start + self.batch_size], self.y[start:start + self.batch_size]


def _data(seed, n, classes):
    g = gen(seed)
    return torch.rand(n, 1, 4, 4, generator=g), torch.randint(0, classes, (n,), generator=g)


def _bn_net():
    # batch normalisation behaves differently in training and eval mode, and has buffers
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ReLU(),
                        nn.Linear(8, 3))
    fill_by_shape(net)
    with torch.no_grad():
        net[2].running_mean.copy_(torch.linspace(-1, 1, 8))
        net[2].running_var.copy_(torch.linspace(0.5, 3, 8))
    return net


def probe_fashion_mnist_labels(ns):
    f = ns["fashion_mnist_labels"]
    idx = torch.randint(0, 10, (40,), generator=gen(501))
    out = []
    for indices in (list(range(10)), idx.tolist(), idx, idx.int(), list(idx), [7], []):
        labels = f(indices)
        out.append([type(labels).__name__, [type(s).__name__ for s in labels],
                    [str(s) for s in labels]])
    return out


def probe_log_softmax(ns):
    g = gen(502)
    inputs = [torch.randn(shape, generator=g, dtype=dtype) * scale + 2
              for shape in ((1, 1), (1, 7), (5, 1), (6, 3), (3, 6), (64, 10))
              for dtype in (torch.float32, torch.float64) for scale in (1.0, 30.0)]
    inputs += [(torch.rand(8, 10, generator=g, dtype=dtype) * 2 - 1) * 1e4
               for dtype in (torch.float32, torch.float64)]
    # rows on very different scales: a global max instead of each row's underflows
    inputs.append(torch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1, -1e4 + 2]]))
    inputs.append(torch.full((2, 4), -1e4, dtype=torch.float64))  # float32 rounds log(4) off
    with Calls(LOG_SOFTMAX) as calls:
        outs = []
        for o in inputs:
            before = o.clone()
            outs.append([ns["log_softmax"](o), o, before])
        o = torch.randn(5, 4, generator=g, requires_grad=True)
        w = torch.randn(5, 4, generator=g)
        (grad,) = torch.autograd.grad((ns["log_softmax"](o) * w).sum(), o)
    # the input after the call is compared with the untouched copy (in-place edits)
    return {"outputs": [[out, o - before] for out, o, before in outs], "gradient": grad,
            "built-ins called": calls.names()}


def probe_cross_entropy(ns):
    g = gen(503)
    cases = []
    for n, c in ((1, 1), (1, 5), (7, 3), (3, 7), (10, 10), (5, 200)):
        for dtype in (torch.float32, torch.float64):
            for scale in (1.0, 10.0, 1e4):
                cases.append((torch.randn(n, c, generator=g, dtype=dtype) * scale,
                              torch.randint(0, c, (n,), generator=g)))
    with replaced(ns, log_softmax=_log_softmax), Calls(CROSS_ENTROPY) as calls:
        losses = [ns["cross_entropy"](o, y) for o, y in cases]
        o = torch.randn(6, 4, generator=g, requires_grad=True)
        (grad,) = torch.autograd.grad(ns["cross_entropy"](o, torch.tensor([0, 3, 1, 1, 2, 0])), o)
    return {"losses": losses, "gradient": grad, "built-ins called": calls.names()}


def probe_accuracy(ns):
    g = gen(504)
    out = []
    for n, c in ((1, 1), (1, 4), (5, 5), (7, 3), (3, 7), (100, 10), (33, 2)):
        for dtype in (torch.float32, torch.float64):
            logits = torch.randn(n, c, generator=g, dtype=dtype)
            y = torch.where(torch.rand(n, generator=g) < 0.5, logits.argmax(1),
                            torch.randint(0, c, (n,), generator=g))
            acc = ns["accuracy"](logits, y)
            out.append([type(acc).__name__, acc])
    logits = torch.randn(20, 4, generator=g, requires_grad=True)
    for y in (logits.argmax(1), (logits.argmax(1) + 1) % 4):
        acc = ns["accuracy"](logits, y)
        out.append([type(acc).__name__, acc])
    return out


def _epoch(ns, net, loader, loss_fn, optimizer):
    with Calls(MOVES) as moves:
        result = ns["train_epoch"](net, loader, loss_fn, optimizer, "cpu")
    pair = isinstance(result, tuple) and len(result) == 2
    return {"a pair": pair,
            "Python floats": pair and type(result[0]) is float and isinstance(result[1], float),
            "loss and accuracy": [float(torch.as_tensor(v).detach()) for v in result] if pair
            else None,
            "parameters": list(net.parameters()), "buffers": list(net.buffers()),
            "batches moved to the device": len(moves.seen) >= 2 * len(loader)}


def _pm1_mse(o, y):
    # section 9's loss: a train_epoch that ignores loss_fn trains on something else
    return F.mse_loss(o, 2 * F.one_hot(y, o.shape[1]).to(o.dtype) - 1)


def probe_train_epoch(ns):
    results = []
    with replaced(ns, accuracy=_accuracy, cross_entropy=_cross_entropy):
        for seed, loss_fn, make_opt in (
                (506, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9)),
                (507, _pm1_mse, lambda p: torch.optim.SGD(p, lr=0.3))):
            net = _bn_net()
            net.eval()  # train_epoch must switch it to training mode itself
            loader = _Loader(*_data(seed, 19, 3), 8)  # batches of 8, 8, 3
            results.append(_epoch(ns, net, loader, loss_fn, make_opt(net.parameters())))
        net = fill_by_shape(nn.Sequential(nn.Flatten(), nn.Linear(16, 4)))
        for bs in (4, 5):
            loader = _Loader(*_data(509, 12, 4), bs)
            results.append(_epoch(ns, net, loader, nn.CrossEntropyLoss(),
                                  torch.optim.SGD(net.parameters(), lr=0.5)))
    return results


def probe_evaluate(ns):
    results = []
    grad_was = torch.is_grad_enabled()
    try:
        with replaced(ns, accuracy=_accuracy):
            for seed, n, bs in ((512, 53, 16), (513, 40, 7), (515, 30, 64)):
                net = _bn_net()
                X, _ = _data(seed, n, 3)
                with torch.no_grad():
                    preds = net.eval()(X).argmax(1)
                # right on the first two thirds only: the batches' accuracies differ
                y = torch.where(torch.arange(n) < 2 * n // 3, preds, (preds + 1) % 3)
                grad_enabled = []
                net.register_forward_hook(
                    lambda module, args, out, seen=grad_enabled:
                    seen.append(torch.is_grad_enabled()))
                net.train()  # evaluate must switch it to eval mode itself
                loader = _Loader(X, y, bs)
                torch.set_grad_enabled(True)
                with Calls(MOVES) as moves:
                    acc = ns["evaluate"](net, loader, "cpu")
                still_on = torch.is_grad_enabled()
                torch.set_grad_enabled(True)
                results.append({
                    "Python float": isinstance(acc, float), "accuracy": float(acc),
                    "buffers": list(net.buffers()),
                    "no graph built": bool(grad_enabled) and not any(grad_enabled),
                    "gradients on afterwards": still_on,
                    "no .grad": all(p.grad is None for p in net.parameters()),
                    "batches moved to the device": len(moves.seen) >= 2 * len(loader)})
    finally:
        torch.set_grad_enabled(grad_was)
    return results


def probe_split_indices(ns):
    split = ns["split_indices"]
    results = []
    with torch.random.fork_rng(devices=[]):  # leaves the kernel's global random state alone
        for n, f in ((10, 0.35), (7, 0.5), (9, 0.25), (1000, 0.1), (5, 0.0), (5, 1.0),
                     (1, 0.5), (1, 1.0), (13, 0.99)):
            for seed in (0, 1, 12345):
                torch.manual_seed(seed + 7)
                train, valid = split(n, f, seed)
                torch.manual_seed(seed + 99)
                train2, valid2 = split(n, f, seed)
                results.append({
                    "integer tensors": all(isinstance(t, torch.Tensor) and not
                                           t.is_floating_point() for t in (train, valid)),
                    "sizes": [list(train.shape), list(valid.shape)],
                    "all indices once": sorted(train.tolist() + valid.tolist()) == list(range(n)),
                    "same seed, same split": (train.tolist(), valid.tolist()) ==
                                             (train2.tolist(), valid2.tolist())})
        splits = [[t.tolist() for t in split(1000, 0.2, seed)] for seed in range(5)]
    results.append({
        "valid is spread out": [max(v) - min(v) > 300 for _, v in splits],
        "train is shuffled": [t != sorted(t) for t, _ in splits],
        "seeds give different splits": len({tuple(v) for _, v in splits}) == len(splits)})
    return results


def probe_class_accuracy(ns):
    f = ns["class_accuracy"]
    g = gen(517)
    cases = []
    for n, c in ((100, 10), (7, 3), (1000, 2), (50, 20), (1, 1), (1, 5)):
        labels = torch.randint(0, c, (n,), generator=g)
        preds = torch.where(torch.rand(n, generator=g) < 0.6, labels,
                            torch.randint(0, c, (n,), generator=g))
        cases.append((preds, labels, c))
    cases.append((torch.tensor([0, 4, 2, 5, 2]), torch.tensor([0, 0, 2, 2, 2]), 6))
    cases.append((torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), 3))
    out = []
    for preds, labels, c in cases:
        before = preds.clone(), labels.clone()
        acc = f(preds, labels, c)
        out.append([acc.is_floating_point(), acc, preds - before[0], labels - before[1]])
    return out
