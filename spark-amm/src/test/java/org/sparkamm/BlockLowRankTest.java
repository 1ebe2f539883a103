package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.lapack.LAPACK;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.netlib.util.intW;
import org.sparkamm.algo.BlockLowRank;
import org.sparkamm.algo.BlockLowRankLocal;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.LowRankProducts;
import org.sparkamm.local.LowRankTile;
import org.sparkamm.local.TruncatedSvd;
import org.sparkamm.spark.SparkMatrices;
import scala.Tuple2;

/**
 * {@code blockLRA}: deterministic guarantees, checked without statistics.
 *
 * <ol>
 *   <li>The per-tile bound {@code ||(AB)_ij - C_ij||_F <= sum_k (e_A,ik ||B_kj||_2 + ||A_ik||_2 e_B,kj)}
 *   (and its weaker Frobenius form), e and the norms computed here from each tile's singular values by
 *   another LAPACK route ({@code dgesvd}, QR iteration, values only, against the library's
 *   {@code dgesdd}); and C equal to {@code sum_k A~_ik B~_kj} with the truncated tiles formed
 *   explicitly here (dgesvd with vectors), on four input families, two ratios, b dividing no
 *   dimension.
 *   <li>Exact at full rank.
 *   <li>Local = BlockMatrix (Spark blocks multiples of b and not, 1/3/8 partitions, dense and sparse
 *   blocks, tiles of zeros) = row-aligned (rows in order and scattered across partitions).
 *   <li>Bad configuration values: one-line messages naming the key and the range.
 *   <li>The BlockMatrix product shuffles far less than {@code BlockMatrix.multiply}.
 * </ol>
 */
class BlockLowRankTest {
  private static final LAPACK LA = LAPACK.getInstance();

  private static Amm lra(int b, double ratioA, double ratioB) {
    return Amm.create("blockLRA").setConfig(new AmmConfig().edit("lraBlockSize", (long) b)
        .edit("algoARankRatio", ratioA).edit("algoBRankRatio", ratioB));
  }

  /** The rows x cols tile of x at (r0, c0), column-major (ragged at the edges). */
  private static double[] tile(Matrix x, int r0, int c0, int rows, int cols) {
    double[] t = new double[rows * cols];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        t[r + c * rows] = x.apply(r0 + r, c0 + c);
      }
    }
    return t;
  }

  /** Singular values, descending, by dgesvd without vectors. */
  private static double[] singularValues(double[] x, int rows, int cols) {
    double[] a = x.clone();
    int k = Math.min(rows, cols);
    double[] s = new double[k];
    intW info = new intW(0);
    double[] work = new double[Math.max(1, 5 * (rows + cols))];
    LA.dgesvd("N", "N", rows, cols, a, rows, s, new double[1], 1, new double[1], 1, work, work.length, info);
    assertEquals(0, info.val);
    return s;
  }

  /** The best rank-r approximation formed densely, by dgesvd with vectors. */
  private static double[] truncated(double[] x, int rows, int cols, int r) {
    double[] a = x.clone();
    int k = Math.min(rows, cols);
    double[] s = new double[k];
    double[] u = new double[rows * k];
    double[] vt = new double[k * cols];
    intW info = new intW(0);
    double[] work = new double[Math.max(1, 5 * (rows + cols) + 3 * k * k)];
    LA.dgesvd("S", "S", rows, cols, a, rows, s, u, rows, vt, k, work, work.length, info);
    assertEquals(0, info.val);
    double[] out = new double[rows * cols];
    for (int t = 0; t < Math.min(r, k); t++) {
      for (int c = 0; c < cols; c++) {
        for (int q = 0; q < rows; q++) {
          out[q + c * rows] += u[q + t * rows] * s[t] * vt[t + c * k];
        }
      }
    }
    return out;
  }

  private static double sumSquares(double[] s, int from, int to) {
    double f = 0;
    for (int t = from; t < to; t++) {
      f += s[t] * s[t];
    }
    return f;
  }

  private static double frobenius(double[] x) {
    return Math.sqrt(sumSquares(x, 0, x.length));
  }

  /** Tile statistics of a matrix on the b-grid, from the test's own SVD. */
  private static final class Tiles {
    final double[][] err; // ||T - T_r||_F
    final double[][] spectral; // ||T||_2
    final double[][] keptNorm; // ||T_r||_F
    final double[][] norm; // ||T||_F
    final double[][][] approx; // T_r, dense

    Tiles(Matrix x, int b, int r) {
      int ni = (x.numRows() + b - 1) / b;
      int nk = (x.numCols() + b - 1) / b;
      err = new double[ni][nk];
      spectral = new double[ni][nk];
      keptNorm = new double[ni][nk];
      norm = new double[ni][nk];
      approx = new double[ni][nk][];
      for (int i = 0; i < ni; i++) {
        for (int k = 0; k < nk; k++) {
          int rows = Math.min(b, x.numRows() - i * b);
          int cols = Math.min(b, x.numCols() - k * b);
          double[] t = tile(x, i * b, k * b, rows, cols);
          double[] s = singularValues(t, rows, cols);
          int rank = Math.min(r, s.length);
          err[i][k] = Math.sqrt(sumSquares(s, rank, s.length));
          spectral[i][k] = s.length == 0 ? 0 : s[0];
          keptNorm[i][k] = Math.sqrt(sumSquares(s, 0, rank));
          norm[i][k] = frobenius(t);
          approx[i][k] = truncated(t, rows, cols, r);
        }
      }
    }
  }

  static Matrix[] family(String name, int m, int n, int p) {
    switch (name) {
      case "gaussian":
        return new Matrix[] {TestMatrices.gaussian(m, n, 1), TestMatrices.gaussian(n, p, 2)};
      case "uniform":
        return new Matrix[] {TestMatrices.uniform(m, n, 3), TestMatrices.uniform(n, p, 4)};
      case "coherent":
        return new Matrix[] {TestMatrices.coherent(m, n, 5, true), TestMatrices.coherent(n, p, 6, false)};
      default: // sparse CSC inputs, every third entry zero
        return new Matrix[] {TestMatrices.sparsified(TestMatrices.gaussian(m, n, 7)),
            TestMatrices.sparsified(TestMatrices.gaussian(n, p, 8))};
    }
  }

  /**
   * (1) The deterministic bound, per output tile and in total, and C = sum_k A~_ik B~_kj with the
   * truncated tiles formed here. Dimensions 45 x 52 x 38 (b = 7) and 70 x 95 x 65 (b = 30): b divides
   * none of them, so every edge tile is ragged. Ranks: ceil(0.1 b) and ceil(0.5 b), and mixed.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gaussian", "uniform", "coherent", "sparse"})
  void errorMeetsTheTileBound(String name) {
    int[][] shapes = {{45, 52, 38, 7}, {70, 95, 65, 30}};
    double[][] ratios = {{0.1, 0.1}, {0.5, 0.5}, {0.1, 0.5}, {0.5, 0.1}};
    for (int[] sh : shapes) {
      int m = sh[0];
      int n = sh[1];
      int p = sh[2];
      int b = sh[3];
      Matrix[] ab = family(name, m, n, p);
      double[] exact = TestMatrices.naiveProduct(ab[0], ab[1]);
      for (double[] ratio : ratios) {
        int ra = (int) Math.ceil(ratio[0] * b - 1e-9);
        int rb = (int) Math.ceil(ratio[1] * b - 1e-9);
        double[] c = lra(b, ratio[0], ratio[1]).multiply(ab[0], ab[1], 1).toArray();
        Tiles ta = new Tiles(ab[0], b, ra);
        Tiles tb = new Tiles(ab[1], b, rb);
        int ni = (m + b - 1) / b;
        int nk = (n + b - 1) / b;
        int nj = (p + b - 1) / b;
        double[] ref = new double[m * p]; // sum_k A~_ik B~_kj, formed densely
        double total2 = 0;
        double bound2 = 0;
        for (int i = 0; i < ni; i++) {
          for (int j = 0; j < nj; j++) {
            int rows = Math.min(b, m - i * b);
            int cols = Math.min(b, p - j * b);
            double beta = 0;
            double betaF = 0;
            double scale = 0; // sum_k ||A_ik||_F ||B_kj||_F: the size of the rounding errors
            for (int k = 0; k < nk; k++) {
              beta += ta.err[i][k] * tb.spectral[k][j] + ta.spectral[i][k] * tb.err[k][j];
              scale += ta.norm[i][k] * tb.norm[k][j];
              betaF += ta.err[i][k] * tb.norm[k][j] + ta.keptNorm[i][k] * tb.err[k][j];
              int inner = Math.min(b, n - k * b);
              double[] prod = org.sparkamm.local.Blas.multiply(ta.approx[i][k], rows, inner, tb.approx[k][j], cols);
              for (int q = 0; q < cols; q++) {
                for (int r = 0; r < rows; r++) {
                  ref[i * b + r + (j * b + q) * m] += prod[r + q * rows];
                }
              }
            }
            double e2 = 0;
            for (int q = 0; q < cols; q++) {
              for (int r = 0; r < rows; r++) {
                int at = i * b + r + (j * b + q) * m;
                e2 += (exact[at] - c[at]) * (exact[at] - c[at]);
              }
            }
            String where = name + " " + m + "x" + n + "x" + p + " b=" + b + " ratios " + ratio[0] + "/" + ratio[1]
                + " tile (" + i + "," + j + ")";
            double slack = 1e-12 * scale; // rounding (the bound is 0 where every tile is kept whole)
            assertTrue(Math.sqrt(e2) <= beta + slack, where + ": " + Math.sqrt(e2) + " > " + beta);
            assertTrue(beta <= betaF + slack, where + ": spectral form above Frobenius form");
            total2 += e2;
            bound2 += beta * beta;
          }
        }
        double normC = frobenius(exact);
        assertTrue(Math.sqrt(total2) <= Math.sqrt(bound2) * (1 + 1e-9), name + ": total");
        assertTrue(Math.sqrt(total2) > 1e-6 * normC, name + ": truncation at rank " + ra + "/" + rb + " is not exact");
        assertTrue(TestMatrices.maxAbsDiff(ref, c) <= 1e-10 * TestMatrices.maxAbs(exact),
            name + " b=" + b + " " + ratio[0] + "/" + ratio[1] + ": C differs from sum_k A~_ik B~_kj by "
                + TestMatrices.maxAbsDiff(ref, c));
        System.out.printf("blockLRA %s %dx%dx%d b=%d ratios %.1f/%.1f: rel. error %.4f, bound %.4f%n", name, m, n,
            p, b, ratio[0], ratio[1], Math.sqrt(total2) / normC, Math.sqrt(bound2) / normC);
      }
    }
  }

  /** (2) Ratio 1 keeps every singular value: C = AB up to rounding, for b smaller and larger than the dimensions. */
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 30, 64})
  void exactAtFullRank(int b) {
    for (String name : new String[] {"gaussian", "uniform", "coherent", "sparse"}) {
      Matrix[] ab = family(name, 45, 52, 38);
      double[] exact = TestMatrices.naiveProduct(ab[0], ab[1]);
      double[] c = lra(b, 1.0, 1.0).multiply(ab[0], ab[1], 1).toArray();
      double[] d = exact.clone();
      for (int i = 0; i < d.length; i++) {
        d[i] -= c[i];
      }
      assertTrue(frobenius(d) <= 1e-10 * frobenius(exact), name + " b=" + b + ": " + frobenius(d) / frobenius(exact));
    }
  }

  /** The same blocks in storage kind % 4: dense column-major, dense row-major, CSC, CSR. */
  private static BlockMatrix stored(BlockMatrix m, int kind) {
    int k = kind % 4;
    JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = JavaPairRDD.fromJavaRDD(m.blocks().toJavaRDD()).mapValues(x -> {
      DenseMatrix d = (DenseMatrix) x;
      return k == 0 ? d : k == 1 ? (Matrix) TestMatrices.rowMajor(d)
          : k == 2 ? (Matrix) d.toSparse() : (Matrix) d.transpose().toSparse().transpose();
    });
    return new BlockMatrix(blocks.rdd(), m.rowsPerBlock(), m.colsPerBlock(), m.numRows(), m.numCols());
  }

  /** A 45 x 52 Gaussian with rows 14..27 zero and B 52 x 38 with inner rows 21..34 zero: whole tiles of zeros. */
  private static DenseMatrix[] withZeroTiles() {
    DenseMatrix a = TestMatrices.gaussian(45, 52, 11);
    DenseMatrix b = TestMatrices.gaussian(52, 38, 12);
    for (int c = 0; c < 52; c++) {
      for (int r = 14; r < 28; r++) {
        a.values()[r + c * 45] = 0;
      }
    }
    for (int c = 0; c < 38; c++) {
      for (int r = 21; r < 35; r++) {
        b.values()[r + c * 52] = 0;
      }
    }
    return new DenseMatrix[] {a, b};
  }

  /** Rows of x as an IndexedRowMatrix, in a scrambled order over the partitions, sparse vectors when asked. */
  private static IndexedRowMatrix scrambledRows(Matrix x, int partitions, boolean sparse, long seed) {
    List<IndexedRow> rows = new ArrayList<>();
    for (int i = 0; i < x.numRows(); i++) {
      double[] r = new double[x.numCols()];
      for (int j = 0; j < r.length; j++) {
        r[j] = x.apply(i, j);
      }
      Vector v = Vectors.dense(r);
      rows.add(new IndexedRow(i, sparse ? v.toSparse() : v));
    }
    Collections.shuffle(rows, new Random(seed));
    return new IndexedRowMatrix(SharedSpark.jsc().parallelize(rows, partitions).rdd(), x.numRows(), x.numCols());
  }

  /**
   * (3) Local = BlockMatrix = row-aligned, to 1e-10 relative: Spark blocks multiples of b = 7
   * (14 x 21, 21 x 7; 7 x 14, 14 x 35) and not (10 x 9, 9 x 13; 5 x 11, 8 x 6; whole matrices),
   * 1/3/8 partitions, dense and sparse blocks in every storage, and inputs with whole tiles of
   * zeros (and so sparse blocks with no entries).
   */
  @Test
  void enginesAgree() {
    DenseMatrix[] zeros = withZeroTiles();
    Matrix[][] inputs = {family("gaussian", 45, 52, 38), family("sparse", 45, 52, 38), zeros};
    int[][] grids = {{14, 21, 21, 7, 3}, {7, 14, 14, 35, 8}, {10, 9, 9, 13, 1}, {5, 11, 8, 6, 8}, {45, 52, 52, 38, 3},
        {13, 4, 4, 5, 3}};
    for (int f = 0; f < inputs.length; f++) {
      Matrix a = inputs[f][0];
      Matrix b = inputs[f][1];
      Amm amm = lra(7, 0.3, 0.2);
      double[] c = amm.multiply(a, b, 5).toArray();
      double tol = 1e-10 * TestMatrices.maxAbs(c);
      for (int g = 0; g < grids.length; g++) {
        int[] l = grids[g];
        BlockMatrix ad = stored(SparkMatrices.fromLocal(SharedSpark.jsc(), a, l[0], l[1], l[4]), g + f);
        BlockMatrix bd = stored(SparkMatrices.fromLocal(SharedSpark.jsc(), b, l[2], l[3], l[4]), g + f + 1);
        BlockMatrix cd = amm.multiply(ad, bd, 5);
        assertEquals(a.numRows(), cd.numRows());
        assertEquals(l[0], cd.rowsPerBlock());
        assertEquals(l[3], cd.colsPerBlock());
        assertTrue(TestMatrices.maxAbsDiff(c, cd.toLocalMatrix().toArray()) <= tol,
            "input " + f + " grid " + java.util.Arrays.toString(l) + ": "
                + TestMatrices.maxAbsDiff(c, cd.toLocalMatrix().toArray()));
        cd.blocks().unpersist(false);
      }
      for (int parts : new int[] {1, 3, 8}) {
        Matrix rows = amm.multiplyRowAligned(TestMatrices.indexedRows(a.transpose(), parts),
            TestMatrices.indexedRows(b, (parts % 3) + 1), 5);
        assertTrue(TestMatrices.maxAbsDiff(c, rows.toArray()) <= tol, "row-aligned, " + parts + " partitions");
        Matrix scrambled = amm.multiplyRowAligned(scrambledRows(a.transpose(), parts, f == 1, parts),
            scrambledRows(b, parts + 1, f == 1, parts + 7), 5);
        assertTrue(TestMatrices.maxAbsDiff(c, scrambled.toArray()) <= tol, "scrambled rows, " + parts + " partitions");
      }
    }
  }

  /**
   * LowRankProducts sums in an order fixed by the tiles' positions, not by the order the tiles are
   * given in (on Spark a cogroup hands them over in fetch order): shuffled tile lists give the same
   * bits, whole and for an output block inside C, with A's ranks the final inner dimension and with
   * B's (the transposed path).
   */
  @Test
  void tileOrderDoesNotChangeABit() {
    Matrix[] ab = family("gaussian", 45, 52, 38);
    for (int[] ranks : new int[][] {{2, 4}, {4, 2}}) {
      List<LowRankTile> at = BlockLowRankLocal.factor(ab[0], 7, ranks[0]);
      List<LowRankTile> bt = BlockLowRankLocal.factor(ab[1], 7, ranks[1]);
      for (int[] out : new int[][] {{0, 45, 0, 38}, {10, 21, 7, 17}}) { // {r0, rows, c0, cols}
        double[] expected = new double[out[1] * out[3]];
        LowRankProducts.accumulate(at, bt, 7, out[0], out[1], out[2], out[3], expected, 0, out[1]);
        assertTrue(TestMatrices.maxAbs(expected) > 1, "a product that is not zero");
        for (int seed = 0; seed < 4; seed++) {
          List<LowRankTile> as = new ArrayList<>(at);
          List<LowRankTile> bs = new ArrayList<>(bt);
          Collections.shuffle(as, new Random(seed));
          Collections.shuffle(bs, new Random(seed + 10));
          double[] got = new double[out[1] * out[3]];
          LowRankProducts.accumulate(as, bs, 7, out[0], out[1], out[2], out[3], got, 0, out[1]);
          assertArrayEquals(expected, got, "ranks " + java.util.Arrays.toString(ranks) + ", output "
              + java.util.Arrays.toString(out) + ", shuffle " + seed);
        }
      }
    }
  }

  /**
   * The local engine factors and multiplies on the machine's cores with a result that does not depend
   * on their number: one, two and five workers give the same bits, for column-major, row-major and
   * sparse inputs (13 row tiles: four bands of the product).
   */
  @Test
  void theNumberOfCoresDoesNotChangeABit() throws Exception {
    Matrix[] ab = family("gaussian", 90, 52, 38);
    for (Matrix a : new Matrix[] {ab[0], TestMatrices.rowMajor(ab[0]), TestMatrices.sparsified(ab[0])}) {
      double[] expected = onCores(1, () -> lra(7, 0.3, 0.2).multiply(a, ab[1], 1).toArray());
      for (int cores : new int[] {2, 5}) {
        assertArrayEquals(expected, onCores(cores, () -> lra(7, 0.3, 0.2).multiply(a, ab[1], 1).toArray()),
            a.getClass().getSimpleName() + (a.isTransposed() ? " (row-major)" : "") + " on " + cores + " cores");
      }
    }
  }

  /** Runs {@code work} in a pool of {@code cores} workers, so that its parallel streams use that many. */
  private static double[] onCores(int cores, java.util.concurrent.Callable<double[]> work) throws Exception {
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(cores);
    try {
      return pool.submit(work).get();
    } finally {
      pool.shutdown();
    }
  }

  /** Tiles of zeros are not factored, and their output stays exactly zero. */
  @Test
  void zeroTilesAreSkipped() {
    DenseMatrix[] ab = withZeroTiles();
    // A: 7 x 8 tiles of 7, rows 14..27 are tile rows 2 and 3: 16 tiles of zeros.
    List<LowRankTile> tiles = BlockLowRankLocal.factor(ab[0], 7, 2);
    assertEquals(7 * 8 - 16, tiles.size());
    assertEquals(7 * 8 - 16, BlockLowRankLocal.factor(ab[0].toSparse(), 7, 2).size());
    assertEquals(7 * 8 - 16, BlockLowRankLocal.factor(TestMatrices.rowMajor(ab[0]), 7, 2).size());
    double[] c = lra(7, 0.3, 0.3).multiply(ab[0], ab[1], 1).toArray();
    for (int q = 0; q < 38; q++) {
      for (int r = 14; r < 28; r++) {
        assertEquals(0.0, c[r + q * 45]);
      }
    }
    double[] none = lra(7, 0.3, 0.3).multiply(new DenseMatrix(45, 52, new double[45 * 52]).toSparse(), ab[1], 1)
        .toArray();
    assertArrayEquals(new double[45 * 38], none);
  }

  /** The SVD wrapper: truncation, rank caps, zero tiles. */
  @Test
  void truncatedSvdOfOneTile() {
    double[] t = TestMatrices.gaussian(9, 6, 3).values();
    double[] s = singularValues(t, 9, 6);
    LowRankTile f = new TruncatedSvd().factor(2, 5, t.clone(), 9, 6, 4);
    assertEquals(4, f.rank);
    assertEquals(2, f.row);
    assertEquals(5, f.col);
    for (int q = 0; q < 4; q++) {
      assertEquals(s[q], f.s[q], 1e-12 * s[0]);
    }
    double[] d = f.toDense();
    double[] ref = truncated(t, 9, 6, 4);
    assertTrue(TestMatrices.maxAbsDiff(d, ref) <= 1e-12 * s[0]);
    assertEquals(6, new TruncatedSvd().factor(0, 0, t.clone(), 9, 6, 30).rank); // capped by the tile
    assertEquals(null, new TruncatedSvd().factor(0, 0, new double[54], 9, 6, 3));
    double[] rank1 = new double[54];
    for (int c = 0; c < 6; c++) {
      for (int r = 0; r < 9; r++) {
        rank1[r + c * 9] = (r == 4 ? 1 : 0) * (c + 1.0);
      }
    }
    assertEquals(1, new TruncatedSvd().factor(0, 0, rank1, 9, 6, 3).rank); // exact zeros dropped
  }

  /** Neither the seed nor the sketch size is read; the tag's description says so. */
  @Test
  void deterministicAndSketchSizeNotRead() {
    Matrix[] ab = family("gaussian", 45, 52, 38);
    double[] c1 = Amm.create("blockLRA").setSeed(1).multiply(ab[0], ab[1], 1).toArray();
    double[] c2 = Amm.create("blockLRA").setSeed(2).multiply(ab[0], ab[1], 5000).toArray();
    assertArrayEquals(c1, c2);
    BlockLowRank algo = (BlockLowRank) Amm.create("blockLRA").algorithm();
    assertTrue(algo.description().contains("sketchSize not read"), algo.description());
    assertEquals(30, algo.blockSize());
    assertEquals(3, algo.rankA()); // ceil(0.1 x 30), LibAMM's default
    assertTrue(algo.factorsBlocks());
    assertTrue(Double.isNaN(algo.expectedSquaredError(null, 1, 10, 1)));
    assertThrows(IllegalStateException.class, () -> algo.sketch(10, 5, 1, null));
    assertEquals(java.util.Set.of("algoARankRatio", "algoBRankRatio", "lraBlockSize"), algo.configKeys());
    BlockLowRank seven = (BlockLowRank) lra(7, 0.3, 1.0).algorithm();
    assertEquals(3, seven.rankA()); // ceil(2.1)
    assertEquals(7, seven.rankB());
  }

  /** (4) Bad values: one line naming the key and the range. */
  @Test
  void badConfigurationValues() {
    Object[][] cases = {
        {"algoARankRatio", 0.0, "config key 'algoARankRatio' must be in (0, 1], got 0"},
        {"algoARankRatio", -0.5, "config key 'algoARankRatio' must be in (0, 1], got -0.5"},
        {"algoBRankRatio", 1.5, "config key 'algoBRankRatio' must be in (0, 1], got 1.5"},
        {"algoBRankRatio", 2L, "config key 'algoBRankRatio' must be in (0, 1], got 2"},
        {"lraBlockSize", 0L, "config key 'lraBlockSize' must be in [1, 4096], got 0"},
        {"lraBlockSize", -30L, "config key 'lraBlockSize' must be in [1, 4096], got -30"},
        {"lraBlockSize", 2.5, "config key 'lraBlockSize' must be an integer, got 2.5"},
    };
    for (Object[] t : cases) {
      AmmConfig cfg = new AmmConfig().editObject((String) t[0], t[1]);
      AmmArgumentException e = assertThrows(AmmArgumentException.class, () -> Amm.create("blockLRA").setConfig(cfg));
      assertEquals(t[2], e.getMessage());
      assertTrue(!e.getMessage().contains("\n"));
    }
    assertEquals(1, ((BlockLowRank) lra(30, 1.0, Double.MIN_VALUE).algorithm()).rankB()); // (0, 1] is open at 0 only
  }

  /**
   * (5) Shuffle of the BlockMatrix product at ratio 0.1 with blocks aligned on the tiles, against
   * {@code BlockMatrix.multiply} on the same inputs: each 30 x 30 tile travels as 3 (30 + 30 + 1)
   * doubles instead of 900, so about 0.2 of mm's shuffle plus framing.
   */
  @Test
  void shufflesFarLessThanBlockMatrixMultiply() {
    DenseMatrix a = TestMatrices.gaussian(240, 600, 21);
    DenseMatrix b = TestMatrices.gaussian(600, 180, 22);
    BlockMatrix ad = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 60, 60, 4);
    BlockMatrix bd = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 60, 60, 4);
    ad.blocks().cache().count();
    bd.blocks().cache().count();
    Amm mm = Amm.create("mm");
    BlockMatrix exact = mm.multiply(ad, bd, 1);
    long mmBytes = mm.getBreakDown().shuffleBytes;
    Amm lra = Amm.create("blockLRA");
    BlockMatrix approx = lra.multiply(ad, bd, 1);
    long lraBytes = lra.getBreakDown().shuffleBytes;
    double ratio = lraBytes / (double) mmBytes;
    System.out.printf("blockLRA shuffle, aligned 60 x 60 blocks: %d bytes against mm's %d (%.3f)%n", lraBytes,
        mmBytes, ratio);
    assertTrue(mmBytes > 0 && ratio < 0.5, "blockLRA shuffled " + lraBytes + " bytes, mm " + mmBytes);
    double err = Amm.relativeFrobeniusError(exact, approx);
    assertTrue(err > 0.01 && err < 1.5, "error " + err);
    double[] aligned = approx.toLocalMatrix().toArray();
    exact.blocks().unpersist(false);
    approx.blocks().unpersist(false);
    // Blocks of 64 (not a multiple of 30): the straddling tiles are regrouped first; reported, not asserted.
    BlockMatrix a64 = SparkMatrices.fromLocal(SharedSpark.jsc(), a, 64, 64, 4);
    BlockMatrix b64 = SparkMatrices.fromLocal(SharedSpark.jsc(), b, 64, 64, 4);
    BlockMatrix c64 = lra.multiply(a64, b64, 1);
    long bytes64 = lra.getBreakDown().shuffleBytes;
    BlockMatrix e64 = mm.multiply(a64, b64, 1);
    System.out.printf("blockLRA shuffle, 64 x 64 blocks: %d bytes against mm's %d (%.3f)%n", bytes64,
        mm.getBreakDown().shuffleBytes, bytes64 / (double) mm.getBreakDown().shuffleBytes);
    assertTrue(TestMatrices.maxAbsDiff(aligned, c64.toLocalMatrix().toArray()) <= 1e-10 * TestMatrices.maxAbs(aligned));
    c64.blocks().unpersist(false);
    e64.blocks().unpersist(false);
    ad.blocks().unpersist(false);
    bd.blocks().unpersist(false);
  }
}
