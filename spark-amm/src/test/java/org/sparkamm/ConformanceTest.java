package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.spark.SparkMatrices;

/**
 * The contract every registered algorithm must meet, run over the registry (a new algorithm is
 * covered by registering it): output shape, inputs unmodified, same seed same result, local equal
 * to Spark for several blockings (ragged edges included) and for the row-aligned form, bad inputs
 * refused. The last test checks how many algorithms were covered.
 */
class ConformanceTest {
  private static final Set<String> COVERED = new TreeSet<>();
  private static final DenseMatrix A = TestMatrices.gaussian(13, 29, 21);
  private static final DenseMatrix B = TestMatrices.gaussian(29, 11, 22);

  static Iterable<String> tags() {
    return Amm.tags();
  }

  @ParameterizedTest
  @MethodSource("tags")
  void meetsTheContract(String tag) {
    double[] a0 = A.values().clone();
    double[] b0 = B.values().clone();
    Matrix c = Amm.create(tag).setSeed(77).multiply(A, B, 9);
    assertEquals(13, c.numRows());
    assertEquals(11, c.numCols());
    assertArrayEquals(a0, A.values(), "A modified");
    assertArrayEquals(b0, B.values(), "B modified");
    assertArrayEquals(c.toArray(), Amm.create(tag).setSeed(77).multiply(A, B, 9).toArray(), "same seed");

    double tol = 1e-11 * Math.max(1, TestMatrices.maxAbs(c.toArray()));
    if (Amm.create(tag).algorithm() instanceof org.sparkamm.algo.ScalarQuantization
        && ((org.sparkamm.algo.ScalarQuantization) Amm.create(tag).algorithm()).mode() == org.sparkamm.quant.FpMode.FP32) {
      // float32 sums in another order: each within (n + 2) 2^-24 sum_k |a_ik b_kj| of the exact product
      tol = 2 * (A.numCols() + 2) * 0x1p-24 * TestMatrices.maxAbs(TestMatrices.naiveProduct(abs(A), abs(B)));
    }
    // Block sizes that do not divide the dimensions, 1/3/8 partitions, and every block storage:
    // dense column-major, dense row-major, sparse CSC, sparse CSR.
    int[][] grids = {{4, 6, 6, 4, 3}, {13, 29, 29, 11, 1}, {5, 5, 5, 5, 8}, {5, 7, 7, 3, 3}, {6, 4, 4, 5, 8}};
    for (int g = 0; g < grids.length; g++) {
      int[] l = grids[g];
      BlockMatrix ad = stored(SparkMatrices.fromLocal(SharedSpark.jsc(), A, l[0], l[1], l[4]), g);
      BlockMatrix bd = stored(SparkMatrices.fromLocal(SharedSpark.jsc(), B, l[2], l[3], l[4]), (g + 1) % 4);
      BlockMatrix cd = Amm.create(tag).setSeed(77).multiply(ad, bd, 9);
      double[] first = cd.toLocalMatrix().toArray();
      sameAsLocal(tag, c, cd.toLocalMatrix(), tol, "on Spark, grid " + java.util.Arrays.toString(l));
      // A lost executor means recomputing result blocks from their lineage: it must still be valid
      // after multiply returned (no broadcast it reads destroyed), and give the same blocks.
      // Dropping every cached RDD stands in for losing every executor.
      for (org.apache.spark.rdd.RDD<?> cached : scala.jdk.javaapi.CollectionConverters.asJava(
          SharedSpark.jsc().sc().getPersistentRDDs()).values()) {
        cached.unpersist(true);
      }
      assertArrayEquals(first, cd.toLocalMatrix().toArray(), tag + ": result recomputed from its lineage");
      BlockMatrix again = Amm.create(tag).setSeed(77).multiply(ad, bd, 9);
      assertTrue(TestMatrices.maxAbsDiff(cd.toLocalMatrix().toArray(), again.toLocalMatrix().toArray()) <= tol,
          tag + ": same inputs and partitioning, same result");
      cd.blocks().unpersist(false);
      again.blocks().unpersist(false);
    }
    Matrix rows = Amm.create(tag).setSeed(77).multiplyRowAligned(
        TestMatrices.indexedRows(A.transpose(), 3), TestMatrices.indexedRows(B, 2), 9);
    sameAsLocal(tag, c, rows, tol, "row-aligned");

    assertThrows(AmmArgumentException.class, () -> Amm.create(tag).multiply(A, A, 9));
    assertThrows(AmmArgumentException.class, () -> Amm.create(tag).multiply(A, B, 0));
    COVERED.add(tag);
  }

  /**
   * Local and distributed results agree up to summation order, except for mergeable sketches, whose
   * result depends on the order in which pairs and partial sketches arrive: those must meet their
   * deterministic error bound instead.
   */
  private static void sameAsLocal(String tag, Matrix local, Matrix distributed, double tol, String where) {
    org.sparkamm.algo.AmmAlgorithm algo = Amm.create(tag).algorithm();
    if (algo.mergesSketches()) {
      double[] exact = TestMatrices.naiveProduct(A, B);
      double[] diff = distributed.toArray();
      for (int i = 0; i < diff.length; i++) {
        diff[i] -= exact[i];
      }
      double error = org.sparkamm.local.Lapack.spectralNorm(diff, local.numRows(), local.numCols());
      double bound = algo.spectralErrorBound(org.sparkamm.algo.LocalEngine.norms(A, B), A.numRows(), B.numCols(), 9);
      assertTrue(error <= bound * (1 + 1e-9) + 1e-9, tag + " " + where + ": spectral error " + error + " > bound " + bound);
      return;
    }
    assertTrue(TestMatrices.maxAbsDiff(local.toArray(), distributed.toArray()) <= tol, tag + " " + where);
  }

  private static DenseMatrix abs(DenseMatrix x) {
    double[] v = x.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]);
    }
    return new DenseMatrix(x.numRows(), x.numCols(), v, x.isTransposed());
  }

  /** The same blocks in storage {@code kind % 4}: dense column-major, dense row-major, CSC, CSR. */
  private static BlockMatrix stored(BlockMatrix m, int kind) {
    int k = kind % 4;
    org.apache.spark.api.java.JavaPairRDD<scala.Tuple2<Object, Object>, Matrix> blocks =
        org.apache.spark.api.java.JavaPairRDD.fromJavaRDD(m.blocks().toJavaRDD()).mapValues(x -> {
          DenseMatrix d = (DenseMatrix) x;
          return k == 0 ? d : k == 1 ? (Matrix) TestMatrices.rowMajor(d)
              : k == 2 ? (Matrix) d.toSparse() : (Matrix) d.transpose().toSparse().transpose();
        });
    return new BlockMatrix(blocks.rdd(), m.rowsPerBlock(), m.colsPerBlock(), m.numRows(), m.numCols());
  }

  @AfterAll
  static void everyRegisteredAlgorithmWasCovered() {
    assertEquals(new TreeSet<>(Amm.tags()), COVERED);
    assertTrue(COVERED.size() >= 4, "covered " + COVERED);
  }

  @Test
  void registryIsNotEmpty() {
    assertTrue(Amm.tags().contains("mm"));
  }
}
