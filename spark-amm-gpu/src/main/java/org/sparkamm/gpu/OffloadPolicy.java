package org.sparkamm.gpu;

/**
 * When a call is worth sending to the GPU. A call moves {@code bytes} between the Java heap and the
 * device (pack into pinned memory, PCIe both ways) and does {@code flops} of arithmetic; it pays when
 * the CPU would take longer for the arithmetic than the GPU for the transfer:
 * {@code flops / F_cpu > bytes / B + t0}, the GPU's own compute time being negligible beside both.
 * With F_cpu ~ 50 GFLOP/s (a Spark task's share of an executor's cores under OpenBLAS), B ~ 7 GB/s
 * (heap-to-pinned copy ~10 GB/s in series with PCIe 4/5 ~25 GB/s effective) and t0 ~ 40 us (a
 * host-to-device copy, a launch, a synchronize and a device-to-host copy at ~10 us each), that is
 * {@code flops / bytes > 7} and {@code flops > 2e6}; both thresholds carry a factor 2 of margin:
 * {@link #MIN_FLOPS} = 2^22 and {@link #MIN_INTENSITY} = 16 flop/byte. For a square double GEMM
 * (beta = 0, 24 n^2 bytes, 2 n^3 flops) the GPU takes n >= 192; for the reduced product of a sketch,
 * (m x s)(s x n) with m, n >> s, intensity ~ s / 4, so s >= 64. A scatter-add moves every value it
 * reads once for 2 flops per hit ({@code intensity <= hits / (4 (columns + 2 buckets))} < 1 for
 * CountSketch and SJLT), so it never pays through host arrays and runs on the CPU.
 */
final class OffloadPolicy {
  /** Calls below this many flops stay on the CPU: the fixed cost of a round trip (~40 us) exceeds their CPU time. */
  static final double MIN_FLOPS = 1 << 22;
  /** Calls below this many flops per transferred byte stay on the CPU: the transfer exceeds their CPU time. */
  static final double MIN_INTENSITY = 16;

  private OffloadPolicy() {}

  /** True when {@code flops} of work on {@code bytes} of transferred operands are worth a GPU round trip. */
  static boolean pays(double flops, double bytes) {
    return flops >= MIN_FLOPS && flops >= MIN_INTENSITY * bytes;
  }

  /**
   * Bytes a dense sketch product moves when S is generated on the device: X (m x len) down, C (m x l)
   * down and back. Intensity {@code 2 m len l / (8 (m len + 2 m l))}, about l / 4 for len >> l.
   */
  static double sketchProductBytes(int m, int len, int l) {
    return 8.0 * ((double) m * len + 2.0 * m * l);
  }

  /** The most bytes of operands (both batches of rows) a batch may hold: 64 MiB per task. */
  static final long MAX_BATCH_BYTES = 1L << 26;

  /**
   * Rows per call for {@code C += X_b^T Y_b} accumulated batch by batch (C m x n): a batch moves 8 b
   * (m + n) bytes of operands and C's 16 m n round trip, so b = 4 m n / (m + n) makes the operands two
   * thirds of the bytes (2,048 rows for m = n = 1,024, against 256 on the CPU, where C was four
   * fifths); rounded up to a multiple of 256, at least 256, and at most {@link #MAX_BATCH_BYTES} of operands.
   */
  static int accumulationBatch(int m, int n) {
    long wanted = (4L * m * n / Math.max(1, m + n) + 255) / 256 * 256;
    long cap = MAX_BATCH_BYTES / (8L * Math.max(1, m + n));
    return (int) Math.max(256, Math.min(wanted, cap));
  }

  /** Bytes a GEMM moves: op(A), op(B) and C down, C back up, and C down once more when beta != 0. */
  static double gemmBytes(int m, int n, int k, boolean readsC, int elementBytes) {
    return (double) elementBytes * ((double) m * k + (double) k * n + (double) m * n * (readsC ? 2 : 1));
  }
}
