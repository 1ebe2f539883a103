package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparkamm.local.CpuBackend;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.DenseColumns.Entries;
import org.sparkamm.random.Ziggurat;

/**
 * Every kernel against the CPU backend, on a GPU only (skipped with the reason elsewhere). GEMM
 * tolerance from the summation length: both results are within {@code (k + 2) u (|alpha| (|op(A)||op(B)|)_ij
 * + |beta| |C_ij|)} of the exact value (u = 2^-53, or 2^-24 in float), so they differ by at most twice
 * that. The scatter-add must equal the CPU's bit for bit.
 */
class CudaKernelsGpuTest {
  private static final CudaBackend CUDA = new CudaBackend();
  /**
   * Set by {@link EmulatedDeviceTest}: the device is the CPU emulation (a thread per CUDA thread), so the
   * GEMMs keep to a few thread blocks: ragged in m, n and k, 2 x 2 tiles.
   */
  private static final boolean EMULATED = Boolean.getBoolean("sparkamm.gpu.emulated");
  /** m, n, k: single elements, ragged edges around the 128 tile and 16 (8) k-slab, thin and long. */
  private static final int[][] SHAPES = EMULATED ? new int[][] {{1, 1, 1}, {130, 129, 19}}
      : new int[][] {{1, 1, 1}, {127, 129, 3}, {128, 128, 16}, {200, 77, 301}, {300, 260, 17}, {513, 1, 1000}, {1, 700, 50},
          {257, 385, 129}};
  /** alpha, beta: beta = 0 must not read C, beta != 0 stages it (the emulation keeps one of each). */
  private static final double[][] ALPHA_BETA = EMULATED ? new double[][] {{1, 0}, {-0.5, 2}} : new double[][] {{1, 0}, {-0.5, 2}, {3, 1}};

  @BeforeEach
  void onlyWithGpu() {
    Assumptions.assumeTrue(CUDA.unavailableReason() == null, () -> "no GPU: " + CUDA.unavailableReason());
  }

  @BeforeAll
  static void describe() {
    System.out.println(CUDA.unavailableReason() == null ? "GPU: " + CUDA.description() : "no GPU: " + CUDA.unavailableReason());
  }

  @AfterAll
  static void release() {
    if (CUDA.unavailableReason() == null) {
      CudaBackend.releaseStaging();
    }
  }

  @Test
  void dgemmKernelsMatchTheCpu() {
    CudaDevice device = CudaRuntime.get().device(0);
    for (GemmKernel kernel : GemmKernel.values()) {
      if (device.runs(kernel)) {
        checkDgemm(kernel, new SplittableRandom(11));
        System.out.println("checked " + kernel);
      } else {
        System.out.println("skipping " + kernel + ": not on this device (" + device.description() + ")");
      }
    }
  }

  private static void checkDgemm(GemmKernel kernel, SplittableRandom random) {
    for (int[] shape : SHAPES) {
      for (int t = 0; t < 4; t++) {
        for (double[] ab : ALPHA_BETA) {
          boolean transA = (t & 1) != 0;
          boolean transB = (t & 2) != 0;
          int m = shape[0];
          int n = shape[1];
          int k = shape[2];
          int rowsA = transA ? k : m;
          int colsA = transA ? m : k;
          int rowsB = transB ? n : k;
          int colsB = transB ? k : n;
          int lda = rowsA + 3;
          int ldb = rowsB;
          int ldc = m + 1;
          double[] a = random.doubles(2 + (long) lda * colsA, -1, 1).toArray();
          double[] b = random.doubles(1 + (long) ldb * colsB, -1, 1).toArray();
          double[] c = random.doubles(4 + (long) ldc * n, -1, 1).toArray();
          if (ab[1] == 0) {
            Arrays.fill(c, Double.NaN); // beta = 0 must not read C (BLAS semantics)
          }
          double[] c0 = c.clone();
          double[] expected = c.clone();
          double[] bound = new double[c.length];
          CUDA.dgemmOnDevice(kernel, transA, transB, m, n, k, ab[0], a, 2, lda, b, 1, ldb, ab[1], c, 4, ldc);
          CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, ab[0], a, 2, lda, b, 1, ldb, ab[1], expected, 4, ldc);
          CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, Math.abs(ab[0]), abs(a), 2, lda, abs(b), 1, ldb, 0, bound, 4, ldc);
          String where = kernel + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
              + " alpha=" + ab[0] + " beta=" + ab[1];
          for (int o = 0; o < c.length; o++) {
            int i = (o - 4) % ldc;
            if (o < 4 || i >= m) {
              assertTrue(Double.compare(c[o], c0[o]) == 0, where + ": wrote outside C at " + o);
              continue;
            }
            double tol = 2 * (k + 2) * 0x1p-53 * (bound[o] + (ab[1] == 0 ? 0 : Math.abs(ab[1] * c0[o])));
            assertTrue(Math.abs(c[o] - expected[o]) <= tol,
                where + ": C(" + i + "," + (o - 4) / ldc + ") = " + c[o] + ", CPU " + expected[o] + ", tolerance " + tol);
          }
        }
      }
    }
  }

  /**
   * A sum of products into one C kept on the device, against the CPU's dgemm per term: ragged m, n and
   * k, mixed transposes and offsets across the terms, C with a leading dimension above m; tolerance as
   * for dgemm with k the terms' total.
   */
  @Test
  void dgemmSumMatchesTheCpu() {
    SplittableRandom random = new SplittableRandom(16);
    int m = EMULATED ? 130 : 300;
    int n = EMULATED ? 129 : 260;
    int[] ks = EMULATED ? new int[] {19, 1, 37} : new int[] {129, 1, 300, 64};
    java.util.List<org.sparkamm.local.GemmTerm> terms = new ArrayList<>();
    java.util.List<org.sparkamm.local.GemmTerm> absolute = new ArrayList<>();
    int total = 0;
    for (int t = 0; t < ks.length; t++) {
      boolean transA = (t & 1) != 0;
      boolean transB = (t & 2) == 0;
      int k = ks[t];
      total += k;
      int lda = (transA ? k : m) + 1;
      int ldb = transB ? n : k;
      double[] a = random.doubles(3 + (long) lda * (transA ? m : k), -1, 1).toArray();
      double[] b = random.doubles((long) ldb * (transB ? k : n), -1, 1).toArray();
      terms.add(new org.sparkamm.local.GemmTerm(transA, transB, k, a, 3, lda, b, 0, ldb));
      absolute.add(new org.sparkamm.local.GemmTerm(transA, transB, k, abs(a), 3, lda, abs(b), 0, ldb));
    }
    int ldc = m + 2;
    double[] c = random.doubles((long) ldc * n, -1, 1).toArray();
    double[] c0 = c.clone();
    double[] expected = c.clone();
    CUDA.dgemmSumOnDevice(CudaRuntime.get().device(0).gemmKernel(), m, n, terms, c, 0, ldc);
    CpuBackend.INSTANCE.dgemmSum(m, n, terms, expected, 0, ldc);
    double[] bound = new double[c.length];
    CpuBackend.INSTANCE.dgemmSum(m, n, absolute, bound, 0, ldc);
    for (int o = 0; o < c.length; o++) {
      if (o % ldc >= m) {
        assertTrue(Double.compare(c[o], c0[o]) == 0, "wrote outside C at " + o);
        continue;
      }
      double tol = 2 * (total + 2) * 0x1p-53 * (bound[o] + Math.abs(c0[o]));
      assertTrue(Math.abs(c[o] - expected[o]) <= tol, "gemm sum at " + o + ": " + c[o] + ", CPU " + expected[o] + ", tolerance " + tol);
    }
  }

  @Test
  void sgemmMatchesTheCpu() {
    SplittableRandom random = new SplittableRandom(12);
    for (int[] shape : SHAPES) {
      for (int t = 0; t < 4; t++) {
        boolean transA = (t & 1) != 0;
        boolean transB = (t & 2) != 0;
        int m = shape[0];
        int n = shape[1];
        int k = shape[2];
        int lda = (transA ? k : m) + 1;
        int ldb = (transB ? n : k) + 2;
        float[] a = floats(random, lda * (transA ? m : k));
        float[] b = floats(random, ldb * (transB ? k : n));
        float[] c = floats(random, m * n);
        float[] c0 = c.clone();
        float[] expected = c.clone();
        CUDA.sgemmOnDevice(transA, transB, m, n, k, 2f, a, 0, lda, b, 0, ldb, -1f, c, 0, m);
        CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, 2f, a, 0, lda, b, 0, ldb, -1f, expected, 0, m);
        float[] bound = new float[m * n];
        CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, 2f, abs(a), 0, lda, abs(b), 0, ldb, 0f, bound, 0, m);
        for (int o = 0; o < m * n; o++) {
          double tol = 2 * (k + 2) * 0x1p-24 * (bound[o] + Math.abs(c0[o]));
          assertTrue(Math.abs(c[o] - expected[o]) <= tol, "sgemm m=" + m + " n=" + n + " k=" + k + " t=" + t + " at " + o);
        }
      }
    }
  }

  @Test
  void scatterIsBitIdenticalToTheCpu() {
    SplittableRandom random = new SplittableRandom(13);
    int[][] cases = {{1, 1, 1, 1}, {50, 40, 2000, 30}, {300, 5, 100, 1}, {1000, 200, 200, 200}, {129, 70_000, 70_000, 66_000}};
    for (int[] p : cases) {
      ScatterCase s = ScatterCase.random(random, p[0], p[1], p[2], p[3]);
      for (int[] rows : new int[][] {{0, p[0]}, {p[0] / 3, p[0]}}) {
        double[] out = s.out.clone();
        double[] expected = s.out.clone();
        CUDA.scatterColumnsOnDevice(s.v, 3, s.ld, s.count, s.local, s.bucket, s.coef, rows[0], rows[1], out, s.outLd);
        CpuBackend.INSTANCE.scatterColumns(s.v, 3, s.ld, s.count, s.local, s.bucket, s.coef, rows[0], rows[1], expected, s.outLd);
        assertArrayEquals(expected, out, "scatter rows=" + p[0] + " hits=" + p[2] + " buckets=" + p[3]);
      }
    }
  }

  /**
   * Dense sketch products with S generated on the device against the CPU's default (S generated in
   * panels, BLAS): both orientations, both entry kinds, column signs, ragged m, len and l, whole and
   * in chunks of 7, 100 (emulated) and 256 inner indices (the chunk loop's offsets); tolerance as for the GEMMs with k = len (S's entries are the
   * same values up to the rare last bits of Gaussian tail draws, far below it).
   */
  @Test
  void sketchProductsMatchTheCpu() {
    SplittableRandom random = new SplittableRandom(15);
    GemmKernel kernel = CudaRuntime.get().device(0).gemmKernel();
    int[][] shapes = EMULATED ? new int[][] {{1, 1, 1}, {130, 257, 65}} : new int[][] {{1, 1, 1}, {130, 257, 65}, {300, 1000, 200}, {77, 5000, 129}};
    for (int[] shape : shapes) {
      for (Entries entries : Entries.values()) {
        for (boolean sketchLeft : new boolean[] {false, true}) {
          int m = shape[0];
          int len = shape[1];
          int l = shape[2];
          DenseColumns s = new DenseColumns(entries, 21, l, sketchLeft, 1 / Math.sqrt(l));
          int ldX = (sketchLeft ? len : m) + 3;
          double[] x = random.doubles(2 + (long) ldX * (sketchLeft ? m : len), -1, 1).toArray();
          int ldc = (sketchLeft ? l : m) + 1;
          double[] c = random.doubles((long) ldc * (sketchLeft ? m : l), -1, 1).toArray();
          double[] c0 = c.clone();
          double[] expected = c.clone();
          CpuBackend.INSTANCE.sketchProduct(s, 1L << 33, len, sketchLeft, m, x, 2, ldX, expected, 0, ldc);
          for (int chunk : EMULATED ? new int[] {len, 100} : new int[] {len, 7, 256}) {
            c = c0.clone();
            if (chunk == len) {
              CUDA.sketchProductOnDevice(kernel, s, 1L << 33, len, sketchLeft, m, x, 2, ldX, c, 0, ldc);
            } else {
              CudaRuntime.get().device(0).sketchProduct(kernel, s, 1L << 33, len, sketchLeft, m, x, 2, ldX, c, 0, ldc, chunk);
            }
            checkSketchProduct(s, len, sketchLeft, m, x, ldX, c0, c, expected, ldc, chunk);
          }
        }
      }
    }
  }

  /** C against the CPU's, entry by entry, and untouched outside its rows. */
  private static void checkSketchProduct(DenseColumns s, int len, boolean sketchLeft, int m, double[] x, int ldX,
      double[] c0, double[] c, double[] expected, int ldc, int chunk) {
    int l = s.width();
    double maxS = 0; // |sum_k x_ik s_jk| <= max|s| sum_k |x_ik| bounds the summands of output entry (i, j)
    double[] column = new double[l];
    for (int j = 0; j < len; j++) {
      s.column((1L << 33) + j, column, 0);
      for (double v : column) {
        maxS = Math.max(maxS, Math.abs(v));
      }
    }
    double[] rowAbs = new double[m];
    for (int i = 0; i < m; i++) {
      for (int k = 0; k < len; k++) {
        rowAbs[i] += Math.abs(x[2 + (sketchLeft ? k + i * ldX : i + k * ldX)]);
      }
    }
    for (int o = 0; o < c.length; o++) {
      int row = o % ldc;
      if (row >= (sketchLeft ? l : m)) {
        assertTrue(Double.compare(c[o], c0[o]) == 0, "wrote outside C at " + o);
        continue;
      }
      double summands = maxS * rowAbs[sketchLeft ? o / ldc : row];
      double tol = 2 * (len + 2) * 0x1p-53 * (summands + Math.abs(c0[o]));
      assertTrue(Math.abs(c[o] - expected[o]) <= tol, s.entries() + " chunk=" + chunk + " m=" + m + " len=" + len + " l=" + l
          + " sketchLeft=" + sketchLeft + " at " + o + ": " + c[o] + ", CPU " + expected[o] + ", tolerance " + tol);
    }
  }

  /**
   * The device's S itself, read out through X = I (C = I S_s^T = S_s^T exactly: one non-zero product
   * per entry): Rademacher bit for bit equal to {@link DenseColumns}, Gaussian too but for tail draws
   * beyond R (the device's log: within 4 ulps); a 2^40 start index; counts of differing entries printed.
   */
  @Test
  void deviceGeneratedColumnsAreTheCpus() {
    GemmKernel kernel = CudaRuntime.get().device(0).gemmKernel();
    int len = EMULATED ? 130 : 600;
    int l = EMULATED ? 200 : 1000;
    for (DenseColumns s : new DenseColumns[] {new DenseColumns(Entries.RADEMACHER, 5, 130, true, 0.25),
        new DenseColumns(Entries.GAUSSIAN, 5, l, true, 1 / Math.sqrt(l))}) {
      int width = s.width();
      double[] identity = new double[len * len];
      for (int j = 0; j < len; j++) {
        identity[j + j * len] = 1;
      }
      double[] c = new double[len * width];
      long start = (1L << 40) + 3;
      CUDA.sketchProductOnDevice(kernel, s, start, len, false, len, identity, 0, len, c, 0, len);
      double[] column = new double[width];
      int differing = 0;
      for (int j = 0; j < len; j++) {
        s.column(start + j, column, 0);
        for (int t = 0; t < width; t++) {
          double d = c[j + t * len];
          if (s.entries() == Entries.RADEMACHER) {
            assertEquals(Double.doubleToRawLongBits(column[t]), Double.doubleToRawLongBits(d), "column " + j + " entry " + t);
          } else if (Math.abs(column[t] / s.scale()) > Ziggurat.layerEdges()[1]) { // a tail draw: the device's log
            assertTrue(Math.abs(d - column[t]) <= 4 * Math.ulp(column[t]), "column " + j + " entry " + t + ": " + d + " vs " + column[t]);
            differing += d == column[t] ? 0 : 1;
          } else {
            assertEquals(Double.doubleToRawLongBits(column[t]), Double.doubleToRawLongBits(d), "column " + j + " entry " + t);
          }
        }
      }
      System.out.printf("device %s columns: %d of %d entries differ from the CPU's in their last bits%n", s.entries(), differing, len * width);
    }
  }

  @Test
  void concurrentCallsFromManyThreads() throws Exception {
    int n = EMULATED ? 200 : 300;
    assertTrue(OffloadPolicy.pays(2.0 * n * n * n, OffloadPolicy.gemmBytes(n, n, n, false, 8)), "n = " + n + " stays on the CPU");
    SplittableRandom random = new SplittableRandom(14);
    double[] a = random.doubles(n * n).toArray();
    double[] b = random.doubles(n * n).toArray();
    double[] expected = new double[n * n];
    CUDA.dgemmOnDevice(CudaRuntime.get().device(0).gemmKernel(), false, true, n, n, n, 1, a, 0, n, b, 0, n, 0, expected, 0, n);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < (EMULATED ? 3 : 8); t++) {
        results.add(pool.submit(() -> {
          double[] c = new double[n * n];
          CUDA.dgemm(false, true, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
          return c;
        }));
      }
      for (Future<double[]> result : results) {
        assertArrayEquals(expected, result.get()); // the same kernel on the same data: the same bits
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static double[] abs(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.abs(x[i]);
    }
    return y;
  }

  private static float[] abs(float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.abs(x[i]);
    }
    return y;
  }

  private static float[] floats(SplittableRandom random, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return x;
  }
}
