package org.sparkamm.gpu;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.Amm;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.io.LowRankData;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.Backends;
import org.sparkamm.local.Blas;
import org.sparkamm.local.FrobeniusError;

/**
 * End-to-end multiplies through the core's local engine ({@code Amm.multiply} on MLlib local
 * matrices, no Spark session), once with {@code useCuda=0} (the CPU backend) and once with {@code
 * useCuda=1, requireGpu=1} (the CUDA backend, or an error), for the device-check bundle. Workload:
 * the README's benchmark, A^T B with A and B rows x cols from the CLI's {@code --gen} data (low rank
 * 10 plus unit noise, seed 114514 ^ 0x5eed), sketch size l, for {@code mm}, {@code countSketch}
 * (scatter-adds on the CPU in both runs, the reduced product on the backend) and {@code gaussian}
 * (dense sketch tiles and reduced product on the backend). Per algorithm: one warm-up and
 * {@code trials} timed multiplies per backend, alternating (CPU first in even trials, CUDA first in
 * odd ones), medians of wall-clock milliseconds, their ratio cpu/cuda, the largest relative
 * Frobenius difference between a CUDA result and the CPU result of the same trial, checked against
 * the bound below, and the CPU result's relative error against the exact product (the sketch's own
 * error, as in the README). Without a usable GPU it prints {@code no GPU: <reason>} and times the
 * CPU side alone. Exit status 1 when a difference exceeds its bound.
 *
 * <p>The bound. Both backends evaluate the same formula on the same operands (same seeds, same
 * sketches); only the order of floating-point summation differs. A sum of k products computed in
 * any order is within {@code gamma_k sum |x_i y_i|} of the exact one, {@code gamma_k = k u / (1 - k
 * u)}, u = 2^-53, so two evaluations differ by at most twice that, and by Cauchy-Schwarz (entry by
 * entry, then summed) {@code || |X| |Y| ||_F <= ||X||_F ||Y||_F}. With n = rows (the inner dimension)
 * and {@code rho = ||A||_F ||B||_F / ||C_cpu||_F}:
 *
 * <ul>
 *   <li>{@code mm}: {@code ||C_cpu - C_cuda||_F / ||C_cpu||_F <= 2 gamma_n rho}.
 *   <li>sketches, C = (A S^T)(S B): the sketches differ by at most {@code 2 gamma_n ||A||_F ||S||_F}
 *       (likewise for B), the reduced product by {@code 2 gamma_l ||A S^T||_F ||S B||_F}. Both sketches
 *       have {@code E||S||_F^2 = n} and {@code E||S x||^2 = ||x||^2} with variance at most {@code 2
 *       ||x||^4 / l}; taking {@code ||S||_F <= 2 sqrt(n)} and {@code ||A S^T||_F <= 2 ||A||_F} (the
 *       latter fails with probability at most 2 / (9 l) per side, by Chebyshev), to first order
 *       {@code ||C_cpu - C_cuda||_F / ||C_cpu||_F <= 8 (2 sqrt(n) gamma_n + gamma_l) rho}.
 * </ul>
 *
 * These are worst-case bounds: real differences are some orders of magnitude smaller (about 1e-15
 * for {@code mm}), while a wrong product (a transpose, a lost tile) differs by far more than any of them.
 *
 * <p>Arguments: {@code [rows [cols [l [trials [seconds]]]]]}, default the benchmark's 100000 1024 1000 3
 * and no time limit; with {@code seconds}, no further trial of an algorithm starts once its runs
 * have taken that long (the warm-up and one timed trial always run). Heap: the two inputs, 16 rows
 * cols bytes (1.6 GB at the default), plus a few cols x cols and cols x l arrays.
 */
public final class EndToEndBenchmark {
  /** The algorithms measured, in this order ({@code mm} first: the others' errors are against it). */
  private static final String[] TAGS = {"mm", "countSketch", "gaussian"};
  /** Columns of A or B generated per task. */
  private static final int GENERATE_COLUMNS = 32;

  private EndToEndBenchmark() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int cols = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int l = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int trials = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    double budget = args.length > 4 ? Double.parseDouble(args[4]) : Double.POSITIVE_INFINITY;
    String noGpu = Backends.deviceUnavailableReason(); // the discovery that useCuda=1 goes through
    System.out.printf("end to end, local engine: A^T B, A and B %d x %d (low rank 10 + unit noise), l = %d; per algorithm "
        + "1 warm-up + up to %d timed runs per backend, alternating%s; medians%n", rows, cols, l, trials,
        budget < Double.POSITIVE_INFINITY ? String.format(", no new run after %.0f s", budget) : "");
    System.out.printf("cpu: %s, %d cores, heap %d MiB%n", Blas.implementation(), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println(noGpu == null ? "cuda: " + new CudaBackend().description() : "no GPU: " + noGpu);

    long start = System.nanoTime();
    LowRankData data = new LowRankData(Amm.DEFAULT_SEED ^ 0x5eedL, 10, 1.0); // the CLI's --gen data
    DenseMatrix a = generate(data, LowRankData.Which.A, rows, cols);
    DenseMatrix b = generate(data, LowRankData.Which.B, rows, cols);
    Matrix at = a.transpose(); // a row-major view, as the CLI's --transpose-a
    double normAB = Math.sqrt(FrobeniusError.squaredNorm(a.values()) * FrobeniusError.squaredNorm(b.values()));
    System.out.printf("inputs generated in %.0f ms%n", (System.nanoTime() - start) / 1e6);
    System.out.printf("%-12s %4s %10s %10s %9s %10s %9s %6s %12s%n", "algorithm", "runs", "cpu ms", "cuda ms", "cpu/cuda",
        "cuda-cpu", "bound", "check", "error vs mm");

    boolean ok = true;
    DenseMatrix exact = null;
    try {
      for (String tag : TAGS) {
        Amm cpu = Amm.create(tag).setConfig(new AmmConfig().edit(Amm.USE_CUDA_KEY, 0L));
        Amm cuda = Amm.create(tag).setConfig(new AmmConfig().edit(Amm.USE_CUDA_KEY, 1L).edit(Amm.REQUIRE_GPU_KEY, 1L));
        if (cpu.backendChoice() != BackendChoice.CPU || cuda.backendChoice() != BackendChoice.GPU_REQUIRED
            || !cpu.backendChoice().backend().name().equals("cpu")
            || noGpu == null && !cuda.backendChoice().backend().name().equals("cuda")) {
          throw new IllegalStateException("useCuda does not select the backend: " + cpu.backendChoice() + ", "
              + cuda.backendChoice());
        }
        Amm[] sides = {cpu, cuda};
        int count = noGpu == null ? 2 : 1;
        double[][] ms = new double[2][trials];
        double diff = 0;
        DenseMatrix first = null;
        int timed = 0;
        long begin = System.nanoTime();
        for (int t = 0; t <= trials && (t < 2 || (System.nanoTime() - begin) / 1e9 < budget); t++) { // trial 0 warms up
          DenseMatrix[] c = new DenseMatrix[2];
          for (int turn = 0; turn < count; turn++) {
            int side = (turn + t) % count; // 0: CPU, 1: CUDA; the CPU first in even trials
            long t0 = System.nanoTime();
            c[side] = (DenseMatrix) sides[side].multiply(at, b, l);
            if (t > 0) {
              ms[side][t - 1] = (System.nanoTime() - t0) / 1e6;
            }
          }
          timed = t;
          first = first == null ? c[0] : first;
          if (c[1] != null) {
            diff = Math.max(diff, Amm.relativeFrobeniusError(c[0], c[1]));
          }
        }
        exact = exact == null ? first : exact; // mm's
        double rho = normAB / Math.sqrt(FrobeniusError.squaredNorm(first.values()));
        double bound = roundingBound(tag, rows, l, rho);
        double error = Amm.relativeFrobeniusError(exact, first);
        double cpuMedian = median(Arrays.copyOf(ms[0], timed));
        if (noGpu != null) {
          System.out.printf("%-12s %4d %10.1f %10s %9s %10s %9.2g %6s %12.4f%n", tag, timed, cpuMedian, "no GPU", "-", "-",
              bound, "-", error);
        } else {
          double cudaMedian = median(Arrays.copyOf(ms[1], timed));
          boolean within = diff <= bound;
          ok &= within;
          System.out.printf("%-12s %4d %10.1f %10.1f %8.2fx %10.2g %9.2g %6s %12.4f%n", tag, timed, cpuMedian, cudaMedian,
              cpuMedian / cudaMedian, diff, bound, within ? "OK" : "WRONG", error);
        }
      }
    } finally {
      if (noGpu == null) {
        CudaBackend.releaseStaging();
      }
    }
    System.out.println("cuda-cpu: the largest ||C_cuda - C_cpu||_F / ||C_cpu||_F of a run; bound: 2 gamma_n rho (mm), "
        + "8 (2 sqrt(n) gamma_n + gamma_l) rho (sketches), gamma_k = k u / (1 - k u), u = 2^-53, n = rows, "
        + "rho = ||A||_F ||B||_F / ||C_cpu||_F (see EndToEndBenchmark's Javadoc); error vs mm: the CPU result's");
    if (!ok) {
      System.exit(1);
    }
  }

  /** A or B (rows x cols, column-major), generated by column slices on every core: equal to one whole block. */
  private static DenseMatrix generate(LowRankData data, LowRankData.Which which, int rows, int cols) {
    double[] values = new double[Math.multiplyExact(rows, cols)];
    IntStream.range(0, (cols + GENERATE_COLUMNS - 1) / GENERATE_COLUMNS).parallel().forEach(s -> {
      int col0 = s * GENERATE_COLUMNS;
      int width = Math.min(GENERATE_COLUMNS, cols - col0);
      System.arraycopy(data.block(which, 0, rows, col0, width, cols).values(), 0, values, col0 * rows, rows * width);
    });
    return new DenseMatrix(rows, cols, values);
  }

  /**
   * The bound above on {@code ||C_cpu - C_cuda||_F / ||C_cpu||_F}: {@code 2 gamma_n rho} for {@code
   * mm}, {@code 8 (2 sqrt(n) gamma_n + gamma_l) rho} for a sketch; n the inner dimension.
   */
  static double roundingBound(String tag, long n, int l, double rho) {
    return (tag.equals("mm") ? 2 * gamma(n) : 8 * (2 * Math.sqrt(n) * gamma(n) + gamma(l))) * rho;
  }

  /** gamma_k = k u / (1 - k u), u = 2^-53: the relative error bound of a k-term sum of products. */
  private static double gamma(long k) {
    double ku = k * 0x1p-53;
    return ku / (1 - ku);
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
