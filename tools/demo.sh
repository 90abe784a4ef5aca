#!/bin/sh
# The main job on a built-in default (`make demo`).
# usage: tools/demo.sh STEMFUSE_BIN OUT_DIR
set -eu
bin=$1
out=$2
mkdir -p "$out"
echo "== stemfuse demo: calibrated test set -> $out"
"$bin" pattern --force -o "$out/testset.emd"
echo "== reading it back"
"$bin" info "$out/testset.emd"
echo
echo "results:"
echo "  $out/testset.emd            (EMD 0.2; open with hyperspy: hs.load('$out/testset.emd'))"
echo "  $out/testset_pattern.png    (preview of the image signal)"
echo "  $out/testset_pattern_cube.png"
