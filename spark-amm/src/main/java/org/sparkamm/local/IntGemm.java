package org.sparkamm.local;

import java.util.stream.IntStream;

/**
 * Exact integer matrix products for quantized operands: {@code C += A B} with A (m x n) and B (n x p)
 * holding small integers in row-major {@code int[]}, C (m x p) row-major {@code long[]}. Every
 * product and every partial sum is an exact integer: nothing is rounded, so the result does not
 * depend on the order of the sums (nor on how the work is split across threads or Spark tasks).
 *
 * <p><b>Overflow.</b> With |a| &le; qa and |b| &le; qb every product fits in {@code int} when
 * {@code qa qb <= 2^31 - 1} (checked). Partial sums are kept in an {@code int} accumulator for a
 * panel of {@code K = min(256, floor((2^31 - 1) / (qa qb)))} inner indices and then added into the
 * {@code long} result, so no sum can overflow for any n below {@code 2^63 / (qa qb)}; for int8
 * (127 x 127) and int4 (7 x 7) a panel is 256 indices. For int16 (32767 x 32767, where not even 4
 * products fit an int) B is split exactly as {@code b = 256 h + l} with {@code 0 <= l <= 255} and
 * {@code |h| <= 128}, and {@code C = 256 (A H) + A L} is two int passes with panels of 256 (products
 * at most 32767 x 255), twice the work of int8.
 *
 * <p><b>Blocking.</b> The output is computed in column stripes of {@value #STRIPE} (the accumulator,
 * 2 KiB, stays in L1); for each stripe and panel the B panel ({@code K x 512} ints, 512 KiB at most)
 * is reused by every row of A (L2), and the inner loop is unrolled over 4 inner indices so that each
 * accumulator element is loaded and stored once per 4 multiply-adds; it is a plain Java loop that
 * the JIT vectorizes. Rows are split across the machine's cores. Cost: 2mnp integer operations.
 */
public final class IntGemm {
  private static final int STRIPE = 512;
  private static final int PANEL = 256;
  private static final int THREADS = Runtime.getRuntime().availableProcessors();
  /** Below this many multiply-adds a product runs on the calling thread. */
  private static final long PARALLEL_WORK = 1L << 22;

  private IntGemm() {}

  /**
   * {@code c[i*ldc + j] += sum_k a[i*lda + k] * b[k*ldb + j]} for i &lt; m, k &lt; n, j &lt; p, given
   * |a| &le; maxA and |b| &le; maxB.
   *
   * @throws IllegalArgumentException when a product could overflow {@code int} ({@code maxA maxB >= 2^31})
   */
  public static void multiplyAdd(int m, int n, int p, int[] a, int lda, int[] b, int ldb, long[] c, int ldc,
      int maxA, int maxB) {
    if ((long) maxA * maxB > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("integer products of " + maxA + " x " + maxB + " overflow int");
    }
    if (m == 0 || n == 0 || p == 0) {
      return;
    }
    if (panel(maxA, maxB) >= 4) {
      run(m, n, p, a, lda, b, ldb, c, ldc, panel(maxA, maxB), 0);
      return;
    }
    // int16: b = 256 h + l with l in [0, 255] and |h| <= ceil(maxB / 256); A h and A l each fit int panels.
    int[] hi = new int[b.length];
    int[] lo = new int[b.length];
    for (int t = 0; t < b.length; t++) {
      hi[t] = b[t] >> 8;
      lo[t] = b[t] & 0xFF;
    }
    int maxHi = (maxB + 255) >> 8;
    run(m, n, p, a, lda, hi, ldb, c, ldc, panel(maxA, maxHi), 8);
    run(m, n, p, a, lda, lo, ldb, c, ldc, panel(maxA, 255), 0);
  }

  /** Inner indices whose products can be summed in an int: at most 256. */
  private static int panel(int maxA, int maxB) {
    return (int) Math.min(PANEL, Integer.MAX_VALUE / Math.max(1L, (long) maxA * maxB));
  }

  private static void run(int m, int n, int p, int[] a, int lda, int[] b, int ldb, long[] c, int ldc, int panel,
      int shift) {
    boolean parallel = THREADS > 1 && (long) m * n * p >= PARALLEL_WORK && m >= 2 * THREADS;
    int parts = parallel ? THREADS : 1;
    IntStream range = IntStream.range(0, parts);
    (parallel ? range.parallel() : range).forEach(t ->
        rows((int) ((long) m * t / parts), (int) ((long) m * (t + 1) / parts), n, p, a, lda, b, ldb, c, ldc, panel,
            shift));
  }

  private static void rows(int lo, int hi, int n, int p, int[] a, int lda, int[] b, int ldb, long[] c, int ldc,
      int panel, int shift) {
    int[] acc = new int[Math.min(STRIPE, p)];
    int[][] bp = new int[panel][Math.min(STRIPE, p)];
    for (int j0 = 0; j0 < p; j0 += STRIPE) {
      int w = Math.min(STRIPE, p - j0);
      for (int k0 = 0; k0 < n; k0 += panel) {
        int k1 = Math.min(n, k0 + panel);
        for (int k = k0; k < k1; k++) { // rows of the panel as their own arrays, each starting at j0: the JIT vectorizes
          System.arraycopy(b, k * ldb + j0, bp[k - k0], 0, w);
        }
        for (int i = lo; i < hi; i++) {
          java.util.Arrays.fill(acc, 0, w, 0);
          int ai = i * lda;
          int k = k0;
          for (; k + 4 <= k1; k += 4) {
            int a0 = a[ai + k];
            int a1 = a[ai + k + 1];
            int a2 = a[ai + k + 2];
            int a3 = a[ai + k + 3];
            if ((a0 | a1 | a2 | a3) == 0) {
              continue;
            }
            int[] b0 = bp[k - k0];
            int[] b1 = bp[k - k0 + 1];
            int[] b2 = bp[k - k0 + 2];
            int[] b3 = bp[k - k0 + 3];
            for (int j = 0; j < w; j++) {
              acc[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
          }
          for (; k < k1; k++) {
            int a0 = a[ai + k];
            if (a0 == 0) {
              continue;
            }
            int[] b0 = bp[k - k0];
            for (int j = 0; j < w; j++) {
              acc[j] += a0 * b0[j];
            }
          }
          int ci = i * ldc + j0;
          for (int j = 0; j < w; j++) {
            c[ci + j] += (long) acc[j] << shift;
          }
        }
      }
    }
  }
}
