#!/usr/bin/env bash
# Cold-start measurement of the runtime (docs/benchmarks.md, "Cold start"): for each conformance archive, starts a
# fresh JVM on kiln-runtime.jar alone, loads the archive and runs its first inference on the case's input0, REPS
# times, and prints the medians: wall clock of the whole process, JVM start to first result (in-process, from the
# JVM's start time), load (read + verify + prepare) and first inference.
#
# usage: runtime-loader/cold-start.sh [ARCHIVE_DIR] [REPS]     (extra JVM options: KILN_JAVA_OPTS)
# ARCHIVE_DIR defaults to samples/target/conformance-archives (written by ArchiveConformanceTest in mvn verify).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archives="${1:-$root/samples/target/conformance-archives}"
reps="${2:-5}"
suite="${KILN_CONFORMANCE:-$root/../shared/conformance}"
jar="$root/runtime-loader/target/kiln-runtime.jar"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| case | archive KiB | wall clock ms | JVM start → first result ms | load ms | first inference ms |"
echo "|---|---:|---:|---:|---:|---:|"
for f in "$archives"/*.kiln; do
  name="$(basename "$f" .kiln)"
  inputs=()
  for i in "$suite/$name"/input0_*.npy; do inputs+=(--input "$i"); done
  : > "$out/t"
  for _ in $(seq "$reps"); do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    java ${KILN_JAVA_OPTS:-} -jar "$jar" run "$f" "${inputs[@]}" --out-dir "$out/o" --timing 2> "$out/err" > /dev/null
    t1=$(date +%s%N)
    # stderr also holds the backend's notes about its code (kiln run: jvm: ...): keep the timing line only
    grep '^timing: ' "$out/err" | sed -E 's/timing: load ([0-9.]+) ms, read inputs [0-9.]+ ms, first inference ([0-9.]+) ms; JVM start to first result ([0-9]+) ms/\1 \2 \3/' \
      | awk -v w=$(( (t1 - t0) / 1000000 )) '{print w, $3, $1, $2}' >> "$out/t"
  done
  kib=$(( $(stat -c %s "$f") / 1024 ))
  printf "| %s | %d | %s | %s | %s | %s |\n" "$name" "$kib" \
    "$(cut -d' ' -f1 "$out/t" | median)" "$(cut -d' ' -f2 "$out/t" | median)" \
    "$(cut -d' ' -f3 "$out/t" | median)" "$(cut -d' ' -f4 "$out/t" | median)"
done
