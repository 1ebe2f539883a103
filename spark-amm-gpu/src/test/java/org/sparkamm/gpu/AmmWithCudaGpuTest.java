package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.Amm;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.local.FrobeniusError;

/**
 * A full {@code Amm.multiply} (the core's local engine on MLlib local matrices) with {@code useCuda=1,
 * requireGpu=1} against {@code useCuda=0}, on a GPU only (skipped with the reason elsewhere; run on the
 * emulated device by {@link EmulatedDeviceTest}): the same seed gives the same sketches, so the two
 * results differ by summation order alone, within {@link EndToEndBenchmark#roundingBound}; and the
 * products ran on the GPU ({@link CudaBackend#deviceCalls()}: the exact or reduced product, and for the
 * dense sketches both sketch products too). A is 300 x 2,000 row-major (a
 * transposed view, as the command line's {@code --transpose-a} gives), B 2,000 x 250, l = 128: the
 * exact product, the dense sketch products and the reduced products all pass the offload policy.
 */
class AmmWithCudaGpuTest {
  private static final int M = 300;
  private static final int N = 2000;
  private static final int P = 250;
  private static final int L = 128;

  @BeforeEach
  void onlyWithGpu() {
    String reason = new CudaBackend().unavailableReason();
    Assumptions.assumeTrue(reason == null, () -> "no GPU: " + reason);
  }

  @AfterAll
  static void release() {
    if (new CudaBackend().unavailableReason() == null) {
      CudaBackend.releaseStaging();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mm", "countSketch", "gaussian", "rip"})
  void multiplyWithUseCudaIsTheCpusUpToRounding(String tag) {
    SplittableRandom random = new SplittableRandom(31);
    Matrix a = new DenseMatrix(N, M, random.doubles((long) N * M, -1, 1).toArray()).transpose();
    Matrix b = new DenseMatrix(N, P, random.doubles((long) N * P, -1, 1).toArray());
    Matrix cpu = Amm.create(tag).setConfig(new AmmConfig().edit(Amm.USE_CUDA_KEY, 0L)).multiply(a, b, L);
    long before = CudaBackend.deviceCalls();
    Matrix cuda = Amm.create(tag).setConfig(new AmmConfig().edit(Amm.USE_CUDA_KEY, 1L).edit(Amm.REQUIRE_GPU_KEY, 1L))
        .multiply(a, b, L);
    int expected = tag.equals("gaussian") || tag.equals("rip") ? 3 : 1; // both dense sketches and the reduced product
    assertTrue(CudaBackend.deviceCalls() - before >= expected, tag + ": " + (CudaBackend.deviceCalls() - before)
        + " products ran on the GPU, expected at least " + expected);
    double rho = Math.sqrt(FrobeniusError.squaredNorm(a.toArray()) * FrobeniusError.squaredNorm(b.toArray())
        / FrobeniusError.squaredNorm(cpu.toArray()));
    double difference = Amm.relativeFrobeniusError(cpu, cuda);
    double bound = EndToEndBenchmark.roundingBound(tag, N, L, rho);
    System.out.printf("%s: ||C_cuda - C_cpu||_F / ||C_cpu||_F = %.3g (bound %.3g), %d GPU calls%n", tag, difference, bound,
        CudaBackend.deviceCalls() - before);
    assertTrue(difference <= bound, tag + ": " + difference + " > " + bound);
  }
}
