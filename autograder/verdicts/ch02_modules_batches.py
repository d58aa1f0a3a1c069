# Probes of ch02 (see autograder/verdicts/__init__.py). Each calls the student's functions on
# fixed inputs and returns plain data; the grader compares it with the reference's in its own
# process. Inputs are generated here, in both processes, from fixed seeds.
from torch import nn

LINEAR = ("torch.nn.functional.linear", "torch._C._nn.linear")
MSE = ("torch.nn.functional.mse_loss", "torch._C._nn.mse_loss")
AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")
ON_DEVICE = "result on the input's device"


def _device_ok(fn, *args):
    """As expect_device_agnostic: on "meta" tensors (a stand-in for a GPU) fn gives meta
    results or fails for a reason other than devices (meta tensors cannot do everything)."""
    try:
        result = fn(*args)
    except NotImplementedError:
        return True
    except Exception as error:  # noqa: BLE001 - only device errors count
        return "device" not in str(error)
    results = result if isinstance(result, (tuple, list)) else (result,)
    return all(r.device.type == "meta" for r in results if isinstance(r, torch.Tensor))


def _meta(*shapes):
    return [torch.ones(s, device="meta") for s in shapes]


def probe_linear_forward(ns):
    f = ns["linear_forward"]
    g = gen(21)
    results = []
    # Rectangular shapes catch transposes; C == D ones catch x @ weight that happens to run.
    for N, C, D in ((1, 1, 1), (3, 5, 2), (7, 4, 4), (2, 6, 9), (16, 3, 1), (1, 8, 5)):
        for dtype in (torch.float32, torch.float64):
            x, weight, bias = (torch.randn(*s, generator=g, dtype=dtype).requires_grad_()
                               for s in ((N, C), (D, C), (D,)))
            grad_y = torch.randn(N, D, generator=g, dtype=dtype)
            with torch.enable_grad(), forbid("linear_forward", LINEAR):
                y = require_tensor(f(x, weight, bias), "linear_forward")
                y_no_bias = require_tensor(f(x, weight, None), "linear_forward")
            # Gradients must reach x, weight and bias: no NumPy, no copy into nn.Linear.
            results.append((y, str(y.dtype), y_no_bias, str(y_no_bias.dtype),
                            torch.autograd.grad(y, (x, weight, bias), grad_y),
                            torch.autograd.grad(y_no_bias, (x, weight), grad_y)))
    return {"results": results, ON_DEVICE: _device_ok(f, *_meta((3, 4), (2, 4), (2,)))}


def probe_linear_backward(ns):
    f = ns["linear_backward"]
    g = gen(22)
    results = []
    for N, C, D in ((1, 1, 1), (3, 5, 2), (6, 4, 4), (2, 6, 9), (16, 3, 1), (1, 8, 5),
                    (5, 5, 5), (4, 7, 4)):
        for dtype in (torch.float32, torch.float64):
            grad_y, x, weight = (torch.randn(*s, generator=g, dtype=dtype)
                                 for s in ((N, D), (N, C), (D, C)))
            with torch.no_grad(), forbid("linear_backward", AUTOGRAD):
                grads = f(grad_y, x, weight)
            results.append([require_tensor(grad, "linear_backward") for grad in grads])
    return {"results": results, ON_DEVICE: _device_ok(f, *_meta((4, 2), (4, 3), (2, 3)))}


def probe_mse(ns):
    f = ns["mse"]
    g = gen(24)
    results = []
    for shape in ((1,), (5,), (3, 4), (8, 1), (2, 3, 4), (2, 1, 5, 5)):
        for dtype in (torch.float32, torch.float64):
            x = torch.randn(shape, generator=g, dtype=dtype, requires_grad=True)
            y = torch.randn(shape, generator=g, dtype=dtype)
            with torch.enable_grad(), forbid("mse", MSE):
                loss = require_tensor(f(x, y), "mse")
            results.append((loss, str(loss.dtype), torch.autograd.grad(loss, x)[0]))
    results.append(f(torch.ones(3, 3), torch.ones(3, 3)))
    return {"results": results, ON_DEVICE: _device_ok(f, *_meta((3, 4), (3, 4)))}


def probe_pm1_targets(ns):
    f = ns["pm1_targets"]
    g = gen(25)
    cases = [torch.randint(0, K, (N,), generator=g) for N, K in
             ((1, 1), (1, 10), (5, 2), (20, 10), (7, 30), (64, 3))]
    # The last classes absent, and an empty batch.
    cases += [torch.zeros(3, dtype=torch.long), torch.zeros(0, dtype=torch.long)]
    results = []
    for labels, K in zip(cases, (1, 10, 2, 10, 30, 3, 5, 4)):
        out = require_tensor(f(labels, K), "pm1_targets")
        results.append((out, str(out.dtype), labels))  # labels after the call: unmodified
    meta = torch.tensor([1, 0, 2], device="meta")
    return {"results": results, ON_DEVICE: _device_ok(f, meta, 3)}


def probe_Net(ns):
    # The kernel's RNG is left as it was; a notebook that turned gradients off globally
    # must not fail a correct answer.
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.manual_seed(26)
        net = ns["Net"]()
        net(torch.zeros(1, 1, 28, 28))  # materialises lazy layers
        # Weights that depend only on the shapes: initialisation order and extra modules
        # (nn.ReLU, nn.MaxPool2d) do not matter.
        fill_by_shape(net)
        g = gen(27)
        outputs = [net(torch.randn(N, 1, 28, 28, generator=g)) for N in (1, 2, 7)]
        net.zero_grad()
        net(torch.randn(3, 1, 28, 28, generator=g)).sum().backward()
    return {"weight shapes": [list(getattr(net, name).weight.shape)
                              for name in ("conv1", "conv2", "fc1", "fc2")],
            "number of parameters": sum(p.numel() for p in net.parameters()),
            "every parameter trained": all(p.grad is not None and bool(p.grad.abs().sum() > 0)
                                           for p in net.parameters()),
            "outputs": outputs}


def probe_count_parameters(ns):
    f = ns["count_parameters"]

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(()))
            self.matrix = nn.Parameter(torch.zeros(2, 3, 4))
            self.register_buffer("running", torch.zeros(100))
            self.frozen = nn.Parameter(torch.zeros(50), requires_grad=False)

    with torch.random.fork_rng(devices=[]):
        frozen = nn.Linear(3, 4)
        frozen.bias.requires_grad_(False)
        tied = nn.Linear(4, 4)
        deep = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3), nn.Flatten(),
                             nn.Linear(16, 3))
        deep[0].requires_grad_(False)
        modules = (nn.ReLU(), nn.Linear(3, 4), frozen, nn.Linear(7, 1, bias=False),
                   nn.Conv2d(3, 8, 3), nn.BatchNorm1d(6), nn.Embedding(11, 3),
                   nn.Sequential(nn.Linear(10, 6), nn.BatchNorm1d(6), nn.ReLU(),
                                 nn.Linear(6, 2)),
                   nn.Sequential(tied, nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), tied),
                   deep, Custom(), nn.ModuleList([nn.Linear(2, 2), Custom()]))
    return [f(module) for module in modules]


def _unregistered(model):
    """Paths of tensors and modules kept in plain attributes (lists, dicts, tuples), which
    .to() does not move and state_dict() does not save."""
    registered = {id(t) for t in (*model.parameters(), *model.buffers())}
    registered |= {id(m) for m in model.modules()}
    found = []

    def walk(obj, path, depth):
        if isinstance(obj, (torch.Tensor, nn.Module)):
            if id(obj) not in registered:
                found.append(path)
        elif depth < 4 and isinstance(obj, dict):
            for key, value in obj.items():
                walk(value, f"{path}[{key!r}]", depth + 1)
        elif depth < 4 and isinstance(obj, (list, tuple, set)):
            for i, value in enumerate(obj):
                walk(value, f"{path}[{i}]", depth + 1)

    for module in model.modules():
        for key, value in vars(module).items():
            if key not in ("_parameters", "_buffers", "_modules"):
                walk(value, key, 0)
    return sorted(found)


def probe_NotBuggy(ns):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(30)
        model = ns["NotBuggy"]()
    # Only what registration decides: names are free, values random.
    result = {"shapes in parameters()": sorted(list(p.shape) for p in model.parameters()),
              "all trainable": all(p.requires_grad for p in model.parameters()),
              "all float32": all(p.dtype == torch.float32 for p in model.parameters()),
              "shapes in state_dict()": sorted(list(t.shape) for t in model.state_dict().values()),
              "unregistered tensors or modules": _unregistered(model)}
    model.double()
    result["moved by .double()"] = all(p.dtype == torch.float64 for p in model.parameters())
    return result
