# ch05's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.
# No dataset here: the training loops run on a few fixed 4 x 4 "images".
from torch import nn
from torch.nn import functional as F

# What "without F.log_softmax / F.cross_entropy" rules out: every route to the built-ins.
BUILT_IN_LOG_SOFTMAX = [
    "torch.nn.functional.log_softmax", "torch.log_softmax", "torch.Tensor.log_softmax",
    "torch.special.log_softmax", "torch._log_softmax", "torch.nn.LogSoftmax.forward",
    "torch.ops.aten.log_softmax", "torch.ops.aten._log_softmax",
]
BUILT_IN_CROSS_ENTROPY = [
    *BUILT_IN_LOG_SOFTMAX, "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss",
    "torch._C._nn.cross_entropy_loss", "torch._C._nn.nll_loss", "torch._C._nn.nll_loss_nd",
    "torch.nn.CrossEntropyLoss.forward", "torch.nn.NLLLoss.forward",
    "d2l.torch.Classifier.loss",
]
# The helpers shipped with the course (dlcourse) and with d2l that would do an exercise's work:
# calling one is delegating the exercise, like calling a built-in.
LABEL_HELPERS = ["d2l.torch.get_fashion_mnist_labels", "d2l.torch.FashionMNIST.text_labels"]
ACCURACY_HELPERS = ["d2l.torch.accuracy", "d2l.torch.Classifier.accuracy"]
# (d2l's loops count correct predictions with d2l.accuracy, looked up in d2l's module when
# called: refusing it refuses them too, under whatever name they were imported.)
TRAINING_HELPERS = [
    "dlcourse.train", "d2l.torch.train_ch6", "d2l.torch.train_ch13", "d2l.torch.train_batch_ch13",
    "d2l.torch.Trainer.fit", "d2l.torch.Trainer.fit_epoch", *ACCURACY_HELPERS,
]
EVALUATION_HELPERS = [
    "dlcourse.evaluate_accuracy", "d2l.torch.evaluate_accuracy_gpu", "d2l.torch.evaluate_accuracy",
    *ACCURACY_HELPERS,
]

# Correct versions of the exercises that later ones call: while an exercise is graded they
# stand in for the student's, so that one mistake costs one exercise.


def _log_softmax(o):
    return o - torch.logsumexp(o, dim=1, keepdim=True)


def _accuracy(logits, y):
    return (logits.argmax(dim=1) == y).double().mean().item()


_DTYPES = (torch.float32, torch.float64)


# --- fashion_mnist_labels ----------------------------------------------------------------
def _label_inputs():
    idx = torch.randint(0, 10, (60,), generator=gen(501))
    return [list(range(10)), idx.tolist(), idx, idx.int(), list(idx), [7], [], range(3, 10),
            torch.tensor([9, 0, 9])]


def _as_str(labels):
    return [str(s) for s in labels]


def _same_as_list(ns):
    """For each form of the indices, whether the names are those of the list of ints."""
    f, out = ns["fashion_mnist_labels"], []
    for indices in _label_inputs():
        ints = [int(i) for i in indices]
        out.append([_as_str(f(indices)) == _as_str(f(ints)), len(f(indices))])
    return out


declare(
    "fashion_mnist_labels",
    Requirement("names", 0.5, "class i gets d2l's i-th name: 't-shirt', 'trouser', 'pullover', "
                "'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'",
                visible=[("[str(s) for s in fashion_mnist_labels(list(range(10)))]",
                          "d2l's short names, lower case, in this order (not torchvision's "
                          "'T-shirt/top'), index i -> name i (no i - 1)")],
                hidden=lambda ns: [_as_str(ns["fashion_mnist_labels"](list(range(10)))),
                                   _as_str(ns["fashion_mnist_labels"](
                                       _label_inputs()[1]))]),
    Requirement("inputs", 0.25, "indices may be a list of ints, an int64 or int32 tensor, a list "
                "of 0-d tensors, a range, or empty: the same names in every case",
                visible=[("{form: [str(s) for s in fashion_mnist_labels(indices)] == [str(s) for s "
                          "in fashion_mnist_labels([2, 5, 8])] for form, indices in forms.items()}",
                          "the same names as for the list [2, 5, 8]: iterate over indices and "
                          "convert each element with int(i)"),
                         ("len(fashion_mnist_labels([]))", "no index: an empty list")],
                hidden=_same_as_list),
    Requirement("list of str", 0.25, "returns a Python list of Python str (not a NumPy array, a "
                "tuple or NumPy strings)",
                visible=[("[type(fashion_mnist_labels([0, 5])).__name__] + [type(s).__name__ for "
                          "s in fashion_mnist_labels([0, 5])]",
                          "one Python str per index, in a Python list (not a NumPy array, "
                          "a tuple or NumPy strings)")],
                hidden=lambda ns: [[type(out).__name__, sorted({type(s).__name__ for s in out})]
                                   for out in map(ns["fashion_mnist_labels"],
                                                  [list(range(10)), [7], [], [9, 9, 0]])]),
    forbidden=LABEL_HELPERS,
    setup="# the indices 2, 5, 8 in other forms than a list of ints\n"
          "forms = {'int64 tensor': torch.tensor([2, 5, 8]),\n"
          "         'int32 tensor': torch.tensor([2, 5, 8], dtype=torch.int32),\n"
          "         'list of 0-d tensors': list(torch.tensor([2, 5, 8])), 'range': range(2, 9, 3)}",
)


# --- log_softmax -------------------------------------------------------------------------
def _log_softmax_inputs():
    # moderate logits: every way of computing log-softmax gives its values here (large ones
    # are the stable requirement's)
    g = gen(502)
    return [torch.randn(shape, generator=g, dtype=dtype) * scale + 2
            for shape in ((1, 1), (1, 7), (5, 1), (6, 3), (3, 6), (4, 4), (64, 10), (4, 1000))
            for dtype in _DTYPES for scale in (1.0, 5.0)]


def _large_logits():
    """Rows of logits of +-1e4 in which one logit exceeds the others by 200 or more: there
    log-softmax is o minus the row's max, whatever the formula's other terms, so these judge
    the overflow and underflow and nothing else."""
    g, inputs = gen(503), []
    for n, c in ((8, 10), (3, 2), (16, 100)):
        for dtype in _DTYPES:
            ranks = torch.argsort(torch.rand(n, c, generator=g), dim=1)
            offsets = (torch.rand(n, 1, generator=g) * 2 - 1) * 5e3
            inputs.append(((ranks - (c - 1) / 2) * (1e4 / c) + offsets).to(dtype))
    # rows on very different scales: a global max instead of each row's underflows
    inputs.append(torch.tensor([[1e4, 0.0, -1e4], [-1e4, -2e4, -3e4], [0.0, 300.0, -300.0]]))
    return inputs


def _shift_inputs():
    """Moderate float64 logits, equal ones among them: log_softmax(o + c) must equal
    log_softmax(o) for c = +-1e4 (float64 keeps o + c exact enough to tell)."""
    g = gen(506)
    return [torch.randn(shape, generator=g, dtype=torch.float64) * 3
            for shape in ((1, 5), (6, 3), (4, 4), (16, 10))] + \
        [torch.zeros(2, 4, dtype=torch.float64), torch.tensor([[5.0, 6.0, 7.0]]).double()]


def _shifted(fn, inputs):
    return [fn(o + c) - fn(o) for o in inputs for c in (1e4, -1e4)]


def _slope(fn, o):
    """True if autograd's gradient of ``fn`` at ``o`` agrees with ``fn``'s own finite
    differences (else GradcheckError): differentiable, whatever ``fn`` computes (its values
    are a requirement of their own). ``o`` is passed as 1 * o, logits computed by a network,
    so that modifying it in place (a requirement of its own too) does not stop the gradient;
    eps and atol leave room for a float32 result."""
    o = o.detach().double().requires_grad_()
    return torch.autograd.gradcheck(lambda t: fn(1 * t), o, eps=1e-3, atol=1e-3)


def _kept(fn, *inputs):
    """[fn's result, whether each input is as it was]."""
    before = [x.clone() for x in inputs]
    out = fn(*inputs)
    return [out, [torch.equal(x, b) for x, b in zip(inputs, before)]]


declare(
    "log_softmax",
    Requirement("values", 0.75, "row i of the result is the log of the softmax of row i of o "
                "(log-probabilities over dim 1: the exps of each row sum to 1), same shape as o "
                "(N = 1, C = 1 and N = C too)",
                visible=[("log_softmax(torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]))",
                          "normalise each row: reduce over dim=1 with keepdim=True (not dim 0)"),
                         ("log_softmax(torch.tensor([[1.0, 0.0, 2.0], [3.0, 1.0, -1.0], "
                          "[0.0, 0.0, 4.0]]))",
                          "keepdim=True keeps each row's max and sum as a column; without it "
                          "a square o broadcasts them along the wrong axis"),
                         ("log_softmax(torch.zeros(2, 4))",
                          "equal logits: every class has probability 1/4, log-probability "
                          "-log 4 (subtracting the max is not enough: subtract the log of the "
                          "sum of the exps too)"),
                         ("log_softmax(torch.tensor([[2.0], [-3.0]]))",
                          "one class: its log-probability is 0")],
                hidden=lambda ns: [ns["log_softmax"](o) for o in _log_softmax_inputs()]),
    Requirement("stable", 0.5, "stable for logits of +-1e4: no inf or nan, (1e4, 0, -1e4) gives "
                "(0, -1e4, -2e4), and adding the same number to every logit changes nothing",
                visible=[("log_softmax(torch.tensor([[1e4, 0.0, -1e4], [-1e4, -2e4, -3e4]]))",
                          "exp(1e4) overflows and exp(-1e4) underflows: subtract each row's "
                          "own max (not the max of the whole tensor), and never take the log "
                          "of a probability"),
                         ("(lambda o: [log_softmax(o + c) - log_softmax(o) for c in (1e4, -1e4)])"
                          "(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], "
                          "dtype=torch.float64))",
                          "log-softmax does not change when the same number is added to every "
                          "logit of a row: subtract the row's max before exp, and keep o's "
                          "dtype (in float32, 1e4 + o loses o's last digits)")],
                hidden=lambda ns: [[ns["log_softmax"](o) for o in _large_logits()],
                                   _shifted(ns["log_softmax"], _shift_inputs())]),
    Requirement("gradients", 0.25, "differentiable: gradients flow back to o, the slope of the "
                "result",
                visible=[("torch.autograd.gradcheck(lambda o: log_softmax(1 * o), "
                          "torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], "
                          "dtype=torch.float64).requires_grad_(), eps=1e-3, atol=1e-3)",
                          "autograd's gradient must match your function's slope: compute with "
                          "o itself, no .detach(), .item(), .numpy(), torch.no_grad() or "
                          "torch.tensor(...)")],
                hidden=lambda ns: [_slope(ns["log_softmax"], o)
                                   for o in _log_softmax_inputs()[:12]]),
    Requirement("input kept", 0.25, "o is not modified",
                visible=[("(lambda o: [log_softmax(o), o][1])(torch.tensor([[1.0, 2.0], "
                          "[3.0, -1.0]]))",
                          "this is o after the call: write o - m, not o -= m")],
                hidden=lambda ns: [_kept(ns["log_softmax"], o)[1]
                                   for o in _log_softmax_inputs() + _large_logits()]),
    Requirement("dtype and device", 0.25, "the result has o's dtype (float64 in, float64 out) "
                "and is on o's device (a GPU on Colab)",
                visible=[("log_softmax(torch.ones(2, 3, dtype=torch.float64)).dtype",
                          "no .float(): keep o's dtype"),
                         ('device_check(log_softmax, torch.ones(3, 4, device="meta"))',
                          "the meta device stands in for a GPU: make no tensor on the CPU")],
                hidden=lambda ns: [str(ns["log_softmax"](o).dtype)
                                   for o in _log_softmax_inputs()]),
    forbidden=BUILT_IN_LOG_SOFTMAX,
)


# --- cross_entropy -----------------------------------------------------------------------
def _ce_cases(scales):
    g, cases = gen(504), []
    for n, c in ((1, 1), (1, 5), (7, 3), (3, 7), (4, 4), (10, 10), (64, 10), (5, 200)):
        for dtype in _DTYPES:
            for scale in scales:
                cases.append((torch.randn(n, c, generator=g, dtype=dtype) * scale,
                              torch.randint(0, c, (n,), generator=g)))
    return cases


def _ce_stable(ce):
    """Stability, whatever the loss's formula (its values are a requirement of their own): on
    rows where one logit exceeds the others by 200 or more, labelled off the max (a loss
    above 0), the loss is finite and proportional to the logits (a ratio of 2, nan for
    inf / inf)."""
    g, ratios = gen(507), []
    for o in _large_logits():
        n, c = o.shape
        y = (o.argmax(1) + 1 + torch.randint(0, c - 1, (n,), generator=g)) % c
        ratios.append(ce(2 * o, y) / ce(o, y))
    return ratios


declare(
    "cross_entropy",
    Requirement("values", 1, "a 0-d tensor: the mean over the batch of minus the "
                "log-probability (by log_softmax) of each example's label, equal to "
                "F.cross_entropy(o, y)",
                visible=[("cross_entropy(torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], "
                          "[0.0, 0.0, 0.0]]), torch.tensor([0, 2, 1]))",
                          "one log-probability per row, that of the row's own label (not the "
                          "column y for every row), averaged over the batch (not summed), with "
                          "a minus sign; a tensor, not .item()"),
                         ("cross_entropy(torch.tensor([[1.0, 3.0, 0.0, -1.0], [2.0, 2.0, 0.5, "
                          "0.0]]), torch.tensor([1, 3]))",
                          "the mean over the N rows of minus the log-probability of each "
                          "row's label")],
                hidden=lambda ns: [ns["cross_entropy"](o, y) for o, y in _ce_cases((1.0, 10.0))]),
    Requirement("stable", 0.5, "stable for logits of +-1e4: the loss is finite and, "
                "log-sum-exp being then the row's max, doubling such logits doubles it",
                visible=[("(lambda o, y: cross_entropy(2 * o, y) / cross_entropy(o, y))"
                          "(torch.tensor([[1e4, 0.0, -1e4], [-1e4, -2e4, -3e4]]), "
                          "torch.tensor([2, 2]))",
                          "use log_softmax, not the log of softmax: exp(-2e4) is 0, its log "
                          "-inf, and inf / inf is nan")],
                hidden=lambda ns: _ce_stable(ns["cross_entropy"])),
    Requirement("gradients", 0.25, "differentiable: gradients flow back to o, the slope of the "
                "loss",
                visible=[("torch.autograd.gradcheck(lambda o: cross_entropy(1 * o, "
                          "torch.tensor([0, 2])), torch.tensor([[2.0, 1.0, 0.1], "
                          "[0.5, 2.5, 0.3]], dtype=torch.float64).requires_grad_(), "
                          "eps=1e-3, atol=1e-3)",
                          "autograd's gradient must match the loss's slope: keep the result a "
                          "tensor built from o, no .item(), .detach(), torch.no_grad() or "
                          "torch.tensor(...)")],
                hidden=lambda ns: [_slope(lambda o, y=y: ns["cross_entropy"](o, y), o)
                                   for o, y in _ce_cases((1.0,))[:10]]),
    Requirement("dtype and device", 0.25, "the result has o's dtype (float64 in, float64 out) "
                "and is on o's device (a GPU on Colab)",
                visible=[("cross_entropy(torch.ones(2, 3, dtype=torch.float64), "
                          "torch.tensor([0, 2])).dtype", "no .float(): keep o's dtype"),
                         ('device_check(cross_entropy, torch.ones(3, 4, device="meta"), '
                          'torch.zeros(3, dtype=torch.long, device="meta"))',
                          "make the row indices on o's device (tensor-making functions take "
                          "a device argument)")],
                hidden=lambda ns: [str(ns["cross_entropy"](o, y).dtype)
                                   for o, y in _ce_cases((1.0,))]),
    forbidden=BUILT_IN_CROSS_ENTROPY,
    uses={"log_softmax": _log_softmax},
)


# --- accuracy ----------------------------------------------------------------------------
def _accuracy_cases():
    g, cases = gen(505), []
    for n, c in ((1, 1), (1, 4), (5, 5), (10, 10), (7, 3), (3, 7), (100, 10), (33, 2)):
        for dtype in _DTYPES:
            logits = torch.randn(n, c, generator=g, dtype=dtype)
            # about half the labels are the argmax, so that the accuracy is not near 0
            y = torch.where(torch.rand(n, generator=g) < 0.5, logits.argmax(1),
                            torch.randint(0, c, (n,), generator=g))
            cases.append((logits, y))
    logits = torch.randn(20, 4, generator=g, requires_grad=True)
    cases += [(logits, logits.argmax(1)), (logits, (logits.argmax(1) + 1) % 4)]
    return cases


declare(
    "accuracy",
    Requirement("values", 0.75, "the fraction of rows whose argmax over dim 1 equals y (N = 1, "
                "C = 1 and N = C too)",
                visible=[("float(accuracy(torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], "
                          "[0.1, 0.2, 3.0], [1.0, 0.0, 0.0]]), torch.tensor([0, 1, 1, 0])))",
                          "the fraction (not the count) of rows whose argmax equals the label: "
                          "divide by N, not by N * C, and not with //"),
                         ("float(accuracy(torch.tensor([[0.0, 1.0, 0.0], [2.0, 0.0, 1.0], "
                          "[3.0, 0.0, 0.0]]), torch.tensor([1, 0, 0])))",
                          "the prediction of row i is the argmax over the classes, dim=1, a "
                          "tensor of shape (N,) like y")],
                hidden=lambda ns: [float(ns["accuracy"](*case)) for case in _accuracy_cases()]),
    Requirement("float", 0.25, "returns a Python float (not a tensor or an int), also for "
                "logits that require grad",
                visible=[("type(accuracy(torch.ones(2, 3), torch.tensor([0, 1]))).__name__",
                          "convert the result with .item() or float(...)"),
                         ("type(accuracy(torch.tensor([[1.0, 2.0], [3.0, 0.0]], "
                          "requires_grad=True), torch.tensor([1, 0]))).__name__",
                          "compare argmax indices, no .numpy() (it refuses a tensor that "
                          "requires grad)")],
                hidden=lambda ns: [type(ns["accuracy"](*case)).__name__
                                   for case in _accuracy_cases()]),
    forbidden=ACCURACY_HELPERS,
)


# --- train_epoch and evaluate ------------------------------------------------------------
# A loader of fixed uint8 images, as dlcourse.data.BatchLoader reads them (imported here only
# when a hidden check runs: it imports torchvision).
def _loader(images, labels, batch_size):
    from dlcourse.data import BatchLoader

    return BatchLoader(images, labels, batch_size)


def _images(seed, n, classes):
    g = gen(seed)
    return (torch.randint(0, 256, (n, 4, 4), generator=g, dtype=torch.uint8),
            torch.randint(0, classes, (n,), generator=g))


def _bn_net(seed, hidden=4):
    """Batch normalisation behaves differently in training and eval mode, and has buffers.
    No bias before it: that bias's gradient is zero but for round-off, which depends on the
    order of the sums (the number of threads), and Adam's normalised steps would move it by
    the learning rate in a direction set by that round-off."""
    net = seeded_weights(nn.Sequential(nn.Flatten(), nn.Linear(16, hidden, bias=False),
                                       nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, 3)))
    g = gen(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.2 * torch.randn(p.shape, generator=g))
        net[2].running_mean.copy_(torch.randn(hidden, generator=g))
        net[2].running_var.copy_(torch.rand(hidden, generator=g) * 3 + 0.3)
    return net


class _Moves(TorchFunctionMode):
    """Counts the tensors moved with .to(), .cuda(), .cpu() or torch.as_tensor."""

    count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in (torch.Tensor.to, torch.Tensor.cuda, torch.Tensor.cpu, torch.as_tensor):
            self.count += 1
        return func(*args, **(kwargs or {}))


def _pm1_mse(o, y):
    # section 9's loss: a train_epoch that ignores loss_fn trains on something else
    return ((o - (2 * F.one_hot(y, o.shape[1]) - 1)) ** 2).mean()


def _epochs(ns, lr=True):
    """What train_epoch does in several settings: its results, the net afterwards, whether it
    moved two tensors per batch. With lr=False the optimisers take steps of size 0 on nets
    already in training mode: the results then depend on how they are added up only."""
    runs = []
    for seed, loss_fn, make_opt, n, batch_size in (
            (506, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9), 19,
             8),
            (507, _pm1_mse, lambda p: torch.optim.SGD(p, lr=0.3), 19, 5),
            (508, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=0.05), 23, 6)):
        net = _bn_net(seed).train(not lr)  # train_epoch must switch it to training mode itself
        loader = _loader(*_images(seed, n, 3), batch_size)  # the last batch is smaller
        optimizer = make_opt(net.parameters()) if lr else torch.optim.SGD(net.parameters(), lr=0)
        with _Moves() as moves:
            result = ns["train_epoch"](net, loader, loss_fn, optimizer, "cpu")
        runs.append({"result": result, "parameters": list(net.parameters()),
                     "buffers": list(net.buffers()), "moved": moves.count >= 2 * len(loader)})
    # a linear model, two epochs: batches that divide the examples, then a smaller last one
    net = seeded_weights(nn.Sequential(nn.Flatten(), nn.Linear(16, 4)))
    images, labels = _images(509, 12, 4)
    for batch_size in (4, 5):
        loader = _loader(images, labels, batch_size)
        with _Moves() as moves:
            result = ns["train_epoch"](net, loader, nn.CrossEntropyLoss(),
                                       torch.optim.SGD(net.parameters(), lr=0.5 if lr else 0),
                                       "cpu")
        runs.append({"result": result, "parameters": list(net.parameters()), "buffers": [],
                     "moved": moves.count >= 2 * len(loader)})
    return runs


# The notebook's inputs: a small classifier with batch normalisation and 19 fixed images.
_MOVES = """\
class Moves(torch.overrides.TorchFunctionMode):  # counts the tensors moved with .to(), ...
    count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in (torch.Tensor.to, torch.Tensor.cuda, torch.Tensor.cpu, torch.as_tensor):
            self.count += 1
        return func(*args, **(kwargs or {}))


"""

_TRAIN_SETUP = """\
from dlcourse.data import BatchLoader

# 19 fixed 4 x 4 images of 3 classes, read in batches of 8, 8 and 3
images = (torch.arange(19 * 16) * 37 % 251).to(torch.uint8).reshape(19, 4, 4)
labels = torch.arange(19) * 7 % 3


def pm1_mse(output, y):  # section 9's loss: the MSE against the +-1 coding of y
    at_labels = output.gather(1, y.unsqueeze(1))
    return (((output + 1) ** 2).sum() - 4 * at_labels.sum()) / output.numel()


""" + _MOVES + """\
def epoch(loss_fn=nn.CrossEntropyLoss(), lr=0.5, momentum=0.0, mode="eval"):
    # one epoch of train_epoch on a fresh net with batch normalisation, in mode "eval" or
    # "train" before the call: what it returned, the net's parameters and batch-norm
    # statistics afterwards, and whether it moved two tensors (X and y) per batch
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4), nn.BatchNorm1d(4), nn.ReLU(),
                        nn.Linear(4, 3))
    net = seeded_weights(net).train(mode == "train")
    loader = BatchLoader(images, labels, 8)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    with Moves() as moves:
        result = train_epoch(net, loader, loss_fn, optimizer, "cpu")
    return {"result": result, "parameters": dict(net.named_parameters()),
            "buffers": dict(net.named_buffers()), "moved": moves.count >= 2 * len(loader)}
"""


def _part(fn, lr=True):
    return lambda ns: [fn(run) for run in _epochs(ns, lr)]


declare(
    "train_epoch",
    Requirement("training", 1.25, "net.train() first, then per batch one forward pass, "
                "loss_fn(logits, y), optimizer.zero_grad(), loss.backward(), optimizer.step(): "
                "the parameters and batch-norm statistics after the epoch are the reference's, "
                "for any loss_fn and optimizer",
                visible=[('epoch()["parameters"]',
                          "net.train() first; then for each batch: clear the old gradients, "
                          "back-propagate the loss, and only then take the optimiser's step"),
                         ('epoch(momentum=0.9)["parameters"]',
                          "zero the gradients every batch: backward adds to .grad"),
                         ('epoch(pm1_mse)["parameters"]',
                          "compute the loss with loss_fn(logits, y), whatever loss_fn is"),
                         ('epoch()["buffers"]',
                          "one forward pass per batch, in training mode (net.train()): each "
                          "pass updates batch norm's running statistics")],
                hidden=_part(lambda run: [run["parameters"], run["buffers"]])),
    Requirement("mean loss", 0.75, "the first result is the mean loss per example, a Python "
                "float: each batch's mean loss weighted by its size (the last batch is "
                "smaller), divided by the number of examples",
                visible=[('epoch(lr=0, mode="train")["result"][0]',
                          "weight each batch's mean loss by its number of examples, add them "
                          "up and divide by the number of examples (19 here, in batches of 8, 8 "
                          "and 3): not the mean of the batch means"),
                         ('epoch(pm1_mse, lr=0, mode="train")["result"][0]',
                          "the loss is loss_fn's"),
                         ('type(epoch(lr=0, mode="train")["result"][0]).__name__',
                          "add up loss.item(), not the loss tensors (which keeps every batch's "
                          "graph alive)")],
                hidden=_part(lambda run: [run["result"][0], type(run["result"][0]).__name__],
                             lr=False)),
    Requirement("accuracy", 0.5, "the second result is the accuracy, a Python float: the "
                "fraction of the examples whose argmax of the logits (from their batch's "
                "forward pass) is the label",
                visible=[('epoch(lr=0, mode="train")["result"][1]',
                          "count over the whole epoch the examples whose largest logit is at "
                          "their label, and divide by the number of examples"),
                         ('type(epoch(lr=0, mode="train")["result"][1]).__name__',
                          "count with Python numbers (.item()), so that the division gives a "
                          "Python float")],
                hidden=_part(lambda run: [run["result"][1], type(run["result"][1]).__name__],
                             lr=False)),
    Requirement("device", 0.5, "each batch, X and y, is moved to device (a GPU on Colab)",
                visible=[('epoch()["moved"]',
                          "move each batch, the images and the labels, to device: the model is "
                          "on device, the loader's batches may not be")],
                hidden=_part(lambda run: run["moved"])),
    forbidden=TRAINING_HELPERS,
    uses={"accuracy": _accuracy},
    setup=_TRAIN_SETUP,
)


def _evaluations(ns):
    """For several nets and loaders: what evaluate does with the net in eval mode, and what it
    does with the same net in training mode."""
    runs = []
    for seed, n, batch_size in ((512, 53, 16), (513, 40, 7), (514, 10, 10), (515, 30, 64)):
        images, _ = _images(seed, n, 3)
        with torch.no_grad():
            preds = _bn_net(seed).eval()(images.unsqueeze(1).float() / 255).argmax(1)
        # right on the first two thirds only: the batches' accuracies differ
        labels = torch.where(torch.arange(n) < 2 * n // 3, preds, (preds + 1) % 3)
        runs.append({mode: _evaluation(ns, _bn_net(seed).train(mode == "train"),
                                       _loader(images, labels, batch_size))
                     for mode in ("eval", "train")})
    return runs


def _evaluation(ns, net, loader):
    recording = []
    net.register_forward_hook(lambda module, args, out: recording.append(
        torch.is_grad_enabled()))
    grad_was = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    try:
        with _Moves() as moves:
            result = ns["evaluate"](net, loader, "cpu")
        on_after = torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(grad_was)
    return {"result": result, "buffers": list(net.buffers()),
            "graph": [any(recording), on_after, all(p.grad is None for p in net.parameters())],
            "moved": moves.count >= 2 * len(loader)}


_EVALUATE_SETUP = """\
from dlcourse.data import BatchLoader

# 53 fixed 4 x 4 images of 3 classes, read in batches of 16, 16, 16 and 5
images = (torch.arange(53 * 16) * 37 % 251).to(torch.uint8).reshape(53, 4, 4)
labels = torch.arange(53) * 5 % 7 % 3


""" + _MOVES + """\
def run(mode):
    # evaluate on a fresh net in mode "train" or "eval", with batch normalisation whose
    # running statistics are far from any batch's: its result, the net's batch-norm statistics
    # afterwards, [whether a forward pass recorded a graph, whether gradients are on
    # afterwards, whether no parameter has a .grad], and whether two tensors moved per batch
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4), nn.BatchNorm1d(4), nn.ReLU(),
                        nn.Linear(4, 3))
    net = seeded_weights(net).train(mode == "train")
    net[2].running_mean += torch.tensor([0.5, -1.0, 0.2, 1.5])
    net[2].running_var *= torch.tensor([2.0, 0.5, 3.0, 1.0])
    recording = []
    net.register_forward_hook(lambda module, args, out: recording.append(torch.is_grad_enabled()))
    loader = BatchLoader(images, labels, 16)
    with Moves() as moves:
        try:
            result = evaluate(net, loader, "cpu")
        finally:
            on_after = torch.is_grad_enabled()
            torch.set_grad_enabled(True)
    return {"result": result, "buffers": dict(net.named_buffers()),
            "graph": [any(recording), on_after, all(p.grad is None for p in net.parameters())],
            "moved": moves.count >= 2 * len(loader)}
"""


def _evaluate_part(fn):
    return lambda ns: [fn(run) for run in _evaluations(ns)]


declare(
    "evaluate",
    Requirement("accuracy", 1, "a Python float: the fraction of all the loader's examples whose "
                "argmax of net(X) is the label (correct predictions counted over every batch, "
                "not the mean of the batches' accuracies)",
                visible=[('run("eval")["result"]',
                          "count correct predictions over all examples and divide by their "
                          "number (53 here, in batches of 16, 16, 16 and 5)"),
                         ('type(run("eval")["result"]).__name__',
                          "return a Python float: add up .item() counts")],
                hidden=_evaluate_part(lambda run: [run["eval"]["result"],
                                                   type(run["eval"]["result"]).__name__])),
    Requirement("eval mode", 0.5, "net.eval() first (the net may come in training mode): batch "
                "normalisation uses its running statistics and leaves them unchanged",
                visible=[('bool(run("train")["result"] == run("eval")["result"])',
                          "the same result whatever mode the net comes in: call net.eval() "
                          "before the loop (in training mode batch norm normalises with each "
                          "batch's statistics)"),
                         ('run("train")["buffers"]',
                          "call net.eval() first: in training mode batch norm updates its "
                          "running statistics")],
                hidden=_evaluate_part(lambda run: [
                    bool(run["train"]["result"] == run["eval"]["result"]),
                    run["train"]["buffers"]])),
    Requirement("no graph", 0.25, "the forward passes build no graph (torch.no_grad() or "
                "torch.inference_mode()), gradients are enabled again afterwards, and no "
                "parameter gets a .grad",
                visible=[('run("eval")["graph"]',
                          "[a graph recorded, gradients on afterwards, no .grad]: run the loop "
                          "inside `with torch.no_grad():`, which switches them back on after")],
                hidden=_evaluate_part(lambda run: [run[mode]["graph"] for mode in run])),
    Requirement("device", 0.25, "each batch is moved to device (X and y, or X and the "
                "predictions back)",
                visible=[('run("eval")["moved"]',
                          "move each batch, the images and the labels, to device: the model is "
                          "on device, the loader's batches may not be")],
                hidden=_evaluate_part(lambda run: [run[mode]["moved"] for mode in run])),
    forbidden=EVALUATION_HELPERS,
    uses={"accuracy": _accuracy},
    setup=_EVALUATE_SETUP,
)


# --- class_accuracy ----------------------------------------------------------------------
def _class_cases():
    # every class occurs (classes without examples are the empty classes requirement's)
    g, cases = gen(517), []
    for n, c in ((100, 10), (7, 3), (1000, 2), (50, 20), (1, 1), (5, 5), (300, 10)):
        labels = torch.cat([torch.arange(c), torch.randint(0, c, (n - c,), generator=g)])
        labels = labels[torch.randperm(n, generator=g)]
        preds = torch.where(torch.rand(n, generator=g) < 0.6, labels,
                            torch.randint(0, c, (n,), generator=g))
        cases.append((preds, labels, c))
    return cases


def _empty_cases():
    empty = torch.zeros(0, dtype=torch.long)
    return [(torch.tensor([0, 4, 2, 5, 2]), torch.tensor([0, 0, 2, 2, 2]), 6),
            (torch.tensor([1, 1, 0]), torch.tensor([1, 1, 0]), 4), (empty, empty, 3),
            (torch.tensor([2, 0]), torch.tensor([0, 0]), 3)]


declare(
    "class_accuracy",
    Requirement("values", 1.25, "a floating-point tensor of shape (num_classes,) whose entry c "
                "is the fraction of the examples of label c whose prediction is c (the recall: "
                "not the precision, not the overall accuracy)",
                visible=[("class_accuracy(torch.tensor([0, 1, 1, 2, 2, 0]), "
                          "torch.tensor([0, 1, 2, 2, 2, 1]), 3)",
                          "divide by the number of examples of each TRUE class (counted in "
                          "labels, not in preds), in floating point"),
                         ("class_accuracy(torch.tensor([1, 0, 2, 2, 0, 1, 1]), "
                          "torch.tensor([1, 0, 2, 1, 1, 1, 0]), 3)",
                          "count, per class c, the examples with labels == c and preds == c"),
                         ("class_accuracy(torch.tensor([0, 1]), torch.tensor([0, 0]), "
                          "2).is_floating_point()",
                          "divide float counts (.float()), not integers")],
                hidden=lambda ns: [[out, out.is_floating_point()] for out in
                                   (ns["class_accuracy"](*case) for case in _class_cases())]),
    Requirement("empty classes", 0.5, "num_classes entries even when the last classes never "
                "occur; nan (not 0) for a class without examples (for every class when there "
                "is no example at all)",
                visible=[("class_accuracy(torch.tensor([0, 4, 2, 5, 2]), "
                          "torch.tensor([0, 0, 2, 2, 2]), 6)",
                          "count over all num_classes classes, also the last ones that never "
                          "occur (bincount's minlength); 0 / 0 gives nan: do not clamp"),
                         ("class_accuracy(torch.zeros(0, dtype=torch.long), "
                          "torch.zeros(0, dtype=torch.long), 3)",
                          "no example at all: every class is nan")],
                hidden=lambda ns: [ns["class_accuracy"](*case) for case in _empty_cases()]),
    Requirement("inputs and device", 0.25, "preds and labels are not modified; the result is "
                "on their device (a GPU on Colab)",
                visible=[("(lambda preds, labels: [class_accuracy(preds, labels, 3), preds, "
                          "labels][1:])(torch.tensor([0, 2, 1, 1]), torch.tensor([0, 1, 1, 2]))",
                          "these are preds and labels after the call: no in-place operation on "
                          "them"),
                         ('device_check(class_accuracy, torch.tensor([0, 1, 2], device="meta"), '
                          'torch.tensor([0, 2, 2], device="meta"), 3)',
                          "make every new tensor on the inputs' device")],
                hidden=lambda ns: [_kept(lambda p, t, c=c: ns["class_accuracy"](p, t, c),
                                         preds, labels)[1]
                                   for preds, labels, c in _class_cases() + _empty_cases()]),
)


# --- split_indices -----------------------------------------------------------------------
_SPLITS = ((10, 0.35), (7, 0.5), (9, 0.25), (1000, 0.1), (60000, 1 / 6), (5, 0.0), (5, 1.0),
           (1, 0.5), (1, 1.0), (13, 0.99))


def _split_runs(ns, what):
    out = []
    for n, f in _SPLITS:
        for seed in (0, 1, 12345):
            torch.manual_seed(seed + 7)  # the global state must not matter
            out.append(what(ns["split_indices"](n, f, seed), n, f, seed))
    return out


def _same_again(ns):
    def again(split, n, f, seed):
        torch.manual_seed(seed + 99)
        other = ns["split_indices"](n, f, seed)
        return [torch.equal(a, b) for a, b in zip(split, other)]

    runs = _split_runs(ns, again)
    valids = [ns["split_indices"](1000, 0.2, seed)[1] for seed in range(5)]
    return [runs, [torch.equal(valids[a], valids[b]) for a in range(5) for b in range(a + 1, 5)]]


def _shuffled(ns):
    out = []
    for seed in range(5):
        train, valid = ns["split_indices"](1000, 0.2, seed)
        out.append([int(valid.max() - valid.min()) > 300, bool((train.diff() < 0).any()),
                    bool((valid.diff() < 0).any())])
    return out


declare(
    "split_indices",
    Requirement("sizes", 0.5, "returns (train, valid): valid has floor(n * valid_fraction) "
                "indices, train the n - floor(n * valid_fraction) others (fractions 0 and 1 too)",
                visible=[("[len(t) for t in split_indices(10, 0.35, 0)]",
                          "floor, not round or ceil: 10 * 0.35 = 3.5 gives 3; return (train, "
                          "valid) in this order"),
                         ("[len(t) for t in split_indices(9, 0.25, 0)]",
                          "9 * 0.25 = 2.25: valid gets 2 indices, train the 7 others"),
                         ("[len(t) for t in split_indices(5, 1.0, 0)]",
                          "valid_fraction = 1 puts every index in valid")],
                hidden=lambda ns: _split_runs(ns, lambda s, n, f, seed: [len(t) for t in s])),
    Requirement("partition", 0.5, "two integer tensors that together hold each of 0, ..., n - 1 "
                "exactly once",
                visible=[("torch.cat(split_indices(20, 0.25, 3)).sort().values",
                          "take both parts from one permutation: two draws overlap"),
                         ("[str(t.dtype).startswith('torch.int') for t in "
                          "split_indices(10, 0.3, 0)]",
                          "index tensors are integers: torch.randperm gives int64")],
                hidden=lambda ns: _split_runs(ns, lambda s, n, f, seed: [
                    [str(t.dtype).startswith("torch.int") for t in s],
                    torch.equal(torch.cat(s).long().sort().values, torch.arange(n))])),
    Requirement("seeded", 0.5, "the same seed gives the same split, whatever the global random "
                "state; different seeds give different splits",
                visible=[("[torch.equal(a, b) for a, b in zip(split_indices(50, 0.2, 7), "
                          "(torch.manual_seed(123), split_indices(50, 0.2, 7))[1])]",
                          "draw the permutation from a generator of your own seeded with "
                          "seed, not from the global generator"),
                         ("torch.equal(split_indices(50, 0.2, 1)[1], split_indices(50, 0.2, "
                          "2)[1])",
                          "the permutation must depend on seed")],
                hidden=_same_again),
    Requirement("shuffled", 0.5, "both parts are random: valid is no block of consecutive "
                "indices, and neither part is sorted",
                visible=[("(lambda train, valid: [int(valid.max() - valid.min()) > 300, "
                          "bool((train.diff() < 0).any()), bool((valid.diff() < 0).any())])"
                          "(*split_indices(1000, 0.2, 0))",
                          "[valid spread out, train not sorted, valid not sorted]: split a "
                          "random permutation (torch.randperm) and do not sort the parts")],
                hidden=_shuffled),
)
