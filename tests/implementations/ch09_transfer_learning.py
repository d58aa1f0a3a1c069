"""Student answers for ch09: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "Adam": {
        "a torch.optim.Optimizer subclass with its own state per parameter": """
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.add_(-group["lr"] * m_hat / (v_hat.sqrt() + group["eps"]))
""",
        "torch's formulation: lerp_, bias_correction2_sqrt, addcdiv_": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = [p for p in params]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.steps = [0 for _ in self.params]
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        beta1, beta2 = self.betas
        with torch.no_grad():
            for i, p in enumerate(self.params):
                grad = p.grad
                if grad is None:
                    continue
                self.steps[i] += 1
                t = self.steps[i]
                self.exp_avg[i].lerp_(grad, 1 - beta1)
                self.exp_avg_sq[i].mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
                bias_correction1 = 1 - beta1 ** t
                bias_correction2_sqrt = math.sqrt(1 - beta2 ** t)
                denom = (self.exp_avg_sq[i].sqrt() / bias_correction2_sqrt).add_(self.eps)
                p.addcdiv_(self.exp_avg[i], denom, value=-self.lr / bias_correction1)
""",
        "state in a dict keyed by the parameter, out-of-place moments, p -= ...": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr = lr
        self.b1, self.b2 = betas
        self.eps = eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad = None

    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad.detach()
            t, m, v = self.state.get(p, (0, torch.zeros_like(p), torch.zeros_like(p)))
            t = t + 1
            m = self.b1 * m + (1 - self.b1) * g
            v = self.b2 * v + (1 - self.b2) * g * g
            self.state[p] = (t, m, v)
            m_hat = m / (1 - self.b1 ** t)
            v_hat = v / (1 - self.b2 ** t)
            with torch.no_grad():
                p -= self.lr * m_hat / (torch.sqrt(v_hat) + self.eps)
""",
        "the paper's loop: moments created lazily in a list of dicts, torch.pow": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.groups = [{"param": p, "t": 0} for p in params]
        self.lr, self.beta1, self.beta2, self.eps = lr, betas[0], betas[1], eps

    def zero_grad(self):
        for group in self.groups:
            group["param"].grad = None

    @torch.no_grad()
    def step(self):
        for group in self.groups:
            p = group["param"]
            if p.grad is None:
                continue
            if "m" not in group:
                group["m"] = p.new_zeros(p.shape)
                group["v"] = p.new_zeros(p.shape)
            group["t"] += 1
            group["m"] = self.beta1 * group["m"] + (1 - self.beta1) * p.grad
            group["v"] = self.beta2 * group["v"] + (1 - self.beta2) * torch.pow(p.grad, 2)
            m_hat = group["m"] / (1 - math.pow(self.beta1, group["t"]))
            v_hat = group["v"] / (1 - math.pow(self.beta2, group["t"]))
            p.sub_(self.lr * m_hat / (torch.sqrt(v_hat) + self.eps))
""",
    },
    "evaluate_loss": {
        "y.shape[0], a tensor sum turned into a float at the end": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        params = list(net.parameters())
        device = params[0].device if params else torch.device("cpu")
    net.eval()
    total, n = torch.zeros((), dtype=torch.float64), 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(net(X), y).double().cpu() * y.shape[0]
            n += y.shape[0]
    return float(total / n)
""",
        "reduction='sum' on a copy of the loss, inference_mode": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        first = next(iter(net.parameters()), None)
        device = "cpu" if first is None else first.device
    summed = copy.copy(loss_fn)
    summed.reduction = "sum"
    net.train(False)
    total, count = 0.0, 0
    with torch.inference_mode():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += summed(net(X), y).item()
            count += X.size(0)
    return total / count
""",
        "lists of batch losses and sizes, a weighted average": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        device = next((p.device for p in net.parameters()), torch.device("cpu"))
    device = torch.device(device)
    net.eval()
    losses, sizes = [], []
    with torch.no_grad():
        for X, y in loader:
            out = net(X.to(device))
            losses.append(loss_fn(out, y.to(device)).item())
            sizes.append(len(X))
    return sum(l * s for l, s in zip(losses, sizes)) / sum(sizes)
""",
        "mode restored afterwards, device from a state_dict tensor": """
def evaluate_loss(net, loader, loss_fn, device=None):
    was_training = net.training
    if device is None:
        tensors = list(net.state_dict().values())
        device = tensors[0].device if tensors else torch.device("cpu")
    net.eval()
    running, seen = 0.0, 0
    try:
        with torch.no_grad():
            for batch in loader:
                X, y = (t.to(device) for t in batch)
                batch_size = y.numel() if y.dim() == 1 else y.shape[0]
                running += float(loss_fn(net(X), y)) * batch_size
                seen += batch_size
    finally:
        net.train(was_training)
    return running / seen
""",
    },
    "EarlyStopping": {
        "a deepcopy of the model, epochs since the best": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_model = None
        self.epoch = -1
        self.stop = False

    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = val_loss
            self.best_epoch = self.epoch
            self.best_model = copy.deepcopy(model)
        elif self.epoch - self.best_epoch >= self.patience:
            self.stop = True
        return self.stop

    def restore(self, model):
        model.load_state_dict(self.best_model.state_dict())
""",
        "{k: v.clone()} of the state_dict, a history of losses": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.history = []
        self.best_loss, self.best_epoch = float("inf"), None
        self.weights, self.bad_epochs, self.done = None, 0, False

    def step(self, val_loss, model):
        self.history.append(val_loss)
        if self.best_loss - self.min_delta > val_loss:
            self.best_loss, self.best_epoch = val_loss, len(self.history) - 1
            self.weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience:
                self.done = True
        return self.done

    def restore(self, model):
        with torch.no_grad():
            for k, v in model.state_dict().items():
                v.copy_(self.weights[k])
""",
        "the best weights serialised to an in-memory file": """
import io


class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch = None
        self.buffer = None
        self.calls = 0
        self.wait = 0
        self.should_stop = False

    def step(self, val_loss, model):
        epoch, self.calls = self.calls, self.calls + 1
        improved = val_loss < self.best_loss - self.min_delta
        if improved:
            self.best_loss, self.best_epoch, self.wait = val_loss, epoch, 0
            self.buffer = io.BytesIO()
            torch.save(model.state_dict(), self.buffer)
        else:
            self.wait += 1
        if self.wait >= self.patience:
            self.should_stop = True
        return self.should_stop

    def restore(self, model):
        self.buffer.seek(0)
        model.load_state_dict(torch.load(self.buffer, weights_only=True))
""",
        "any(): stop once a window of patience losses has no improvement": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch = math.inf, None
        self.improved = []
        self.state = None

    def step(self, val_loss, model):
        better = val_loss < self.best_loss - self.min_delta
        if better:
            self.best_loss, self.best_epoch = val_loss, len(self.improved)
            self.state = copy.deepcopy(model.state_dict())
        self.improved.append(better)
        n = self.patience
        return any(len(self.improved[:i + 1]) >= n and not any(self.improved[i + 1 - n:i + 1])
                   for i in range(len(self.improved)))

    def restore(self, model):
        model.load_state_dict(self.state)
""",
    },
    "save_checkpoint": {
        "dict(), keyword arguments to torch.save": """
def save_checkpoint(path, model, optimizer, epoch):
    checkpoint = dict(model=model.state_dict(), optimizer=optimizer.state_dict(), epoch=epoch)
    torch.save(obj=checkpoint, f=path)
""",
        "an open file": """
def save_checkpoint(path, model, optimizer, epoch):
    with open(path, "wb") as f:
        torch.save({"epoch": int(epoch), "model": model.state_dict(),
                    "optimizer": optimizer.state_dict()}, f)
""",
        "copies of the states, on the CPU": """
import os


def save_checkpoint(path, model, optimizer, epoch):
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save({"model": state, "optimizer": copy.deepcopy(optimizer.state_dict()),
                "epoch": epoch}, os.fspath(path))
""",
        "serialised in memory, then written in one go": """
import io


def save_checkpoint(path, model, optimizer, epoch):
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, buffer)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
""",
    },
    "load_checkpoint": {
        "load_state_dict's RuntimeError wrapped in a ValueError": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    try:
        model.load_state_dict(checkpoint["model"])
    except RuntimeError as error:
        raise ValueError(f"checkpoint does not fit the model: {error}") from error
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "sets of keys, a list of the keys that differ": """
def load_checkpoint(path, model, optimizer=None):
    ckpt = torch.load(path, map_location="cpu")
    current, stored = model.state_dict(), ckpt["model"]
    bad = sorted(set(current) ^ set(stored))
    bad += [k for k in set(current) & set(stored) if current[k].shape != stored[k].shape]
    if bad:
        raise ValueError("keys that differ: " + ", ".join(bad))
    model.load_state_dict(stored)
    if optimizer is not None:
        optimizer.load_state_dict(ckpt["optimizer"])
    return int(ckpt["epoch"])
""",
        "copies each tensor in place itself, shapes compared as lists": """
def load_checkpoint(path, model, optimizer=None):
    with open(path, "rb") as f:
        checkpoint = torch.load(f, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    missing = [k for k in mine if k not in saved]
    unexpected = [k for k in saved if k not in mine]
    resized = [k for k in mine if k in saved and list(mine[k].shape) != list(saved[k].shape)]
    if missing or unexpected or resized:
        raise ValueError(f"missing {missing}, unexpected {unexpected}, other shape {resized}")
    with torch.no_grad():
        for k, v in mine.items():
            v.copy_(saved[k])
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "onto the model's device, the message built line by line": """
def load_checkpoint(path, model, optimizer=None):
    device = next(model.parameters()).device
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    lines = []
    own = model.state_dict()
    for key in list(own) + [k for k in checkpoint["model"] if k not in own]:
        if key not in checkpoint["model"]:
            lines.append(f"missing: {key}")
        elif key not in own:
            lines.append(f"unexpected: {key}")
        elif own[key].shape != checkpoint["model"][key].shape:
            lines.append(f"shape of {key}: {tuple(own[key].shape)} in the model, "
                         f"{tuple(checkpoint['model'][key].shape)} in the checkpoint")
    if lines:
        raise ValueError("\\n".join(lines))
    model.load_state_dict(checkpoint["model"], strict=True)
    if optimizer:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
    },
    "channel_stats": {
        "a DataLoader, torch.cat, then mean and std(unbiased=False) in float32": """
def channel_stats(dataset):
    loader = DataLoader(dataset, batch_size=64)
    images = torch.cat([X for X, _ in loader])
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3), unbiased=False)
""",
        "Welford's running update, per image (Chan's combination)": """
def channel_stats(dataset):
    n, mean, m2 = 0, None, None
    for image, _ in dataset:
        x = image.double().reshape(image.shape[0], -1)
        k = x.shape[1]
        batch_mean = x.mean(dim=1)
        batch_m2 = ((x - batch_mean[:, None]) ** 2).sum(dim=1)
        if mean is None:
            n, mean, m2 = k, batch_mean, batch_m2
            continue
        delta = batch_mean - mean
        total = n + k
        mean = mean + delta * k / total
        m2 = m2 + batch_m2 + delta ** 2 * n * k / total
        n = total
    return mean.to(torch.float32), (m2 / n).sqrt().to(torch.float32)
""",
        "law of total variance over the images": """
def channel_stats(dataset):
    means, variances = [], []
    for i in range(len(dataset)):
        image = dataset[i][0].to(torch.float64)
        means.append(image.mean(dim=(1, 2)))
        variances.append(image.var(dim=(1, 2), unbiased=False))
    means, variances = torch.stack(means), torch.stack(variances)
    mean = means.mean(dim=0)
    var = variances.mean(dim=0) + ((means - mean) ** 2).mean(dim=0)
    return mean.float(), var.sqrt().float()
""",
        "two passes, torch.stack, var_mean with correction=0": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    var, mean = torch.var_mean(images.transpose(0, 1).flatten(1), dim=1, correction=0)
    return (mean.float(), var.sqrt().float())
""",
    },
    "transfer_model": {
        "requires_grad_ on the module, named layers, the device of the head's parameters": """
from collections import OrderedDict


def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    backbone.requires_grad_(False)
    old = getattr(backbone, head)
    device = next(old.parameters()).device
    new = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(old.weight.shape[1], hidden)),
        ("relu", nn.ReLU(inplace=True)),
        ("dropout", nn.Dropout(p=p)),
        ("fc2", nn.Linear(hidden, num_classes)),
    ]))
    setattr(backbone, head, new.to(device))
    return backbone
""",
        "replaced first, then requires_grad set by name": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    in_features = getattr(backbone, head).in_features
    device = getattr(backbone, head).weight.device
    backbone.add_module(head, nn.Sequential(
        nn.Linear(in_features, hidden, device=device), nn.ReLU(), nn.Dropout(p),
        nn.Linear(hidden, num_classes, device=device)))
    for name, param in backbone.named_parameters():
        param.requires_grad = name.startswith(head + ".")
    return backbone
""",
        "the layers built in a list, moved with .to(device=...)": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad = False
    classifier = getattr(backbone, head)
    layers = [nn.Linear(classifier.in_features, hidden), nn.ReLU()]
    layers += [nn.Dropout(p), nn.Linear(hidden, num_classes)]
    backbone.__setattr__(head, nn.Sequential(*layers).to(device=classifier.weight.device))
    for param in getattr(backbone, head).parameters():
        param.requires_grad = True
    return backbone
""",
        "a small nn.Module of its own for the head": """
class Head(nn.Module):
    def __init__(self, in_features, hidden, num_classes, p):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden)
        self.dropout = nn.Dropout(p)
        self.out = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.out(self.dropout(torch.relu(self.hidden(x))))


def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for module in backbone.modules():
        for param in module.parameters(recurse=False):
            param.requires_grad_(False)
    old = getattr(backbone, head)
    setattr(backbone, head, Head(old.in_features, hidden, num_classes, p).to(old.weight.device))
    return backbone
""",
    },
    "confusion_matrix": {
        "a Python loop over .tolist(), the matrix made on preds' device": """
def confusion_matrix(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=preds.device)
    for t, p in zip(labels.tolist(), preds.tolist()):
        cm[t, p] += 1
    return cm
""",
        "bincount(labels * k + preds, minlength=k * k).reshape": """
def confusion_matrix(preds, labels, num_classes):
    k = num_classes
    flat = labels.long() * k + preds.long()
    return torch.bincount(flat, minlength=k * k).reshape(k, k)
""",
        "a product of one-hot matrices": """
def confusion_matrix(preds, labels, num_classes):
    true = nn.functional.one_hot(labels.long(), num_classes).float()
    pred = nn.functional.one_hot(preds.long(), num_classes).float()
    return (true.T @ pred).round().long()
""",
        "index_add_ of ones, row by row of a flat matrix": """
def confusion_matrix(preds, labels, num_classes):
    flat = torch.zeros(num_classes * num_classes, dtype=torch.long, device=preds.device)
    index = labels.to(torch.long) * num_classes + preds.to(torch.long)
    flat.index_add_(0, index, torch.ones_like(index))
    return flat.view(num_classes, num_classes)
""",
        "a comparison of every class pair, summed": """
def confusion_matrix(preds, labels, num_classes):
    classes = torch.arange(num_classes, device=preds.device)
    is_true = labels[None, :] == classes[:, None]
    is_pred = preds[None, :] == classes[:, None]
    return (is_true[:, None, :] & is_pred[None, :, :]).sum(dim=2, dtype=torch.int64)
""",
    },
}

WRONG = {
    "Adam": {
        "update: no bias correction": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            m, v = self.state.setdefault(i, (torch.zeros_like(p), torch.zeros_like(p)))
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.sub_(self.lr * m / (v.sqrt() + self.eps))
""",
        "update: corrects m with 1 - beta2 ** t": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            t, m, v = self.state.get(i, (0, torch.zeros_like(p), torch.zeros_like(p)))
            t += 1
            self.state[i] = (t, m, v)
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = m / (1 - b2 ** t)
            v_hat = v / (1 - b2 ** t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "update: new moments at every step (no memory)": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = [0] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.t[i] += 1
            t = self.t[i]
            m = torch.zeros_like(p)
            v = torch.zeros_like(p)
            m = b1 * m + (1 - b1) * p.grad
            v = b2 * v + (1 - b2) * p.grad ** 2
            m_hat = m / (1 - b1 ** t)
            v_hat = v / (1 - b2 ** t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "hyperparameters: eps inside the square root (seen once eps is large)": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.state[i] is None:
                self.state[i] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            s = self.state[i]
            s[0] += 1
            s[1].mul_(b1).add_(p.grad, alpha=1 - b1)
            s[2].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = s[1] / (1 - b1 ** s[0])
            v_hat = s[2] / (1 - b2 ** s[0])
            p.sub_(self.lr * m_hat / torch.sqrt(v_hat + self.eps))
""",
        "dtype: moments made with torch.zeros(p.shape)": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = [0] * len(self.params)
        self.m = [torch.zeros(p.shape) for p in self.params]
        self.v = [torch.zeros(p.shape) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.t[i] += 1
            self.m[i].mul_(b1).add_(p.grad, alpha=1 - b1)
            self.v[i].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = self.m[i] / (1 - b1 ** self.t[i])
            v_hat = self.v[i] / (1 - b2 ** self.t[i])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "hyperparameters: betas and eps hard-coded to the defaults": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr = lr
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2, eps = 0.9, 0.999, 1e-8
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.state[i] is None:
                self.state[i] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            s = self.state[i]
            s[0] += 1
            s[1].mul_(b1).add_(p.grad, alpha=1 - b1)
            s[2].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = s[1] / (1 - b1 ** s[0])
            v_hat = s[2] / (1 - b2 ** s[0])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + eps))
""",
        "hyperparameters: eps ignored (1e-8 always)": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, (self.b1, self.b2) = lr, betas
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.state[i] is None:
                self.state[i] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            s = self.state[i]
            s[0] += 1
            s[1].mul_(self.b1).add_(p.grad, alpha=1 - self.b1)
            s[2].mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
            m_hat = s[1] / (1 - self.b1 ** s[0])
            v_hat = s[2] / (1 - self.b2 ** s[0])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + 1e-8))
""",
        "no grad: one step count shared by every parameter": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = m / (1 - b1 ** self.t)
            v_hat = v / (1 - b2 ** self.t)
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "no grad: fails on a parameter whose .grad is None": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = [0] * len(self.params)
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            self.t[i] += 1
            self.m[i].mul_(b1).add_(p.grad, alpha=1 - b1)
            self.v[i].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = self.m[i] / (1 - b1 ** self.t[i])
            v_hat = self.v[i] / (1 - b2 ** self.t[i])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "iterable: keeps the generator, empty after the first step": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p in self.params:
            if p.grad is None:
                continue
            if p not in self.state:
                self.state[p] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            s = self.state[p]
            s[0] += 1
            s[1].mul_(b1).add_(p.grad, alpha=1 - b1)
            s[2].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = s[1] / (1 - b1 ** s[0])
            v_hat = s[2] / (1 - b2 ** s[0])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "zero_grad: zeroes .grad in place (p.grad.zero_())": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.state[i] is None:
                self.state[i] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            s = self.state[i]
            s[0] += 1
            s[1].mul_(b1).add_(p.grad, alpha=1 - b1)
            s[2].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = s[1] / (1 - b1 ** s[0])
            v_hat = s[2] / (1 - b2 ** s[0])
            p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
""",
        "forbidden: wraps torch.optim.Adam": """
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.optimizer = torch.optim.Adam(params, lr=lr, betas=betas, eps=eps)

    def zero_grad(self):
        self.optimizer.zero_grad()

    def step(self):
        self.optimizer.step()
""",
        "forbidden: AdamW without weight decay, imported under another name": """
from torch.optim import AdamW as _Inner


class Adam(_Inner):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=0.0)
""",
    },
    "evaluate_loss": {
        "mean: the mean of the batch means": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval()
    losses = []
    with torch.no_grad():
        for X, y in loader:
            losses.append(loss_fn(net(X.to(device)), y.to(device)).item())
    return sum(losses) / len(losses)
""",
        "mean: divides the summed batch means by the number of examples": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            total += loss_fn(net(X.to(device)), y.to(device)).item()
            count += len(y)
    return total / count
""",
        "subset: divides by len(loader.dataset), as the cheat sheet": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval()
    valid_loss = 0.0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            loss = loss_fn(net(data), target)
            valid_loss += loss.item() * data.size(0)
    return valid_loss / len(loader.dataset)
""",
        "eval mode: never calls net.eval()": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(net(X), y).item() * len(y)
            count += len(y)
    return total / count
""",
        "eval mode: net.eval without the call's parentheses": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(net(X), y).item() * len(y)
            count += len(y)
    return total / count
""",
        "no graph: no torch.no_grad()": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval()
    total, count = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        total += loss_fn(net(X), y).item() * len(y)
        count += len(y)
    return total / count
""",
        "float: returns a tensor (no .item())": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    net.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(net(X), y) * len(y)
            count += len(y)
    return total / count
""",
        "devices: next(net.parameters()) fails for a net without parameters": """
def evaluate_loss(net, loader, loss_fn, device=None):
    if device is None:
        device = next(net.parameters()).device
    net.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(net(X), y).item() * len(y)
            count += len(y)
    return total / count
""",
    },
    "EarlyStopping": {
        "stops: an equal loss neither improves nor counts (if < ... elif >)": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        elif val_loss > self.best_loss - self.min_delta:
            self.counter += 1
        self.epoch += 1
        if self.counter >= self.patience:
            self.stopped = True
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "stops: says stop only while the count is reached (not once and for all)": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter = 0, 0

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        return self.counter >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "stops: counter > patience, one epoch late": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter > self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "stops: the count is never set back to 0": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.bad = 0, 0

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad += 1
        self.epoch += 1
        return self.bad >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "best: best_epoch counted from 1": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "best: best_loss starts at None, best_epoch at 0": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = None, 0, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "best: best_epoch set wherever the loss equals best_loss (a tie moves it)": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = val_loss
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        if val_loss == self.best_loss:
            self.best_epoch = self.epoch
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "min_delta: ignored (any lower loss improves)": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience = patience
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "min_delta: any lower loss becomes best_loss, min_delta only for the count": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.counter = 0
        else:
            self.counter += 1
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "restore: keeps model.state_dict() without copying it": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = model.state_dict()
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "restore: a shallow copy, dict(model.state_dict())": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = dict(model.state_dict())
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best_state)
""",
        "restore: copies the weights at every epoch, not only the best": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.weights = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        self.weights = copy.deepcopy(model.state_dict())
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.weights)
""",
        "buffers: copies named_parameters() only": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_params = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_params = {n: p.detach().clone() for n, p in model.named_parameters()}
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(self.best_params[n])
""",
        "buffers: load_state_dict(strict=False) of the parameters": """
class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best = math.inf, None, None
        self.epoch, self.counter, self.stopped = 0, 0, False

    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best = copy.deepcopy(dict(model.named_parameters()))
            self.counter = 0
        else:
            self.counter += 1
        self.epoch += 1
        self.stopped = self.stopped or self.counter >= self.patience
        return self.stopped

    def restore(self, model):
        model.load_state_dict(self.best, strict=False)
""",
    },
    "save_checkpoint": {
        "keys: saves epoch + 1, the epoch to resume from": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch + 1}, path)
""",
        "keys: the tutorial's names, model_state_dict and optimizer_state_dict": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict()}, path)
""",
        "keys: the epoch as a tensor": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": torch.tensor(epoch)}, path)
""",
        "states: pickles the model and the optimizer themselves": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model, "optimizer": optimizer, "epoch": epoch}, path)
""",
        "states: the parameters only, no buffers": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": dict(model.named_parameters()), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, path)
""",
        "states: the optimizer's param_groups only, without its state": """
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(),
                "optimizer": {"state": {}, "param_groups": optimizer.state_dict()["param_groups"]},
                "epoch": epoch}, path)
""",
        "path: a temporary file written and copied, left behind": """
import shutil


def save_checkpoint(path, model, optimizer, epoch):
    temporary = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, temporary)
    shutil.copyfile(temporary, path)
""",
        "path: the model also saved in a file of its own": """
import os


def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epoch}, path)
    torch.save(model.state_dict(), os.path.join(os.path.dirname(path), "model_weights.pth"))
""",
    },
    "load_checkpoint": {
        "model: if/else: with an optimizer, only the optimizer is loaded": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    if optimizer is None:
        model.load_state_dict(saved)
    else:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "model: copies the parameters only, not the buffers": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.copy_(saved[name])
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "model: load_state_dict(..., assign=True) swaps the tensors": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    model.load_state_dict(saved, assign=True)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "optimizer: never loads the optimizer's state": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    model.load_state_dict(saved)
    return checkpoint["epoch"]
""",
        "epoch: returns epoch + 1, the next epoch": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    model.load_state_dict(saved)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"] + 1
""",
        "epoch: returns nothing": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    model.load_state_dict(saved)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
""",
        "no optimizer: loads the optimizer without checking for None": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in set(saved) | set(mine)
           if k not in saved or k not in mine or saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"keys that differ: {sorted(bad)}")
    model.load_state_dict(saved)
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "mismatch: lets load_state_dict raise its RuntimeError": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "mismatch: compares the shapes of the common keys only": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    bad = [k for k in mine if k in saved and saved[k].shape != mine[k].shape]
    if bad:
        raise ValueError(f"shapes differ: {bad}")
    model.load_state_dict(saved)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "mismatch: names only the first key that differs": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    saved, mine = checkpoint["model"], model.state_dict()
    for k in list(mine) + list(saved):
        if k not in saved or k not in mine or saved[k].shape != mine[k].shape:
            raise ValueError(f"{k} does not match")
    model.load_state_dict(saved)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
        "mismatch: strict=False, the mismatch goes unnoticed": """
def load_checkpoint(path, model, optimizer=None):
    checkpoint = torch.load(path, weights_only=True)
    mine = model.state_dict()
    fitting = {k: v for k, v in checkpoint["model"].items()
               if k in mine and mine[k].shape == v.shape}
    model.load_state_dict(fitting, strict=False)
    if optimizer is not None:
        optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
""",
    },
    "channel_stats": {
        "mean: one mean over every value, all channels together": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    channels = images.shape[1]
    mean = images.mean().expand(channels)
    std = images.std(dim=(0, 2, 3), unbiased=False)
    return mean.float(), std.float()
""",
        "mean: the pixels of all the channels mixed by a reshape(-1, C)": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    pixels = images.reshape(-1, images.shape[1])
    mean = pixels.mean(dim=0)
    std = images.std(dim=(0, 2, 3), unbiased=False)
    return mean.float(), std.float()
""",
        "std: torch.std's default, n - 1": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    return images.mean(dim=(0, 2, 3)).float(), images.std(dim=(0, 2, 3)).float()
""",
        "std: the mean of each image's standard deviation": """
def channel_stats(dataset):
    means, stds = [], []
    for image, _ in dataset:
        image = image.double()
        means.append(image.mean(dim=(1, 2)))
        stds.append(image.std(dim=(1, 2), unbiased=False))
    return torch.stack(means).mean(0).float(), torch.stack(stds).mean(0).float()
""",
        "shape and dtype: float64 returned (no .float())": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3), unbiased=False)
""",
        "shape and dtype: returns a list": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    return [images.mean(dim=(0, 2, 3)).float(),
            images.std(dim=(0, 2, 3), unbiased=False).float()]
""",
        "std: adds 1e-8 under the square root": """
def channel_stats(dataset):
    images = torch.stack([dataset[i][0] for i in range(len(dataset))]).double()
    mean = images.mean(dim=(0, 2, 3))
    var = ((images - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
    return mean.float(), torch.sqrt(var + 1e-8).float()
""",
        "precision: E[x^2] - E[x]^2 summed in float32": """
def channel_stats(dataset):
    total, squares, count = 0, 0, 0
    for image, _ in dataset:
        total = total + image.sum(dim=(1, 2))
        squares = squares + (image ** 2).sum(dim=(1, 2))
        count += image.shape[1] * image.shape[2]
    mean = total / count
    return mean, (squares / count - mean ** 2).clamp(min=0).sqrt()
""",
        "any dataset: reads dataset.tensors[0]": """
def channel_stats(dataset):
    images = dataset.tensors[0].double()
    return (images.mean(dim=(0, 2, 3)).float(),
            images.std(dim=(0, 2, 3), unbiased=False).float())
""",
    },
    "transfer_model": {
        "frozen: never freezes the backbone": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
        "frozen: requires_grad = False set on the modules, not their parameters": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for module in backbone.modules():
        module.requires_grad = False
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
        "head: no ReLU between the two layers": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad_(False)
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
        "head: dropout before the ReLU": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad_(False)
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.Dropout(p), nn.ReLU(),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
        "head: returns nothing": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad_(False)
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
""",
        "arguments: the cheat sheet's 256 and 0.2 hard-coded": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad_(False)
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, 256), nn.ReLU(), nn.Dropout(0.2),
                        nn.Linear(256, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
        "trainable: freezes after putting in the new head": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    for param in backbone.parameters():
        param.requires_grad_(False)
    return backbone
""",
        "device: the new head stays on the CPU": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.parameters():
        param.requires_grad_(False)
    old = getattr(backbone, head)
    setattr(backbone, head, nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(),
                                          nn.Dropout(p), nn.Linear(hidden, num_classes)))
    return backbone
""",
        "torchvision: freezes backbone.features only (resnet18 has none)": """
def transfer_model(backbone, head, num_classes, hidden=256, p=0.2):
    for param in backbone.features.parameters():
        param.requires_grad = False
    old = getattr(backbone, head)
    new = nn.Sequential(nn.Linear(old.in_features, hidden), nn.ReLU(), nn.Dropout(p),
                        nn.Linear(hidden, num_classes))
    setattr(backbone, head, new.to(old.weight.device))
    return backbone
""",
    },
    "confusion_matrix": {
        "counts: cm[labels, preds] += 1 counts a repeated pair once": """
def confusion_matrix(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=preds.device)
    cm[labels.long(), preds.long()] += 1
    return cm
""",
        "counts: rows are the predictions, columns the labels": """
def confusion_matrix(preds, labels, num_classes):
    k = num_classes
    flat = preds.long() * k + labels.long()
    return torch.bincount(flat, minlength=k * k).reshape(k, k)
""",
        "counts: index_put_ without accumulate=True": """
def confusion_matrix(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=preds.device)
    ones = torch.ones(len(preds), dtype=torch.int64, device=preds.device)
    return cm.index_put_((labels.long(), preds.long()), ones)
""",
        "all classes: the size from the largest class seen": """
def confusion_matrix(preds, labels, num_classes):
    k = int(max(preds.max(), labels.max())) + 1
    flat = labels.long() * k + preds.long()
    return torch.bincount(flat, minlength=k * k).reshape(k, k)
""",
        "all classes: bincount without minlength": """
def confusion_matrix(preds, labels, num_classes):
    counts = torch.bincount(labels.long() * num_classes + preds.long())
    return counts.reshape(-1, num_classes)
""",
        "int64: float32 counts (torch.zeros(k, k))": """
def confusion_matrix(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, device=preds.device)
    cm.index_put_((labels.long(), preds.long()), torch.ones(len(preds), device=preds.device),
                  accumulate=True)
    return cm
""",
        "device: the matrix made on the CPU": """
def confusion_matrix(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    cm.index_put_((labels.long(), preds.long()), torch.ones(len(preds), dtype=torch.int64),
                  accumulate=True)
    return cm
""",
    },
}
