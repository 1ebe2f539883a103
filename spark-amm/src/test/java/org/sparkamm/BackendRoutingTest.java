package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.CountingBackend;
import org.sparkamm.spark.SparkMatrices;

/**
 * The seam end to end with the test-only {@link CountingBackend} (found through the test resources'
 * service file, past a provider that fails to load and one that does not exist): with
 * {@code useCuda=1} every engine routes its products through it and gives the CPU choice's result
 * up to summation order; with the default it is never called.
 *
 * <p>Tolerance: both runs evaluate the same formula, C = (A S^T)(S B) (S = I for mm and int8_fp32),
 * possibly summing in another order (Spark merges partial sketches and split blocks in arrival
 * order). Two orders of a sum of N terms differ by at most 2 gamma_N times the sum of the terms'
 * magnitudes, gamma_N = N u / (1 - N u), N = n + l the longest chain (the sketch's n, then the
 * reduced product's l). The magnitudes are bounded by ||A S^T||_F ||S B||_F <= ||S||_2^2 ||A||_F
 * ||B||_F, and ||S||_2^2 <= n max|s|^2 <= n (n / l) for the sketches here (CountSketch signs,
 * CRS's sqrt(n / l) scaling, Gaussian N(0, 1/l) entries far below sqrt(n / l) at these sizes).
 * u = 2^-53, or 2^-24 for int8_fp32's float32 products. Any wrongly routed or dropped product
 * moves entries by O(||A|| ||B|| / (mp)), orders of magnitude above this.
 */
class BackendRoutingTest {
  private static final int M = 37;
  private static final int N = 96;
  private static final int P = 29;
  private static final int L = 16;
  private static final DenseMatrix A = TestMatrices.gaussian(M, N, 11);
  private static final DenseMatrix B = TestMatrices.gaussian(N, P, 12);

  private static Amm amm(String tag, boolean useCuda) {
    return Amm.create(tag).setConfig(new AmmConfig().edit("seed", 5L).edit("useCuda", useCuda ? 1L : 0L));
  }

  /** The counter that must move for {@code tag}'s main products. */
  private static AtomicLong counterOf(String tag) {
    switch (tag) {
      case "mm":
      case "gaussian":
        return CountingBackend.DGEMM;
      case "int8_fp32":
        return CountingBackend.SGEMM;
      default:
        return CountingBackend.SCATTER; // countSketch, crs: hits scattered, then one reduced dgemm
    }
  }

  private static double tolerance(String tag) {
    boolean plain = tag.equals("mm") || tag.equals("int8_fp32");
    double u = tag.equals("int8_fp32") ? 0x1p-24 : 0x1p-53;
    int chain = plain ? N : N + L;
    double gamma = chain * u / (1 - chain * u);
    double amplification = plain ? 1.0 : N * (N / (double) L);
    return 2 * gamma * amplification * norm(A) * norm(B);
  }

  private static double norm(DenseMatrix x) {
    double s = 0;
    for (double v : x.values()) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static BlockMatrix blocks(Matrix m, int rowsPerBlock, int colsPerBlock) {
    return SparkMatrices.fromLocal(SharedSpark.jsc(), m, rowsPerBlock, colsPerBlock, 3);
  }

  /** Local, BlockMatrix (ragged 16 x 24 / 24 x 10 blocks) and row-aligned (X = A^T, Y = B) runs of one choice. */
  private static double[][] runs(String tag, boolean useCuda) {
    Amm amm = amm(tag, useCuda);
    double[] local = amm.multiply(A, B, L).toArray();
    BlockMatrix c = amm.multiply(blocks(A, 16, 24), blocks(B, 24, 10), L);
    double[] spark = c.toLocalMatrix().toArray();
    c.blocks().unpersist(false);
    double[] rows = amm.multiplyRowAligned(TestMatrices.indexedRows(A.transpose(), 3), TestMatrices.indexedRows(B, 2),
        L).toArray();
    return new double[][] {local, spark, rows};
  }

  @ParameterizedTest
  @ValueSource(strings = {"mm", "countSketch", "gaussian", "crs", "int8_fp32"})
  void useCudaRoutesEveryEngineThroughTheBackendWithTheSameResult(String tag) {
    double[][] cpu = runs(tag, false);
    String[] engines = {"local", "BlockMatrix", "row-aligned"};
    double tol = tolerance(tag);
    Function<Integer, double[]> gpu = e -> {
      long before = counterOf(tag).get();
      Amm amm = amm(tag, true);
      double[] c;
      if (e == 0) {
        c = amm.multiply(A, B, L).toArray();
      } else if (e == 1) {
        BlockMatrix d = amm.multiply(blocks(A, 16, 24), blocks(B, 24, 10), L);
        c = d.toLocalMatrix().toArray();
        d.blocks().unpersist(false);
      } else {
        c = amm.multiplyRowAligned(TestMatrices.indexedRows(A.transpose(), 3), TestMatrices.indexedRows(B, 2), L)
            .toArray();
      }
      assertTrue(counterOf(tag).get() > before, tag + " on " + engines[e] + " did not reach the backend");
      return c;
    };
    for (int e = 0; e < 3; e++) {
      double diff = TestMatrices.maxAbsDiff(cpu[e], gpu.apply(e));
      assertTrue(diff <= tol, tag + " on " + engines[e] + ": differs from the CPU choice by " + diff + " > " + tol);
    }
    if (!tag.equals("mm") && !tag.equals("int8_fp32")) { // the sketches' reduced product is a dgemm too
      long before = CountingBackend.DGEMM.get();
      amm(tag, true).multiply(A, B, L);
      assertTrue(CountingBackend.DGEMM.get() > before, tag + ": reduced product not routed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mm", "countSketch", "gaussian", "crs", "int8_fp32"})
  void cpuChoiceNeverCallsTheBackend(String tag) {
    long before = CountingBackend.total();
    double[][] cpu = runs(tag, false);
    assertEquals(before, CountingBackend.total(), tag + " with useCuda=0 called the device backend");
    assertEquals(M * P, cpu[1].length);
  }

  @Test
  void exactProductOnTheGridMatchesMllibWithSparseAndSplitBlocks() {
    Matrix sparseA = TestMatrices.sparsified(A);
    BlockMatrix ad = blocks(sparseA, 10, 24);
    BlockMatrix bd = blocks(TestMatrices.rowMajor(B), 24, 7);
    double[] expected = TestMatrices.naiveProduct(sparseA, B);
    BlockMatrix mllib = Amm.create("mm").multiply(ad, bd, 1);
    double[] mllibValues = mllib.toLocalMatrix().toArray();
    mllib.blocks().unpersist(false);
    double tol = 2 * (N * 0x1p-53 / (1 - N * 0x1p-53)) * norm(A) * norm(B);
    assertTrue(TestMatrices.maxAbsDiff(expected, mllibValues) <= tol);
    for (int splits : new int[] {1, 3}) {
      Amm amm = Amm.create("mm").setConfig(new AmmConfig().edit("useCuda", 1L).edit("numMidDimSplits", (long) splits));
      long before = CountingBackend.DGEMM.get();
      BlockMatrix c = amm.multiply(ad, bd, 1);
      assertEquals(10, c.rowsPerBlock());
      assertEquals(7, c.colsPerBlock());
      double[] values = c.toLocalMatrix().toArray();
      double diff = Math.max(TestMatrices.maxAbsDiff(expected, values), TestMatrices.maxAbsDiff(mllibValues, values));
      c.blocks().unpersist(false);
      assertTrue(CountingBackend.DGEMM.get() >= before + 4L * 5 * 4, "one dgemm per pair of blocks");
      assertTrue(diff <= tol, "splits " + splits + ": " + diff + " > " + tol);
    }
    assertThrows(AmmArgumentException.class, () -> amm("mm", true).multiply(blocks(A, 10, 24), blocks(B, 25, 7), 1));
  }

  @Test
  void badBackendKeysGiveOneLineMessages() {
    for (Object bad : new Object[] {2L, -1L, "yes", 0.5}) {
      for (String key : new String[] {"useCuda", "requireGpu"}) {
        AmmConfig cfg = new AmmConfig().editObject(key, bad);
        AmmArgumentException e = assertThrows(AmmArgumentException.class, () -> Amm.create("mm").setConfig(cfg),
            key + "=" + bad);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
      }
    }
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("mm").setConfig(new AmmConfig().edit("requireGpu", 1L)));
    assertTrue(e.getMessage().contains("useCuda"), e.getMessage());
    assertEquals(BackendChoice.GPU_REQUIRED, Amm.create("mm")
        .setConfig(new AmmConfig().editObject("useCuda", true).editObject("requireGpu", 1)).backendChoice());
    assertEquals(BackendChoice.CPU, Amm.create("mm").backendChoice());
    assertTrue(Amm.create("crs").readsKey("useCuda") && Amm.create("crs").readsKey("requireGpu"));
  }
}
