"""Student answers for ch01: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "dag_forward": {
        "torch.mv and a square root": """
def dag_forward(w1, w2, x):
    x1 = torch.mv(w1, x)
    x2 = x + torch.mv(w2, x1)
    x3 = torch.mv(w1, x1 + x2)
    return torch.sqrt((x3 ** 2).sum())
""",
        "einsum and torch.linalg.norm": """
def dag_forward(w1, w2, x):
    x1 = torch.einsum("ij,j->i", w1, x)
    x2 = x + torch.einsum("ij,j->i", w2, x1)
    return torch.linalg.norm(torch.einsum("ij,j->i", w1, x1 + x2))
""",
        "row vectors with transposes": """
def dag_forward(w1, w2, x):
    x1 = x @ w1.T
    x2 = x + x1 @ w2.T
    x3 = (x1 + x2) @ w1.T
    return x3.pow(2).sum().sqrt()
""",
    },
    "dag_grads_autograd": {
        "backward() on copies": """
def dag_grads_autograd(w1, w2, x):
    a = w1.clone().requires_grad_(True)
    b = w2.clone().requires_grad_(True)
    dag_forward(a, b, x).backward()
    return a.grad, b.grad
""",
        "inline forward, a list": """
def dag_grads_autograd(w1, w2, x):
    w1 = w1.detach().clone().requires_grad_()
    w2 = w2.detach().clone().requires_grad_()
    with torch.enable_grad():
        x1 = w1 @ x
        q = torch.norm(w1 @ (x1 + x + w2 @ x1))
    return list(torch.autograd.grad([q], [w1, w2]))
""",
        "create_graph=True (results keep a graph)": """
def dag_grads_autograd(w1, w2, x):
    p = [w.detach().requires_grad_() for w in (w1, w2)]
    return torch.autograd.grad(dag_forward(*p, x), p, create_graph=True)
""",
        "torch.tensor copies, gradients of q squared halved by hand": """
def dag_grads_autograd(w1, w2, x):
    a = torch.tensor(w1.tolist(), dtype=w1.dtype, requires_grad=True)
    b = torch.tensor(w2.tolist(), dtype=w2.dtype, requires_grad=True)
    q = dag_forward(a, b, x)
    ga, gb = torch.autograd.grad(q ** 2, [a, b])
    return ga / (2 * q.detach()), gb / (2 * q.detach())
""",
    },
    "dag_grads_manual": {
        "broadcasting instead of outer": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / torch.sqrt((x3 * x3).sum())
    gs = w1.t() @ g3
    g1 = gs + w2.t() @ gs
    return g3[:, None] * s[None, :] + g1[:, None] * x[None, :], gs[:, None] * x1[None, :]
""",
        "einsum, row-vector backward": """
def dag_grads_manual(w1, w2, x):
    x1 = torch.einsum("ij,j->i", w1, x)
    x2 = x + torch.einsum("ij,j->i", w2, x1)
    x3 = torch.einsum("ij,j->i", w1, x1 + x2)
    g3 = x3 / torch.linalg.vector_norm(x3)
    g2 = g3 @ w1
    g1 = g2 + g2 @ w2
    gw1 = torch.einsum("i,j->ij", g3, x1 + x2) + torch.einsum("i,j->ij", g1, x)
    return gw1, torch.einsum("i,j->ij", g2, x1)
""",
        "the gradient of q squared, rescaled by 1 / (2 q)": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + (x + w2 @ x1)
    x3 = w1 @ s
    q = (x3 ** 2).sum().sqrt()
    d3 = 2 * x3  # the gradient of q ** 2 = |x3|^2
    ds = w1.mT @ d3
    d1 = ds + w2.mT @ ds
    return (torch.outer(d3, s) + torch.outer(d1, x)) / (2 * q), torch.outer(ds, x1) / (2 * q)
""",
    },
    "second_derivative": {
        "grad_outputs and allow_unused": """
def second_derivative(f, x):
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    (g,) = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y), create_graph=True)
    if g.grad_fn is None:
        return torch.zeros_like(x)
    (h,) = torch.autograd.grad(g, x, grad_outputs=torch.ones_like(g), allow_unused=True)
    return torch.zeros_like(x) if h is None else h
""",
        "torch.func.grad twice, vmapped": """
from torch.func import grad, vmap

def second_derivative(f, x):
    flat = x.detach().reshape(-1)
    return vmap(grad(grad(lambda t: f(t))))(flat).reshape(x.shape)
""",
        "backward() for the second derivative": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if not g.requires_grad:
        return torch.zeros_like(x)
    g.sum().backward()
    return x.grad
""",
        "grad_outputs of ones, requires_grad tested through grad_fn": """
def second_derivative(f, x):
    t = x.clone().detach().requires_grad_(True)
    y = f(t)
    d1 = torch.autograd.grad(y, t, torch.ones_like(y), create_graph=True)[0]
    if d1.grad_fn is None:
        return t.detach().mul(0)
    return torch.autograd.grad(d1, t, torch.ones_like(d1))[0]
""",
    },
    "descend": {
        "float32 tensors and backward()": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        c = a.detach() if detach_coupling else a
        loss = (a - 1) ** 2 + (b + 1) ** 2 + (c - b) ** 2
        a.grad, b.grad = None, None
        loss.backward()
        with torch.no_grad():
            a.sub_(eta * a.grad)
            b.sub_(eta * b.grad)
    return float(a), float(b)
""",
        "one parameter vector": """
def descend(a, b, eta, steps, detach_coupling=False):
    theta = torch.tensor([a, b], dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        first = theta[0].detach() if detach_coupling else theta[0]
        loss = (theta[0] - 1) ** 2 + (theta[1] + 1) ** 2 + (first - theta[1]) ** 2
        (g,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            theta -= eta * g
    return theta[0].item(), theta[1].item()
""",
        "new leaves each step": """
def descend(a, b, eta, steps, detach_coupling=False):
    for _ in range(steps):
        ta = torch.tensor(a, requires_grad=True)
        tb = torch.tensor(b, requires_grad=True)
        coupling = (ta.detach() - tb) if detach_coupling else (ta - tb)
        loss = (ta - 1) ** 2 + (tb + 1) ** 2 + coupling ** 2
        ga, gb = torch.autograd.grad(loss, [ta, tb])
        with torch.no_grad():
            a, b = (ta - eta * ga).item(), (tb - eta * gb).item()
    return float(a), float(b)
""",
        ".data updates (no no_grad block), grads reset to None": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        first = a.detach() if detach_coupling else a
        loss = (a - 1).pow(2) + (b + 1).pow(2) + (first - b).pow(2)
        a.grad = b.grad = None
        loss.backward()
        a.data -= eta * a.grad
        b.data -= eta * b.grad
    return a.item(), b.item()
""",
    },
    "accumulated_gradient": {
        "grads set to None, clones": """
def accumulated_gradient(model, loss_fn, batches):
    for p in model.parameters():
        p.grad = None
    for X, y in batches:
        loss = loss_fn(model(X), y)
        loss.backward()
    return [p.grad.clone() for p in model.parameters()]
""",
        "zero_grad(set_to_none=False), references": """
def accumulated_gradient(model, loss_fn, batches):
    model.zero_grad(set_to_none=False)
    for batch in batches:
        torch.autograd.backward(loss_fn(model(batch[0]), batch[1]))
    return [p.grad for p in model.parameters()]
""",
        "grads zeroed in place where they exist": """
def accumulated_gradient(model, loss_fn, batches):
    params = list(model.parameters())
    for p in params:
        if p.grad is not None:
            p.grad.zero_()
    for inputs, targets in batches:
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        loss.backward()
    return [p.grad.detach().clone() for p in params]
""",
    },
}

WRONG = {
    "dag_forward": {
        "values: transposed: x @ w instead of w @ x": """
def dag_forward(w1, w2, x):
    x1 = x @ w1
    x2 = x + x1 @ w2
    return ((x1 + x2) @ w1).norm()
""",
        "values: x2 from x0 instead of x1": """
def dag_forward(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x
    return (w1 @ (x1 + x2)).norm()
""",
        "values: squared norm": """
def dag_forward(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x1
    return ((w1 @ (x1 + x2)) ** 2).sum()
""",
        "values: a Python float (.item())": """
def dag_forward(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x1
    return (w1 @ (x1 + x2)).norm().item()
""",
        "values: element-wise * instead of @": """
def dag_forward(w1, w2, x):
    x1 = w1 * x
    x2 = x + w2 * x1
    return (w1 * (x1 + x2)).norm()
""",
        "dtype: products by hand into torch.zeros(D) buffers: float32": """
def matvec(w, v):
    out = torch.zeros(len(v))
    for i in range(len(v)):
        out[i] = (w[i] * v).sum()
    return out

def dag_forward(w1, w2, x):
    x1 = matvec(w1, x)
    x2 = x + matvec(w2, x1)
    return matvec(w1, x1 + x2).norm()
""",
        "gradients: w1.data, an old Variable habit: no gradient to w1": """
def dag_forward(w1, w2, x):
    x1 = w1.data @ x
    x2 = x + w2 @ x1
    return (w1.data @ (x1 + x2)).norm()
""",
        "gradients: NumPy for the products: cut off from the graph": """
def dag_forward(w1, w2, x):
    a, b, v = (t.detach().numpy() for t in (w1, w2, x))
    x1 = a @ v
    x3 = a @ (x1 + v + b @ x1)
    return torch.from_numpy(x3).norm()
""",
        "values: x1 + x2 replaced by x2 alone": """
def dag_forward(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x1
    return (w1 @ x2).norm()
""",
    },
    "dag_grads_autograd": {
        "untouched: changes the caller's tensors": """
def dag_grads_autograd(w1, w2, x):
    w1.requires_grad_()
    w2.requires_grad_()
    return torch.autograd.grad(dag_forward(w1, w2, x), (w1, w2))
""",
        "values: swapped outputs": """
def dag_grads_autograd(w1, w2, x):
    w1, w2 = w1.detach().requires_grad_(), w2.detach().requires_grad_()
    g1, g2 = torch.autograd.grad(dag_forward(w1, w2, x), (w1, w2))
    return g2, g1
""",
        "values: gradient of q squared": """
def dag_grads_autograd(w1, w2, x):
    w1, w2 = w1.detach().requires_grad_(), w2.detach().requires_grad_()
    return torch.autograd.grad(dag_forward(w1, w2, x) ** 2, (w1, w2))
""",
        "values: .grad of the caller's tensors, accumulating": """
def dag_grads_autograd(w1, w2, x):
    w1.requires_grad_(True)
    w2.requires_grad_(True)
    dag_forward(w1, w2, x).backward()
    return w1.grad, w2.grad
""",
        "autograd: the chain rule by hand, no autograd": """
def dag_grads_autograd(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    g1 = gs + w2.T @ gs
    return torch.outer(g3, s) + torch.outer(g1, x), torch.outer(gs, x1)
""",
        "values: float32 copies: float64 in, float32 out": """
def dag_grads_autograd(w1, w2, x):
    a = w1.detach().float().requires_grad_()
    b = w2.detach().float().requires_grad_()
    return torch.autograd.grad(dag_forward(a, b, x.float()), (a, b))
""",
        "values: gradients with respect to x too: three results": """
def dag_grads_autograd(w1, w2, x):
    w1, w2, x = (t.detach().requires_grad_() for t in (w1, w2, x))
    return torch.autograd.grad(dag_forward(w1, w2, x), (w1, w2, x))
""",
    },
    "dag_grads_manual": {
        "grad_w1: w1's first use only": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    return torch.outer(g3, s), torch.outer(gs, x1)
""",
        "grad_w1: x1's path through x2 forgotten": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    return torch.outer(g3, s) + torch.outer(gs, x), torch.outer(gs, x1)
""",
        "grad_w1: transposed outer products": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    g1 = gs + w2.T @ gs
    return torch.outer(s, g3) + torch.outer(x, g1), torch.outer(x1, gs)
""",
        "grad_w1: gradient of q squared": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = 2 * x3
    gs = w1.T @ g3
    g1 = gs + w2.T @ gs
    return torch.outer(g3, s) + torch.outer(g1, x), torch.outer(gs, x1)
""",
        "forbidden: autograd in disguise": """
def dag_grads_manual(w1, w2, x):
    with torch.enable_grad():
        a, b = w1.detach().requires_grad_(), w2.detach().requires_grad_()
        x1 = a @ x
        q = (a @ (x1 + x + b @ x1)).norm()
        return torch.autograd.grad(q, (a, b))
""",
        "grad_w1: gradient at x1 carried back by w2 instead of its transpose": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    g1 = gs + w2 @ gs
    return torch.outer(g3, s) + torch.outer(g1, x), torch.outer(gs, x1)
""",
        "grad_w2: w2's gradient from x3's gradient instead of x2's": """
def dag_grads_manual(w1, w2, x):
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    g1 = gs + w2.T @ gs
    return torch.outer(g3, s) + torch.outer(g1, x), torch.outer(g3, x1)
""",
        "dtype: outer products added into torch.zeros(D, D): float32": """
def dag_grads_manual(w1, w2, x):
    D = x.shape[0]
    x1 = w1 @ x
    s = x1 + x + w2 @ x1
    x3 = w1 @ s
    g3 = x3 / x3.norm()
    gs = w1.T @ g3
    g1 = gs + w2.T @ gs
    grad_w1, grad_w2 = torch.zeros(D, D), torch.zeros(D, D)
    grad_w1 += torch.outer(g3, s)
    grad_w1 += torch.outer(g1, x)
    grad_w2 += torch.outer(gs, x1)
    return grad_w1, grad_w2
""",
        "forbidden: torch.func.jacrev on the forward pass": """
from torch.func import jacrev

def dag_grads_manual(w1, w2, x):
    def q(a, b):
        x1 = a @ x
        return (a @ (x1 + x + b @ x1)).norm()
    return jacrev(q, argnums=(0, 1))(w1, w2)
""",
    },
    "second_derivative": {
        "values: the first derivative": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    return torch.autograd.grad(f(x).sum(), x)[0]
""",
        "values: no create_graph": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x)
    return torch.autograd.grad(g.sum(), x)[0]
""",
        "affine: affine case not handled": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    return torch.autograd.grad(g.sum(), x)[0]
""",
        "values: finite differences": """
def second_derivative(f, x):
    h = 1e-3
    return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2
""",
        "values: two backward() calls, .grad adds f' + f''": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    f(x).sum().backward(create_graph=True)
    if x.grad.grad_fn is None:
        return torch.zeros_like(x)
    x.grad.sum().backward()
    return x.grad.detach()
""",
        "untouched: changes the caller's x": """
def second_derivative(f, x):
    x.requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if g.grad_fn is None:
        return torch.zeros_like(x)
    return torch.autograd.grad(g.sum(), x)[0]
""",
        "affine: zeros of the default dtype (float32) in the affine case": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if not g.requires_grad:
        return torch.zeros(x.shape)
    return torch.autograd.grad(g.sum(), x)[0]
""",
        "dtype: differentiates a float32 copy (.float() so that it can require grad)": """
def second_derivative(f, x):
    t = x.detach().float().requires_grad_()
    (g,) = torch.autograd.grad(f(t).sum(), t, create_graph=True)
    if not g.requires_grad:
        return torch.zeros_like(x)
    return torch.autograd.grad(g.sum(), t)[0]
""",
        "values: one number: the sum of the second derivatives": """
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if not g.requires_grad:
        return torch.zeros_like(x).sum()
    return torch.autograd.grad(g.sum(), x)[0].sum()
""",
    },
    "descend": {
        "values: a updated before b's gradient": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        (ga,) = torch.autograd.grad(loss, a)
        with torch.no_grad():
            a -= eta * ga
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        (gb,) = torch.autograd.grad(loss, b)
        with torch.no_grad():
            b -= eta * gb
    return a.item(), b.item()
""",
        "detach: b detached instead of a": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + (a - (b.detach() if detach_coupling else b)) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a -= eta * ga
            b -= eta * gb
    return a.item(), b.item()
""",
        "detach: detach_coupling ignored": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + (a - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a -= eta * ga
            b -= eta * gb
    return a.item(), b.item()
""",
        "values: gradient ascent": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a += eta * ga
            b += eta * gb
    return a.item(), b.item()
""",
        "values: one step too many": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps + 1):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a -= eta * ga
            b -= eta * gb
    return a.item(), b.item()
""",
        "values: backward() without zeroing": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        loss.backward()
        with torch.no_grad():
            a -= eta * a.grad
            b -= eta * b.grad
    return a.item(), b.item()
""",
        "result: returns tensors": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a -= eta * ga
            b -= eta * gb
    return a.detach(), b.detach()
""",
        "autograd: updates outside no_grad (a = a - eta * g): the graph grows": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        a, b = a - eta * ga, b - eta * gb
    return a.item(), b.item()
""",
        "autograd: the gradient's formula by hand, no autograd": """
def descend(a, b, eta, steps, detach_coupling=False):
    for _ in range(steps):
        ga = 2 * (a - 1) + (0.0 if detach_coupling else 2 * (a - b))
        gb = 2 * (b + 1) - 2 * (a - b)
        a, b = a - eta * ga, b - eta * gb
    return float(a), float(b)
""",
        "result: result set only inside the loop: steps=0 fails": """
def descend(a, b, eta, steps, detach_coupling=False):
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = (ta - 1) ** 2 + (tb + 1) ** 2 + ((ta.detach() if detach_coupling else ta) - tb) ** 2
        ga, gb = torch.autograd.grad(loss, (ta, tb))
        with torch.no_grad():
            ta -= eta * ga
            tb -= eta * gb
        result = (ta.item(), tb.item())
    return result
""",
        "values: b stepped first, then a's gradient taken at the new b": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        (gb,) = torch.autograd.grad(loss, b)
        with torch.no_grad():
            b -= eta * gb
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        (ga,) = torch.autograd.grad(loss, a)
        with torch.no_grad():
            a -= eta * ga
    return a.item(), b.item()
""",
        "values: out-of-place update under no_grad: step 2 raises": """
def descend(a, b, eta, steps, detach_coupling=False):
    a = torch.tensor(a, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    for _ in range(steps):
        loss = (a - 1) ** 2 + (b + 1) ** 2 + ((a.detach() if detach_coupling else a) - b) ** 2
        ga, gb = torch.autograd.grad(loss, (a, b))
        with torch.no_grad():
            a = a - eta * ga
            b = b - eta * gb
    return a.item(), b.item()
""",
    },
    "accumulated_gradient": {
        "earlier gradients: stale gradients not zeroed": """
def accumulated_gradient(model, loss_fn, batches):
    for X, y in batches:
        loss_fn(model(X), y).backward()
    return [p.grad.clone() for p in model.parameters()]
""",
        "values: zeroed inside the loop: last batch only": """
def accumulated_gradient(model, loss_fn, batches):
    for X, y in batches:
        model.zero_grad()
        loss_fn(model(X), y).backward()
    return [p.grad.clone() for p in model.parameters()]
""",
        "values: averaged over batches": """
def accumulated_gradient(model, loss_fn, batches):
    model.zero_grad()
    for X, y in batches:
        loss_fn(model(X), y).backward()
    return [p.grad / len(batches) for p in model.parameters()]
""",
        "one backward per batch: one backward on the summed loss": """
def accumulated_gradient(model, loss_fn, batches):
    model.zero_grad()
    sum(loss_fn(model(X), y) for X, y in batches).backward()
    return [p.grad.clone() for p in model.parameters()]
""",
        "values: parameters in reverse order": """
def accumulated_gradient(model, loss_fn, batches):
    model.zero_grad()
    for X, y in batches:
        loss_fn(model(X), y).backward()
    return [p.grad.clone() for p in reversed(list(model.parameters()))]
""",
        "one backward per batch: autograd.grad per batch, summed by hand": """
def accumulated_gradient(model, loss_fn, batches):
    params = list(model.parameters())
    total = [torch.zeros_like(p) for p in params]
    for X, y in batches:
        for t, g in zip(total, torch.autograd.grad(loss_fn(model(X), y), params)):
            t += g
    return total
""",
        "values: p.grad.zero_() raises while .grad is None": """
def accumulated_gradient(model, loss_fn, batches):
    for p in model.parameters():
        p.grad.zero_()
    for X, y in batches:
        loss_fn(model(X), y).backward()
    return [p.grad.clone() for p in model.parameters()]
""",
        "values: each batch's loss weighted by its size": """
def accumulated_gradient(model, loss_fn, batches):
    model.zero_grad()
    for X, y in batches:
        (loss_fn(model(X), y) * len(X)).backward()
    return [p.grad.clone() for p in model.parameters()]
""",
    },
}
