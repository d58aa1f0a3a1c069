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

.PHONY: all setup sandbox data notebooks release collect examples grade table export feedback lab test lint bench colab-check clean

all: setup data notebooks examples grade

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

examples: setup
	$(PYTHON) -m autograder examples

grade: setup data
	$(PYTHON) -m autograder grade $(CHAPTER)

table: setup
	$(PYTHON) -m autograder table

export: setup
	$(PYTHON) -m autograder export

feedback: setup
	$(PYTHON) -m autograder feedback

# Jupyter refuses to run as root unless told; containers and CI often are root.
lab: setup data
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root)

lint: setup
	$(BIN)/ruff check .

test: setup data lint
	$(PYTHON) -m pytest -n $(JOBS) --dist loadgroup tests

# Speed figures, each a ratio against a baseline measured in the same run.
bench: setup data
	$(PYTHON) benchmarks/bench_pipeline.py --train
	$(PYTHON) benchmarks/bench_grading.py 16
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

clean:
	rm -rf submitted autograded feedback gradebook.db grades.csv .pytest_cache
