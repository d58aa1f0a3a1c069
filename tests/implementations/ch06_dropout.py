"""Student answers for ch06: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "dropout_layer": {
        "Bernoulli mask": """
def dropout_layer(X, p):
    if p < 0 or p > 1:
        raise ValueError("p must be in [0, 1]")
    if p == 1:
        return torch.zeros_like(X)
    mask = torch.bernoulli(torch.full_like(X, 1 - p))
    return X * mask / (1 - p)
""",
        "torch.where": """
def dropout_layer(X, p):
    if not (0.0 <= p <= 1.0):
        raise ValueError(p)
    if p == 1.0:
        return X * 0.0
    keep = torch.rand_like(X) < 1 - p
    return torch.where(keep, X / (1 - p), torch.zeros_like(X))
""",
        "d2l's code, device-aware": """
def dropout_layer(X, dropout):
    if not 0 <= dropout <= 1:
        raise ValueError("dropout must be between 0 and 1")
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape, device=X.device) > dropout).float()
    return mask * X / (1.0 - dropout)
""",
        "uniform_ on a new tensor, out-of-place clone": """
def dropout_layer(X, p):
    if p > 1 or p < 0:
        raise ValueError(f"bad p {p}")
    out = X.clone()
    if p == 0:
        return out
    drop = X.new_empty(X.shape).uniform_() < p
    out[drop] = 0
    return out / (1 - p) if p < 1 else out
""",
        "bernoulli_ in place on a new tensor": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError("p must lie in [0, 1]")
    if p == 1:
        return X * 0
    keep = torch.empty_like(X).bernoulli_(1 - p)
    return X * keep * (1.0 / (1.0 - p))
""",
        "rand >= p, no special case for p = 0": """
def dropout_layer(X, p):
    if p < 0 or p > 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    mask = torch.rand(*X.shape, dtype=X.dtype, device=X.device) >= p
    return X * mask / (1 - p)
""",
    },
    "Dropout": {
        "early return in eval mode": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = float(p)

    def forward(self, X):
        if not self.training:
            return X
        return dropout_layer(X, self.p)
""",
        "conditional expression, p under another name": """
class Dropout(nn.Module):
    def __init__(self, p):
        super(Dropout, self).__init__()
        self.prob = p

    def forward(self, x):
        return dropout_layer(x, self.prob) if self.training else x
""",
        "p = 0 in eval mode": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return dropout_layer(X, self.p if self.training else 0)
""",
        "checks p in __init__, extra_repr": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"p = {p}")
        self.p = p

    def extra_repr(self):
        return f"p={self.p}"

    def forward(self, X):
        if self.training:
            X = dropout_layer(X, self.p)
        return X
""",
    },
    "dropout_mlp": {
        "nn.Dropout": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(p2), nn.Linear(256, 10))
""",
        "dropout before each ReLU (they commute)": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), Dropout(p1), nn.ReLU(),
                         nn.Linear(256, 256), Dropout(p2), nn.ReLU(), nn.Linear(256, 10))
""",
        "named layers": """
from collections import OrderedDict

def dropout_mlp(p1, p2):
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("hidden1", nn.Linear(28 * 28, 256)), ("act1", nn.ReLU()), ("drop1", Dropout(p1)),
        ("hidden2", nn.Linear(256, 256)), ("act2", nn.ReLU()), ("drop2", nn.Dropout(p2)),
        ("out", nn.Linear(256, 10)),
    ]))
""",
        "d2l 1.0.3's DropoutMLP: lazy layers": """
def dropout_mlp(p1, p2):
    return nn.Sequential(
        nn.Flatten(), nn.LazyLinear(256), nn.ReLU(),
        nn.Dropout(p1), nn.LazyLinear(256), nn.ReLU(),
        nn.Dropout(p2), nn.LazyLinear(10))
""",
        "a list of layers, in-place ReLU and nn.Dropout": """
def dropout_mlp(p1, p2):
    layers = [nn.Flatten()]
    for n_in, p in ((784, p1), (256, p2)):
        layers += [nn.Linear(n_in, 256), nn.ReLU(inplace=True), nn.Dropout(p, inplace=True)]
    layers.append(nn.Linear(256, 10))
    return nn.Sequential(*layers)
""",
    },
}

WRONG = {
    "dropout_layer": {
        "values: no rescaling": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    return X * (torch.rand_like(X) > p).to(X.dtype)
""",
        "values: keeps with probability p": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) < p).to(X.dtype) / (1 - p)
""",
        "values: rescales by 1/p": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 0:
        return X
    return X * (torch.rand_like(X) > p).to(X.dtype) / p
""",
        "device: d2l's original: mask made on the CPU": """
def dropout_layer(X, dropout):
    if not 0 <= dropout <= 1:
        raise ValueError(dropout)
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)
""",
        "edge cases: p = 1 divides by zero (nan)": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p + 0.0)
""",
        "forbidden: calls F.dropout": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    return nn.functional.dropout(X, p, training=True)
""",
        "forbidden: F.dropout imported under another name": """
from torch.nn.functional import dropout as _drop

def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    return _drop(X, p)
""",
        "errors: no ValueError": """
def dropout_layer(X, p):
    if p >= 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "independent: reseeds: the same mask every call": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    torch.manual_seed(0)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "values: one draw per row": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    keep = torch.rand(X.shape[0], *([1] * (X.dim() - 1)), device=X.device) > p
    return X * keep.to(X.dtype) / (1 - p)
""",
        "result: modifies X in place": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return X.zero_()
    return X.mul_((torch.rand_like(X) > p).to(X.dtype)).div_(1 - p)
""",
        "errors: d2l 1.0.3 verbatim: assert, and a mask on the CPU": """
def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)
""",
        "edge cases: strict bounds: ValueError for p = 0 and p = 1": """
def dropout_layer(X, p):
    if not 0 < p < 1:
        raise ValueError(p)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "errors: negative p accepted": """
def dropout_layer(X, p):
    if p > 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "edge cases: p = 1 returns torch.zeros(X.shape): float32, on the CPU": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros(X.shape)
    return X * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "gradients: works on X.data: no gradient": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    return X.data * (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
        "values: one mask shared by the whole batch": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    mask = (torch.rand_like(X[0]) > p).to(X.dtype)
    return X * mask / (1 - p)
""",
        "values: normal random numbers (randn) instead of uniform": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 1:
        return torch.zeros_like(X)
    return X * (torch.randn_like(X) > p).to(X.dtype) / (1 - p)
""",
        "values: ends with .float(): float64 becomes float32": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 0:
        return X
    if p == 1:
        return torch.zeros_like(X)
    return (X * (torch.rand_like(X) > p) / (1 - p)).float()
""",
        "values: returns the scaled mask, not X times it": """
def dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 0:
        return X
    if p == 1:
        return torch.zeros_like(X)
    return (torch.rand_like(X) > p).to(X.dtype) / (1 - p)
""",
    },
    "Dropout": {
        "eval: training mode ignored": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return dropout_layer(X, self.p)
""",
        "training: modes inverted": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return X if self.training else dropout_layer(X, self.p)
""",
        "eval: old-style: scales by 1 - p in eval mode": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X * (1 - self.p)
""",
        "forbidden: wraps nn.Dropout": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.inner = nn.Dropout(p)

    def forward(self, X):
        return self.inner(X)
""",
        "training: p fixed at 0.5": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return dropout_layer(X, 0.5) if self.training else X
""",
        "training: super().__init__() forgotten": """
class Dropout(nn.Module):
    def __init__(self, p):
        self.p = p

    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X
""",
        "eval: self.train (a method, always true) instead of self.training": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        if self.train:
            return dropout_layer(X, self.p)
        return X
""",
        "eval: its own mode flag, which eval() does not change": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.is_training = True

    def forward(self, X):
        return dropout_layer(X, self.p) if self.is_training else X
""",
        "module: p stored as an nn.Parameter": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = nn.Parameter(torch.tensor(p))

    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X
""",
        "training: stores the keep probability 1 - p": """
class Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = 1 - p

    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X
""",
    },
    "dropout_mlp": {
        "dropout: p1 and p2 swapped": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(p2),
                         nn.Linear(256, 256), nn.ReLU(), Dropout(p1), nn.Linear(256, 10))
""",
        "layers: no Flatten": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), Dropout(p2), nn.Linear(256, 10))
""",
        "dropout: dropout after the output layer": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10), Dropout(p2))
""",
        "forward: second ReLU missing": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256), Dropout(p2), nn.Linear(256, 10))
""",
        "dropout: one dropout layer only": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
""",
        "layers: hidden layers of 512": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), Dropout(p1),
                         nn.Linear(512, 256), nn.ReLU(), Dropout(p2), nn.Linear(256, 10))
""",
        "forward: first ReLU missing": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), Dropout(p2), nn.Linear(256, 10))
""",
        "forward: sigmoid instead of ReLU": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.Sigmoid(), Dropout(p1),
                         nn.Linear(256, 256), nn.Sigmoid(), Dropout(p2), nn.Linear(256, 10))
""",
        "forward: softmax at the end": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256), nn.ReLU(), Dropout(p2), nn.Linear(256, 10),
                         nn.Softmax(dim=1))
""",
        "dropout: dropout before each Linear: on the input, not after the second ReLU": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), Dropout(p1), nn.Linear(784, 256), nn.ReLU(),
                         Dropout(p2), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
""",
        "dropout: Dropout(p1) after the second Linear, before its ReLU": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 256), Dropout(p1), nn.ReLU(), Dropout(p2),
                         nn.Linear(256, 10))
""",
        "dropout: keep probabilities (TensorFlow's keep_prob)": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(1 - p1),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(1 - p2), nn.Linear(256, 10))
""",
        "dropout: p1 and p2 ignored: d2l's 0.2 and 0.5 written in": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), Dropout(0.2),
                         nn.Linear(256, 256), nn.ReLU(), Dropout(0.5), nn.Linear(256, 10))
""",
        "layers: a class of its own (d2l's DropoutMLPScratch), not one nn.Sequential": """
class DropoutMLP(nn.Module):
    def __init__(self, p1, p2):
        super().__init__()
        self.flatten = nn.Flatten()
        self.lin1, self.lin2 = nn.Linear(784, 256), nn.Linear(256, 256)
        self.lin3 = nn.Linear(256, 10)
        self.drop1, self.drop2 = Dropout(p1), Dropout(p2)

    def forward(self, X):
        H1 = self.drop1(torch.relu(self.lin1(self.flatten(X))))
        H2 = self.drop2(torch.relu(self.lin2(H1)))
        return self.lin3(H2)


def dropout_mlp(p1, p2):
    return DropoutMLP(p1, p2)
""",
        "layers: Linear layers without bias": """
def dropout_mlp(p1, p2):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256, bias=False), nn.ReLU(), Dropout(p1),
                         nn.Linear(256, 256, bias=False), nn.ReLU(), Dropout(p2),
                         nn.Linear(256, 10, bias=False))
""",
    },
}
