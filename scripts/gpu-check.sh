#!/usr/bin/env bash
# GPU check for Kiln's PTX backend. Two halves, because the GPU machine has no Maven and no network:
#
#   bash scripts/gpu-check.sh pack   # on a build machine: build the jars, jlink a Java runtime, and put both
#                                    # (plus the conformance fixtures the checks read) into .gpu-bundle/
#   bash scripts/gpu-check.sh run    # on the GPU machine, from the repository root: GPU tests (including
#                                    # FusedKernelGpuTest: every conformance fusion group rendered from kernel IR,
#                                    # GPU output against the kernel IR interpreter; PtxArchiveGpuTest: every
#                                    # conformance case saved as a ptx archive and run by the runtime with
#                                    # --device cuda, against PyTorch and the interpreter), benchmarks (GpuBench),
#                                    # torch peers
#   bash scripts/gpu-check.sh        # pack if .gpu-bundle/ is missing, then run
#
# With this workplace's `device` tool: pack here, then run with carry [".gpu-bundle"] and the command
# `bash scripts/gpu-check.sh run`. Output goes to stdout and, where $OUT is set, to $OUT/gpu-check.log.
# .gpu-bundle/ is git-ignored and holds one compressed archive (bundle.tar.gz, about 45 MB: the carried working
# tree must stay under 64 MiB); `run` unpacks it in place on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=$ROOT/.gpu-bundle
CONFORMANCE_SRC=${KILN_CONFORMANCE_DIR:-$ROOT/../shared/conformance}
JLINK_MODULES=java.base,java.logging,java.management,java.sql,jdk.unsupported,jdk.zipfs

pack() {
    echo "== pack: build (offline), collect jars, jlink a runtime, archive them as $BUNDLE/bundle.tar.gz"
    rm -rf "$BUNDLE"
    local final=$BUNDLE
    BUNDLE=$final/stage
    mkdir -p "$BUNDLE/lib" "$BUNDLE/classes"
    # Modules whose GPU tests run there; samples holds the cross-module conformance test when it exists.
    local modules=codegen-ptx
    if ls samples/src/test/java/dev/kiln/samples/*Gpu*Test.java >/dev/null 2>&1; then modules=codegen-ptx,samples; fi
    mvn -B -o -q -pl "$modules" -am -DskipTests package \
        dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$BUNDLE/lib"
    for m in ${modules//,/ }; do
        cp -r "$m/target/test-classes" "$BUNDLE/classes/$m-tests"
        cp "$m"/target/*.jar "$BUNDLE/lib/" 2>/dev/null || true
    done
    # Only the driver-API binding of JCuda's natives is used (no NVRTC, runtime API or nvPTXCompiler): repack
    # the 9.5 MB natives jar down to libJCudaDriver (~1.2 MB uncompressed).
    local natives
    natives=$(ls "$BUNDLE"/lib/jcuda-natives-*.jar)
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && jar xf "$natives" && find lib -name '*.so' ! -name 'libJCudaDriver-*' -delete && jar cf "$natives.new" .)
    mv "$natives.new" "$natives"
    rm -rf "$tmp"
    # Kiln binds OpenBLAS through openblas_nolapack only: drop the two LAPACK JNI wrappers (~48 MB) and the headers
    # from the natives jar, so the bundle stays well inside the 64 MiB the device tool carries.
    local blas
    for blas in "$BUNDLE"/lib/openblas-*-linux-x86_64.jar; do
        [ -f "$blas" ] || continue
        tmp=$(mktemp -d)
        (cd "$tmp" && jar xf "$blas" && rm -rf org/bytedeco/openblas/linux-x86_64/include \
            org/bytedeco/openblas/linux-x86_64/libjniopenblas.so org/bytedeco/openblas/linux-x86_64/libjniopenblas_full.so \
            && jar cf "$blas.new" .)
        mv "$blas.new" "$blas"
        rm -rf "$tmp"
    done
    # Peers of the benchmark harness that the GPU checks do not load; OpenBLAS (20 MB) only matters to the
    # interpreter, i.e. only when the samples' conformance comparison travels.
    rm -f "$BUNDLE"/lib/jmh-*.jar "$BUNDLE"/lib/jopt-*.jar "$BUNDLE"/lib/commons-math3-*.jar
    [ "$modules" = codegen-ptx ] && rm -f "$BUNDLE"/lib/openblas-*.jar
    jlink --add-modules "$JLINK_MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 \
        --output "$BUNDLE/jre"
    strip --strip-unneeded "$BUNDLE/jre/lib/server/libjvm.so" 2>/dev/null || true
    if [ -d "$CONFORMANCE_SRC" ]; then
        # Inputs, weights and expected outputs only: no TorchScript, ONNX or gradient files.
        mkdir -p "$BUNDLE/conformance"
        (cd "$CONFORMANCE_SRC" && find . -type f ! -name '*.pt' ! -name '*.onnx' ! -path '*/grads/*' -print0 \
            | xargs -0 -I{} cp --parents {} "$BUNDLE/conformance/")
    else
        echo "   (no conformance fixtures at $CONFORMANCE_SRC: the conformance comparison will be skipped there)"
    fi
    du -sh "$BUNDLE"/* | sed 's/^/   unpacked: /'
    tar czf "$final/bundle.tar.gz" -C "$BUNDLE" .
    rm -rf "$BUNDLE"
    BUNDLE=$final
    du -sh "$BUNDLE/bundle.tar.gz" | sed 's/^/   archive: /'
}

unpack() {
    if [ ! -x "$BUNDLE/jre/bin/java" ] && [ -f "$BUNDLE/bundle.tar.gz" ]; then
        tar xzf "$BUNDLE/bundle.tar.gz" -C "$BUNDLE"
    fi
}

run() {
    unpack
    [ -x "$BUNDLE/jre/bin/java" ] || { echo "no bundle at $BUNDLE: run 'bash scripts/gpu-check.sh pack' on a build machine"; exit 1; }
    local java=$BUNDLE/jre/bin/java
    local cp
    cp=$(find "$BUNDLE/classes" -mindepth 1 -maxdepth 1 -type d | sort | tr '\n' ':')$(ls "$BUNDLE"/lib/*.jar | tr '\n' ':')
    local props=(-Xmx8g -Dkiln.conformance.dir="$BUNDLE/conformance")
    echo "== machine"
    uname -m
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "(nvidia-smi not available)"
    "$java" -version 2>&1 | head -1
    local status=0
    echo; echo "== GPU tests (every *Gpu*Test, incl. fused kernels from kernel IR vs the kernel IR interpreter;"
    echo "   a skip here means no device was found and counts as a failure)"
    if [ ! -d "$BUNDLE/classes/samples-tests" ]; then
        echo "   (samples were not packed: the fused-kernel comparison with the interpreter does not run)"; status=1
    fi
    "$java" "${props[@]}" -cp "$cp" dev.kiln.codegen.ptx.gpu.GpuTestMain --require-gpu || status=1
    echo; echo "== benchmarks (GpuBench)"
    "$java" "${props[@]}" -cp "$cp" dev.kiln.codegen.ptx.cuda.GpuBench || status=1
    echo; echo "== peers on the same GPU (PyTorch, if installed): torch.mm fp32 (TF32 off) and a device copy"
    if command -v python3 >/dev/null && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
        python3 - <<'PY' || status=1
import torch
torch.backends.cuda.matmul.allow_tf32 = False
def t(f, reps):
    f(); torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(reps): f()
    e.record(); torch.cuda.synchronize()
    return s.elapsed_time(e) / reps
x = torch.empty(1 << 26, device='cuda'); y = torch.empty_like(x)
ms = t(lambda: y.copy_(x), 20)
print(f"torch copy_ {x.numel()} f32: {ms:.4f} ms, {2 * 4 * x.numel() / ms / 1e6:.1f} GB/s")
for n in (1024, 2048, 4096):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    ms = t(lambda: torch.mm(a, b), 5 if n >= 4096 else 20)
    print(f"torch.mm fp32 n={n}: {ms:.3f} ms, {2 * n ** 3 / ms / 1e6:.0f} GFLOP/s")
torch.backends.cuda.matmul.allow_tf32 = True
for n in (1024, 2048, 4096):
    a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
    ms = t(lambda: torch.mm(a, b), 5 if n >= 4096 else 20)
    print(f"torch.mm tf32 n={n}: {ms:.3f} ms, {2 * n ** 3 / ms / 1e6:.0f} GFLOP/s")
PY
    else
        echo "(no CUDA PyTorch here; peer figures skipped)"
    fi
    echo; echo "== gpu-check status: $status"
    return $status
}

main() {
    case "${1:-auto}" in
        pack) pack ;;
        run) run ;;
        auto) [ -f "$BUNDLE/bundle.tar.gz" ] || [ -x "$BUNDLE/jre/bin/java" ] || pack; run ;;
        *) echo "usage: bash scripts/gpu-check.sh [pack|run]"; exit 2 ;;
    esac
}

if [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ]; then
    set -o pipefail
    main "$@" 2>&1 | tee "$OUT/gpu-check.log"
else
    main "$@"
fi
