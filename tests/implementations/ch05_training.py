"""Student answers for ch05: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "fashion_mnist_labels": {
        "d2l's code": """
def fashion_mnist_labels(labels):
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]
""",
        "dict, tensor converted with tolist": """
NAMES = dict(enumerate(('t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
                        'sneaker', 'bag', 'ankle boot')))

def fashion_mnist_labels(indices):
    if isinstance(indices, torch.Tensor):
        indices = indices.tolist()
    return [NAMES[int(i)] for i in indices]
""",
        "NumPy, back to Python str": """
import numpy as np

def fashion_mnist_labels(indices):
    names = np.array(['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
                      'sneaker', 'bag', 'ankle boot'])
    idx = np.array([int(i) for i in indices], dtype=np.int64)
    return names[idx].tolist()
""",
        "map with operator.index": """
import operator

def fashion_mnist_labels(indices):
    names = 't-shirt,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle boot'.split(',')
    return list(map(lambda i: names[operator.index(i)], indices))
""",
    },
    "accuracy": {
        "max indices, sum over len": """
def accuracy(logits, y):
    pred = logits.max(dim=1).indices
    return float((pred == y).sum()) / len(y)
""",
        "softmax first (argmax unchanged)": """
def accuracy(logits, y):
    probs = torch.softmax(logits, dim=1)
    return torch.eq(probs.argmax(axis=1), y).to(torch.float64).mean().item()
""",
        "d2l style with type conversion": """
def accuracy(y_hat, y):
    y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum()) / y.numel()
""",
    },
    "log_softmax": {
        "torch.logsumexp": """
def log_softmax(o):
    return o - torch.logsumexp(o, dim=1, keepdim=True)
""",
        "amax and explicit log-sum-exp": """
def log_softmax(o):
    m = o.amax(dim=1, keepdim=True)
    lse = m + torch.log(torch.sum(torch.exp(o - m), dim=1, keepdim=True))
    return o - lse
""",
        "max detached (gradient unchanged)": """
def log_softmax(o):
    c = o.max(1, keepdim=True)[0].detach()
    z = o - c
    return z - z.exp().sum(1, keepdim=True).log()
""",
    },
    "cross_entropy": {
        "gather": """
def cross_entropy(o, y):
    return -log_softmax(o).gather(1, y.unsqueeze(1)).mean()
""",
        "logsumexp minus the right logit": """
def cross_entropy(o, y):
    right = o[torch.arange(o.shape[0], device=o.device), y]
    return (torch.logsumexp(o, dim=1) - right).mean()
""",
        "one-hot mask": """
def cross_entropy(o, y):
    one_hot = F.one_hot(y, num_classes=o.shape[1]).to(o.dtype)
    return -(log_softmax(o) * one_hot).sum(dim=1).mean()
""",
        "sum divided by N": """
def cross_entropy(o, y):
    lp = log_softmax(o)
    n = y.shape[0]
    return -lp[range(n), y].sum() / n
""",
    },
    "train_epoch": {
        "net.zero_grad() at the start of each step": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    total_loss, total_correct, total = 0.0, 0, 0
    for X, y in loader:
        net.zero_grad()
        X = X.to(device)
        y = y.to(device)
        out = net(X)
        loss = loss_fn(out, y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * X.shape[0]
        total_correct += int((out.argmax(1) == y).sum())
        total += X.shape[0]
    return total_loss / total, total_correct / total
""",
        "accuracy() times the batch size, tensor sums": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum = torch.zeros((), dtype=torch.float64)
    correct, n = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        y_hat = net(X)
        l = loss_fn(y_hat, y)
        optimizer.zero_grad(set_to_none=True)
        l.backward()
        optimizer.step()
        loss_sum += l.detach().double().cpu() * y.numel()
        correct += accuracy(y_hat, y) * y.numel()
        n += y.numel()
    return float(loss_sum) / n, correct / n
""",
        "d2l-style Accumulator": """
class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, i):
        return self.data[i]


def train_epoch(net, loader, loss_fn, optimizer, device):
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        y_hat = net(X)
        l = loss_fn(y_hat, y)
        optimizer.zero_grad()
        l.mean().backward()
        optimizer.step()
        metric.add(float(l.detach()) * len(y), (y_hat.argmax(axis=1) == y).sum(), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]
""",
        "moves with non_blocking, uses loader.num_examples": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train(True)
    losses, hits = [], 0
    for X, y in loader:
        X = X.to(device, non_blocking=True)
        y = y.to(device, non_blocking=True)
        optimizer.zero_grad()
        logits = net(X)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item() * len(y))
        hits += (logits.argmax(-1) == y).sum().item()
    return sum(losses) / loader.num_examples, hits / loader.num_examples
""",
    },
    "evaluate": {
        "inference_mode, accuracy() weighted": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0.0, 0
    with torch.inference_mode():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            correct += accuracy(net(X), y) * len(y)
            n += len(y)
    return correct / n
""",
        "no_grad decorator, predictions back with .cpu()": """
@torch.no_grad()
def evaluate(net, loader, device):
    net.train(False)
    hits, total = 0, 0
    for X, y in loader:
        pred = net(X.to(device)).argmax(dim=1).cpu()
        hits += (pred == y.cpu()).sum().item()
        total += y.numel()
    return hits / total
""",
        "torch.as_tensor moves, sums over the batches": """
def evaluate(net, loader, device):
    net.eval()
    hits, seen = [], []
    with torch.no_grad():
        for X, y in loader:
            X, y = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
            hits.append(int((net(X).argmax(dim=1) == y).sum()))
            seen.append(len(y))
    return sum(hits) / sum(seen)
""",
        "dlcourse's evaluate_accuracy": """
def evaluate(net, loader, device):
    net.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / max(total, 1)
""",
    },
    "class_accuracy": {
        "loop over classes": """
def class_accuracy(preds, labels, num_classes):
    out = torch.empty(num_classes, device=labels.device)
    for c in range(num_classes):
        mask = labels == c
        n = mask.sum()
        out[c] = (preds[mask] == c).sum() / n if n > 0 else float('nan')
    return out
""",
        "confusion matrix": """
def class_accuracy(preds, labels, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.float64, device=labels.device)
    cm.index_put_((labels, preds), torch.ones_like(labels, dtype=torch.float64), accumulate=True)
    return cm.diagonal() / cm.sum(dim=1)
""",
        "scatter_add with nan by where": """
def class_accuracy(preds, labels, num_classes):
    hit = (preds == labels).float()
    correct = torch.zeros(num_classes, device=labels.device).scatter_add_(0, labels, hit)
    total = torch.zeros(num_classes, device=labels.device).scatter_add_(0, labels,
                                                                      torch.ones_like(hit))
    return torch.where(total > 0, correct / total.clamp(min=1),
                       torch.full_like(total, float('nan')))
""",
    },
    "split_indices": {
        "last k of the permutation as valid": """
def split_indices(n, valid_fraction, seed):
    g = torch.Generator()
    g.manual_seed(seed)
    perm = torch.randperm(n, generator=g)
    k = int(n * valid_fraction)
    return perm[:n - k], perm[n - k:]
""",
        "NumPy default_rng": """
import math
import numpy as np

def split_indices(n, valid_fraction, seed):
    perm = np.random.default_rng(seed).permutation(n)
    k = math.floor(n * valid_fraction)
    return torch.from_numpy(perm[k:]), torch.from_numpy(perm[:k])
""",
        "argsort of seeded uniform numbers": """
def split_indices(n, valid_fraction, seed):
    gen = torch.Generator().manual_seed(seed)
    order = torch.rand(n, generator=gen).argsort()
    n_valid = int(n * valid_fraction)
    valid, train = order.split([n_valid, n - n_valid])
    return train, valid
""",
    },
}

WRONG = {
    "fashion_mnist_labels": {
        "forbidden: d2l's get_fashion_mnist_labels": """
from d2l import torch as d2l

def fashion_mnist_labels(indices):
    return d2l.get_fashion_mnist_labels(indices)
""",
        "list of str: returns a tuple": """
NAMES = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag',
         'ankle boot')

def fashion_mnist_labels(indices):
    return tuple(NAMES[int(i)] for i in indices)
""",
        "list of str: NumPy strings in a list": """
import numpy as np

def fashion_mnist_labels(indices):
    names = np.array(['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
                      'sneaker', 'bag', 'ankle boot'])
    return [names[int(i)] for i in indices]
""",
        "inputs: dict lookup with tensor keys": """
LABELS = {0: 't-shirt', 1: 'trouser', 2: 'pullover', 3: 'dress', 4: 'coat', 5: 'sandal',
          6: 'shirt', 7: 'sneaker', 8: 'bag', 9: 'ankle boot'}

def fashion_mnist_labels(indices):
    return [LABELS[i] for i in indices]
""",
        "names: torchvision's class names": """
def fashion_mnist_labels(indices):
    names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
             'Sneaker', 'Bag', 'Ankle boot']
    return [names[int(i)] for i in indices]
""",
        "names: labels counted from 1": """
def fashion_mnist_labels(indices):
    names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
             'sneaker', 'bag', 'ankle boot']
    return [names[int(i) - 1] for i in indices]
""",
        "list of str: NumPy array instead of a list": """
import numpy as np

def fashion_mnist_labels(indices):
    names = np.array(['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
                      'sneaker', 'bag', 'ankle boot'])
    return names[np.array([int(i) for i in indices], dtype=np.int64)]
""",
        "names: tensors only: .tolist() on a list": """
def fashion_mnist_labels(indices):
    names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
             'sneaker', 'bag', 'ankle boot']
    return [names[i] for i in indices.tolist()]
""",
        "names: 'sneaker' and 'shirt' swapped": """
def fashion_mnist_labels(indices):
    names = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'sneaker',
             'shirt', 'bag', 'ankle boot']
    return [names[int(i)] for i in indices]
""",
    },
    "accuracy": {
        "forbidden: d2l's accuracy over len(y)": """
from d2l import torch as d2l

def accuracy(logits, y):
    return d2l.accuracy(logits, y) / len(y)
""",
        "values: argmax with keepdim (broadcasts against y)": """
def accuracy(logits, y):
    return (logits.argmax(dim=1, keepdim=True) == y).float().mean().item()
""",
        "values: NumPy (fails on logits that require grad)": """
def accuracy(logits, y):
    return (logits.numpy().argmax(axis=1) == y.numpy()).mean()
""",
        "values: count instead of fraction": """
def accuracy(logits, y):
    return (logits.argmax(dim=1) == y).sum().item()
""",
        "values: argmax over dim 0": """
def accuracy(logits, y):
    return (logits.argmax(dim=0) == y).float().mean().item()
""",
        "float: returns a tensor": """
def accuracy(logits, y):
    return (logits.argmax(dim=1) == y).float().mean()
""",
        "values: divides by N * C": """
def accuracy(logits, y):
    return (logits.argmax(dim=1) == y).sum().item() / logits.numel()
""",
        "values: integer division": """
def accuracy(logits, y):
    return float((logits.argmax(dim=1) == y).sum().item() // len(y))
""",
    },
    "log_softmax": {
        "values: o - max only (no log-sum-exp)": """
def log_softmax(o):
    return o - o.max(dim=1, keepdim=True).values
""",
        "stable: log of torch.softmax": """
def log_softmax(o):
    return torch.log(torch.softmax(o, dim=1))
""",
        "stable: float32 result (.float())": """
def log_softmax(o):
    o = o.float()
    return o - torch.logsumexp(o, dim=1, keepdim=True)
""",
        "gradients: under torch.no_grad() (no gradient)": """
@torch.no_grad()
def log_softmax(o):
    m = o.max(dim=1, keepdim=True).values
    return o - m - (o - m).exp().sum(dim=1, keepdim=True).log()
""",
        "dtype and device: row by row into torch.empty (float32, CPU)": """
def log_softmax(o):
    out = torch.empty(o.shape)
    for i in range(o.shape[0]):
        row = o[i] - o[i].max()
        out[i] = row - row.exp().sum().log()
    return out
""",
        "stable: naive: no max subtracted": """
def log_softmax(o):
    return o - o.exp().sum(dim=1, keepdim=True).log()
""",
        "stable: log of a stable softmax": """
def log_softmax(o):
    e = (o - o.max(dim=1, keepdim=True).values).exp()
    return (e / e.sum(dim=1, keepdim=True)).log()
""",
        "values: over dim 0": """
def log_softmax(o):
    m = o.max(dim=0, keepdim=True).values
    return o - m - (o - m).exp().sum(dim=0, keepdim=True).log()
""",
        "stable: global max, not per row": """
def log_softmax(o):
    shifted = o - o.max()
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()
""",
        "forbidden: built-in through Tensor.log_softmax": """
def log_softmax(o):
    return o.log_softmax(dim=1)
""",
        "forbidden: built-in imported under another name": """
from torch.special import log_softmax as _lsm

def log_softmax(o):
    return _lsm(o, 1)
""",
        "input kept: modifies o in place": """
def log_softmax(o):
    o -= o.max(dim=1, keepdim=True).values
    return o - o.exp().sum(dim=1, keepdim=True).log()
""",
        "values: no keepdim": """
def log_softmax(o):
    m = o.max(dim=1).values
    return o - m - (o - m).exp().sum(dim=1).log()
""",
    },
    "cross_entropy": {
        "forbidden: d2l's Classifier.loss": """
from d2l import torch as d2l

def cross_entropy(o, y):
    return d2l.Classifier.loss(None, o, y)
""",
        "values: missing minus sign": """
def cross_entropy(o, y):
    return log_softmax(o)[torch.arange(len(y), device=o.device), y].mean()
""",
        "dtype and device: row indices made on the CPU": """
def cross_entropy(o, y):
    rows = torch.arange(o.shape[0])
    return -log_softmax(o)[rows, y.cpu()].mean()
""",
        "dtype and device: float32 loss (.float())": """
def cross_entropy(o, y):
    return -log_softmax(o.float())[torch.arange(len(y), device=o.device), y].mean()
""",
        "values: sum instead of mean": """
def cross_entropy(o, y):
    return -log_softmax(o)[torch.arange(len(y), device=o.device), y].sum()
""",
        "values: o[:, y] instead of one entry per row": """
def cross_entropy(o, y):
    return -log_softmax(o)[:, y].mean()
""",
        "stable: log of softmax (unstable)": """
def cross_entropy(o, y):
    p = torch.softmax(o, dim=1)
    return -p[torch.arange(len(y)), y].log().mean()
""",
        "forbidden: F.cross_entropy": """
def cross_entropy(o, y):
    return F.cross_entropy(o, y)
""",
        "forbidden: F.nll_loss on own log_softmax": """
def cross_entropy(o, y):
    return F.nll_loss(log_softmax(o), y)
""",
        "values: returns a float": """
def cross_entropy(o, y):
    return -log_softmax(o)[torch.arange(len(y)), y].mean().item()
""",
        "gradients: under torch.no_grad(), as in the evaluation loop": """
@torch.no_grad()
def cross_entropy(o, y):
    return -log_softmax(o)[torch.arange(len(y), device=o.device), y].mean()
""",
    },
    "train_epoch": {
        "forbidden: dlcourse.train for one epoch": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    history = dlcourse.train(net, loader, 1, loss_fn=loss_fn, optimizer=optimizer,
                             device=device, plot=False)
    return history["train_loss"][0], history["train_acc"][0]
""",
        "forbidden: d2l's train_batch_ch13 for each batch": """
from d2l import torch as d2l

def train_epoch(net, loader, loss_fn, optimizer, device):
    loss_sum, correct, n = 0.0, 0.0, 0
    for X, y in loader:
        loss, hits = d2l.train_batch_ch13(net, X, y, loss_fn, optimizer, [device])
        loss_sum += float(loss) * len(y)
        correct += hits
        n += len(y)
    return loss_sum / n, correct / n
""",
        "forbidden: d2l's train_batch_ch13 imported by name": """
from d2l.torch import train_batch_ch13

def train_epoch(net, loader, loss_fn, optimizer, device):
    loss_sum, correct, n = 0.0, 0.0, 0
    for X, y in loader:
        loss, hits = train_batch_ch13(net, X, y, loss_fn, optimizer, [device])
        loss_sum += loss.item() * len(y)
        correct += hits
        n += len(y)
    return loss_sum / n, correct / n
""",
        "forbidden: dlcourse's train imported by name": """
from dlcourse import train

def train_epoch(net, loader, loss_fn, optimizer, device):
    history = train(net, loader, 1, loss_fn=loss_fn, optimizer=optimizer, device=device,
                    plot=False)
    return history["train_loss"][0], history["train_acc"][0]
""",
        "device: only X moved to the device": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        logits = net(X.to(device))
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "accuracy: accuracy as a count": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, float(correct)
""",
        "mean loss: mean of the batch means": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    losses, correct, n = [], 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return sum(losses) / len(losses), correct / n
""",
        "training: no zero_grad": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "training: no net.train()": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "training: accuracy from a second forward pass after the step": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (net(X).argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "mean loss: divides by len(loader) * batch size": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
    n = len(loader) * loader.batch_size
    return loss_sum / n, correct / n
""",
        "training: step before backward": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        optimizer.step()
        loss.backward()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "training: loss_fn ignored: always cross-entropy": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "mean loss: sums loss tensors (returns a tensor)": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum = loss_sum + loss * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
        "device: batches not moved to the device": """
def train_epoch(net, loader, loss_fn, optimizer, device):
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in loader:
        logits = net(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return loss_sum / n, correct / n
""",
    },
    "evaluate": {
        "forbidden: dlcourse.evaluate_accuracy": """
def evaluate(net, loader, device):
    return dlcourse.evaluate_accuracy(net, loader, device)
""",
        "forbidden: d2l's evaluate_accuracy_gpu": """
from d2l import torch as d2l

def evaluate(net, loader, device):
    return d2l.evaluate_accuracy_gpu(net, loader, device)
""",
        "forbidden: dlcourse's evaluate_accuracy imported by name": """
from dlcourse import evaluate_accuracy

def evaluate(net, loader, device):
    return evaluate_accuracy(net, loader, device)
""",
        "forbidden: d2l's evaluate_accuracy_gpu imported by name": """
from d2l.torch import evaluate_accuracy_gpu

def evaluate(net, loader, device):
    return evaluate_accuracy_gpu(net, loader, device)
""",
        "device: only X moved to the device": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in loader:
            correct += (net(X.to(device)).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n
""",
        "accuracy: tensor counts (returns a tensor)": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            correct = correct + (net(X).argmax(1) == y).sum()
            n += len(y)
    return correct / n
""",
        "eval mode: no net.eval()": """
def evaluate(net, loader, device):
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n
""",
        "no graph: no torch.no_grad()": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        correct += (net(X).argmax(1) == y).sum().item()
        n += len(y)
    return correct / n
""",
        "no graph: detach instead of no_grad": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        out = net(X).detach()
        correct += (out.argmax(1) == y).sum().item()
        n += len(y)
    return correct / n
""",
        "accuracy: mean of the batch accuracies": """
def evaluate(net, loader, device):
    net.eval()
    accs = []
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            accs.append(accuracy(net(X), y))
    return sum(accs) / len(accs)
""",
        "accuracy: returns the count": """
def evaluate(net, loader, device):
    net.eval()
    correct = 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            correct += (net(X).argmax(1) == y).sum().item()
    return float(correct)
""",
        "device: batches not moved to the device": """
def evaluate(net, loader, device):
    net.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in loader:
            correct += (net(X).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n
""",
        "no graph: torch.set_grad_enabled(False) left off": """
def evaluate(net, loader, device):
    net.eval()
    torch.set_grad_enabled(False)
    correct, n = 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        correct += (net(X).argmax(1) == y).sum().item()
        n += len(y)
    return correct / n
""",
    },
    "class_accuracy": {
        "inputs and device: counts in CPU tensors (torch.zeros without device)": """
def class_accuracy(preds, labels, num_classes):
    hits = (preds == labels).float()
    correct = torch.zeros(num_classes).index_add_(0, labels, hits)
    total = torch.zeros(num_classes).index_add_(0, labels, torch.ones_like(hits))
    return correct / total
""",
        "inputs and device: marks the wrong predictions in preds (in place)": """
def class_accuracy(preds, labels, num_classes):
    preds[preds != labels] = num_classes
    correct = torch.bincount(preds, minlength=num_classes + 1)[:num_classes]
    total = torch.bincount(labels, minlength=num_classes)
    return correct.float() / total.float()
""",
        "values: precision instead of recall": """
def class_accuracy(preds, labels, num_classes):
    correct = torch.bincount(labels[preds == labels], minlength=num_classes)
    total = torch.bincount(preds, minlength=num_classes)
    return correct.float() / total.float()
""",
        "empty classes: 0 instead of nan": """
def class_accuracy(preds, labels, num_classes):
    correct = torch.bincount(labels[preds == labels], minlength=num_classes).float()
    total = torch.bincount(labels, minlength=num_classes).float()
    return correct / total.clamp(min=1)
""",
        "empty classes: no minlength": """
def class_accuracy(preds, labels, num_classes):
    correct = torch.bincount(labels[preds == labels])
    total = torch.bincount(labels)
    n = min(len(correct), len(total))
    return correct[:n].float() / total[:n].float()
""",
        "values: integer division": """
def class_accuracy(preds, labels, num_classes):
    correct = torch.bincount(labels[preds == labels], minlength=num_classes)
    total = torch.bincount(labels, minlength=num_classes)
    return (correct // total.clamp(min=1)).float()
""",
        "values: loop skips the last class": """
def class_accuracy(preds, labels, num_classes):
    out = torch.full((num_classes,), float('nan'))
    for c in range(num_classes - 1):
        mask = labels == c
        if mask.any():
            out[c] = (preds[mask] == c).float().mean()
    return out
""",
        "values: overall accuracy for every class": """
def class_accuracy(preds, labels, num_classes):
    return torch.full((num_classes,), (preds == labels).float().mean().item())
""",
    },
    "split_indices": {
        "partition: torch.Tensor(...) makes float indices": """
import numpy as np

def split_indices(n, valid_fraction, seed):
    perm = np.random.default_rng(seed).permutation(n)
    k = int(n * valid_fraction)
    return torch.Tensor(perm[k:]), torch.Tensor(perm[:k])
""",
        "seeded: generator never seeded (seed ignored)": """
def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n, generator=torch.Generator())
    k = int(n * valid_fraction)
    return perm[k:], perm[:k]
""",
        "shuffled: not shuffled: the last k": """
def split_indices(n, valid_fraction, seed):
    k = int(n * valid_fraction)
    idx = torch.arange(n)
    return idx[:n - k], idx[n - k:]
""",
        "sizes: (valid, train) swapped": """
def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = int(n * valid_fraction)
    return perm[:k], perm[k:]
""",
        "seeded: seed ignored (global RNG)": """
def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n)
    k = int(n * valid_fraction)
    return perm[k:], perm[:k]
""",
        "sizes: round instead of floor": """
def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = round(n * valid_fraction)
    return perm[k:], perm[:k]
""",
        "sizes: ceil instead of floor": """
import math

def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = math.ceil(n * valid_fraction)
    return perm[k:], perm[:k]
""",
        "partition: two independent draws (overlap)": """
def split_indices(n, valid_fraction, seed):
    g = torch.Generator().manual_seed(seed)
    k = int(n * valid_fraction)
    valid = torch.randperm(n, generator=g)[:k]
    train = torch.randperm(n, generator=g)[k:]
    return train, valid
""",
        "shuffled: sorted indices": """
def split_indices(n, valid_fraction, seed):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = int(n * valid_fraction)
    return perm[k:].sort().values, perm[:k].sort().values
""",
    },
}
