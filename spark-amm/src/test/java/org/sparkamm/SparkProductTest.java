package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.spark.SparkMatrices;

/**
 * The distributed engines against the local one: the same seed gives the same product for any
 * partitioning and block size (ragged edge blocks included), on BlockMatrix and on row-aligned
 * IndexedRowMatrix inputs. Tolerance: results differ only in the order of floating-point sums, so
 * 1e-12 relative to the largest entry times the inner dimension's number of terms is ample.
 */
class SparkProductTest {
  private static final DenseMatrix A = TestMatrices.gaussian(23, 57, 7);
  private static final DenseMatrix B = TestMatrices.gaussian(57, 19, 8);
  private static final int K = 16;

  private static BlockMatrix blocks(Matrix m, int rowsPerBlock, int colsPerBlock, int partitions) {
    return SparkMatrices.fromLocal(SharedSpark.jsc(), m, rowsPerBlock, colsPerBlock, partitions);
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    double tol = 1e-12 * 57 * Math.max(1, TestMatrices.maxAbs(expected));
    double diff = TestMatrices.maxAbsDiff(expected, actual);
    assertTrue(diff <= tol, what + ": max difference " + diff + " > " + tol);
  }

  @ParameterizedTest
  @ValueSource(strings = {"crs", "weighted-cr", "countSketch", "gaussian", "sjlt"})
  void blockProductEqualsLocalForAnyBlockingAndPartitioning(String tag) {
    double[] local = Amm.create(tag).setSeed(42).multiply(A, B, K).toArray();
    int[][] layouts = {{8, 8, 8, 8, 1}, {5, 7, 7, 3, 3}, {23, 57, 57, 19, 1}, {4, 10, 6, 5, 8}, {30, 4096, 5000, 30, 2}, {12, 8, 8, 10, 3}};
    for (int[] l : layouts) {
      BlockMatrix c = Amm.create(tag).setSeed(42).multiply(blocks(A, l[0], l[1], l[4]), blocks(B, l[2], l[3], l[4]), K);
      assertEquals(23, c.numRows());
      assertEquals(19, c.numCols());
      assertEquals(l[0], c.rowsPerBlock());
      assertEquals(l[3], c.colsPerBlock());
      assertClose(local, c.toLocalMatrix().toArray(), tag + " blocks " + java.util.Arrays.toString(l));
      c.blocks().unpersist(false);
    }
  }

  @Test
  void mmOnSparkIsBlockMatrixMultiply() {
    double[] ref = TestMatrices.naiveProduct(A, B);
    BlockMatrix c = Amm.create("mm").multiply(blocks(A, 5, 7, 3), blocks(B, 7, 4, 2), 1);
    assertClose(ref, c.toLocalMatrix().toArray(), "mm");
    Amm split = Amm.create("mm").setConfig(new org.sparkamm.config.AmmConfig().edit(Amm.MID_DIM_SPLITS_KEY, 3L));
    assertClose(ref, split.multiply(blocks(A, 5, 7, 3), blocks(B, 7, 4, 2), 1).toLocalMatrix().toArray(), "mm, 3 splits");
    assertThrows(AmmArgumentException.class,
        () -> Amm.create("mm").setConfig(new org.sparkamm.config.AmmConfig().edit(Amm.MID_DIM_SPLITS_KEY, 0L)));
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("mm").multiply(blocks(A, 5, 7, 3), blocks(B, 8, 4, 2), 1));
    assertTrue(e.getMessage().contains("(7)") && e.getMessage().contains("(8)"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mm", "crs", "weighted-cr", "countSketch"})
  void rowAlignedProductEqualsLocalForAnyPartitioning(String tag) {
    // X^T Y with X = A^T (57 x 23) and Y = B (57 x 19): the same product as A B.
    double[] local = Amm.create(tag).setSeed(9).multiply(A, B, K).toArray();
    DenseMatrix x = A.transpose();
    for (int parts : new int[] {1, 2, 5, 57}) {
      Matrix c = Amm.create(tag).setSeed(9).multiplyRowAligned(
          TestMatrices.indexedRows(x, parts), TestMatrices.indexedRows(B, Math.max(1, 7 - parts % 7)), K);
      assertClose(local, c.toArray(), tag + " with " + parts + " partitions");
    }
  }

  @Test
  void sketchingShufflesOnlyPartialSketchesWhileExactShufflesTheData() {
    DenseMatrix big = TestMatrices.gaussian(1000, 40, 1);
    BlockMatrix at = blocks(big, 100, 40, 10).transpose();
    BlockMatrix bb = blocks(TestMatrices.gaussian(1000, 40, 2), 100, 40, 10);
    at.blocks().cache().count();
    bb.blocks().cache().count();
    Amm exact = Amm.create("mm");
    exact.multiply(at, bb, 1);
    Amm cs = Amm.create("countSketch");
    cs.multiply(at, bb, 10);
    // Exact moves every block of both inputs (2 x 1000 x 40 doubles = 640 kB); CountSketch moves
    // at most one 40 x 10 partial sketch per partition and side (10 partitions x 2 x 3.2 kB), plus
    // serialization overhead.
    assertTrue(exact.getBreakDown().shuffleBytes > 600_000, "exact shuffle " + exact.getBreakDown());
    assertTrue(cs.getBreakDown().shuffleBytes < 150_000, "countSketch shuffle " + cs.getBreakDown());
  }

  @Test
  void distributedBadInputs() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("countSketch").multiply(blocks(A, 8, 8, 2), blocks(TestMatrices.gaussian(56, 19, 1), 8, 8, 2), 4));
    assertEquals("inner dimensions differ: A is 23x57, B is 56x19", e.getMessage());
    e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("crs").multiplyRowAligned(TestMatrices.indexedRows(A, 2), TestMatrices.indexedRows(B, 2), 3));
    assertEquals("row-aligned X^T Y needs the same rows: X is 23x57, Y is 57x19", e.getMessage());
    e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("crs").multiply(blocks(A, 8, 8, 2), blocks(B, 8, 8, 2), -1));
    assertEquals("sketch size must be at least 1, got -1", e.getMessage());
  }

  private static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> pairedRows(int partitions) {
    java.util.List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 57; i++) {
      double[] x = new double[23];
      double[] y = new double[19];
      for (int j = 0; j < 23; j++) {
        x[j] = A.apply(j, i);
      }
      for (int j = 0; j < 19; j++) {
        y[j] = B.apply(i, j);
      }
      rows.add(org.apache.spark.sql.RowFactory.create(i, org.apache.spark.ml.linalg.Vectors.dense(x),
          org.apache.spark.ml.linalg.Vectors.dense(y).toSparse()));
    }
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("id", org.apache.spark.sql.types.DataTypes.IntegerType)
        .add("x", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
        .add("y", org.apache.spark.ml.linalg.SQLDataTypes.VectorType());
    return SharedSpark.session().createDataFrame(rows, schema).repartition(partitions).sortWithinPartitions("id")
        .coalesce(1).orderBy("id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mm", "crs", "weighted-cr", "countSketch"})
  void dataFrameWithBothVectorsEqualsLocal(String tag) {
    double[] local = Amm.create(tag).setSeed(9).multiply(A, B, K).toArray();
    Matrix c = Amm.create(tag).setSeed(9).multiplyRowAligned(pairedRows(3), "x", "y", K);
    assertClose(local, c.toArray(), tag + " from a DataFrame");
  }

  @Test
  void dataFrameBadColumns() {
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = pairedRows(2);
    assertEquals("no column 'z' in the DataFrame; its columns: id, x, y", assertThrows(AmmArgumentException.class,
        () -> Amm.create("crs").multiplyRowAligned(df, "x", "z", 3)).getMessage());
    assertEquals("column 'id' must hold vectors, but its type is int", assertThrows(AmmArgumentException.class,
        () -> Amm.create("crs").multiplyRowAligned(df, "id", "y", 3)).getMessage());
  }

  @Test
  void raggedRowsAreRefusedWithTheLibrarysMessage() {
    java.util.List<org.apache.spark.mllib.linalg.distributed.IndexedRow> rows = java.util.List.of(
        new org.apache.spark.mllib.linalg.distributed.IndexedRow(0, org.apache.spark.mllib.linalg.Vectors.dense(1, 2, 3)),
        new org.apache.spark.mllib.linalg.distributed.IndexedRow(1, org.apache.spark.mllib.linalg.Vectors.dense(1, 2)));
    org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix x =
        new org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix(SharedSpark.jsc().parallelize(rows, 2).rdd(), 2, 3);
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> Amm.create("countSketch").multiplyRowAligned(x, x, 4));
    assertEquals("row 1 has 2 entries, expected 3", e.getMessage());
  }

  @Test
  void distributedErrorEqualsLocalError() {
    BlockMatrix exact = Amm.create("mm").multiply(blocks(A, 6, 8, 2), blocks(B, 8, 5, 2), 1);
    BlockMatrix approx = Amm.create("countSketch").multiply(blocks(A, 6, 8, 2), blocks(B, 8, 5, 2), 8);
    double local = Amm.relativeFrobeniusError(exact.toLocalMatrix(), approx.toLocalMatrix());
    assertEquals(local, Amm.relativeFrobeniusError(exact, approx), 1e-12);
  }

  /** A multiply that fails inside its tasks leaves nothing cached behind (issue 11, leaks). */
  @Test
  void aFailingMultiplyReleasesWhatItCached() {
    // A block that fails when computed (as a lost input file would): the sketching tasks fail.
    java.util.List<scala.Tuple2<scala.Tuple2<Object, Object>, Matrix>> blocks = java.util.List.of(
        new scala.Tuple2<>(new scala.Tuple2<>(0, 0), DenseMatrix.ones(4, 4)),
        new scala.Tuple2<>(new scala.Tuple2<>(0, 1), DenseMatrix.ones(4, 4)));
    BlockMatrix bad = new BlockMatrix(SharedSpark.jsc().parallelizePairs(blocks, 2).mapToPair(e -> {
      if ((Integer) e._1()._2() == 1) {
        throw new IllegalStateException("block (0, 1) cannot be read");
      }
      return e;
    }).rdd(), 4, 4, 4, 8);
    BlockMatrix b = blocks(TestMatrices.gaussian(8, 5, 3), 4, 5, 1);
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    for (String tag : new String[] {"countSketch", "gaussian", "tugOfWar"}) {
      assertThrows(Exception.class, () -> Amm.create(tag).multiply(bad, b, 3), tag);
      SharedSpark.assertNothingNewCached(before, tag + " left cached RDDs");
    }
  }

  /**
   * A multiply whose B fails inside its tasks, after A's side has been cached and broadcast data
   * sent, releases every RDD it cached and destroys every broadcast it made: nothing of a failed
   * multiply is held by anyone. Row-aligned products likewise when a row of Y fails.
   */
  @Test
  void aMultiplyFailingOnBReleasesWhatItCachedAndBroadcast() {
    java.util.List<scala.Tuple2<scala.Tuple2<Object, Object>, Matrix>> blocks = java.util.List.of(
        new scala.Tuple2<>(new scala.Tuple2<>(0, 0), TestMatrices.gaussian(4, 5, 4)),
        new scala.Tuple2<>(new scala.Tuple2<>(1, 0), TestMatrices.gaussian(4, 5, 5)));
    BlockMatrix bad = new BlockMatrix(SharedSpark.jsc().parallelizePairs(blocks, 2).mapToPair(e -> {
      if ((Integer) e._1()._1() == 1) {
        throw new IllegalStateException("block (1, 0) cannot be read");
      }
      return e;
    }).rdd(), 4, 5, 8, 5);
    BlockMatrix a = blocks(TestMatrices.gaussian(6, 8, 3), 6, 4, 2);
    org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix badRows =
        new org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix(
            TestMatrices.indexedRows(TestMatrices.gaussian(8, 5, 6), 2).rows().toJavaRDD().map(r -> {
              if (r.index() == 6) {
                throw new IllegalStateException("row 6 cannot be read");
              }
              return r;
            }).rdd(), 8, 5);
    org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix x =
        TestMatrices.indexedRows(TestMatrices.gaussian(8, 6, 7), 2);
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    java.util.Set<Long> broadcasts = SharedSpark.liveBroadcastIds();
    for (String tag : new String[] {"countSketch", "tugOfWar", "ews", "blockLRA", "int8"}) {
      assertThrows(Exception.class, () -> Amm.create(tag).multiply(a, bad, 3), tag);
      SharedSpark.assertNothingNewCached(before, tag + " left cached RDDs");
      SharedSpark.assertNoNewBroadcasts(broadcasts, tag);
      assertThrows(Exception.class, () -> Amm.create(tag).multiplyRowAligned(x, badRows, 3), tag + " row-aligned");
      SharedSpark.assertNothingNewCached(before, tag + " row-aligned left cached RDDs");
      SharedSpark.assertNoNewBroadcasts(broadcasts, tag + " row-aligned");
    }
  }

  /**
   * numMidDimSplits when the user gives none: a reducer's share of A and B, 8 n (rows + cols per
   * block) bytes, at most a quarter of one task's memory, at most one split per inner block.
   */
  @Test
  void midDimSplitsFollowTheReducersShareAndTheMemory() {
    // The case: 200,000 x 256 inputs, 1,024-blocks, a 1 GiB executor with one core:
    // 8 * 200,000 * (256 + 256) = 819 MB against 256 MiB -> 4 splits.
    assertEquals(4, org.sparkamm.spark.BlockProductAccess.splits(200_000, 256, 256, 196, 1L << 30));
    // The README's benchmark with a 14 GiB heap and 2 cores: 1.64 GB against 1.75 GiB -> 1 (plain multiply).
    assertEquals(1, org.sparkamm.spark.BlockProductAccess.splits(100_000, 1024, 1024, 98, 7L << 30));
    // Never more splits than inner blocks, never fewer than one.
    assertEquals(3, org.sparkamm.spark.BlockProductAccess.splits(100_000, 1024, 1024, 3, 1L << 20));
    assertEquals(1, org.sparkamm.spark.BlockProductAccess.splits(10, 5, 5, 2, 1L << 30));
    // And the product is the same whatever was chosen.
    double[] ref = TestMatrices.naiveProduct(A, B);
    assertClose(ref, Amm.create("mm").multiply(blocks(A, 5, 7, 3), blocks(B, 7, 4, 2), 1).toLocalMatrix().toArray(),
        "mm, splits chosen");
  }
}
