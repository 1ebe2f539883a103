package org.sparkamm.codebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.TestMatrices;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.spark.CodebookModel;
import org.sparkamm.spark.SparkMatrices;
import scala.Tuple2;

/**
 * Codebooks on Spark: training with MLlib's k-means recovers planted clusters whatever the
 * blocking, pq-hash trains the same trees as locally, products over blocks that split subspaces
 * and blocks that are missing equal the local ones, and Spark ML persistence round-trips.
 */
class CodebookSparkTest {
  @TempDir
  Path dir;

  private static BlockMatrix blocks(Matrix m, int rows, int cols, int partitions) {
    return SparkMatrices.fromLocal(SharedSpark.jsc(), m, rows, cols, partitions);
  }

  @Test
  void mllibKMeansRecoversPlantedClustersWhateverTheBlocking() {
    double[][] centers = new double[3][];
    DenseMatrix a = CodebookTest.planted(3, 5, 40, centers, 41);
    Codebook one = Amm.create("pq-raw").setSeed(9).train(blocks(a, 640, 15, 1), null, 3);
    assertEquals(3, one.subspaces().count());
    CodebookTest.assertRecovered(centers, one, 5, 40);
    Codebook other = Amm.create("pq-raw").setSeed(9).train(blocks(a, 37, 4, 5), null, 3);
    // The sample and its layout do not depend on the blocking: the same centers up to summation order.
    for (int c = 0; c < 3; c++) {
      for (int k = 0; k < 16; k++) {
        double[] x = one.codeword(false, c, k);
        double[] y = other.codeword(false, c, k);
        assertTrue(TestMatrices.maxAbsDiff(x, y) <= 1e-9, "subspace " + c + " center " + k);
      }
    }
    // vq on Spark: A's and B's codewords from their own planted clusters (l_A = l_B = 16).
    double[][] centersB = new double[1][];
    DenseMatrix bt = CodebookTest.planted(1, 5, 40, centersB, 42);
    double[][] centersA = new double[1][];
    DenseMatrix a1 = CodebookTest.planted(1, 5, 40, centersA, 43);
    Codebook vq = Amm.create("vq").setConfig(new AmmConfig().edit("lA", 16L).edit("lB", 16L))
        .train(blocks(a1, 100, 3, 3), blocks(bt.transpose(), 3, 100, 3), 50);
    CodebookTest.assertRecovered(centersA, vq, 5, 40);
    assertEquals(640, vq.trainingColumns());
    Codebook swapped = Codebook.codewords("vq", vq.subspaces(), 16, new double[][] {flat(vq, true)}, 16,
        new double[][] {flat(vq, false)}, null, 0, 0, 0);
    CodebookTest.assertRecovered(centersB, swapped, 5, 40);
  }

  private static double[] flat(Codebook cb, boolean ofB) {
    int w = cb.subspaces().width(0);
    double[] out = new double[16 * w];
    for (int k = 0; k < 16; k++) {
      System.arraycopy(cb.codeword(ofB, 0, k), 0, out, k * w, w);
    }
    return out;
  }

  @Test
  void pqHashTrainsTheSameTreesOnSparkAsLocally() {
    DenseMatrix a = TestMatrices.gaussian(500, 24, 44);
    AmmConfig cfg = new AmmConfig().edit("C", 4L).edit("trainingRows", 200L);
    Codebook local = Amm.create("pq-hash").setConfig(cfg).setSeed(3).train(a, null, 50);
    Codebook spark = Amm.create("pq-hash").setConfig(cfg).setSeed(3).train(blocks(a, 64, 7, 4), null, 50);
    assertEquals(local, spark);
    assertTrue(local.trainingRows() > 100 && local.trainingRows() < 300, "about 200 rows: " + local.trainingRows());
  }

  /** A BlockMatrix with the given block (I, J) left out: an all-zero block, as MLlib allows. */
  private static BlockMatrix without(BlockMatrix m, int i, int j) {
    JavaPairRDD<Tuple2<Object, Object>, Matrix> kept = JavaPairRDD.fromJavaRDD(m.blocks().toJavaRDD())
        .filter(e -> !((Integer) e._1()._1() == i && (Integer) e._1()._2() == j));
    return new BlockMatrix(kept.rdd(), m.rowsPerBlock(), m.colsPerBlock(), m.numRows(), m.numCols());
  }

  @Test
  void missingBlocksAreZeroRowsAndColumns() {
    DenseMatrix a = TestMatrices.gaussian(8, 10, 45);
    DenseMatrix b = TestMatrices.gaussian(10, 9, 46);
    for (int r = 4; r < 8; r++) {
      for (int j = 0; j < 10; j++) {
        a.values()[r + j * 8] = 0; // block row 1 of A (4 x 10 blocks) is zero
      }
    }
    for (int i = 0; i < 10; i++) {
      for (int j = 5; j < 9; j++) {
        b.values()[i + j * 10] = 0; // block column 1 of B (10 x 5 blocks) is zero
      }
    }
    DenseMatrix aTrain = TestMatrices.gaussian(200, 10, 47);
    DenseMatrix bTrain = TestMatrices.gaussian(10, 200, 48);
    for (String tag : new String[] {"pq-raw", "pq-hash", "vq", "pq"}) {
      Amm amm = Amm.create(tag).setConfig(new AmmConfig().edit("C", 3L).edit("lA", 5L).edit("lB", 4L));
      amm.train(aTrain, bTrain, 50);
      double[] local = amm.multiply(a, b, 1).toArray();
      BlockMatrix c = amm.multiply(without(blocks(a, 4, 10, 2), 1, 0), without(blocks(b, 10, 5, 2), 0, 1), 1);
      assertTrue(TestMatrices.maxAbsDiff(local, c.toLocalMatrix().toArray()) <= 1e-12 * (1 + TestMatrices.maxAbs(local)),
          tag);
      c.blocks().unpersist(false);
    }
  }

  @Test
  void sparkMlPersistenceRoundTrips() throws Exception {
    DenseMatrix a = TestMatrices.gaussian(100, 12, 49);
    DenseMatrix b = TestMatrices.gaussian(12, 80, 50);
    List<Codebook> books = new ArrayList<>();
    for (String tag : new String[] {"pq-hash", "pq"}) {
      books.add(Amm.create(tag).setConfig(new AmmConfig().edit("C", 3L)).train(a, b, 50));
    }
    for (Codebook cb : books) {
      String path = dir.resolve(cb.tag()).toString();
      CodebookModel model = new CodebookModel(cb);
      model.save(path);
      CodebookModel back = CodebookModel.load(path);
      assertEquals(cb, back.codebook());
      assertEquals(model.uid(), back.uid());
      assertThrows(java.io.IOException.class, () -> model.save(path)); // Spark ML: no overwrite unless asked
      model.write().overwrite().save(path);
      // The directory is also a codebook path for the local readers.
      Amm amm = Amm.create(cb.tag()).setConfig(new AmmConfig().edit("codebookPath", path));
      assertEquals(cb, amm.codebook());
      assertTrue(java.nio.file.Files.readString(Path.of(path, "metadata", "part-00000"))
          .contains("\"class\":\"org.sparkamm.spark.CodebookModel\""));
    }
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> CodebookModel.load(dir.toString()));
    assertTrue(e.getMessage().endsWith("not a saved codebook (no metadata/ and data/codebook.npz)"), e.getMessage());
  }

  /** The rows of m as sparse vectors, in reverse order. */
  private static org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix sparseRows(Matrix m, int partitions) {
    List<org.apache.spark.mllib.linalg.distributed.IndexedRow> rows = new ArrayList<>();
    for (int i = m.numRows() - 1; i >= 0; i--) {
      List<Integer> idx = new ArrayList<>();
      List<Double> v = new ArrayList<>();
      for (int j = 0; j < m.numCols(); j++) {
        if (m.apply(i, j) != 0) {
          idx.add(j);
          v.add(m.apply(i, j));
        }
      }
      rows.add(new org.apache.spark.mllib.linalg.distributed.IndexedRow(i, org.apache.spark.mllib.linalg.Vectors.sparse(
          m.numCols(), idx.stream().mapToInt(Integer::intValue).toArray(), v.stream().mapToDouble(Double::doubleValue).toArray())));
    }
    return new org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix(
        SharedSpark.jsc().parallelize(rows, partitions).rdd(), m.numRows(), m.numCols());
  }

  @Test
  void rowAlignedSparseRowsEqualTheLocalProduct() {
    DenseMatrix x = TestMatrices.gaussian(30, 7, 51); // X^T Y: A = X^T is 7 x 30, inner 30
    DenseMatrix y = TestMatrices.gaussian(30, 5, 52);
    Matrix sx = TestMatrices.sparsified(x);
    Matrix sy = TestMatrices.sparsified(y);
    for (String tag : new String[] {"pq-raw", "pq-hash", "vq", "pq"}) {
      Amm amm = Amm.create(tag).setConfig(new AmmConfig().edit("C", 4L).edit("lA", 3L).edit("lB", 2L));
      amm.train(TestMatrices.gaussian(60, 30, 53), TestMatrices.gaussian(30, 60, 54), 50);
      double[] local = amm.multiply(sx.transpose(), sy, 1).toArray();
      Matrix rows = amm.multiplyRowAligned(sparseRows(sx, 3), sparseRows(sy, 2), 1);
      assertTrue(TestMatrices.maxAbsDiff(local, rows.toArray()) <= 1e-12 * (1 + TestMatrices.maxAbs(local)), tag);
    }
  }
}
