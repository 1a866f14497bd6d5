#!/usr/bin/env bash
# Cold-start measurement of the runtime (docs/benchmarks.md, "Cold start"). For each conformance archive, starts
# fresh JVMs that load the archive and run its first inference on the case's input0, REPS times per way of
# starting, and prints one table per way with the medians of:
#   - wall: the whole process, JVM boot to exit (writing the output included), measured outside;
#   - first result: from the JVM's recorded start time to the first output tensor, measured inside (--timing);
#   - load (read + verify + prepare) and first inference (the first forward), inside;
#   - cpu: the process's user + system CPU time, all threads (less disturbed by other load than wall times).
# The ways, alternated run by run so that both see the same machine load:
#   java -jar:   java -jar runtime-loader/target/kiln-runtime.jar run ...        (no JVM options)
#   launcher:    runtime-loader/target/kiln-runtime run ...   (class-data archive if built, C1 only, serial GC)
#
# usage: runtime-loader/cold-start.sh [ARCHIVE_DIR] [REPS]   (from anywhere; needs `mvn package` of
#        runtime-loader, and the archives: ArchiveConformanceTest writes samples/target/conformance-archives)
# Extra JVM options for both ways: KILN_JAVA_OPTS. Conformance inputs: KILN_CONFORMANCE (default
# ../shared/conformance beside the repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archives="${1:-$root/samples/target/conformance-archives}"
reps="${2:-5}"
suite="${KILN_CONFORMANCE:-$root/../shared/conformance}"
jar="$root/runtime-loader/target/kiln-runtime.jar"
launcher="$root/runtime-loader/target/kiln-runtime"
for f in "$jar" "$launcher"; do
  [[ -f "$f" ]] || { echo "cold-start.sh: $f not found (run: mvn -B -o -pl runtime-loader -am package -DskipTests)" >&2; exit 2; }
done
compgen -G "$archives/*.kiln" > /dev/null || { echo "cold-start.sh: no .kiln archives in $archives" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }

# one WAY FILE INPUTS...: runs once, appends "wall first load infer cpu" (ms) to $out/WAY
one() {
  local way="$1" f="$2"
  shift 2
  local cmd
  # shellcheck disable=SC2206 # KILN_JAVA_OPTS is a list of options
  if [[ "$way" == java ]]; then cmd=(java ${KILN_JAVA_OPTS:-} -jar "$jar"); else cmd=("$launcher"); fi
  rm -rf "$out/o"
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "cpu %U %S" -o "$out/time" "${cmd[@]}" run "$f" "$@" --out-dir "$out/o" --timing \
    2> "$out/err" > /dev/null || { echo "cold-start.sh: $way failed on $f:" >&2; cat "$out/err" >&2; exit 1; }
  t1=$(date +%s%N)
  local timing cpu
  timing=$(sed -nE 's/^timing: load ([0-9.]+) ms, read inputs [0-9.]+ ms, first inference ([0-9.]+) ms; JVM start to first result ([0-9]+) ms$/\3 \1 \2/p' "$out/err")
  cpu=$(awk '/^cpu/ {printf "%d", ($2 + $3) * 1000}' "$out/time")
  echo "$(( (t1 - t0) / 1000000 )) $timing $cpu" >> "$out/$way"
}

echo "machine load before: $(uptime | sed 's/.*load average/load average/')"
for f in "$archives"/*.kiln; do
  name="$(basename "$f" .kiln)"
  inputs=()
  for i in "$suite/$name"/input0_*.npy; do inputs+=(--input "$i"); done
  for _ in $(seq "$reps"); do
    one java "$f" "${inputs[@]}"
    one launcher "$f" "${inputs[@]}"
  done
  kib=$(( $(stat -c %s "$f") / 1024 ))
  for way in java launcher; do
    col() { cut -d' ' -f"$1" "$out/$way" | median; }
    printf "| %s | %d | %s | %s | %s | %s | %s |\n" "$name" "$kib" "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" \
      "$(col 5)" >> "$out/table-$way"
    rm "$out/$way"
  done
done
echo "machine load after:  $(uptime | sed 's/.*load average/load average/')"
for way in java launcher; do
  echo
  if [[ "$way" == java ]]; then echo "java -jar runtime-loader/target/kiln-runtime.jar run ... ($reps runs each, medians)"
  else echo "runtime-loader/target/kiln-runtime run ...$([[ -f "$root/runtime-loader/target/kiln-runtime.jsa" ]] \
    || echo ' (no kiln-runtime.jsa)') ($reps runs each, medians)"; fi
  echo
  echo "| case | archive KiB | wall ms | JVM start → first result ms | load ms | first inference ms | cpu ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  cat "$out/table-$way"
done
