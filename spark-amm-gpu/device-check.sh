#!/usr/bin/env bash
# Builds the device-check bundle, spark-amm-gpu/target/device-bundle/ (< 64 MiB, no Spark, no Maven, no
# network needed where it runs), and runs it here once (no GPU: the GPU tests report skipped with the
# reason, the benchmarks say "no GPU: <reason>" and the end-to-end one times the CPU side alone). On a
# GPU machine run the bundle's run.sh; results go to $OUT (default: the bundle's out/).
#
# Contents: a jlink-ed JRE with only the modules jdeps finds in the jars (java.base, java.logging: JCuda
# and netlib; jdk.incubator.vector: netlib's VectorBLAS; java.sql: the JUnit console launcher), this
# module's jar and test classes, the core's classes but its command line (package cli, which needs
# Spark and, for its plots, java.desktop), netlib BLAS with its f2j fallback (CpuBackend's BLAS, which
# Spark brings on a cluster), JCuda's jar and only its driver binding's native library
# (libJCudaDriver, which needs only libcuda.so.1), JCublas's jar and its cuBLAS-v2 binding's native
# library (libJCublas2, used where CUDA 12's libcublas.so.12 loads), the JUnit console launcher, and what the core's
# local engine (EndToEndBenchmark) needs of Spark's world without Spark, found by running it on a
# minimal class path: Scala's library, MLlib's local matrices (package org.apache.spark.mllib.linalg
# of spark-mllib, 35 classes; spark-mllib-local whole, for org.apache.spark.ml.linalg.Matrix), the 12
# classes of breeze that verifying MLlib's DenseMatrix loads (none of breeze's code runs; all of
# breeze is 13 MB), slf4j's API and its simple logger.
# Usage: spark-amm-gpu/device-check.sh [--no-run]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
bundle="$here/target/device-bundle"
jcuda="$repo/org/jcuda/jcuda/12.6.0/jcuda-12.6.0.jar"
natives="$repo/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar"
jcublas="$repo/org/jcuda/jcublas/12.6.0/jcublas-12.6.0.jar"
jcublas_natives="$repo/org/jcuda/jcublas-natives/12.6.0/jcublas-natives-12.6.0-linux-x86_64.jar"
blas="$repo/dev/ludovic/netlib/blas/3.0.4/blas-3.0.4.jar"
f2j="$repo/net/sourceforge/f2j/arpack_combined_all/0.1/arpack_combined_all-0.1.jar"
launcher="$repo/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar"
scala="$repo/org/scala-lang/scala-library/2.13.17/scala-library-2.13.17.jar"
mllib="$repo/org/apache/spark/spark-mllib_2.13/4.1.0/spark-mllib_2.13-4.1.0.jar"
mllib_local="$repo/org/apache/spark/spark-mllib-local_2.13/4.1.0/spark-mllib-local_2.13-4.1.0.jar"
breeze="$repo/org/scalanlp/breeze_2.13/2.1.0/breeze_2.13-2.1.0.jar"
slf4j="$repo/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar"
slf4j_simple="$repo/org/slf4j/slf4j-simple/2.0.17/slf4j-simple-2.0.17.jar"
for jar in "$jcuda" "$natives" "$jcublas" "$jcublas_natives" "$blas" "$f2j" "$launcher" "$scala" "$mllib" "$mllib_local" "$breeze" "$slf4j" "$slf4j_simple"; do
  [[ -f "$jar" ]] || { echo "device-check: missing $jar (fetch once: mvn -B dependency:get -Dartifact=<its coordinates>)" >&2; exit 1; }
done

(cd "$root" && mvn -o -B -q -pl spark-amm-gpu -am package -DskipTests)

rm -rf "$bundle"
mkdir -p "$bundle/lib"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The core but its command line (cli: Spark, and java.desktop for its plots, 10 MB more of JRE).
(cd "$root/spark-amm/target/classes" && jar --create --file "$bundle/lib/spark-amm-core.jar" \
  $(ls -d org/sparkamm/* | grep -v '^org/sparkamm/cli$'))
# MLlib's local matrices and what loading them needs, without Spark (see the header).
(cd "$work" && mkdir mllib && cd mllib && jar --extract --file "$mllib" org/apache/spark/mllib/linalg/ \
  && jar --create --file "$bundle/lib/spark-mllib_2.13-4.1.0-linalg.jar" org/apache/spark/mllib/linalg/*.class)
breeze_classes=()
for c in operators/HasOps QuasiTensor ImmutableNumericOps NumericOps TensorLike Tensor MatrixLike 'MatrixLike$mcD$sp' \
  Matrix 'Matrix$mcD$sp' DenseMatrix 'DenseMatrix$mcD$sp'; do breeze_classes+=("breeze/linalg/$c.class"); done
(cd "$work" && mkdir breeze && cd breeze && jar --extract --file "$breeze" "${breeze_classes[@]}" \
  && jar --create --file "$bundle/lib/breeze_2.13-2.1.0-slice.jar" breeze)
cp "$here"/target/spark-amm-gpu-*.jar "$bundle/lib/"
jar --create --file "$bundle/lib/spark-amm-gpu-tests.jar" -C "$here/target/test-classes" .
# JCuda's natives jar holds every binding (NvPTXCompiler alone is 24 MB); keep the driver API's.
(cd "$work" && jar --extract --file "$natives" lib/libJCudaDriver-12.6.0-linux-x86_64.so \
  && jar --create --file "$bundle/lib/jcuda-natives-driver-12.6.0-linux-x86_64.jar" lib)
(cd "$work" && rm -rf lib && jar --extract --file "$jcublas_natives" lib/libJCublas2-12.6.0-linux-x86_64.so \
  && jar --create --file "$bundle/lib/jcublas-natives-v2-12.6.0-linux-x86_64.jar" lib)
cp "$jcuda" "$jcublas" "$blas" "$f2j" "$launcher" "$scala" "$mllib_local" "$slf4j" "$slf4j_simple" "$bundle/lib/"

modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$bundle"/lib/*.jar)"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$bundle/jre"

cat > "$bundle/run.sh" <<'RUN'
#!/usr/bin/env bash
# The GPU check of spark-amm-gpu: machine facts, the module's JUnit tests (GPU tests skip with the
# reason where CUDA cannot run), the GEMM benchmark (arguments: its matrix sizes, default 4096 8192),
# then mm, countSketch and gaussian end to end through the core's local engine on the CPU and the CUDA
# backend (E2E_ARGS: rows cols l trials seconds, default the README benchmark's shape, A and B
# 100000 x 1024, l = 1000, up to 3 timed runs, none started after 40 s of an algorithm). Writes
# machine.txt, tests.txt, junit/*.xml, benchmark.txt and end-to-end.txt to $OUT (default: out/ beside
# this script). Exit status: 0 when the tests and both benchmarks passed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/out}"
mkdir -p "$out/junit"
tmp="$(mktemp -d)" # JCuda extracts its native library here
# libcuda.so.1 where ldconfig may not list it (a container's read-only driver mount)
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64:/usr/local/nvidia/lib"
java=("$here/jre/bin/java" "-Djava.io.tmpdir=$tmp" --add-modules=jdk.incubator.vector -cp "$here/lib/*")
{
  echo "== $(date -u)"; uname -m
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "no nvidia-smi"
  ldconfig -p | grep -E 'libcuda\.so\.1|libcublas\.so\.12|libnvrtc\.so\.12|libblas\.so\.3|libopenblas' || echo "none of libcuda.so.1, libcublas.so.12, libnvrtc.so.12, libblas.so.3 in ldconfig"
} 2>&1 | tee "$out/machine.txt"
"${java[@]}" -Xmx8g org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors --details=tree \
  --select-class=org.sparkamm.gpu.CudaKernelsGpuTest --select-class=org.sparkamm.gpu.AmmWithCudaGpuTest \
  --select-class=org.sparkamm.gpu.CudaBackendWithoutGpuTest \
  --select-class=org.sparkamm.gpu.BackendWiringTest --reports-dir="$out/junit" 2>&1 | tee "$out/tests.txt"
status=${PIPESTATUS[0]}
"${java[@]}" -Xmx12g org.sparkamm.gpu.GemmBenchmark "$@" 2>&1 | tee "$out/benchmark.txt"
bench=${PIPESTATUS[0]}
# A and B take 1.6 GB at the default shape; the rest is a few 8 MB results.
"${java[@]}" -Xmx16g org.sparkamm.gpu.EndToEndBenchmark ${E2E_ARGS:-100000 1024 1000 3 40} 2>&1 | tee "$out/end-to-end.txt"
e2e=${PIPESTATUS[0]}
rm -rf "$tmp"
echo "tests exit $status, benchmark exit $bench, end-to-end exit $e2e"
[[ $status -eq 0 && $bench -eq 0 && $e2e -eq 0 ]]
RUN
chmod +x "$bundle/run.sh"

size=$(du -sb "$bundle" | cut -f1)
echo "device bundle: $bundle, $((size / 1024 / 1024)) MiB ($size bytes), JRE modules: $modules"
if (( size > 64 * 1024 * 1024 )); then
  echo "device-check: the bundle exceeds the 64 MiB a device run can carry" >&2
  exit 1
fi
if [[ "${1:-}" != "--no-run" ]]; then
  OUT="$here/target/device-check-local" "$bundle/run.sh"
fi
