import os

# Tests run the chapters the way grading does: quick mode, no display.
os.environ.setdefault("DLCOURSE_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
