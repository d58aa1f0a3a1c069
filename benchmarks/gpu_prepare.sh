#!/usr/bin/env bash
# Run here, before benchmarks/gpu_check.sh goes to a GPU machine through the device tool.
# That machine has Python 3.12 with torch, torchvision, matplotlib, tqdm, pandas and scipy,
# and reaches no network: what it lacks goes in .gpu/ (ignored by git; name it in `carry`):
# d2l and IPython (d2l imports it) as wheels for its Python, and Fashion-MNIST's .gz files.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu/wheels .gpu/data/FashionMNIST/raw
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .gpu/wheels \
    d2l==1.0.3 ipython==8.37.0 asttokens decorator executing jedi matplotlib-inline parso \
    pexpect prompt_toolkit ptyprocess pure_eval stack_data traitlets wcwidth
data="${DLCOURSE_DATA:-../shared/data}"
cp "$data"/FashionMNIST/raw/*.gz .gpu/data/FashionMNIST/raw/
du -sh .gpu
