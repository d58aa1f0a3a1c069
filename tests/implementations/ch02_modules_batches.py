"""Student answers for ch02: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "linear_forward": {
        "torch.addmm": """
def linear_forward(x, weight, bias=None):
    if bias is None:
        return torch.mm(x, weight.t())
    return torch.addmm(bias, x, weight.t())
""",
        "einsum": """
def linear_forward(x, weight, bias=None):
    y = torch.einsum("nc,dc->nd", x, weight)
    return y if bias is None else y + bias[None, :]
""",
        "column convention, transposed back": """
def linear_forward(x, weight, bias=None):
    y = weight @ x.T
    if bias is not None:
        y = y + bias.unsqueeze(1)
    return y.T
""",
        "loop over samples": """
def linear_forward(x, weight, bias=None):
    rows = []
    for n in range(x.shape[0]):
        row = (weight * x[n]).sum(dim=1)
        if bias is not None:
            row = row + bias
        rows.append(row)
    return torch.stack(rows)
""",
        "matmul, bias zeros when None": """
def linear_forward(x, weight, bias=None):
    if bias is None:
        bias = torch.zeros(weight.shape[0], dtype=x.dtype, device=x.device)
    return torch.matmul(x, weight.transpose(0, 1)) + bias
""",
    },
    "linear_backward": {
        "einsum": """
def linear_backward(grad_y, x, weight):
    return (torch.einsum("nd,dc->nc", grad_y, weight),
            torch.einsum("nd,nc->dc", grad_y, x),
            torch.einsum("nd->d", grad_y))
""",
        "sum of outer products over the batch": """
def linear_backward(grad_y, x, weight):
    grad_w = torch.zeros_like(weight)
    for n in range(x.shape[0]):
        grad_w += torch.outer(grad_y[n], x[n])
    return torch.mm(grad_y, weight), grad_w, grad_y.sum(0)
""",
        "transposes the other way round": """
def linear_backward(grad_y, x, weight):
    grad_x = (weight.T @ grad_y.T).T
    grad_w = (x.T @ grad_y).T
    grad_b = grad_y.T @ torch.ones(grad_y.shape[0], dtype=grad_y.dtype, device=grad_y.device)
    return grad_x, grad_w, grad_b
""",
    },
    "mse": {
        "sum divided by numel": """
def mse(input, target):
    diff = input - target
    return (diff * diff).sum() / diff.numel()
""",
        "squared norm": """
def mse(input, target):
    return torch.linalg.vector_norm(input - target) ** 2 / input.numel()
""",
        "torch.mean of pow": """
def mse(input, target):
    return torch.mean(torch.pow(target - input, 2))
""",
    },
    "pm1_targets": {
        "one_hot": """
def pm1_targets(labels, num_classes):
    return F.one_hot(labels, num_classes).float() * 2 - 1
""",
        "scatter_": """
def pm1_targets(labels, num_classes):
    out = labels.new_full((labels.size(0), num_classes), -1, dtype=torch.float32)
    return out.scatter_(1, labels.view(-1, 1), 1.0)
""",
        "comparison with arange": """
def pm1_targets(labels, num_classes):
    classes = torch.arange(num_classes, device=labels.device)
    return torch.where(labels[:, None] == classes, 1.0, -1.0).to(torch.float32)
""",
        "eye on the labels' device": """
def pm1_targets(labels, num_classes):
    return 2 * torch.eye(num_classes, device=labels.device)[labels] - 1
""",
    },
    "Net": {
        "ReLU before pooling (they commute)": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 3)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)
""",
        "pooling and ReLU modules, reshape": """
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.pool1 = nn.MaxPool2d(3)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(64 * 2 * 2, 200)
        self.fc2 = nn.Linear(200, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.pool1(self.conv1(x)))
        x = self.relu(self.pool2(self.conv2(x)))
        x = x.reshape(x.size(0), -1)
        return self.fc2(self.relu(self.fc1(x)))
""",
        "lazy layers and nn.Flatten": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.LazyConv2d(32, kernel_size=5)
        self.conv2 = nn.LazyConv2d(64, kernel_size=5)
        self.flatten = nn.Flatten()
        self.fc1 = nn.LazyLinear(200)
        self.fc2 = nn.LazyLinear(10)

    def forward(self, x):
        x = torch.relu(F.max_pool2d(self.conv1(x), kernel_size=3, stride=3))
        x = torch.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(torch.relu(self.fc1(self.flatten(x))))
""",
        "in-place ReLUs": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3), inplace=True)
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2), inplace=True)
        x = F.relu(self.fc1(x.view(-1, 256)), inplace=True)
        return self.fc2(x)
""",
    },
    "count_parameters": {
        "math.prod of shapes": """
import math

def count_parameters(module):
    total = 0
    for p in module.parameters():
        if p.requires_grad:
            total += math.prod(p.shape)
    return total
""",
        "named_parameters": """
def count_parameters(module):
    return sum(param.numel() for _, param in module.named_parameters() if param.requires_grad)
""",
        "filter, then int of a sum": """
def count_parameters(module):
    trainable = filter(lambda p: p.requires_grad, module.parameters())
    return int(sum(p.nelement() for p in trainable))
""",
    },
    "NotBuggy": {
        "plain attribute": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.fc1 = nn.Linear(543, 21)
""",
        "add_module, dict kept for access": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.other_stuff = {"fc1": nn.Linear(543, 21)}
        for name, module in self.other_stuff.items():
            self.add_module(name, module)
""",
        "register_parameter and nn.ModuleList": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.register_parameter("param", nn.Parameter(torch.empty(123, 456).normal_()))
        self.other_stuff = nn.ModuleList([nn.Linear(543, 21)])
""",
        "setattr in a loop": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        parts = {"conv": nn.Conv2d(1, 32, 5), "param": nn.Parameter(torch.randn(123, 456)),
                 "fc1": nn.Linear(543, 21)}
        for name, part in parts.items():
            setattr(self, name, part)
""",
    },
    "synthetic_data": {
        "torch.randn, noise scaled by 0.01": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.randn(num_examples, len(w), generator=generator)
    y = torch.matmul(X, w) + b + 0.01 * torch.randn(num_examples, generator=generator)
    return X, y.unsqueeze(1)
""",
        "w as a column, noise of y's shape": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.empty(num_examples, w.numel()).normal_(generator=generator)
    y = X @ w.reshape(-1, 1) + b
    y += torch.empty_like(y).normal_(0, 0.01, generator=generator)
    return X, y
""",
        "noise drawn first, then X": """
def synthetic_data(w, b, num_examples, generator=None):
    noise = torch.normal(0.0, 0.01, size=(num_examples, 1), generator=generator)
    X = torch.normal(0.0, 1.0, size=(num_examples, len(w)), generator=generator)
    return X, (X * w).sum(dim=1, keepdim=True) + b + noise
""",
    },
    "sgd": {
        "p.data and sub_": """
def sgd(params, lr, batch_size):
    for p in params:
        p.data.sub_(lr * p.grad.data / batch_size)
        p.grad.data.zero_()
""",
        "a list first, two loops": """
def sgd(params, lr, batch_size):
    params = list(params)
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=lr / batch_size)
    for p in params:
        p.grad.zero_()
""",
        "torch._foreach on a list": """
def sgd(params, lr, batch_size):
    params = [p for p in params]
    grads = [p.grad for p in params]
    with torch.no_grad():
        torch._foreach_add_(params, grads, alpha=-lr / batch_size)
    torch._foreach_zero_(grads)
""",
        "copy_ of the new value": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.copy_(param - lr * param.grad / batch_size)
            param.grad.mul_(0)
""",
    },
}

WRONG = {
    "linear_forward": {
        "values: x @ weight (weight taken as (C, D))": """
def linear_forward(x, weight, bias=None):
    y = x @ weight
    return y if bias is None else y + bias
""",
        "values: column convention, (D, N) result": """
def linear_forward(x, weight, bias=None):
    y = weight @ x.T
    return y if bias is None else y + bias[:, None]
""",
        "values: `if bias:` on a tensor": """
def linear_forward(x, weight, bias=None):
    y = x @ weight.T
    if bias:
        y = y + bias
    return y
""",
        "values: bias forgotten": """
def linear_forward(x, weight, bias=None):
    return x @ weight.T
""",
        "no bias: bias=None not handled: None added (TypeError)": """
def linear_forward(x, weight, bias=None):
    return x @ weight.T + bias
""",
        "forbidden: F.linear through torch._C": """
def linear_forward(x, weight, bias=None):
    return torch._C._nn.linear(x, weight, bias)
""",
        "values: nn.Linear with copied weights": """
def linear_forward(x, weight, bias=None):
    layer = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    with torch.no_grad():
        layer.weight.copy_(weight)
        if bias is not None:
            layer.bias.copy_(bias)
    return layer(x)
""",
        "gradients: NumPy (no gradient, float64)": """
def linear_forward(x, weight, bias=None):
    y = x.detach().numpy() @ weight.detach().numpy().T
    if bias is not None:
        y = y + bias.detach().numpy()
    return torch.from_numpy(y)
""",
        "no bias: squeezed result: (N,) when D = 1, (D,) when N = 1": """
def linear_forward(x, weight, bias=None):
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return y.squeeze()
""",
        "gradients: weight.data (old Variable habit): no gradient to weight": """
def linear_forward(x, weight, bias=None):
    y = x @ weight.data.T
    return y if bias is None else y + bias
""",
        "dtype and device: casts to float32 to avoid dtype errors": """
def linear_forward(x, weight, bias=None):
    y = torch.mm(x.float(), weight.float().t())
    return y if bias is None else y + bias.float()
""",
        "dtype and device: bias=None replaced by zeros made on the CPU": """
def linear_forward(x, weight, bias=None):
    if bias is None:
        bias = torch.zeros(weight.shape[0], dtype=x.dtype)
    return x @ weight.T + bias
""",
        "dtype and device: output buffer torch.zeros(N, D) filled row by row": """
def linear_forward(x, weight, bias=None):
    y = torch.zeros(x.shape[0], weight.shape[0])
    for n in range(x.shape[0]):
        y[n] = weight @ x[n] if bias is None else weight @ x[n] + bias
    return y
""",
    },
    "linear_backward": {
        "grad_b: grad_b averaged over the batch": """
def linear_backward(grad_y, x, weight):
    return grad_y @ weight, grad_y.T @ x, grad_y.mean(0)
""",
        "grad_w: grad_w averaged over the batch": """
def linear_backward(grad_y, x, weight):
    return grad_y @ weight, grad_y.T @ x / x.shape[0], grad_y.sum(0)
""",
        "grad_w: grad_w transposed (C, D)": """
def linear_backward(grad_y, x, weight):
    return grad_y @ weight, x.T @ grad_y, grad_y.sum(0)
""",
        "grad_x: grad_x with weight.T": """
def linear_backward(grad_y, x, weight):
    return grad_y @ weight.T, grad_y.T @ x, grad_y.sum(0)
""",
        "grad_b: grad_b summed over the wrong dimension": """
def linear_backward(grad_y, x, weight):
    return grad_y @ weight, grad_y.T @ x, grad_y.sum(1)
""",
        "device: ones made on the CPU": """
def linear_backward(grad_y, x, weight):
    ones = torch.ones(grad_y.shape[0], dtype=grad_y.dtype)
    return grad_y @ weight, grad_y.T @ x, ones @ grad_y
""",
        "device: autograd": """
def linear_backward(grad_y, x, weight):
    with torch.enable_grad():
        x = x.detach().requires_grad_()
        weight = weight.detach().requires_grad_()
        bias = torch.zeros(weight.shape[0], dtype=x.dtype, requires_grad=True)
        y = x @ weight.T + bias
        return torch.autograd.grad(y, (x, weight, bias), grad_y)
""",
        "grad_x: outputs in the wrong order (grad_w, grad_x, grad_b)": """
def linear_backward(grad_y, x, weight):
    return grad_y.T @ x, grad_y @ weight, grad_y.sum(0)
""",
        "device: accumulators made with torch.zeros: float32, on the CPU": """
def linear_backward(grad_y, x, weight):
    grad_w = torch.zeros(weight.shape)
    grad_b = torch.zeros(weight.shape[0])
    for n in range(x.shape[0]):
        grad_w += torch.outer(grad_y[n], x[n])
        grad_b += grad_y[n]
    return grad_y @ weight, grad_w, grad_b
""",
        "grad_x: the column-vector formula weight.T @ grad_y.T, not transposed back: (C, N)": """
def linear_backward(grad_y, x, weight):
    return weight.T @ grad_y.T, grad_y.T @ x, grad_y.sum(0)
""",
        "dtype: accumulators made with torch.zeros on grad_y's device: float32": """
def linear_backward(grad_y, x, weight):
    grad_w = torch.zeros(weight.shape, device=grad_y.device)
    grad_b = torch.zeros(weight.shape[0], device=grad_y.device)
    for n in range(x.shape[0]):
        grad_w += torch.outer(grad_y[n], x[n])
        grad_b += grad_y[n]
    return grad_y @ weight, grad_w, grad_b
""",
        "device: by hand in NumPy": """
def linear_backward(grad_y, x, weight):
    g, xs, w = grad_y.numpy(), x.numpy(), weight.numpy()
    return torch.from_numpy(g @ w), torch.from_numpy(g.T @ xs), torch.from_numpy(g.sum(0))
""",
    },
    "mse": {
        "values: sum instead of mean": """
def mse(input, target):
    return ((input - target) ** 2).sum()
""",
        "values: divided by the number of rows": """
def mse(input, target):
    return ((input - target) ** 2).sum() / len(input)
""",
        "values: mean over one dimension": """
def mse(input, target):
    return ((input - target) ** 2).mean(dim=0)
""",
        "values: RMSE": """
def mse(input, target):
    return ((input - target) ** 2).mean().sqrt()
""",
        "values: .item(): a float without gradient": """
def mse(input, target):
    return ((input - target) ** 2).mean().item()
""",
        "forbidden: F.mse_loss under another name": """
from torch.nn.functional import mse_loss as squared_error

def mse(input, target):
    return squared_error(input, target)
""",
        "values: absolute differences (L1)": """
def mse(input, target):
    return (input - target).abs().mean()
""",
        "gradients: input detached": """
def mse(input, target):
    return ((input.detach() - target) ** 2).mean()
""",
        "dtype: casts the loss to float32": """
def mse(input, target):
    return ((input - target) ** 2).mean().float()
""",
        "device: moves the loss to the CPU": """
def mse(input, target):
    return ((input - target) ** 2).mean().cpu()
""",
    },
    "pm1_targets": {
        "values: 0/1 coding (one-hot)": """
def pm1_targets(labels, num_classes):
    return F.one_hot(labels, num_classes).float()
""",
        "classes: number of classes from labels.max() + 1": """
def pm1_targets(labels, num_classes):
    out = torch.full((len(labels), int(labels.max()) + 1), -1.0, device=labels.device)
    out[torch.arange(len(labels)), labels] = 1.0
    return out
""",
        "dtype: int64 result": """
def pm1_targets(labels, num_classes):
    return F.one_hot(labels, num_classes) * 2 - 1
""",
        "classes: transposed (num_classes, N)": """
def pm1_targets(labels, num_classes):
    out = torch.full((num_classes, len(labels)), -1.0, device=labels.device)
    out[labels, torch.arange(len(labels))] = 1.0
    return out
""",
        "device: made on the CPU": """
def pm1_targets(labels, num_classes):
    out = torch.full((labels.shape[0], num_classes), -1.0)
    return out.scatter_(1, labels.view(-1, 1), 1.0)
""",
        "values: -1 at the label, +1 elsewhere": """
def pm1_targets(labels, num_classes):
    return 1 - 2 * F.one_hot(labels, num_classes).float()
""",
        "classes: rows stacked in a loop: fails on an empty batch": """
def pm1_targets(labels, num_classes):
    classes = torch.arange(num_classes, device=labels.device)
    return torch.stack([torch.where(classes == label, 1.0, -1.0) for label in labels])
""",
        "device: NumPy's eye: float64, on the CPU": """
import numpy as np

def pm1_targets(labels, num_classes):
    return torch.from_numpy(2 * np.eye(num_classes)[labels.numpy()] - 1)
""",
        "labels: labels.unsqueeze_ modifies labels": """
def pm1_targets(labels, num_classes):
    out = torch.full((labels.shape[0], num_classes), -1.0, device=labels.device)
    return out.scatter_(1, labels.unsqueeze_(1), 1.0)
""",
    },
    "Net": {
        "forward: pooling sizes swapped": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=2))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=3))
        x = F.relu(self.fc1(x.view(-1, 256)))
        return self.fc2(x)
""",
        "forward: average pooling": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.avg_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.avg_pool2d(self.conv2(x), kernel_size=2))
        x = F.relu(self.fc1(x.view(-1, 256)))
        return self.fc2(x)
""",
        "forward: no ReLU after fc1": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(self.fc1(x.view(-1, 256)))
""",
        "forward: no ReLU after the second convolution": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.max_pool2d(self.conv2(x), kernel_size=2)
        return self.fc2(F.relu(self.fc1(x.view(-1, 256))))
""",
        "forward: ReLU on the output": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        x = F.relu(self.fc1(x.view(-1, 256)))
        return F.relu(self.fc2(x))
""",
        "forward: channels-last flatten": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        x = x.permute(0, 2, 3, 1).reshape(-1, 256)
        return self.fc2(F.relu(self.fc1(x)))
""",
        "forward: pooling with stride 1: view(-1, 256) fails": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3, stride=1))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2, stride=1))
        return self.fc2(F.relu(self.fc1(x.view(-1, 256))))
""",
        "layers: nn.Sequential blocks instead of the attributes conv1, conv2, fc1, fc2": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=5), nn.MaxPool2d(3), nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=5), nn.MaxPool2d(2), nn.ReLU())
        self.classifier = nn.Sequential(nn.Linear(256, 200), nn.ReLU(), nn.Linear(200, 10))

    def forward(self, x):
        return self.classifier(self.features(x).view(-1, 256))
""",
        "layers: convolutions without bias": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5, bias=False)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5, bias=False)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(F.relu(self.fc1(x.view(-1, 256))))
""",
        "forward: x.flatten(): the batch dimension flattened too": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(F.relu(self.fc1(x.flatten())))
""",
        "forward: convolutions with padding=2 ('same' habit)": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5, padding=2)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(F.relu(self.fc1(x.view(-1, 256))))
""",
        "gradients: features detached before the classifier": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.fc1 = nn.Linear(256, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=3))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        return self.fc2(F.relu(self.fc1(x.view(-1, 256).detach())))
""",
    },
    "count_parameters": {
        "count: counts tensors, not scalars": """
def count_parameters(module):
    return len([p for p in module.parameters() if p.requires_grad])
""",
        "frozen: counts frozen parameters": """
def count_parameters(module):
    return sum(p.numel() for p in module.parameters())
""",
        "shared: counts shared parameters twice": """
def count_parameters(module):
    return sum(p.numel() for _, p in module.named_parameters(remove_duplicate=False)
               if p.requires_grad)
""",
        "buffers: counts the state_dict (buffers too)": """
def count_parameters(module):
    return sum(t.numel() for t in module.state_dict().values())
""",
        "buffers: parameters() and buffers(): running statistics taken for weights": """
def count_parameters(module):
    tensors = [p for p in module.parameters() if p.requires_grad] + list(module.buffers())
    return sum(t.numel() for t in tensors)
""",
        "count: only Linear layers": """
def count_parameters(module):
    total = 0
    for m in module.modules():
        if isinstance(m, nn.Linear):
            total += m.weight.numel() + (m.bias.numel() if m.bias is not None else 0)
    return total
""",
        "int: returns a tensor": """
def count_parameters(module):
    return torch.tensor([p.numel() for p in module.parameters() if p.requires_grad]).sum()
""",
        "shared: recursion over children(): a layer in two branches counted twice": """
def count_parameters(module):
    own = sum(p.numel() for p in module.parameters(recurse=False) if p.requires_grad)
    return own + sum(count_parameters(child) for child in module.children())
""",
        "shared: sum over modules(): tied weights counted twice": """
def count_parameters(module):
    return sum(p.numel() for m in module.modules() for p in m.parameters(recurse=False)
               if p.requires_grad)
""",
        "shared: trainable tensors of state_dict(keep_vars=True): shared ones twice": """
def count_parameters(module):
    return sum(t.numel() for t in module.state_dict(keep_vars=True).values()
               if t.requires_grad)
""",
        "forbidden: parameters_to_vector of the trainable parameters": """
def count_parameters(module):
    from torch.nn.utils import parameters_to_vector
    trainable = [p for p in module.parameters() if p.requires_grad]
    return int(parameters_to_vector(trainable).numel()) if trainable else 0
""",
        "count: len(p) instead of p.numel(): TypeError on a 0-dim parameter": """
def count_parameters(module):
    return sum(len(p) for p in module.parameters() if p.requires_grad)
""",
        "int: math.prod of the shapes with NumPy: a NumPy integer": """
import numpy as np

def count_parameters(module):
    return np.sum([np.prod(p.shape) for p in module.parameters() if p.requires_grad])
""",
    },
    "NotBuggy": {
        "registered: Buggy unchanged: the Linear in a dict": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.other_stuff = {"fc1": nn.Linear(543, 21)}
""",
        "registered: a Python list of modules": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.other_stuff = [nn.Linear(543, 21)]
""",
        "registered: a plain tensor instead of a Parameter": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = torch.randn(123, 456, requires_grad=True)
        self.other_stuff = nn.ModuleDict({"fc1": nn.Linear(543, 21)})
""",
        "registered: a buffer instead of a Parameter": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.register_buffer("param", torch.randn(123, 456))
        self.fc1 = nn.Linear(543, 21)
""",
        "registered: Linear sizes swapped": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.fc1 = nn.Linear(21, 543)
""",
        "registered: no super().__init__()": """
class NotBuggy(nn.Module):
    def __init__(self):
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.fc1 = nn.Linear(543, 21)
""",
        "saved and moved: the Linear in a tuple next to a registered copy": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.fc1 = nn.Linear(543, 21)
        self.heads = (nn.Linear(543, 21),)
""",
        "trainable: the Parameter frozen": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456), requires_grad=False)
        self.fc1 = nn.Linear(543, 21)
""",
        "trainable: the Parameter in float64": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456, dtype=torch.float64))
        self.fc1 = nn.Linear(543, 21)
""",
        "saved and moved: the dict kept next to registered copies of its Linear": """
class NotBuggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=5)
        self.param = nn.Parameter(torch.randn(123, 456))
        self.fc1 = nn.Linear(543, 21)
        self.other_stuff = {"fc1": nn.Linear(543, 21)}
""",
    },
    "synthetic_data": {
        "values: noise of variance 0.01, not standard deviation": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b + torch.normal(0.0, 0.1, (num_examples,), generator=generator)
    return X, y.reshape(-1, 1)
""",
        "values: uniform features (torch.rand)": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.rand(num_examples, len(w), generator=generator)
    y = X @ w + b + torch.normal(0.0, 0.01, (num_examples,), generator=generator)
    return X, y.reshape(-1, 1)
""",
        "values: noise forgotten": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    return X, (X @ w + b).reshape(-1, 1)
""",
        "shapes: y left as a vector (num_examples,)": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    return X, X @ w + b + torch.normal(0.0, 0.01, (num_examples,), generator=generator)
""",
        "generator: ignored, the global generator used": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)))
    y = X @ w + b + torch.normal(0.0, 0.01, (num_examples,))
    return X, y.reshape(-1, 1)
""",
        "generator: the noise from the global generator": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b + torch.normal(0.0, 0.01, (num_examples,))
    return X, y.reshape(-1, 1)
""",
        "float32: NumPy's generator, float64 (and the generator ignored)": """
def synthetic_data(w, b, num_examples, generator=None):
    import numpy as np

    seed = None if generator is None else int(generator.initial_seed())
    rng = np.random.default_rng(seed if seed is not None else torch.seed() % 2**32)
    X = torch.from_numpy(rng.normal(0.0, 1.0, (num_examples, len(w))))
    y = X @ w.double() + b + torch.from_numpy(rng.normal(0.0, 0.01, num_examples))
    return X, y.reshape(-1, 1)
""",
        "float32: float64 tensors": """
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator,
                     dtype=torch.float64)
    y = X @ w.double() + b + torch.normal(0.0, 0.01, (num_examples,), generator=generator,
                                          dtype=torch.float64)
    return X, y.reshape(-1, 1)
""",
        "forbidden: d2l's synthetic_data": """
from d2l import torch as d2l


def synthetic_data(w, b, num_examples, generator=None):
    return d2l.synthetic_data(w, b, num_examples)
""",
    },
    "sgd": {
        "update: not divided by batch_size": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
""",
        "update: p = p - ... rebinds the loop variable": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p = p - lr * p.grad / batch_size
            p.grad.zero_()
""",
        "update: gradients zeroed before the step": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p.grad.zero_()
            p -= lr * p.grad / batch_size
""",
        "update: the step taken up the gradient": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p += lr * p.grad / batch_size
            p.grad.zero_()
""",
        "zeroed: gradients left to accumulate": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
""",
        "zeroed: p.grad = None instead of zeros": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad = None
""",
        "walked once: a second loop to zero, empty for a generator": """
def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
    for p in params:
        p.grad.zero_()
""",
        "forbidden: torch.optim.SGD": """
def sgd(params, lr, batch_size):
    params = list(params)
    optimizer = torch.optim.SGD(params, lr=lr / batch_size)
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
""",
        "forbidden: d2l's sgd": """
from d2l import torch as d2l


def sgd(params, lr, batch_size):
    d2l.sgd(params, lr, batch_size)
""",
    },
}
