#!/bin/sh
# The main job on a built-in default (`make demo`): the validation loop of the
# CoS-core / CoO-shell particle (Schwartz et al. 2022, Fig. 6) at 0.5 Å pixels,
# 16 noise realisations -- about a minute on 2 cores. Prints the headline
# metrics and the path of the report (index.html).
# usage: tools/demo.sh STEMFUSE_BIN OUT_DIR
set -eu
bin=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
recipe="$here/datasets/coreshell_CoS_CoO.toml"
mkdir -p "$out"
report="$out/coreshell-report"
echo "== stemfuse demo: fused recovery of a CoS/CoO core-shell particle -> $report"
echo "   stemfuse validate $recipe -o $report --force \\"
echo "     --set phantom.voxel_A=0.5 --set noise.realisations=16 --set fuse.max_iterations=1000"
"$bin" validate "$recipe" -o "$report" --force \
  --set phantom.voxel_A=0.5 --set noise.realisations=16 --set fuse.max_iterations=1000
echo
echo "open $report/index.html in a browser (figures, tables, parameters);"
echo "metrics.json and the CSV tables hold every number, maps.emd the maps (hs.load)."
