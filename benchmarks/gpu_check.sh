#!/usr/bin/env bash
# Issue 4's GPU figures, on a GPU machine lent by the device tool (after
# benchmarks/gpu_prepare.sh here; carry .gpu):
#   ch07   the AlexNet chapter in full mode: AlexNet, 10 epochs at 224x224, and the small
#          AlexNet, 10 epochs at 28x28 (test accuracy, seconds)
#   ch08   the GoogLeNet chapter in full mode: 10 epochs at 96x96
#   bench  make bench's pipeline and training comparisons (`training vs d2l`)
# Logs go to $OUT. Each step alone: bash benchmarks/gpu_check.sh ch08
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-python3}"
OUT="${OUT:-gpu-out}"
mkdir -p "$OUT"
"$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/gpu-site .gpu/wheels/*.whl || exit 1
export PYTHONPATH="/tmp/gpu-site:$PWD" DLCOURSE_DATA="$PWD/.gpu/data" PYTHONUNBUFFERED=1
export MPLBACKEND=Agg TQDM_MININTERVAL=15
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$OUT/gpu.txt"
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" \
    | tee -a "$OUT/gpu.txt"
# Only Fashion-MNIST travels in .gpu/data (MNIST is not needed here).
"$PY" -m dlcourse data FashionMNIST || exit 1
# A checkpoint left by an earlier run would resume after its last epoch: start over.
find solutions -name "*.pt" -delete
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(ch07 ch08 bench)
status=0
for step in "${steps[@]}"; do
    case "$step" in
        ch07) cmd=(benchmarks/run_chapter.py solutions/ch07_alexnet/ch07_alexnet.ipynb) ;;
        ch08) cmd=(benchmarks/run_chapter.py solutions/ch08_googlenet/ch08_googlenet.ipynb) ;;
        bench) cmd=(benchmarks/bench_pipeline.py --train) ;;
        *) echo "unknown step $step (ch07, ch08, bench)"; exit 2 ;;
    esac
    start=$SECONDS
    "$PY" "${cmd[@]}" 2>&1 | tee "$OUT/$step.log"
    code=${PIPESTATUS[0]}
    echo "=== $step: exit $code, $((SECONDS - start)) s" | tee -a "$OUT/$step.log"
    [ "$code" = 0 ] || status=1
done
# The figures, without the progress bars.
grep -h -E "^(loss|[0-9]+ s|d2l|dlcourse|training vs|pipeline vs|===)" "$OUT"/*.log
exit $status
