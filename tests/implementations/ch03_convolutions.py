"""Student answers for ch03: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "corr1d": {
        "Tensor.unfold and a matrix-vector product": """
def corr1d(x, u):
    return x.unfold(0, len(u), 1) @ u
""",
        "loop over the kernel taps": """
def corr1d(x, u):
    n = x.shape[0] - u.shape[0] + 1
    out = x.new_zeros(n)
    for j in range(u.shape[0]):
        out = out + u[j] * x[j:j + n]
    return out
""",
        "preallocated output, tensor assignments": """
def corr1d(x, u):
    W, w = len(x), len(u)
    y = torch.zeros(W - w + 1, dtype=x.dtype, device=x.device)
    for i in range(W - w + 1):
        y[i] = torch.dot(x[i:i + w], u)
    return y
""",
    },
    "corr2d": {
        "d2l's loop, device- and dtype-aware zeros": """
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
        "Tensor.unfold windows": """
def corr2d(X, K):
    h, w = K.shape
    return (X.unfold(0, h, 1).unfold(1, w, 1) * K).sum(dim=(2, 3))
""",
        "F.unfold (im2col)": """
def corr2d(X, K):
    h, w = K.shape
    H, W = X.shape
    cols = F.unfold(X[None, None], (h, w))[0]
    return (K.reshape(1, -1) @ cols).reshape(H - h + 1, W - w + 1)
""",
        "loop over kernel offsets": """
def corr2d(X, K):
    h, w = K.shape
    Ho, Wo = X.shape[0] - h + 1, X.shape[1] - w + 1
    Y = 0
    for a in range(h):
        for b in range(w):
            Y = Y + K[a, b] * X[a:a + Ho, b:b + Wo]
    return Y
""",
        "rows stacked from lists": """
def corr2d(X, K):
    h, w = K.shape
    rows = []
    for i in range(X.shape[0] - h + 1):
        rows.append(torch.stack([torch.sum(X[i:i + h, j:j + w] * K)
                                 for j in range(X.shape[1] - w + 1)]))
    return torch.stack(rows)
""",
    },
    "Conv2D": {
        "scalar bias, randn weight": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(*kernel_size))
        self.bias = nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
""",
        "register_parameter": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super(Conv2D, self).__init__()
        self.register_parameter("weight", nn.Parameter(torch.empty(kernel_size).uniform_()))
        self.register_parameter("bias", nn.Parameter(torch.zeros(1)))

    def forward(self, X):
        Y = corr2d(X, self.weight)
        return Y + self.bias[0]
""",
    },
    "learn_kernel": {
        "d2l style: backward, .grad and zero_": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, device=X.device, requires_grad=True)
    for i in range(steps):
        l = (corr2d(X, K) - Y) ** 2
        l.sum().backward()
        K.data[:] -= lr * K.grad
        K.grad.zero_()
    return K.detach()
""",
        "torch.optim.SGD": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = nn.Parameter(X.new_zeros(kernel_size))
    opt = torch.optim.SGD([K], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.sum((corr2d(X, K) - Y) ** 2)
        loss.backward()
        opt.step()
    return K.detach().clone()
""",
        "gradient by hand, no autograd": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = X.new_zeros(kernel_size)
    for _ in range(steps):
        residual = corr2d(X, K) - Y
        # dL/dK[a, b] = 2 * sum_ij residual[i, j] * X[i + a, j + b] = 2 * corr2d(X, residual)
        K = K - lr * 2 * corr2d(X, residual)
    return K
""",
        "nn.MSELoss with reduction='sum' and F.conv2d": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(1, 1, *kernel_size, dtype=X.dtype, device=X.device, requires_grad=True)
    loss_fn = nn.MSELoss(reduction="sum")
    for _ in range(steps):
        loss = loss_fn(F.conv2d(X[None, None], K), Y[None, None])
        (g,) = torch.autograd.grad(loss, K)
        K = (K - lr * g).detach().requires_grad_()
    return K.detach()[0, 0]
""",
    },
    "conv_output_size": {
        "math.floor": """
import math

def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    effective = dilation * (kernel_size - 1) + 1
    return math.floor((size + 2 * padding - effective) / stride) + 1
""",
        "counting the positions": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return len(range(0, size + 2 * padding - span + 1, stride))
""",
        "int() of a non-negative quotient": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return int((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
""",
    },
    "corr2d_multi_in_out": {
        "d2l: corr2d_multi_in then stack": """
def corr2d_multi_in(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K))

def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)
""",
        "einsum over Tensor.unfold windows": """
def corr2d_multi_in_out(X, K):
    h, w = K.shape[2:]
    windows = X.unfold(1, h, 1).unfold(2, w, 1)
    return torch.einsum("cijab,dcab->dij", windows, K)
""",
        "explicit index loops": """
def corr2d_multi_in_out(X, K):
    D, C = K.shape[:2]
    outs = []
    for d in range(D):
        acc = corr2d(X[0], K[d, 0])
        for c in range(1, C):
            acc = acc + corr2d(X[c], K[d, c])
        outs.append(acc)
    return torch.stack(outs)
""",
    },
    "conv2d": {
        "unfold and einsum, torch.nn.modules.utils._pair": """
from torch.nn.modules.utils import _pair

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    Ho = conv_output_size(H, h, stride[0], padding[0], dilation[0])
    Wo = conv_output_size(W, w, stride[1], padding[1], dilation[1])
    cols = F.unfold(input, (h, w), dilation=dilation, padding=padding, stride=stride)
    out = torch.einsum("dk,nkl->ndl", weight.flatten(1), cols).reshape(N, D, Ho, Wo)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out
""",
        "F.pad and a loop over kernel offsets": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    x = F.pad(input, (pw, pw, ph, ph))
    D, C, h, w = weight.shape
    Ho = (x.shape[2] - dh * (h - 1) - 1) // sh + 1
    Wo = (x.shape[3] - dw * (w - 1) - 1) // sw + 1
    out = 0
    for a in range(h):
        for b in range(w):
            patch = x[:, :, a * dh: a * dh + (Ho - 1) * sh + 1: sh,
                      b * dw: b * dw + (Wo - 1) * sw + 1: sw]  # (N, C, Ho, Wo)
            out = out + torch.einsum("nchw,dc->ndhw", patch, weight[:, :, a, b])
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out
""",
        "Tensor.unfold on the padded input, tensordot": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    def two(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (sh, sw), (ph, pw), (dh, dw) = two(stride), two(padding), two(dilation)
    D, C, h, w = weight.shape
    x = F.pad(input, (pw, pw, ph, ph))
    # windows of the dilated span, then keep every dilation-th tap
    win = x.unfold(2, dh * (h - 1) + 1, sh).unfold(3, dw * (w - 1) + 1, sw)
    win = win[..., ::dh, ::dw]  # (N, C, Ho, Wo, h, w)
    out = torch.tensordot(win, weight, dims=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, D)
    out = out.permute(0, 3, 1, 2)
    return out if bias is None else out + bias.view(1, D, 1, 1)
""",
    },
}

WRONG = {
    "corr1d": {
        "values: flips the kernel (true convolution)": """
def corr1d(x, u):
    return x.unfold(0, len(u), 1) @ u.flip(0)
""",
        "values: one window too few": """
def corr1d(x, u):
    w = len(u)
    return torch.stack([(x[i:i + w] * u).sum() for i in range(len(x) - w)])
""",
        "values: zero padding to the input's length": """
def corr1d(x, u):
    w = len(u)
    x = torch.cat([x, x.new_zeros(w - 1)])
    return torch.stack([(x[i:i + w] * u).sum() for i in range(len(x) - w + 1)])
""",
        "forbidden: F.conv1d": """
def corr1d(x, u):
    return F.conv1d(x[None, None], u[None, None])[0, 0]
""",
        "gradients: torch.tensor of Python floats (no gradient, float32 always)": """
def corr1d(x, u):
    w = len(u)
    return torch.tensor([float((x[i:i + w] * u).sum()) for i in range(len(x) - w + 1)])
""",
        "gradients: .item() of each window assigned into x.new_zeros": """
def corr1d(x, u):
    w = len(u)
    out = x.new_zeros(len(x) - w + 1)
    for i in range(len(out)):
        out[i] = (x[i:i + w] * u).sum().item()
    return out
""",
        "dtype: d2l-style torch.zeros output (float32, and on the CPU)": """
def corr1d(x, u):
    w = len(u)
    out = torch.zeros(len(x) - w + 1)
    for i in range(len(out)):
        out[i] = (x[i:i + w] * u).sum()
    return out
""",
        "dtype: torch.zeros(n, device=x.device): float32 whatever x is": """
def corr1d(x, u):
    w = len(u)
    out = torch.zeros(len(x) - w + 1, device=x.device)
    for i in range(len(out)):
        out[i] = (x[i:i + w] * u).sum()
    return out
""",
        "device: torch.zeros(n, dtype=x.dtype): made on the CPU": """
def corr1d(x, u):
    w = len(u)
    out = torch.zeros(len(x) - w + 1, dtype=x.dtype)
    for i in range(len(out)):
        out[i] = (x[i:i + w] * u).sum()
    return out
""",
    },
    "corr2d": {
        "values: flips the kernel (true convolution)": """
def corr2d(X, K):
    h, w = K.shape
    K = K.flip(0, 1)
    return (X.unfold(0, h, 1).unfold(1, w, 1) * K).sum((-2, -1))
""",
        "values: rows and columns of the kernel swapped": """
def corr2d(X, K):
    w, h = K.shape
    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K.T).sum()
    return Y
""",
        "values: one row and column too few": """
def corr2d(X, K):
    h, w = K.shape
    Y = X.new_zeros((X.shape[0] - h, X.shape[1] - w))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
        "dtype: d2l's original: torch.zeros is float32": """
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
        "dtype: torch.zeros(..., device=X.device): float32 whatever X is": """
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
        "device: torch.zeros(..., dtype=X.dtype): made on the CPU": """
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
        "gradients: .item(): no gradient": """
def corr2d(X, K):
    h, w = K.shape
    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum().item()
    return Y
""",
        "forbidden: F.conv2d": """
def corr2d(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]
""",
        "values: torch.conv2d imported under another name": """
from torch import conv2d as _c

def corr2d(X, K):
    return _c(X.unsqueeze(0).unsqueeze(0), K.unsqueeze(0).unsqueeze(0)).squeeze()
""",
    },
    "Conv2D": {
        "parameters: bias not a Parameter": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = torch.zeros(1, requires_grad=True)

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
""",
        "forward: bias never added": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight)
""",
        "forward: a ReLU after the correlation (a layer is not a network)": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.relu(corr2d(x, self.weight) + self.bias)
""",
        "parameters: kernel_size reversed": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size[::-1]))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight.T) + self.bias
""",
        "parameters: a bias per output pixel": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(kernel_size))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias.sum()
""",
        "parameters: wraps nn.Conv2d": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, kernel_size)
        self.weight = self.conv.weight
        self.bias = self.conv.bias

    def forward(self, x):
        return self.conv(x[None, None])[0, 0]
""",
        "gradients: weight detached in forward": """
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight.data) + self.bias
""",
    },
    "learn_kernel": {
        "descent: mean squared error (nn.MSELoss default)": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        (g,) = torch.autograd.grad(loss_fn(corr2d(X, K), Y), K)
        with torch.no_grad():
            K -= lr * g
    return K.detach()
""",
        "start: d2l's random start": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.rand(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K -= lr * g
    return K.detach()
""",
        "descent: gradients accumulate (never zeroed)": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        ((corr2d(X, K) - Y) ** 2).sum().backward()
        with torch.no_grad():
            K -= lr * K.grad
    return K.detach()
""",
        "start: one step too many": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps + 1):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K -= lr * g
    return K.detach()
""",
        "start: the result bound inside the loop (steps=0 raises)": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K -= lr * g
        learned = K.detach().clone()
    return learned
""",
        "defaults: d2l's 10 epochs as the default steps": """
def learn_kernel(X, Y, kernel_size, steps=10, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K -= lr * g
    return K.detach()
""",
        "descent: gradient ascent": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K += lr * g
    return K.detach()
""",
        "descent: learns a bias too": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    b = torch.zeros((), dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        gK, gb = torch.autograd.grad(((corr2d(X, K) + b - Y) ** 2).sum(), (K, b))
        with torch.no_grad():
            K -= lr * gK
            b -= lr * gb
    return K.detach()
""",
        "result: returns K still requiring grad": """
def learn_kernel(X, Y, kernel_size, steps=50, lr=3e-2):
    K = torch.zeros(kernel_size, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        (g,) = torch.autograd.grad(((corr2d(X, K) - Y) ** 2).sum(), K)
        with torch.no_grad():
            K -= lr * g
    return K
""",
    },
    "conv_output_size": {
        "size: dilation times kernel_size": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * kernel_size) // stride + 1
""",
        "size: padding on one side only": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1
""",
        "size: rounds up": """
import math

def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
""",
        "size: true division (a float)": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
""",
        "int: torch.floor on a tensor, then .item(): 3.0, a float": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return (torch.floor(torch.tensor((size + 2 * padding - span) / stride)) + 1).item()
""",
        "size: the + 1 forgotten": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1)) // stride
""",
        "size: dilation ignored": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - kernel_size) // stride + 1
""",
    },
    "corr2d_multi_in_out": {
        "values: K[c, d] instead of K[d, c]": """
def corr2d_multi_in_out(X, K):
    D, C = K.shape[:2]
    Kt = K.reshape(C, D, *K.shape[2:])
    return torch.stack([sum(corr2d(X[c], Kt[c, d]) for c in range(C)) for d in range(D)])
""",
        "values: no sum over the input channels": """
def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d(X[0], k[0]) for k in K])
""",
        "values: output channels last": """
def corr2d_multi_in_out(X, K):
    return torch.stack([sum(corr2d(x, k) for x, k in zip(X, K_d)) for K_d in K], dim=-1)
""",
        "values: averages over the input channels": """
def corr2d_multi_in_out(X, K):
    return torch.stack([torch.stack([corr2d(x, k) for x, k in zip(X, K_d)]).mean(0) for K_d in K])
""",
        "dtype: output buffer torch.zeros(..., device=X.device): float32": """
def corr2d_multi_in_out(X, K):
    D, C, h, w = K.shape
    out = torch.zeros(D, X.shape[1] - h + 1, X.shape[2] - w + 1, device=X.device)
    for d in range(D):
        for c in range(C):
            out[d] += corr2d(X[c], K[d, c])
    return out
""",
        "device: output buffer torch.zeros(..., dtype=X.dtype): on the CPU": """
def corr2d_multi_in_out(X, K):
    D, C, h, w = K.shape
    out = torch.zeros(D, X.shape[1] - h + 1, X.shape[2] - w + 1, dtype=X.dtype)
    for d in range(D):
        for c in range(C):
            out[d] += corr2d(X[c], K[d, c])
    return out
""",
        "forbidden: F.conv2d": """
def corr2d_multi_in_out(X, K):
    return F.conv2d(X.unsqueeze(0), K).squeeze(0)
""",
    },
    "conv2d": {
        "forbidden: torch.conv2d": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    return torch.conv2d(input, weight, bias, stride, padding, dilation)
""",
        "values: the bias never added": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    Ho = (H + 2 * p[0] - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (w - 1) - 1) // s[1] + 1
    cols = F.unfold(input, (h, w), dilation=d, padding=p, stride=s)
    return (weight.reshape(D, -1) @ cols).view(N, D, Ho, Wo)
""",
        "dtype and device: loops filling torch.zeros(N, D, H', W')": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    x = F.pad(input, (p[1], p[1], p[0], p[0]))
    N, C, H, W = x.shape
    D, _, h, w = weight.shape
    Ho = (H - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W - d[1] * (w - 1) - 1) // s[1] + 1
    out = torch.zeros(N, D, Ho, Wo)
    for i in range(Ho):
        for j in range(Wo):
            patch = x[:, :, i * s[0]:i * s[0] + d[0] * (h - 1) + 1:d[0],
                      j * s[1]:j * s[1] + d[1] * (w - 1) + 1:d[1]]
            out[:, :, i, j] = torch.einsum("nchw,dchw->nd", patch, weight)
    if bias is not None:
        out = out + bias.view(1, D, 1, 1)
    return out
""",
        "gradients: nn.Conv2d with the weights copied in": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    D, C, h, w = weight.shape
    layer = nn.Conv2d(C, D, (h, w), stride=stride, padding=padding, dilation=dilation,
                      bias=bias is not None)
    layer.weight = nn.Parameter(weight)
    if bias is not None:
        layer.bias = nn.Parameter(bias)
    return layer(input)
""",
        "values: weight flattened channels-last": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    Ho = (H + 2 * p[0] - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (w - 1) - 1) // s[1] + 1
    cols = F.unfold(input, (h, w), dilation=d, padding=p, stride=s)
    out = weight.permute(0, 2, 3, 1).reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Ho, Wo)
""",
        "values: H' and W' swapped in the reshape": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    Ho = (H + 2 * p[0] - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (w - 1) - 1) // s[1] + 1
    cols = F.unfold(input, (h, w), dilation=d, padding=p, stride=s)
    out = weight.reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Wo, Ho).transpose(2, 3)
""",
        "settings: dilation ignored": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p = pair(stride), pair(padding)
    Ho = (H + 2 * p[0] - h) // s[0] + 1
    Wo = (W + 2 * p[1] - w) // s[1] + 1
    cols = F.unfold(input, (h, w), padding=p, stride=s)
    out = weight.reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Ho, Wo)
""",
        "settings: ints only": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    Ho = (H + 2 * padding - dilation * (h - 1) - 1) // stride + 1
    Wo = (W + 2 * padding - dilation * (w - 1) - 1) // stride + 1
    cols = F.unfold(input, (h, w), dilation=dilation, padding=padding, stride=stride)
    out = weight.reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Ho, Wo)
""",
        "values: flips the kernel (true convolution)": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = input.shape
    D, _, h, w = weight.shape
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    Ho = (H + 2 * p[0] - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (w - 1) - 1) // s[1] + 1
    cols = F.unfold(input, (h, w), dilation=d, padding=p, stride=s)
    out = weight.flip(2, 3).reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Ho, Wo)
""",
        "settings: padding the rows only": """
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    s, p, d = pair(stride), pair(padding), pair(dilation)
    x = F.pad(input, (0, 0, p[0], p[0]))
    N, C, H, W = x.shape
    D, _, h, w = weight.shape
    Ho = (H - d[0] * (h - 1) - 1) // s[0] + 1
    Wo = (W - d[1] * (w - 1) - 1) // s[1] + 1
    cols = F.unfold(x, (h, w), dilation=d, stride=s)
    out = weight.reshape(D, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, D, 1)
    return out.view(N, D, Ho, Wo)
""",
    },
}
