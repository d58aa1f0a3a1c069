"""Live training curves over a long run: dlcourse.LivePlot against d2l's ProgressBoard.

Both are driven with the same stream of points (two curves, as a training loop would add
them) while a fake notebook front end renders every figure they display, the way Jupyter's
inline backend does. d2l's board re-plots every curve on every point and never removes the
old lines, so its cost per point grows with the run; LivePlot replaces the data of one line
per curve and renders at most twice a second.

    python benchmarks/bench_liveplot.py [POINTS]
"""

import io
import sys
import time

import matplotlib

matplotlib.use("Agg")

import d2l.torch as d2l  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

import dlcourse.plot as dplot  # noqa: E402


class Frontend:
    """Renders what is displayed, as a notebook would; counts the renders."""

    def __init__(self, fmt):
        self.fmt, self.renders = fmt, 0

    def render(self, fig):
        fig.savefig(io.BytesIO(), format=self.fmt)
        self.renders += 1

    def display(self, fig, display_id=False):
        self.render(fig)
        return self if display_id else None

    def update(self, fig):
        self.render(fig)


def run_d2l(points):
    front = Frontend("svg")  # d2l switches the inline backend to SVG
    d2l.display.display, d2l.display.clear_output = front.display, lambda wait=False: None
    board = d2l.ProgressBoard(xlabel="epoch")
    start = time.perf_counter()
    for i in range(points):
        board.draw(i / 10, 1 / (i + 1), "train_loss", every_n=1)
        board.draw(i / 10, i / points, "train_acc", every_n=1)
    seconds = time.perf_counter() - start
    plt.close("all")
    return seconds, front.renders


def run_dlcourse(points, every):
    front = Frontend("png")
    dplot._in_notebook = lambda: True
    import IPython.display

    IPython.display.display = front.display
    board = dplot.LivePlot(every=every)
    start = time.perf_counter()
    for i in range(points):
        board.add(i / 10, train_loss=1 / (i + 1), train_acc=i / points)
    board.close()
    seconds = time.perf_counter() - start
    plt.close("all")
    return seconds, front.renders


def main():
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    d2l_s, d2l_n = run_d2l(points)
    ours_s, ours_n = run_dlcourse(points, every=0.5)
    every_s, every_n = run_dlcourse(points, every=0.0)  # render on every point, like d2l
    print(f"{points} points on two curves:")
    print(f"  d2l ProgressBoard:            {d2l_s:7.2f} s, {d2l_n} renders, "
          f"{1e3 * d2l_s / d2l_n:6.1f} ms per render")
    print(f"  dlcourse LivePlot:            {ours_s:7.2f} s, {ours_n} renders")
    print(f"  LivePlot rendering each point:{every_s:7.2f} s, {every_n} renders, "
          f"{1e3 * every_s / every_n:6.1f} ms per render")
    print(f"live plot vs d2l ProgressBoard: {d2l_s / ours_s:.1f}x "
          f"(rendering every point too: {d2l_s / every_s:.1f}x)")


if __name__ == "__main__":
    main()
