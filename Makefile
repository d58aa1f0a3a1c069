# The course's commands. `make` sets everything up and runs the instructor pipeline on the
# bundled example submissions; `make test` runs the test suite. See README.md.

PYTHON_BOOT ?= python3
VENV        := .venv
BIN         := $(abspath $(VENV))/bin
PYTHON      := $(BIN)/python
# torch/torchvision as this machine provides them; elsewhere: make setup TORCH="torch torchvision"
TORCH       ?= torch==2.14.1 torchvision==0.29.1
# installed without its dependencies (it pins numpy 1.23.5): see pyproject.toml [tool.dlcourse]
D2L         := d2l==1.0.3
CHAPTER     ?=
# pytest workers: the grading tests wait on kernels much of the time, so one more than
# the 2 cores keeps both busy (measured: 2 workers used 1.14 cores on average)
JOBS        ?= 3

# nbgrader's Gradebook shells out to alembic: the venv's tools come first.
export PATH := $(BIN):$(PATH)
export MPLBACKEND ?= Agg

.PHONY: all setup sandbox browser data notebooks release collect roster demo grade table export feedback lab test lint bench colab-check clean

all: setup data notebooks demo

setup: $(VENV)/.installed sandbox

# Grading runs student code inside bubblewrap (autograder/sandbox.py). Installed here when
# we are root on Debian/Ubuntu; otherwise say what to do (grading then warns, unisolated).
sandbox:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q bubblewrap >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap >/dev/null; }; \
	  else \
	    echo "bubblewrap (bwrap) is missing: grading would run student code unisolated." \
	         "Install it with: sudo apt install bubblewrap"; \
	  fi; }

# The tests drive formgrader in headless Chromium (tests/test_term.py): Debian's chromium and
# chromium-driver, installed here when we are root on Debian/Ubuntu.
browser:
	@command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && \
	      apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null; }; \
	  else \
	    echo "chromium and chromedriver are missing: the formgrader test will fail." \
	         "Install them with: sudo apt install chromium chromium-driver"; \
	  fi; }

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PYTHON) -m pip install -q $(TORCH)
	$(PYTHON) -m pip install -q -e ".[course]"
	$(PYTHON) -m pip install -q --no-deps $(D2L)
	@# left behind by jsonschema >= 4.25 in a venv made before the pin (see pyproject.toml)
	$(PYTHON) -m pip uninstall -q -y rfc3987-syntax 2>/dev/null || true
	touch $@

data: setup
	$(PYTHON) -m dlcourse data

notebooks: setup
	$(PYTHON) -m autograder notebooks

# What students get, as a git repository tagged v<version> in release/ (docs/instructors.md)
release: setup
	$(PYTHON) -m autograder release

# FROM: the LMS download (a zip or a folder); see autograder/collect.py for the names it reads
collect: setup
	$(PYTHON) -m autograder collect "$(FROM)"

# FROM: a CSV of the students (Canvas's gradebook export, Moodle's participants, nbgrader's)
roster: setup
	$(PYTHON) -m autograder roster "$(FROM)"

# The bundled example submissions, graded in demo/, a course of its own: never in the
# course's gradebook, formgrader or grades.csv.
demo: setup data
	$(PYTHON) -m autograder demo

# What is new or changed since last graded; ALL=1: everything; STUDENT=id: that student.
grade: setup data
	$(PYTHON) -m autograder grade $(CHAPTER) $(if $(ALL),--all) $(if $(STUDENT),--student $(STUDENT))

table: setup
	$(PYTHON) -m autograder table

# Both refuse answers not yet marked, and name them; ALLOW_UNMARKED=1 goes ahead, saying so.
export: setup
	$(PYTHON) -m autograder export $(if $(ALLOW_UNMARKED),--allow-unmarked)

feedback: setup
	$(PYTHON) -m autograder feedback $(if $(ALLOW_UNMARKED),--allow-unmarked)

# JupyterLab with formgrader; it prints the address (with its token) and how to reach a
# server from a laptop (docs/instructors.md, "Marking written answers").
lab: setup data
	$(PYTHON) -m autograder lab

lint: setup
	$(BIN)/ruff check .

test: setup data lint browser
	$(PYTHON) -m pytest -n $(JOBS) --dist loadgroup tests

# Speed figures, each a ratio against a baseline measured in the same run.
bench: setup data
	$(PYTHON) benchmarks/bench_pipeline.py --train
	$(PYTHON) benchmarks/bench_grading.py 16 ch06_dropout
	$(PYTHON) benchmarks/bench_grading.py 64 ch06_dropout
	$(PYTHON) benchmarks/bench_grading.py 16 ch03_convolutions
	$(PYTHON) benchmarks/bench_cluster.py 100 32
	$(PYTHON) benchmarks/bench_liveplot.py 100

# Every chapter run as on Colab: its Python, torch, numpy and IPython, no nbgrader, the setup
# cell's Colab branch (tests/colab/check.py). pyenv's shims refuse an unselected version,
# so its 3.13 is looked for directly.
COLAB_VENV   := .venv-colab
PYTHON_COLAB ?= $(firstword $(foreach p,python3.13 $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.13*/bin/python3.13),$(shell $(p) -c 1 >/dev/null 2>&1 && echo $(p))))

colab-check: data
	@test -n "$(PYTHON_COLAB)" || { echo "make colab-check needs Python 3.13, Colab's:" \
	  "install it (pyenv install 3.13) or name it: make colab-check PYTHON_COLAB=/path/python3.13"; exit 1; }
	test -x $(COLAB_VENV)/bin/python || $(PYTHON_COLAB) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install -q -r tests/colab/requirements.txt
	$(COLAB_VENV)/bin/python -m tests.colab.check $(CHAPTER)

# What can be made again: the demo course and caches. The course's own work is kept unless
# asked: GRADES=1 also removes autograded/, feedback/, grades.csv and gradebook.db (with the
# marks given in formgrader); SUBMISSIONS=1 also removes submitted/.
CLEANED = demo .pytest_cache .ruff_cache autograder/verdicts/cache \
          $(if $(GRADES),autograded feedback grades.csv gradebook.db) $(if $(SUBMISSIONS),submitted)
clean:
	@echo "removing: $(CLEANED)"
	@$(if $(GRADES),,echo "keeping: autograded/ feedback/ grades.csv gradebook.db (GRADES=1 removes them, marks included)")
	@$(if $(SUBMISSIONS),,echo "keeping: submitted/ (SUBMISSIONS=1 removes it)")
	rm -rf $(CLEANED)
