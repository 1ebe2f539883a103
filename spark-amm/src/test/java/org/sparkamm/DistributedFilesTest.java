package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.error.AmmException;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.FormatsTest;
import org.sparkamm.io.MatrixFiles;
import org.sparkamm.io.Npy;
import org.sparkamm.spark.DistributedFiles;

/** Executors reading their own records: the distributed load equals the local one for any blocking. */
class DistributedFilesTest {
  private static final Path SAMPLES = Path.of("..", "data", "samples");

  @TempDir
  Path dir;

  /** Loads cache what they read (the caller releases it); release everything so later tests count from zero. */
  @org.junit.jupiter.api.AfterEach
  void releaseCachedLoads() {
    for (org.apache.spark.rdd.RDD<?> cached : scala.jdk.javaapi.CollectionConverters.asJava(
        SharedSpark.jsc().sc().getPersistentRDDs()).values()) {
      cached.unpersist(false);
    }
  }

  private static void assertSameAsLocal(Path file) {
    DenseMatrix local = MatrixFiles.read(file, null).matrix;
    for (int[] bp : new int[][] {{1, 3}, {5, 7}}) {
      BlockMatrix b = DistributedFiles.blockMatrix(SharedSpark.jsc(), file.toString(), bp[0], bp[1]);
      b.validate();
      assertArrayEquals(local.toArray(), b.toLocalMatrix().toArray(), file + " blocks " + bp[0]);
      b.blocks().unpersist(false);
    }
    for (int parts : new int[] {3}) {
      IndexedRowMatrix rows = DistributedFiles.indexedRows(SharedSpark.jsc(), file.toString(), parts);
      assertEquals(local.numRows(), rows.numRows());
      assertArrayEquals(local.toArray(), rows.toBlockMatrix().toLocalMatrix().toArray(), file + " rows");
    }
  }

  @Test
  void everyFlatBinaryFormatLoadsInParallel() throws IOException {
    for (String f : new String[] {"m_f8_c.npy", "m_f4_fortran.npy", "m_f8_bigendian.npy", "m_i2.npy", "m.fvecs"}) {
      assertSameAsLocal(SAMPLES.resolve(f));
    }
    byte[] px = new byte[7 * 3 * 5];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 13);
    }
    Path idx = dir.resolve("x.idx3");
    Files.write(idx, FormatsTest.idx(0x08, new int[] {7, 3, 5}, px));
    assertSameAsLocal(idx);
    Path big = dir.resolve("big.npy");
    Npy.write(big, TestMatrices.gaussian(2500, 9, 1), false); // Fortran order, 3 record groups of 1024
    assertSameAsLocal(big);
  }

  /**
   * Wide files: a task that would hold more than its byte budget reads a range of whole blocks of each
   * record instead of whole records, for every layout (rows or columns as records, prefixed records),
   * and the blocks are the same.
   */
  @Test
  void wideRecordsAreReadInSpansBoundedByBytes() throws IOException {
    Path wide = dir.resolve("wide.npy");
    Npy.write(wide, TestMatrices.rowMajor(TestMatrices.gaussian(5, 23, 4)), false);
    Path wideF = dir.resolve("widef.npy");
    Npy.write(wideF, TestMatrices.gaussian(23, 5, 5), false); // Fortran order: records are 5 columns of 23
    for (Path f : new Path[] {wide, wideF, SAMPLES.resolve("m.fvecs"), SAMPLES.resolve("m_f8_bigendian.npy")}) {
      DenseMatrix local = MatrixFiles.read(f, null).matrix;
      for (int[] bp : new int[][] {{1, 8}, {2, 16}, {3, 24}, {2, 8 * 2 * 3}}) { // {blockSize, taskBytes}
        BlockMatrix b = org.sparkamm.spark.BlockProductAccess.readInSpans(SharedSpark.jsc(), f.toString(), bp[0], 3,
            bp[1]);
        b.validate();
        assertArrayEquals(local.toArray(), b.toLocalMatrix().toArray(), f + " " + java.util.Arrays.toString(bp));
        b.blocks().unpersist(false);
      }
    }
    byte[] bad = FormatsTest.fvecs(new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
    bad[2 * 20] = 3; // record 2 claims dimension 3
    Path badVecs = dir.resolve("bad.fvecs");
    Files.write(badVecs, bad);
    Exception e = assertThrows(Exception.class,
        () -> org.sparkamm.spark.BlockProductAccess.readInSpans(SharedSpark.jsc(), badVecs.toString(), 1, 2, 8));
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof AmmException)) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().contains("record 2 has dimension 3"), root.getMessage());
  }

  /** An 8 x 8 source whose blocks below row 0 cannot be generated. */
  private static final class FailingSource implements org.sparkamm.io.BlockSource {
    private static final long serialVersionUID = 1L;

    @Override
    public long rows() {
      return 8;
    }

    @Override
    public long cols() {
      return 8;
    }

    @Override
    public DenseMatrix block(long row0, int rows, long col0, int cols) {
      if (row0 > 0) {
        throw new IllegalStateException("block at row " + row0 + " cannot be generated");
      }
      return DenseMatrix.ones(rows, cols);
    }
  }

  /** Generated blocks divided by their maximum: a block that fails to generate leaves nothing cached. */
  @Test
  void aGeneratedLoadThatFailsCachesNothing() {
    org.sparkamm.io.BlockSource failing = new FailingSource();
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    for (boolean divideByMax : new boolean[] {false, true}) {
      Exception e = assertThrows(Exception.class,
          () -> org.sparkamm.spark.SparkMatrices.generate(SharedSpark.jsc(), failing, 4, 2, divideByMax));
      assertTrue(String.valueOf(e.getMessage()).contains("cannot be generated"), e.toString());
      SharedSpark.assertNothingNewCached(before, "divideByMax " + divideByMax);
    }
  }

  /**
   * Rows read through a BlockMatrix (Matrix Market, Fortran order) are cached as the rows the caller
   * holds, so that unpersisting them releases everything the load cached.
   */
  @Test
  void rowsReadThroughBlocksAreReleasedWithTheRows() throws IOException {
    Path fortran = dir.resolve("f.npy");
    Npy.write(fortran, TestMatrices.gaussian(9, 4, 2), false); // Fortran order: records are columns
    for (Path file : new Path[] {SAMPLES.resolve("m.mtx"), fortran}) {
      java.util.Set<Integer> before = SharedSpark.cachedRddIds();
      IndexedRowMatrix rows = DistributedFiles.indexedRows(SharedSpark.jsc(), file.toString(), 2);
      assertArrayEquals(MatrixFiles.read(file, null).matrix.toArray(), rows.toBlockMatrix().toLocalMatrix().toArray());
      rows.rows().unpersist(false);
      SharedSpark.assertNothingNewCached(before, file + ": the rows unpersisted");
    }
  }

  @Test
  void matrixMarketLoadsAsTextSplits() throws IOException {
    assertSameAsLocal(SAMPLES.resolve("m.mtx"));
    assertSameAsLocal(TestMatricesPaths.fixture("toy.mtx")); // symmetric, upper triangle stored
    StringBuilder sym = new StringBuilder("%%MatrixMarket matrix array real skew-symmetric\n% c\n40 40\n");
    for (int t = 0; t < 40 * 39 / 2; t++) {
      sym.append(t * 0.25).append('\n');
    }
    Path skew = dir.resolve("skew.mtx");
    Files.writeString(skew, sym.toString());
    assertSameAsLocal(skew);
    Path lying = dir.resolve("lying.mtx");
    Files.writeString(lying, "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 2\n");
    AmmFormatException e = assertThrows(AmmFormatException.class,
        () -> DistributedFiles.blockMatrix(SharedSpark.jsc(), lying.toString(), 2, 2));
    assertTrue(e.getMessage().endsWith("4 entries declared, 2 found"), e.getMessage());
  }

  @Test
  void badFilesFailWithTheLibrarysMessage() throws IOException {
    Path nan = dir.resolve("nan.npy");
    Files.write(nan, org.sparkamm.NpyTest.npy(1, "<f8", false, "2, 2",
        org.sparkamm.NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, Double.NaN, 4)));
    Exception e = assertThrows(Exception.class, () -> DistributedFiles.blockMatrix(SharedSpark.jsc(), nan.toString(), 2, 2));
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof AmmException)) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().contains("record 1 holds a NaN or infinite value"), root.getMessage());
    Path cut = dir.resolve("cut.npy");
    byte[] full = Files.readAllBytes(SAMPLES.resolve("m_f8_c.npy"));
    Files.write(cut, java.util.Arrays.copyOf(full, full.length - 9));
    AmmFormatException f = assertThrows(AmmFormatException.class, () -> DistributedFiles.layout(cut.toString()));
    assertTrue(f.getMessage().contains("truncated .npy file"), f.getMessage());
    f = assertThrows(AmmFormatException.class, () -> DistributedFiles.layout(dir.resolve("none.npy").toString()));
    assertTrue(f.getMessage().endsWith("no such file"), f.getMessage());
    f = assertThrows(AmmFormatException.class,
        () -> DistributedFiles.layout(TestMatricesPaths.fixture("toy.mtx").toString()));
    assertTrue(f.getMessage().contains("not a flat binary matrix file"), f.getMessage());
    Path badLine = dir.resolve("bad.mtx");
    Files.writeString(badLine, "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 9 1\n");
    e = assertThrows(Exception.class, () -> DistributedFiles.blockMatrix(SharedSpark.jsc(), badLine.toString(), 2, 2));
    root = e;
    while (root.getCause() != null && !(root instanceof AmmException)) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().endsWith("bad.mtx at byte 52: index (1, 9) is outside the 3x3 matrix"), root.getMessage());
  }

  /** Paths of shared fixtures. */
  static final class TestMatricesPaths {
    static Path fixture(String name) {
      return Path.of("..", "..", "shared", "fixtures", "libamm", name);
    }
  }

  /**
   * The readers use Spark's Hadoop configuration on the driver (headers) and in the tasks (records):
   * a file system scheme that only that configuration knows is readable (issue 11, defect 7).
   */
  @org.junit.jupiter.api.Test
  void readersUseSparksHadoopConfiguration(@org.junit.jupiter.api.io.TempDir Path tmp) {
    org.apache.spark.mllib.linalg.DenseMatrix m = TestMatrices.gaussian(7, 5, 3);
    Path file = tmp.resolve("m.npy");
    org.sparkamm.io.Npy.write(file, m, false);
    String url = "ammtest://" + file.toAbsolutePath();
    org.apache.hadoop.conf.Configuration conf = SharedSpark.jsc().hadoopConfiguration();
    conf.set("fs.ammtest.impl", SchemeFileSystem.class.getName());
    conf.setBoolean("fs.ammtest.impl.disable.cache", true);
    try {
      BlockMatrix b = DistributedFiles.blockMatrix(SharedSpark.jsc(), url, 3, 2);
      assertArrayEquals(m.toArray(), b.toLocalMatrix().toArray(), 0.0);
      b.blocks().unpersist(false);
    } finally {
      conf.unset("fs.ammtest.impl");
    }
  }
}
