# Probes of ch01 (see autograder/verdicts/__init__.py). Each calls the student's functions on
# fixed inputs and returns plain data; the grader compares it with the reference's in its own
# process. Inputs are generated here, in both processes, from fixed seeds.
from torch import nn


def _dag_inputs(dtype=torch.float64):
    g = gen(11)
    return [tuple(torch.randn(*s, generator=g, dtype=dtype) for s in ((D, D), (D, D), (D,)))
            for D in (1, 3, 6)]


def probe_dag_forward(ns):
    return [ns["dag_forward"](*inputs) for inputs in _dag_inputs()]


def probe_dag_grads_autograd(ns):
    return [list(ns["dag_grads_autograd"](*inputs)) for inputs in _dag_inputs()]


def probe_dag_grads_manual(ns):
    with torch.no_grad():
        return [list(ns["dag_grads_manual"](*inputs)) for inputs in _dag_inputs()]


def probe_second_derivative(ns):
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)
    functions = (torch.sin, lambda t: t ** 3, lambda t: 3 * t + 1, torch.exp)
    return [ns["second_derivative"](f, x.clone()) for f in functions]


def probe_descend(ns):
    return [list(ns["descend"](a, b, eta, steps, detach_coupling=detach))
            for a, b, eta, steps, detach in ((0.5, -1.5, 0.05, 7, False),
                                              (1.2, 0.3, 0.2, 1, True),
                                              (-0.7, 0.9, 0.1, 0, False))]


def probe_accumulated_gradient(ns):
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    for p in model.parameters():
        p.grad = torch.ones_like(p)  # stale gradients the student must clear
    g = gen(12)
    batches = [(torch.randn(n, 4, generator=g, dtype=torch.float64),
                torch.randn(n, 2, generator=g, dtype=torch.float64)) for n in (2, 5, 1)]
    return list(ns["accumulated_gradient"](model, nn.MSELoss(), batches))
