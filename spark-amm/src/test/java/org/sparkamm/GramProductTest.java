package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Gram path X^T X ({@link Amm#gram}): one pass and one sketch give what the two-sided product of
 * two copies of X gives, for every algorithm that needs no training; it is taken only for the same rows.
 *
 * <p>Tolerance: both paths add the same terms (the same sketch entries times the same values), only
 * possibly in another order (Spark merges partial sketches as tasks finish), so each entry differs
 * by at most about 2 n u sum|terms| (n = 300 terms, u = 2^-53): below 1e-13 of the entries' scale
 * here. 1e-10 of the largest entry leaves room for that and still fails for any other sample or
 * sketch, which changes entries by O(1) of their size.
 */
class GramProductTest {
  private static final int ROWS = 300;
  private static final int DIM = 17;
  private static final int L = 8;
  private static final DenseMatrix X = TestMatrices.gaussian(ROWS, DIM, 21);

  static Stream<String> untrainedTags() {
    return Amm.tags().stream().filter(t -> !Amm.create(t).algorithm().needsTraining());
  }

  private static void assertRounding(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = TestMatrices.maxAbs(expected);
    assertTrue(scale > 0, what);
    double diff = TestMatrices.maxAbsDiff(expected, actual);
    assertTrue(diff <= 1e-10 * scale, what + ": differs by " + diff + " (scale " + scale + ")");
  }

  /** X's rows with column j multiplied by {@code 1 + j} (other values, the same shape and partitions). */
  private static IndexedRowMatrix scaledColumns(IndexedRowMatrix x) {
    return new IndexedRowMatrix(x.rows().toJavaRDD().map(r -> {
      double[] v = r.vector().toArray();
      for (int j = 0; j < v.length; j++) {
        v[j] *= 1 + j;
      }
      return new IndexedRow(r.index(), Vectors.dense(v));
    }).rdd(), x.numRows(), (int) x.numCols());
  }

  @ParameterizedTest
  @MethodSource("untrainedTags")
  void gramEqualsTheTwoSidedProductToRounding(String tag) {
    Set<Integer> before = SharedSpark.cachedRddIds();
    IndexedRowMatrix x = TestMatrices.indexedRows(X, 3);
    IndexedRowMatrix copy = TestMatrices.indexedRows(X, 3); // another RDD, the same rows: the two-sided path
    double[] twoSided = Amm.create(tag).setSeed(5).multiplyRowAligned(x, copy, L).toArray();
    double[] gram = Amm.create(tag).setSeed(5).gram(x, L).toArray();
    assertRounding(twoSided, gram, tag + " gram");
    // The same matrix on both sides is recognized (the Gram path) and gives the same.
    assertRounding(twoSided, Amm.create(tag).setSeed(5).multiplyRowAligned(x, x, L).toArray(), tag + " (x, x)");
    // And the local engine's two-sided product, from the same seed, is the same product (for the sketches
    // and samples; the other families run their two-sided row-aligned path, compared above).
    org.sparkamm.algo.AmmAlgorithm algo = Amm.create(tag).algorithm();
    if (!(algo.mergesSketches() || algo.quantizesEntries() || algo.factorsBlocks() || algo.samplesEntries())) {
      double[] local = Amm.create(tag).setSeed(5).multiply(X.transpose(), X, L).toArray();
      assertRounding(local, gram, tag + " against the local engine");
    }
    SharedSpark.assertNothingNewCached(before, tag);
  }

  @Test
  void exactGramIsTheProductWithoutAJoin() {
    double[] naive = TestMatrices.naiveProduct(X.transpose(), X);
    for (int parts : new int[] {1, 2, 7}) {
      Amm mm = Amm.create("mm");
      assertRounding(naive, mm.gram(TestMatrices.indexedRows(X, parts), 1).toArray(), parts + " partitions");
      // No join: at most the tree reduction's m x m partial sums are shuffled (one per partition, with
      // serialization overhead), where the join of X with itself shuffles at least 2 n m doubles.
      long shuffled = mm.getBreakDown().shuffleBytes;
      assertTrue(shuffled <= 1.5 * parts * DIM * DIM * 8, parts + " partitions: " + shuffled + " bytes shuffled");
      IndexedRowMatrix x = TestMatrices.indexedRows(X, parts);
      Amm joined = Amm.create("mm");
      joined.multiplyRowAligned(x, TestMatrices.indexedRows(X, parts), 1);
      assertTrue(joined.getBreakDown().shuffleBytes >= 2L * ROWS * DIM * 8, "the join shuffles both sides");
    }
  }

  /**
   * Different inputs never take the Gram path: Y with X's shape, partitions and lineage but other
   * values (its columns scaled by 1 + j) gives X^T Y, which for a linear sketch is (X^T X) diag(1 + j)
   * exactly where the Gram path would give X^T X; likewise two DataFrame columns.
   */
  @Test
  void theGramPathNeverTakesDifferentInputs() {
    IndexedRowMatrix x = TestMatrices.indexedRows(X, 3);
    IndexedRowMatrix y = scaledColumns(x);
    for (String tag : new String[] {"mm", "countSketch", "crs", "gaussian", "srht"}) { // linear in Y
      double[] gram = Amm.create(tag).setSeed(2).gram(x, L).toArray();
      double[] expected = gram.clone();
      for (int j = 0; j < DIM; j++) {
        for (int i = 0; i < DIM; i++) {
          expected[i + j * DIM] *= 1 + j;
        }
      }
      assertRounding(expected, Amm.create(tag).setSeed(2).multiplyRowAligned(x, y, L).toArray(), tag);
      // The same RDD under two matrices is the same rows: the Gram path.
      IndexedRowMatrix again = new IndexedRowMatrix(x.rows(), x.numRows(), (int) x.numCols());
      assertRounding(gram, Amm.create(tag).setSeed(2).multiplyRowAligned(x, again, L).toArray(), tag + " again");
    }
    Dataset<Row> df = frame();
    for (String tag : new String[] {"countSketch", "crs"}) {
      double[] gram = Amm.create(tag).setSeed(3).gram(df, "x", L).toArray();
      assertRounding(Amm.create(tag).setSeed(3).multiplyRowAligned(df, "x", "copy", L).toArray(), gram, tag + " df");
      assertRounding(gram, Amm.create(tag).setSeed(3).multiplyRowAligned(df, "x", "x", L).toArray(), tag + " x, x");
      assertRounding(gram, Amm.create(tag).setSeed(3).gram(TestMatrices.indexedRows(X, 2), L).toArray(), tag);
      double[] twice = Amm.create(tag).setSeed(3).multiplyRowAligned(df, "x", "twice", L).toArray();
      for (int i = 0; i < gram.length; i++) {
        gram[i] *= 2;
      }
      assertRounding(gram, twice, tag + " x, 2x");
    }
  }

  /** Columns x (X's rows), copy (the same vectors) and twice (2 x), in row order. */
  private static Dataset<Row> frame() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      double[] v = new double[DIM];
      double[] w = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = X.apply(i, j);
        w[j] = 2 * v[j];
      }
      rows.add(RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(v),
          org.apache.spark.ml.linalg.Vectors.dense(v.clone()), org.apache.spark.ml.linalg.Vectors.dense(w)));
    }
    StructType schema = new StructType().add("x", new org.apache.spark.ml.linalg.VectorUDT())
        .add("copy", new org.apache.spark.ml.linalg.VectorUDT()).add("twice", new org.apache.spark.ml.linalg.VectorUDT());
    return SharedSpark.session().createDataFrame(rows, schema).coalesce(3);
  }
}
