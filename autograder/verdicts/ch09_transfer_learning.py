# ch09's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Where one mistake
# would otherwise cost several shares, a requirement compares the student's own answer on two
# inputs that must agree (a subset loader and the same subset as a dataset, a dataset with
# and without .tensors), so that it is lost by its own mistake only.
import os

from torch import nn

# What "from scratch" rules out for Adam: torch's Adam and AdamW (AdamW is an Adam), whatever
# name they were imported under, and the functions their step() runs.
BUILT_IN_ADAM = ["torch.optim.Adam", "torch.optim.AdamW", "torch.optim.Adam.__init__",
                 "torch.optim.adam._single_tensor_adam", "torch.optim.adam._multi_tensor_adam",
                 "torch.optim.adam._fused_adam", "torch._fused_adam_", "torch._fused_adamw_"]
# What "without sklearn or torchmetrics" rules out for confusion_matrix.
BUILT_IN_CONFUSION = ["sklearn.metrics.confusion_matrix",
                      "torchmetrics.functional.confusion_matrix",
                      "torchmetrics.functional.classification.multiclass_confusion_matrix"]


def _scope(ns, setup):
    """The names a test cell's expressions see (the notebook's, the helpers, what the setup
    defines), for the hidden inputs that reuse the setup's functions."""
    scope = {**ns, **HELPERS, "nn": nn}
    exec(setup, scope)
    return scope


# --- Adam --------------------------------------------------------------------------------
_ADAM_SETUP = """\
def adam_run(steps=30, lr=0.01, betas=(0.9, 0.999), eps=1e-8, dtype=torch.float32,
             shapes=((3, 2), (2,)), skip=(), once=False, seed=0):
    # parameters of the given shapes trained with your Adam on a fixed quadratic loss; the
    # last one gets no gradient (.grad None) at the steps listed in skip
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(s, generator=g, dtype=dtype).requires_grad_() for s in shapes]
    targets = [torch.randn(s, generator=g, dtype=dtype) for s in shapes]
    scales = [torch.rand(s, generator=g, dtype=dtype) + 0.5 for s in shapes]
    optimizer = Adam(iter(params) if once else params, lr=lr, betas=betas, eps=eps)
    for t in range(steps):
        used = params[:-1] if t in skip else params
        for p in params:
            p.grad = None
        sum((c * (p - y) ** 2).sum() for p, y, c in zip(params, targets, scales)
            if any(p is q for q in used)).backward()
        optimizer.step()
    return [p.detach() for p in params]


def moment_dtypes(dtype=torch.float64, shape=(3,)):
    # the dtypes of the tensors of the parameter's shape that your Adam keeps after two steps
    # (its moments, wherever it keeps them)
    p = torch.ones(shape, dtype=dtype, requires_grad=True)
    optimizer, found, seen = Adam([p], lr=0.1), set(), set()
    for _ in range(2):
        p.grad = torch.full_like(p, 0.5)
        optimizer.step()

    def walk(x):
        if id(x) in seen:
            return
        seen.add(id(x))
        if isinstance(x, torch.Tensor):
            if x is not p and x is not p.grad and x.shape == p.shape:
                found.add(str(x.dtype))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple, set)):
            for v in x:
                walk(v)
        elif hasattr(x, "__dict__"):
            walk(vars(x))
    walk(optimizer)
    return sorted(found)
"""


def _adam_hidden(ns):
    run = _scope(ns, _ADAM_SETUP)["adam_run"]
    out = []
    for seed, (steps, lr, dtype, shapes) in enumerate((
            (1, 0.1, torch.float32, ((4, 3, 2, 2), (), (5,))),
            (100, 0.003, torch.float32, ((7,), (2, 3))),
            (40, 0.05, torch.float64, ((3, 3), (1,))),
            (25, 1e-3, torch.float64, ((6, 2), (2,), (3,))))):
        out.append(run(steps=steps, lr=lr, dtype=dtype, shapes=shapes, seed=seed + 1))
    return out



def _adam_hyper_hidden(ns):
    run = _scope(ns, _ADAM_SETUP)["adam_run"]
    return [run(steps=4, lr=0.2, betas=(0.0, 0.0), eps=eps, shapes=((3,), (2, 2)), seed=s)
            for s, eps in enumerate((0.1, 1.0, 3.0))]


def _adam_skip_hidden(ns):
    run = _scope(ns, _ADAM_SETUP)["adam_run"]
    out = []
    for seed, skip in enumerate(((0, 1, 2), (5, 6), tuple(range(0, 20, 2)))):
        # the last parameter, with a gradient at 20 - len(skip) of the steps, must be where
        # that many steps of its own take it
        skipped = run(steps=20, lr=0.05, skip=skip, shapes=((2, 2), (3,)), seed=seed)[1]
        out.append(torch.equal(skipped, run(steps=20 - len(skip), lr=0.05,
                                            shapes=((2, 2), (3,)), seed=seed)[1]))
    return out


def _adam_once_hidden(ns):
    run = _scope(ns, _ADAM_SETUP)["adam_run"]
    return [all(torch.equal(a, b) for a, b in zip(run(steps=n, once=True, seed=n),
                                                  run(steps=n, seed=n))) for n in (2, 7)]


def _adam_zero_hidden(ns):
    out = []
    for shapes in (((2,), (3, 3)), ((4,),)):
        params = [torch.ones(s, requires_grad=True) for s in shapes]
        optimizer = ns["Adam"](params, lr=0.1)
        for _ in range(2):
            sum(p.sum() for p in params).backward()
            optimizer.step()
            optimizer.zero_grad()
            out.append([p.grad is None for p in params])
    return out


declare(
    "Adam",
    Requirement("update", 1.25, "step() updates every parameter in place as torch.optim.Adam "
                "does (the two moments, their bias correction, then lr * m_hat / (sqrt(v_hat) "
                "+ eps)): after any number of steps the parameters are torch's",
                visible=[("adam_run(steps=1)",
                          "the first step moves each parameter by about lr (m_hat / "
                          "sqrt(v_hat) is about 1): divide m by 1 - beta1 ** t and v by "
                          "1 - beta2 ** t"),
                         ("adam_run(steps=2)",
                          "t counts the steps (1, 2, ...): keep it, and m and v, from one "
                          "step() to the next, one per parameter"),
                         ("adam_run(steps=30, lr=0.1)",
                          "m = beta1 * m + (1 - beta1) * g, v = beta2 * v + (1 - beta2) * g * g"),
                         ("adam_run(steps=30, dtype=torch.float64)",
                          "float64 parameters too")],
                hidden=_adam_hidden),
    Requirement("dtype", 0.25, "the moments are tensors of the parameter's dtype (float64 "
                "parameters keep float64 precision)",
                visible=[("moment_dtypes()",
                          "torch.zeros_like(p): the moments in the parameter's own dtype, not "
                          "torch.zeros(p.shape), which is float32")],
                hidden=lambda ns: [_scope(ns, _ADAM_SETUP)["moment_dtypes"](dtype, shape)
                                   for dtype, shape in ((torch.float32, (2, 2)),
                                                        (torch.float64, (4,)))]),
    Requirement("hyperparameters", 0.5, "lr, betas and eps are the ones given",
                visible=[("adam_run(steps=3, lr=0.2, betas=(0.0, 0.0), eps=0.5)",
                          "use the betas and eps passed to Adam(...), not 0.9, 0.999 and 1e-8: "
                          "with betas (0, 0) each step is lr * g / (|g| + eps), eps outside the "
                          "square root")],
                hidden=_adam_hyper_hidden),
    Requirement("no grad", 0.5, "a parameter whose .grad is None is skipped (unchanged, its "
                "moments and step count too), as torch skips it",
                visible=[("torch.equal(adam_run(steps=6, lr=0.05, skip=(0, 1, 2))[1], "
                          "adam_run(steps=3, lr=0.05)[1])",
                          "unchanged while .grad is None; when it gets a gradient its first "
                          "update is a first step (t = 1): count the steps per parameter"),
                         ("adam_run(steps=3, skip=(0, 1, 2), shapes=((2,), (2,)))[1]",
                          "skip a parameter whose .grad is None (if p.grad is None: continue)")],
                hidden=_adam_skip_hidden),
    Requirement("iterable", 0.25, "params may be any iterable, such as net.parameters(), a "
                "generator that can be walked once",
                visible=[("all(torch.equal(a, b) for a, b in zip(adam_run(steps=3, once=True), "
                          "adam_run(steps=3)))",
                          "net.parameters() is a generator, empty after one loop: keep "
                          "list(params)")],
                hidden=_adam_once_hidden),
    Requirement("zero_grad", 0.25, "zero_grad() sets every parameter's .grad to None, as "
                "torch.optim does",
                visible=[("(lambda p: (p.sum().backward(), Adam([p]).zero_grad(), p.grad)[2])"
                          "(torch.ones(3, requires_grad=True))",
                          "p.grad = None for every parameter, not p.grad.zero_()")],
                hidden=_adam_zero_hidden),
    forbidden=BUILT_IN_ADAM,
    setup=_ADAM_SETUP,
)


# --- evaluate_loss -----------------------------------------------------------------------
_LOSS_SETUP = """\
from torch.utils.data import DataLoader, Subset, SubsetRandomSampler, TensorDataset
g = torch.Generator().manual_seed(0)
data = TensorDataset(torch.randn(10, 4, generator=g), torch.randint(0, 4, (10,), generator=g))
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))
dropout_net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 4))
ce = nn.CrossEntropyLoss()
some = [0, 2, 3, 5, 7, 8, 9, 1]


def loader(batch_size=4, indices=None, dataset=data):
    # indices: a SubsetRandomSampler draws only these examples (of the whole dataset)
    sampler = None if indices is None else SubsetRandomSampler(
        indices, generator=torch.Generator().manual_seed(1))
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


class Spy(nn.Module):
    # records, at each forward pass, whether autograd was recording
    def __init__(self):
        super().__init__()
        self.linear, self.recording = nn.Linear(4, 4), []

    def forward(self, x):
        self.recording.append(torch.is_grad_enabled())
        return self.linear(x)
"""


def _loss_data(seed, n, features, classes):
    g = gen(seed)
    X = torch.randn(n, features, generator=g)
    if classes:
        return torch.utils.data.TensorDataset(X, torch.randint(0, classes, (n,), generator=g))
    return torch.utils.data.TensorDataset(X, torch.randn(n, 1, generator=g))


def _loss_cases():
    torch.manual_seed(5)
    return [(nn.Linear(3, 5), _loss_data(1, 7, 3, 5), nn.CrossEntropyLoss(), 3),
            (nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1)),
             _loss_data(2, 13, 2, 0), nn.MSELoss(), 5),
            (nn.Linear(3, 2), _loss_data(3, 1, 3, 2), nn.CrossEntropyLoss(), 4)]


def _loss_mean_hidden(ns):
    f = ns["evaluate_loss"]
    return [float(f(net, torch.utils.data.DataLoader(data, batch_size=b), fn))
            for net, data, fn, b in _loss_cases()]


def _loss_subset_hidden(ns):
    f, out = ns["evaluate_loss"], []
    for net, data, fn, b in _loss_cases()[:2]:
        indices = list(range(1, 1 + 2 * b))  # whole batches: no partial one
        sampler = torch.utils.data.SubsetRandomSampler(indices, generator=gen(3))
        a = f(net, torch.utils.data.DataLoader(data, batch_size=b, sampler=sampler), fn)
        s = f(net, torch.utils.data.DataLoader(torch.utils.data.Subset(data, indices),
                                               batch_size=b), fn)
        out.append(math.isclose(a, s, rel_tol=1e-5))
    return out


def _loss_eval_hidden(ns):
    f, out = ns["evaluate_loss"], []
    torch.manual_seed(2)
    net = nn.Sequential(nn.Linear(3, 16), nn.Dropout(0.3), nn.ReLU(), nn.BatchNorm1d(16),
                        nn.Linear(16, 5))
    with torch.no_grad():
        net.train()(torch.randn(32, 3))  # running statistics of their own
    data = _loss_data(1, 9, 3, 5)
    for b in (2, 9):
        loader = torch.utils.data.DataLoader(data, batch_size=b)
        trained = f(net.train(), loader, nn.CrossEntropyLoss())
        out.append(math.isclose(trained, f(net.eval(), loader, nn.CrossEntropyLoss()),
                                rel_tol=1e-5))
    return out


declare(
    "evaluate_loss",
    Requirement("mean", 1.25, "the mean loss per example over the examples the loader yields: "
                "each batch's mean times its size, summed, divided by the number of examples "
                "(a last partial batch counts for its size)",
                visible=[("float(evaluate_loss(net, loader(4), ce))",
                          "batches of 4, 4 and 2: weight each batch mean by its size, not "
                          "the mean of the batch means"),
                         ("float(evaluate_loss(net, loader(10), ce))",
                          "one batch: the result is that batch's loss")],
                hidden=_loss_mean_hidden),
    Requirement("subset", 0.5, "a sampler that draws part of the dataset: divided by the "
                "examples drawn, not by len(loader.dataset)",
                visible=[("math.isclose(evaluate_loss(net, loader(4, indices=some), ce), "
                          "evaluate_loss(net, loader(4, dataset=Subset(data, some)), ce), "
                          "rel_tol=1e-5)",
                          "the cheat sheet's mistake: len(loader.dataset) is 10 here, the "
                          "sampler draws 8; count the examples as the batches come")],
                hidden=_loss_subset_hidden),
    Requirement("eval mode", 0.5, "the net is evaluated in eval mode (dropout off, batch "
                "norm's running statistics)",
                visible=[("math.isclose(evaluate_loss(dropout_net.train(), loader(4), ce), "
                          "evaluate_loss(dropout_net.eval(), loader(4), ce), rel_tol=1e-5)",
                          "net.eval() first: dropout must be off while evaluating")],
                hidden=_loss_eval_hidden),
    Requirement("no graph", 0.25, "no autograd graph is built (torch.no_grad())",
                visible=[("(lambda spy: (evaluate_loss(spy, loader(4), ce), spy.recording)[1])"
                          "(Spy())",
                          "with torch.no_grad(): around the loop")]),
    Requirement("float", 0.25, "returns a Python float",
                visible=[("type(evaluate_loss(net, loader(4), ce)).__name__",
                          "loss.item() per batch, or float(total) at the end: not a tensor")]),
    Requirement("devices", 0.25, "device=None uses the net's device (the CPU for a net "
                "without parameters); a device given is used",
                visible=[("float(evaluate_loss(nn.Identity(), loader(5), ce))",
                          "a net without parameters: next(net.parameters(), None) is None, "
                          "use the CPU"),
                         ("float(evaluate_loss(net, loader(5), ce, device='cpu'))",
                          "move each batch to device (torch.device(device) accepts a string)")]),
    setup=_LOSS_SETUP,
)


# --- EarlyStopping -----------------------------------------------------------------------
_STOP_SETUP = """\
def stops(losses, patience=3, min_delta=0.0):
    # what step() returns for each validation loss in turn
    stopper, net = EarlyStopping(patience=patience, min_delta=min_delta), nn.Linear(1, 1)
    return [stopper.step(loss, net) for loss in losses]


def bests(losses, patience=3, min_delta=0.0):
    # (best_loss, best_epoch) before the first step and after each step
    stopper, net = EarlyStopping(patience=patience, min_delta=min_delta), nn.Linear(1, 1)
    out = [(stopper.best_loss, stopper.best_epoch)]
    for loss in losses:
        stopper.step(loss, net)
        out.append((stopper.best_loss, stopper.best_epoch))
    return out


def restored(losses=(1.0, 0.5, 0.7, 0.8)):
    # a net trained (changed in place) between epochs, then restored: for its parameters and
    # its buffers, whether they are those of the best epoch
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    stopper, snapshots = EarlyStopping(patience=5), []
    for loss in losses:
        snapshots.append({k: v.clone() for k, v in net.state_dict().items()})
        stopper.step(loss, net)
        with torch.no_grad():
            for p in net.parameters():
                p.add_(1.0)
            net[1].running_mean.add_(1.0)
    stopper.restore(net)
    best = snapshots[min(range(len(losses)), key=lambda i: losses[i])]
    state = net.state_dict()
    return {"parameters": all(torch.equal(state[k], best[k]) for k, _ in net.named_parameters()),
            "buffers": all(torch.equal(state[k], best[k]) for k, _ in net.named_buffers())}
"""



def _stops_hidden(ns):
    stops = _scope(ns, _STOP_SETUP)["stops"]
    return [stops([0.5, 0.4, 0.4, 0.41, 0.3], patience=1),
            stops([3.0, 2.0, 1.0, 0.5, 0.25, 0.2, 0.1], patience=2),
            stops([1.0, 1.1, 1.2, 1.3, 1.4, 0.1, 0.05], patience=4),
            stops([2.0, 2.1, 1.9, 2.2, 2.3, 1.0], patience=2)]


def _bests_hidden(ns):
    bests = _scope(ns, _STOP_SETUP)["bests"]
    return [bests([0.5, 0.6, 0.4, 0.4, 0.45], patience=10),
            bests([3.0, 2.0, 2.5, 1.0], patience=10)]


def _delta_hidden(ns):
    scope = _scope(ns, _STOP_SETUP)
    losses = lambda *args, **kwargs: [b[0] for b in scope["bests"](*args, **kwargs)[1:]]
    return [scope["stops"]([1.0, 0.95, 0.85, 0.8, 0.77, 0.76], patience=2, min_delta=0.05),
            losses([1.0, 0.95, 0.85, 0.8, 0.77], patience=9, min_delta=0.05),
            losses([2.0, 1.0, 0.99, 0.5], patience=9, min_delta=0.4)]


def _restore_hidden(ns, what):
    restored = _scope(ns, _STOP_SETUP)["restored"]
    return [restored(losses)[what] for losses in ((0.3, 0.5, 0.4), (2.0, 1.5, 1.0, 0.9, 1.1),
                                                 (1.0, 0.2, 0.2, 0.3))]


declare(
    "EarlyStopping",
    Requirement("stops", 1.25, "step() returns True once patience epochs in a row have not "
                "improved, and from then on; an epoch improves when val_loss < best_loss - "
                "min_delta (an equal loss does not improve)",
                visible=[("stops([1.0, 0.9, 0.95, 0.92, 0.91, 0.93], patience=3)",
                          "count the epochs since the last improvement; stop when the count "
                          "reaches patience"),
                         ("stops([1.0, 0.8, 0.9, 0.7, 0.75, 0.76, 0.9], patience=2)",
                          "an improving epoch sets the count back to 0"),
                         ("stops([1.0, 1.0, 1.0, 1.0], patience=3)",
                          "an equal loss is not an improvement: val_loss < best_loss"),
                         ("stops([1.0, 2.0, 3.0, 0.5, 0.4], patience=2)",
                          "once it has said stop, it keeps saying so")],
                hidden=_stops_hidden),
    Requirement("best", 0.5, "best_loss is inf and best_epoch None before the first step; "
                "then the loss and the 0-based index of the best step() call",
                visible=[("bests([1.0, 0.9, 0.95, 0.8, 0.85, 0.8], patience=9)",
                          "best_loss = math.inf and best_epoch = None in __init__; the first "
                          "step() call is epoch 0; an equal loss leaves the best epoch where it "
                          "is")],
                hidden=_bests_hidden),
    Requirement("min_delta", 0.5, "an improvement must beat best_loss by more than "
                "min_delta; a smaller gain leaves best_loss, best_epoch and the weights as "
                "they are",
                visible=[("stops([1.0, 0.95, 0.92, 0.85, 0.84, 0.83], patience=2, "
                          "min_delta=0.1)",
                          "improves only when val_loss < best_loss - min_delta"),
                         ("[best for best, _ in bests([1.0, 0.95, 0.85, 0.84], patience=9, "
                          "min_delta=0.1)[1:]]",
                          "only an improving epoch updates best_loss, not any smaller loss")],
                hidden=_delta_hidden),
    Requirement("restore", 0.5, "restore(model) loads the weights of the best epoch: a copy "
                "taken then, which later training does not change",
                visible=[("restored()['parameters']",
                          "copy.deepcopy(model.state_dict()) at each improvement: "
                          "state_dict() returns the live tensors, which training changes")],
                hidden=lambda ns: _restore_hidden(ns, "parameters")),
    Requirement("buffers", 0.25, "restore(model) brings back the whole state_dict, buffers "
                "(batch norm's running statistics) too",
                visible=[("restored()['buffers'] == restored()['parameters']",
                          "the buffers come back with the parameters: keep the whole "
                          "state_dict, not only named_parameters()")],
                hidden=lambda ns: [a == b for a, b in zip(_restore_hidden(ns, "buffers"),
                                                         _restore_hidden(ns, "parameters"))]),
    setup=_STOP_SETUP,
)


# --- save_checkpoint and load_checkpoint ------------------------------------------------
_CHECKPOINT_SETUP = """\
import os
import tempfile

folder = tempfile.mkdtemp()


def trained(seed=0, classes=2):
    # a small net with batch norm, and its SGD optimizer with momentum after two steps
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, classes))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        net(torch.randn(5, 3)).pow(2).mean().backward()
        optimizer.step()
    return net, optimizer
"""

_SAVE_SETUP = _CHECKPOINT_SETUP + """

def saved(epoch=7, name="run.pt", safe=False):
    # what save_checkpoint wrote, read back (with weights_only=True if safe)
    net, optimizer = trained()
    save_checkpoint(os.path.join(folder, name), net, optimizer, epoch)
    return torch.load(os.path.join(folder, name), weights_only=safe)
"""


def _save_hidden(ns, what):
    scope = _scope(ns, _SAVE_SETUP)
    out = []
    for seed, classes, epoch in ((1, 3, 0), (2, 5, 12)):
        net, optimizer = scope["trained"](seed, classes)
        path = os.path.join(scope["folder"], f"other{seed}.ckpt")
        ns["save_checkpoint"](path, net, optimizer, epoch)
        if what == "path":
            out.append(sorted(os.listdir(scope["folder"])))
            continue
        state = torch.load(path, weights_only=what == "states")
        if what == "keys":
            out.append([sorted(state), state["epoch"], type(state["epoch"]).__name__])
        else:
            out.append([state["model"], list(state["optimizer"]["state"].values()),
                        state["optimizer"]["param_groups"]])
    return out


declare(
    "save_checkpoint",
    Requirement("keys", 0.5, "the file is a dict with exactly the keys model, optimizer and "
                "epoch, the epoch as given (an int)",
                visible=[("sorted(saved())", "one dict: {'model': ..., 'optimizer': ..., "
                          "'epoch': epoch}"),
                         ("(saved(epoch=3)['epoch'], type(saved(epoch=3)['epoch']).__name__)",
                          "the epoch as given, not epoch + 1")],
                hidden=lambda ns: _save_hidden(ns, "keys")),
    Requirement("states", 0.75, "model is model.state_dict() and optimizer is "
                "optimizer.state_dict(), readable with torch.load(path, weights_only=True)",
                visible=[("saved(safe=True)['model']",
                          "model.state_dict() (parameters and buffers), not the model object "
                          "or its parameters()"),
                         ("list(saved(safe=True)['optimizer']['state'].values())",
                          "optimizer.state_dict(): it holds the momentum buffers that resuming "
                          "needs")],
                hidden=lambda ns: _save_hidden(ns, "states")),
    Requirement("path", 0.25, "written with torch.save to exactly path (no other file, no "
                "suffix added)",
                visible=[("(saved(name='exact.ckpt'), sorted(os.listdir(folder)))[1]",
                          "torch.save(..., path): the path as given")],
                hidden=lambda ns: _save_hidden(ns, "path")),
    setup=_SAVE_SETUP,
)

_LOAD_SETUP = _CHECKPOINT_SETUP + """

def loaded(epoch=4, with_optimizer=True, seed=0):
    # a checkpoint of one run loaded into another run's net and optimizer: the epoch
    # returned, and whether each tensor of the model (parameters, buffers) and of the
    # optimizer (its momentum buffers) is now the checkpoint's, in place
    net, optimizer = trained(seed)
    path = os.path.join(folder, "load.pt")
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, path)
    other, other_optimizer = trained(seed + 10)
    tensors = list(other.state_dict().values())
    epoch = load_checkpoint(path, other, other_optimizer if with_optimizer else None)
    momentum = [other_optimizer.state[p]["momentum_buffer"] for p in other.parameters()]
    return {"epoch": [epoch, type(epoch).__name__],
            "model": [torch.equal(a, b) and a.data_ptr() == c.data_ptr() for a, b, c in
                      zip(other.state_dict().values(), net.state_dict().values(), tensors)],
            "optimizer": [torch.equal(a, optimizer.state[p]["momentum_buffer"])
                          for a, p in zip(momentum, net.parameters())]}


def mismatch(save=None, load=None):
    # loading a checkpoint of one network into another: the error raised, and whether its
    # message names each key that differs
    save, load = save or trained(0, 2)[0], load or trained(0, 3)[0]
    path = os.path.join(folder, "other.pt")
    torch.save({"model": save.state_dict(), "optimizer": {}, "epoch": 1}, path)
    try:
        load_checkpoint(path, load)
    except Exception as error:
        keys = [k for k in {**save.state_dict(), **load.state_dict()}
                if k not in save.state_dict() or k not in load.state_dict()
                or save.state_dict()[k].shape != load.state_dict()[k].shape]
        return [type(error).__name__, {k: k in str(error) for k in keys}]
    return "no error"
"""



def _load_hidden(ns, what, **kwargs):
    loaded = _scope(ns, _LOAD_SETUP)["loaded"]
    return [loaded(epoch=e, seed=s, **kwargs)[what] for e, s in ((0, 3), (25, 4))]


def _mismatch_hidden(ns):
    scope = _scope(ns, _LOAD_SETUP)
    a = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.Linear(2, 2))
    c = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    return [scope["mismatch"](a, b), scope["mismatch"](b, a), scope["mismatch"](a, c)]


declare(
    "load_checkpoint",
    Requirement("model", 0.5, "the model's parameters and buffers become the checkpoint's, "
                "in place (load_state_dict)",
                visible=[("loaded()['model']",
                          "model.load_state_dict(checkpoint['model']): in place, into the "
                          "model given")],
                hidden=lambda ns: _load_hidden(ns, "model")),
    Requirement("optimizer", 0.5, "the optimizer's state (momentum buffers, learning rate) "
                "becomes the checkpoint's",
                visible=[("loaded()['optimizer']",
                          "optimizer.load_state_dict(checkpoint['optimizer'])")],
                hidden=lambda ns: _load_hidden(ns, "optimizer")),
    Requirement("epoch", 0.25, "returns the epoch saved, an int",
                visible=[("loaded(epoch=4)['epoch']", "return checkpoint['epoch']")],
                hidden=lambda ns: _load_hidden(ns, "epoch")),
    Requirement("no optimizer", 0.25, "optimizer=None loads the model alone",
                visible=[("loaded(with_optimizer=False)['model']",
                          "if optimizer is not None: only then load its state")],
                hidden=lambda ns: _load_hidden(ns, "model", with_optimizer=False)),
    Requirement("mismatch", 0.5, "a checkpoint whose parameter names or shapes differ from "
                "the model's raises ValueError naming every such key (missing, unexpected, or "
                "of another shape)",
                visible=[("mismatch()",
                          "compare the keys and shapes of checkpoint['model'] and "
                          "model.state_dict() before loading; raise ValueError with the "
                          "names"),
                         ("mismatch(trained(0, 2)[0], nn.Sequential(nn.Linear(3, 4), "
                          "nn.BatchNorm1d(4)))",
                          "keys the model lacks are named too (load_state_dict's "
                          "RuntimeError is not a ValueError)")],
                hidden=_mismatch_hidden),
    setup=_LOAD_SETUP,
)


# --- channel_stats -----------------------------------------------------------------------
_STATS_SETUP = """\
from torch.utils.data import TensorDataset


class Images(torch.utils.data.Dataset):
    # a dataset that has only len() and indexing (no .data, no .tensors), as an ImageFolder
    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], 0


g = torch.Generator().manual_seed(0)
rgb = torch.rand(6, 3, 5, 4, generator=g)
gray = torch.rand(3, 1, 2, 2, generator=g)
far = 100 + 0.01 * torch.rand(40, 2, 8, 8, generator=g)


def data(images):
    return TensorDataset(images, torch.zeros(len(images), dtype=torch.int64))


def shift_agrees(images, shift=100.0):
    # your statistics of images, and of the same pixels moved by -shift (exact in float32):
    # whether the means differ by shift and the deviations agree, to 1e-5 (relative)
    (m1, s1), (m0, s0) = channel_stats(data(images)), channel_stats(data(images - shift))
    return [bool(torch.allclose(m1.double(), m0.double() + shift, rtol=1e-5, atol=0)),
            bool(torch.allclose(s1.double(), s0.double(), rtol=1e-5, atol=0))]
"""


def _stats_inputs():
    g = gen(7)
    return [torch.rand(5, 3, 7, 3, generator=g), torch.rand(1, 2, 3, 3, generator=g) * 255,
            torch.randn(9, 1, 4, 4, generator=g)]


def _stats_hidden(ns, what):
    f, out = ns["channel_stats"], []
    for images in _stats_inputs():
        data = torch.utils.data.TensorDataset(images, torch.zeros(len(images)))
        got = f(data)
        out.append(what(got))
    return out


def _stats_precision_hidden(ns):
    scope = _scope(ns, _STATS_SETUP)
    g = gen(11)
    # Sterbenz: x - shift is exact in float32 when shift / 2 <= x <= 2 * shift
    return [scope["shift_agrees"](1000 + 0.1 * torch.randn(30, 3, 6, 6, generator=g), 1000.0),
            scope["shift_agrees"](50 + torch.rand(8, 1, 5, 5, generator=g), 50.0)]


def _stats_any_hidden(ns):
    class Items(torch.utils.data.Dataset):
        def __init__(self, images):
            self.images = images

        def __len__(self):
            return len(self.images)

        def __getitem__(self, i):
            return self.images[i], i

    f, out = ns["channel_stats"], []
    for images in _stats_inputs():
        a = f(Items(images))
        b = f(torch.utils.data.TensorDataset(images, torch.zeros(len(images))))
        out.append(all(torch.equal(x, y) for x, y in zip(a, b)))
    return out


declare(
    "channel_stats",
    Requirement("mean", 0.5, "the mean of each channel over every pixel of every image",
                visible=[("channel_stats(data(rgb))[0]",
                          "one mean per channel: average over the images, rows and columns "
                          "(dims 0, 2, 3 of the stacked images)"),
                         ("channel_stats(data(gray))[0]", "one channel: a tensor of shape (1,)")],
                hidden=lambda ns: _stats_hidden(ns, lambda r: r[0])),
    Requirement("std", 0.5, "the standard deviation of each channel over every pixel (ddof = "
                "0, as Normalize expects), not a mean of per-image deviations",
                visible=[("channel_stats(data(rgb))[1]",
                          "over all the pixels at once: the mean of each image's std is "
                          "smaller"),
                         ("channel_stats(data(gray))[1]",
                          "ddof 0: std(unbiased=False), or correction=0; torch.std divides "
                          "by n - 1"),
                         ("channel_stats(data(0.01 * rgb))[1]",
                          "a small spread: the square root of the variance itself, nothing "
                          "added under it")],
                hidden=lambda ns: _stats_hidden(ns, lambda r: r[1]), atol=1e-7),
    Requirement("shape and dtype", 0.5, "a tuple (mean, std) of two float32 tensors of shape "
                "(C,)",
                visible=[("[(tuple(t.shape), t.dtype) for t in channel_stats(data(gray))]",
                          "shape (C,) even for one channel, float32: .float() at the end if "
                          "you computed in float64"),
                         ("type(channel_stats(data(rgb))).__name__", "return mean, std")],
                hidden=lambda ns: _stats_hidden(ns, lambda r: [type(r).__name__, *[
                    (tuple(t.shape), str(t.dtype)) for t in r]])),
    Requirement("precision", 0.25, "within 1e-5 (relative) of the float64 answer, also for "
                "values far from 0",
                visible=[("shift_agrees(far)",
                          "pixels near 100 with a small spread: E[x^2] - E[x]^2 in float32 "
                          "cancels to noise; subtract the mean first, or accumulate in "
                          "float64")],
                hidden=_stats_precision_hidden),
    Requirement("any dataset", 0.25, "works for any dataset of (image, label) items that has "
                "len() and indexing, such as an ImageFolder",
                visible=[("all(torch.equal(a, b) for a, b in zip(channel_stats(Images(rgb)), "
                          "channel_stats(data(rgb))))",
                          "read the items (for image, label in dataset), not attributes such "
                          "as .data or .tensors that an ImageFolder lacks")],
                hidden=_stats_any_hidden),
    setup=_STATS_SETUP,
)


# --- transfer_model ----------------------------------------------------------------------
_TRANSFER_SETUP = """\
class Small(nn.Module):
    # a backbone: features, then a classifier kept under the attribute named head
    def __init__(self, head="fc", features=4):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, features, 3), nn.BatchNorm2d(features),
                                      nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = head
        setattr(self, head, nn.Linear(features, 10))

    def forward(self, x):
        return getattr(self, self.head)(self.features(x))


def built(head="fc", **kwargs):
    # transfer_model on a fresh Small: the net returned, its head, and whether it is the
    # backbone itself
    torch.manual_seed(0)
    backbone = Small(head)
    net = transfer_model(backbone, head, 3, **kwargs)
    return net, getattr(backbone, head), net is backbone


x = torch.linspace(-1, 1, 2 * 8 * 8).reshape(2, 1, 8, 8)
"""



def _transfer_hidden(ns, what):
    scope, out = _scope(ns, _TRANSFER_SETUP), []
    for make, head, k, kw in ((lambda: scope["Small"]("classifier", 6), "classifier", 4, {}),
                              (lambda: scope["Small"]("out", 5), "out", 2, {})):
        backbone = make()
        net = ns["transfer_model"](backbone, head, k, **kw)
        out.append(what(backbone, net, head, k, kw))
    return out


def _frozen(backbone, net, head, k, kw):
    return [p.requires_grad for n, p in backbone.named_parameters()
            if not n.startswith(head + ".")]


def _trainable(backbone, net, head, k, kw):
    return [p.requires_grad for p in getattr(backbone, head).parameters()]


def _head(backbone, net, head, k, kw):
    new = getattr(backbone, head)
    feats = backbone.features(torch.ones(3, 1, 8, 8))
    return [net is backbone, [tuple(p.shape) for p in new.parameters()],
            HELPERS["call_order"](["linear", "relu", "dropout"], new.train(), feats)]


def _arguments_hidden(ns):
    scope, out = _scope(ns, _TRANSFER_SETUP), []
    for head, features, k, hidden, p in (("out", 5, 2, 16, 0.4), ("classifier", 6, 4, 3, 0.0)):
        backbone = scope["Small"](head, features)
        new = getattr(ns["transfer_model"](backbone, head, k, hidden=hidden, p=p), head)
        out.append([[tuple(q.shape) for q in new.parameters()],
                    HELPERS["call_order"](["dropout"], new.train(), torch.ones(2, features))])
    return out


_VISION_SETUP = _TRANSFER_SETUP + """

def vision(name):
    # a torchvision model without weights, on the meta device (no memory, no download)
    import torchvision
    with torch.device("meta"):
        return getattr(torchvision.models, name)(weights=None)
"""


declare(
    "transfer_model",
    Requirement("frozen", 0.5, "every parameter of the backbone outside the new head has "
                "requires_grad False",
                visible=[("[p.requires_grad for n, p in built()[0].named_parameters() "
                          "if not n.startswith('fc.')]",
                          "for p in backbone.parameters(): p.requires_grad_(False), before "
                          "the new head is put in")],
                hidden=lambda ns: _transfer_hidden(ns, _frozen)),
    Requirement("head", 0.75, "the attribute named head becomes Linear(in_features, hidden), "
                "ReLU, Dropout(p), Linear(hidden, num_classes), in_features read from the old "
                "head; the backbone itself is returned",
                visible=[("[tuple(p.shape) for p in built()[1].parameters()]",
                          "in_features = getattr(backbone, head).in_features, then "
                          "setattr(backbone, head, nn.Sequential(...))"),
                         ("call_order(['linear', 'relu', 'dropout'], built()[1].train(), "
                          "torch.ones(2, 4))",
                          "Linear, ReLU, Dropout(p), Linear, in that order"),
                         ("(built()[2], tuple(built()[0](x).shape))",
                          "return the backbone itself, changed in place")],
                hidden=lambda ns: _transfer_hidden(ns, _head)),
    Requirement("arguments", 0.25, "hidden and p set the head's width and dropout",
                visible=[("[tuple(p.shape) for p in built(hidden=8, p=0.5)[1].parameters()]",
                          "Linear(in_features, hidden): use the argument, not 256"),
                         ("call_order(['dropout'], built(hidden=8, p=0.5)[1].train(), "
                          "torch.ones(2, 4))", "Dropout(p), not Dropout(0.2)")],
                hidden=_arguments_hidden),
    Requirement("trainable", 0.5, "the new head's parameters require grad (only they do)",
                visible=[("[p.requires_grad for p in built()[1].parameters()]",
                          "freeze the backbone first, then replace the head: a new layer "
                          "requires grad")],
                hidden=lambda ns: _transfer_hidden(ns, _trainable)),
    Requirement("device", 0.25, "the new head is on the backbone's device",
                visible=[("[p.device.type for p in transfer_model(Small().to('meta'), 'fc', 3)"
                          ".fc.parameters()]",
                          "a GPU backbone needs a GPU head: .to(the device of the old "
                          "head's weight)")]),
    Requirement("torchvision", 0.25, "torchvision's resnet18 (head 'fc', 512 features) and "
                "densenet121 ('classifier', 1024) work too",
                visible=[("[[tuple(p.shape) for p in getattr(transfer_model(vision(name), "
                          "head, 5), head).parameters()] for name, head in (('resnet18', "
                          "'fc'), ('densenet121', 'classifier'))]",
                          "getattr(backbone, head) and setattr(backbone, head, ...): the head's "
                          "name is an argument, and its in_features differ")],
                hidden=lambda ns: [
                    [tuple(p.shape) for p in getattr(ns["transfer_model"](
                        _scope(ns, _VISION_SETUP)["vision"](name), head, 7), head).parameters()]
                    for name, head in (("resnet18", "fc"), ("densenet121", "classifier"))]),
    setup=_VISION_SETUP,
)


# --- confusion_matrix --------------------------------------------------------------------
_CONFUSION_SETUP = """\
preds = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1])
labels = torch.tensor([0, 1, 1, 2, 0, 2, 1, 1])


def made_on(k=3):
    # where confusion_matrix puts its result for CPU predictions while new tensors default to
    # the meta device: as predictions on a GPU, with the CPU as the default device
    with torch.device("meta"):
        return confusion_matrix(preds, labels, k).device.type
"""


def _confusion_inputs():
    g = gen(3)
    return [(torch.randint(0, 5, (200,), generator=g), torch.randint(0, 5, (200,), generator=g),
             5),
            (torch.tensor([3, 3, 3]), torch.tensor([0, 0, 3]), 7),
            (torch.randint(0, 2, (50,), generator=g, dtype=torch.int32),
             torch.randint(0, 2, (50,), generator=g), 2)]


def _confusion_device_hidden(ns):
    scope = _scope(ns, _CONFUSION_SETUP)
    return [scope["made_on"](k) for k in (3, 6)]


def _seen_classes(matrix, preds, labels):
    # the rows and columns of the classes that occur: a missing one is "all classes"' concern
    m = int(max(preds.max(), labels.max())) + 1
    return matrix[:m, :m]


declare(
    "confusion_matrix",
    Requirement("counts", 1, "entry [i, j] counts the examples of true class i predicted as "
                "j (rows true, columns predicted), repeated pairs each counted",
                visible=[("confusion_matrix(preds, labels, 3)",
                          "row = labels, column = preds; cm[labels, preds] += 1 counts a "
                          "repeated pair once: use index_put_(..., accumulate=True) or "
                          "bincount(labels * num_classes + preds)")],
                hidden=lambda ns: [_seen_classes(ns["confusion_matrix"](p, y, k), p, y)
                                   for p, y, k in _confusion_inputs()]),
    Requirement("all classes", 0.5, "shape (num_classes, num_classes), also when some classes "
                "never occur",
                visible=[("confusion_matrix(preds, labels, 5).shape",
                          "num_classes rows and columns, not the largest label + 1"),
                         ("confusion_matrix(torch.tensor([1]), torch.tensor([1]), 4)",
                          "bincount(..., minlength=num_classes * num_classes)")],
                hidden=lambda ns: [ns["confusion_matrix"](p, y, k).shape
                                   for p, y, k in _confusion_inputs()]),
    Requirement("int64", 0.25, "int64 counts",
                visible=[("confusion_matrix(preds, labels, 3).dtype",
                          "torch.zeros(..., dtype=torch.int64): counts, not float32")],
                hidden=lambda ns: [str(ns["confusion_matrix"](p, y, k).dtype)
                                   for p, y, k in _confusion_inputs()]),
    Requirement("device", 0.25, "the result is on the device of preds (made with "
                "device=preds.device, not on the default device)",
                visible=[("made_on()",
                          "torch.zeros(..., device=preds.device): a GPU's predictions give a "
                          "matrix on the GPU")],
                hidden=lambda ns: _confusion_device_hidden(ns)),
    forbidden=BUILT_IN_CONFUSION,
    setup=_CONFUSION_SETUP,
)
