"""The example submissions in ``autograder/examples/``, built from the release notebooks.

``python -m autograder.build_examples`` rewrites them (``make notebooks`` does it after
regenerating notebooks/); a test checks that the committed ones are up to date. Each example
is what a student could plausibly hand in; ``EXPECTED_LOSSES`` and the table in
docs/instructors.md say what each must score, and the test suite grades them to check both.
"""

from __future__ import annotations

import copy
import re
import textwrap

import nbformat

from .authoring import ROOT, grade_id, nbgrader_meta

EXAMPLES = ROOT / "autograder" / "examples"
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def answers(chapter: str) -> dict[str, str]:
    """The instructor's solutions, as a student would type them (no nbgrader markers)."""
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    return {grade_id(c): "\n".join(line for line in c.source.splitlines()
                                   if not MARKER.match(line)).strip("\n")
            for c in nb.cells if nbgrader_meta(c).get("solution")}


def release(chapter: str):
    return nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)


def submission(chapter: str, overrides: dict[str, str] | None = None):
    """The release notebook with every answer filled in, ``overrides`` taking precedence."""
    nb = release(chapter)
    filled = {**answers(chapter), **{k: textwrap.dedent(v).strip("\n")
                                     for k, v in (overrides or {}).items()}}
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = filled[grade_id(cell)]
    return nb


def as_colab_saves_it(nb, delete: tuple[str, ...] = ()):
    """Cell metadata gone (Colab and older VS Code drop it), some cells deleted, new ids."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if grade_id(c) not in delete]
    for k, cell in enumerate(nb.cells):
        cell.metadata = {"id": f"colab{k:04d}"}
        cell.id = f"colab{k:04d}"
    nb.metadata = {"colab": {"provenance": []}, "kernelspec": nb.metadata["kernelspec"]}
    return nb


WRONG_CH01 = {
    # the common slip of section 2: w1's first use only
    "dag_grads_manual": '''
        def dag_grads_manual(w1, w2, x):
            x1 = w1 @ x
            x2 = x + w2 @ x1
            s = x1 + x2
            x3 = w1 @ s
            g3 = x3 / x3.norm()
            gs = w1.T @ g3
            return torch.outer(g3, s), torch.outer(gs, x1)
        ''',
    # a updated before b's gradient is computed
    "descend": '''
        def descend(a, b, eta, steps, detach_coupling=False):
            a = torch.tensor(a, requires_grad=True)
            b = torch.tensor(b, requires_grad=True)
            for _ in range(steps):
                coupling = (a.detach() if detach_coupling else a) - b
                loss = (a - 1) ** 2 + (b + 1) ** 2 + coupling ** 2
                (grad_a,) = torch.autograd.grad(loss, a)
                with torch.no_grad():
                    a -= eta * grad_a
                coupling = (a.detach() if detach_coupling else a) - b
                loss = (a - 1) ** 2 + (b + 1) ** 2 + coupling ** 2
                (grad_b,) = torch.autograd.grad(loss, b)
                with torch.no_grad():
                    b -= eta * grad_b
            return a.item(), b.item()
        ''',
    # no create_graph: fine for nothing, a RuntimeError on the second grad
    "second_derivative": '''
        def second_derivative(f, x):
            x = x.detach().requires_grad_()
            (first,) = torch.autograd.grad(f(x).sum(), x)
            (second,) = torch.autograd.grad(first.sum(), x)
            return second
        ''',
}

NOISY_CH06 = {
    # correct, but warns (stderr) on every call
    "dropout_layer": '''
        import warnings


        def dropout_layer(X, p):
            if not 0 <= p <= 1:
                raise ValueError(f"p must be in [0, 1], got {p}")
            warnings.warn("dropout_layer: this warning goes to stderr", stacklevel=2)
            if p == 1:
                return torch.zeros_like(X)
            keep = (torch.rand(X.shape, device=X.device) < 1 - p).to(X.dtype)
            return X * keep / (1 - p)
        ''',
    # correct, with a tqdm progress bar (stderr) while building
    "dropout_mlp": '''
        from tqdm import tqdm


        def dropout_mlp(p1, p2):
            layers = [nn.Flatten()]
            sizes = [(784, 256, p1), (256, 256, p2)]
            for n_in, n_out, p in tqdm(sizes, desc="building"):
                layers += [nn.Linear(n_in, n_out), nn.ReLU(), nn.Dropout(p)]
            return nn.Sequential(*layers, nn.Linear(256, 10))
        ''',
}

WRONG_CH09 = {
    # the cheat sheet's average: divided by len(loader.dataset), which a sampler does not draw
    "evaluate_loss": '''
        def evaluate_loss(net, loader, loss_fn, device=None):
            if device is None:
                param = next(net.parameters(), None)
                device = param.device if param is not None else "cpu"
            net.eval()
            total = 0.0
            with torch.no_grad():
                for X, y in loader:
                    X, y = X.to(device), y.to(device)
                    total += loss_fn(net(X), y).item() * X.size(0)
            return total / len(loader.dataset)
        ''',
    # the live state_dict kept, not a copy: training changes it, restore() brings back nothing
    "EarlyStopping": '''
        class EarlyStopping:
            def __init__(self, patience=3, min_delta=0.0):
                self.patience, self.min_delta = patience, min_delta
                self.best_loss, self.best_epoch, self.best_state = math.inf, None, None
                self.epoch, self.bad, self.stop = 0, 0, False

            def step(self, val_loss, model):
                if val_loss < self.best_loss - self.min_delta:
                    self.best_loss, self.best_epoch = val_loss, self.epoch
                    self.best_state = model.state_dict()
                    self.bad = 0
                else:
                    self.bad += 1
                self.epoch += 1
                self.stop = self.stop or self.bad >= self.patience
                return self.stop

            def restore(self, model):
                model.load_state_dict(self.best_state)
        ''',
    # fancy indexing with += counts a repeated (label, pred) pair once
    "confusion_matrix": '''
        def confusion_matrix(preds, labels, num_classes):
            cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=preds.device)
            cm[labels, preds] += 1
            return cm
        ''',
}

WRITTEN = "I read the chapter and answered in my own words."


def examples() -> dict[tuple[str, str], nbformat.NotebookNode]:
    """{(student, chapter): notebook} for every bundled example."""
    ch01, ch06, ch09 = "ch01_dag_autograd", "ch06_dropout", "ch09_transfer_learning"
    written = {g: WRITTEN for g in answers(ch01) if g.startswith("written_")}
    return {
        ("example_perfect", ch01): submission(ch01),
        ("example_perfect", ch06): submission(ch06),
        ("example_perfect", ch09): submission(ch09),
        ("example_wrong", ch01): submission(ch01, {**WRONG_CH01, **written}),
        ("example_wrong", ch09): submission(ch09, WRONG_CH09),
        ("example_warning", ch06): submission(ch06, NOISY_CH06),
        ("example_colab", ch01): as_colab_saves_it(
            submission(ch01, written), delete=("test_dag_forward", "test_descend")),
    }


# Auto-graded points each example must get: {(student, chapter): {test cell: points}}.
# Every other test cell of the chapter gets full marks.
EXPECTED_LOSSES = {
    ("example_wrong", "ch01_dag_autograd"): {"test_dag_grads_manual": 1.5,
                                             "test_descend": 0.5,
                                             "test_second_derivative": 0.25},
    ("example_wrong", "ch09_transfer_learning"): {"test_evaluate_loss": 2.5,
                                                  "test_EarlyStopping": 2.5,
                                                  "test_confusion_matrix": 1.0},
}


def write(target=EXAMPLES) -> list[str]:
    written = []
    for (student, chapter), nb in examples().items():
        path = target / student / chapter / f"{chapter}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        written.append(str(path.relative_to(target)))
    return written


if __name__ == "__main__":
    for name in write():
        print(f"autograder/examples/{name}")
