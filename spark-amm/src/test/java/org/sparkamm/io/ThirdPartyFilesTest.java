package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.NpyTest;
import org.sparkamm.SharedSpark;
import org.sparkamm.error.AmmException;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.torch.Half;
import org.sparkamm.spark.DistributedFiles;

/**
 * Files that NumPy, SciPy, GraphBLAS and SuiteSparse users have: written by NumPy and SciPy
 * themselves (src/test/resources/thirdparty, made by its make.py) or by hand after what those
 * tools write. Each is read locally and, for Matrix Market, on Spark too.
 */
class ThirdPartyFilesTest {
  static final Path THIRD_PARTY = Path.of("src", "test", "resources", "thirdparty");

  @TempDir
  Path dir;

  private Path text(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static DenseMatrix rows(double[][] r) {
    double[] v = new double[r.length * r[0].length];
    for (int i = 0; i < r.length; i++) {
      for (int j = 0; j < r[0].length; j++) {
        v[i + j * r.length] = r[i][j];
      }
    }
    return new DenseMatrix(r.length, r[0].length, v);
  }

  /** The file read locally equals {@code expected}, and so does the Spark load for two blockings. */
  private static void assertBothEngines(Path file, DenseMatrix expected) {
    assertArrayEquals(expected.toArray(), MatrixFiles.read(file, null).matrix.toArray(), file.toString());
    for (int[] bp : new int[][] {{1, 3}, {2, 1}}) {
      BlockMatrix b = DistributedFiles.blockMatrix(SharedSpark.jsc(), file.toString(), bp[0], bp[1]);
      try {
        assertArrayEquals(expected.toArray(), b.toLocalMatrix().toArray(), file + " on Spark, blocks of " + bp[0]);
      } finally {
        b.blocks().unpersist(false);
      }
    }
  }

  private static Throwable root(Throwable e) {
    while (e.getCause() != null && !(e instanceof AmmException)) {
      e = e.getCause();
    }
    return e;
  }

  @Test
  void duplicateCoordinatesAreSummedEvenBeyondRowsTimesCols() throws IOException {
    // GraphBLAS writes duplicates; SciPy sums them: 7 entries in a 2x2 matrix.
    Path general = text("dup.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 7\n1 1 1\n1 1 2\n2 2 3\n"
        + "2 2 4\n1 2 5\n1 2 -5\n2 1 0.5\n");
    assertBothEngines(general, rows(new double[][] {{3, 0}, {0.5, 7}}));
    Path sym = text("dupsym.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n2 2 5\n2 1 1\n2 1 1\n2 1 1\n"
        + "1 1 4\n1 1 -1\n");
    assertBothEngines(sym, rows(new double[][] {{3, 3}, {3, 0}}));
  }

  @Test
  void gzipMatrixMarketIsRecognizedByContent() throws IOException {
    DenseMatrix expected = rows(new double[][] {{1.5, 0, 0}, {0, 0, -2}, {0, 3, 0}, {4, 0, 0.25}});
    Path gz = THIRD_PARTY.resolve("small.mtx.gz"); // SciPy's mmwrite output, gzipped
    assertEquals(MatrixFiles.Format.MATRIX_MARKET, MatrixFiles.detect(gz));
    assertBothEngines(gz, expected);
    Path renamed = dir.resolve("no-extension"); // content, not the name, decides
    Files.copy(gz, renamed);
    assertBothEngines(renamed, expected);
    assertEquals(4, DistributedFiles.shape(renamed.toString()).rows);
    ByteArrayOutputStream lying = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(lying)) {
      z.write("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2\n".getBytes());
    }
    Path short3 = dir.resolve("short.mtx.gz");
    Files.write(short3, lying.toByteArray());
    FormatsTest.assertFails(short3, "truncated (3 entries declared, 2 found)");
    Exception e = assertThrows(Exception.class, () -> DistributedFiles.blockMatrix(SharedSpark.jsc(), short3.toString(), 2, 2));
    assertTrue(root(e).getMessage().endsWith("short.mtx.gz: truncated (3 entries declared, 2 found)"), root(e).getMessage());
    ByteArrayOutputStream npy = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(npy)) {
      z.write(NpyTest.npy(1, "<f8", false, "1, 1", NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 1)));
    }
    Path npyGz = dir.resolve("x.npy.gz");
    Files.write(npyGz, npy.toByteArray());
    FormatsTest.assertFails(npyGz, "a gzip-compressed file that is not Matrix Market");
    byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(gz), 85);
    Path broken = dir.resolve("broken.mtx.gz");
    Files.write(broken, cut);
    FormatsTest.assertFails(broken, "cannot read (Unexpected end of ZLIB input stream)");
  }

  @Test
  void unsignedIntegerFieldAsSciPyWritesIt() throws IOException {
    Path scipy = THIRD_PARTY.resolve("unsigned.mtx"); // scipy.io.mmwrite of a uint32 array
    assertBothEngines(scipy, rows(new double[][] {{0, 7, 0}, {4294967295.0, 0, 1}}));
    FormatsTest.assertFails(text("neg.mtx", "%%MatrixMarket matrix coordinate unsigned-integer general\n1 1 1\n1 1 -3\n"),
        "neg.mtx:3: negative value -3 in an unsigned-integer matrix");
    FormatsTest.assertFails(text("nega.mtx", "%%MatrixMarket matrix array unsigned-integer general\n1 1\n-3\n"),
        "nega.mtx:3: negative value -3 in an unsigned-integer matrix");
  }

  @Test
  void skewSymmetricMayListZeroDiagonals() throws IOException {
    Path p = text("skew.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 4\n1 1 0\n2 1 2.5\n"
        + "3 3 0.0\n3 2 -1\n");
    assertBothEngines(p, rows(new double[][] {{0, -2.5, 0}, {2.5, 0, 1}, {0, -1, 0}}));
    FormatsTest.assertFails(text("skewbad.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 1e-9\n"),
        "skewbad.mtx:3: a skew-symmetric matrix has a zero diagonal, but entry (2, 2) is 1e-9");
  }

  @Test
  void bannerAfterLeadingBlanks() throws IOException {
    Path p = text("blank.mtx", "  \t%%MatrixMarket matrix coordinate real general\n% c\n1 2 1\n1 2 4\n");
    assertEquals(MatrixFiles.Format.MATRIX_MARKET, MatrixFiles.detect(p));
    assertBothEngines(p, rows(new double[][] {{0, 4}}));
  }

  @Test
  void boolNpyReadsAsZeroOrOne() throws IOException {
    Path numpy = THIRD_PARTY.resolve("bool.npy");
    assertArrayEquals(rows(new double[][] {{1, 0, 1}, {0, 0, 1}}).toArray(), MatrixFiles.read(numpy, null).matrix.toArray());
    Path two = dir.resolve("two.npy"); // a nonzero byte other than 1 is true, as in NumPy
    Files.write(two, NpyTest.npy(1, "|b1", false, "1, 2", new byte[] {2, 0}));
    assertArrayEquals(new double[] {1, 0}, MatrixFiles.read(two, null).matrix.toArray());
    BlockMatrix b = DistributedFiles.blockMatrix(SharedSpark.jsc(), numpy.toString(), 2, 1);
    try {
      assertArrayEquals(MatrixFiles.read(numpy, null).matrix.toArray(), b.toLocalMatrix().toArray());
    } finally {
      b.blocks().unpersist(false);
    }
  }

  @Test
  void wellFormedArraysThatAreNotMatricesSaySo() {
    FormatsTest.assertFails(THIRD_PARTY.resolve("object.npy"), "object arrays are not matrices (dtype '|O'");
    FormatsTest.assertFails(THIRD_PARTY.resolve("structured.npy"),
        "structured dtype [('a', '<f8'), ('b', '<i4')] not supported");
    FormatsTest.assertFails(THIRD_PARTY.resolve("datetime.npy"), "datetime64 arrays are not matrices (dtype '<M8[ns]')");
    FormatsTest.assertFails(THIRD_PARTY.resolve("timedelta.npy"), "timedelta64 arrays are not matrices (dtype '<m8[s]')");
    FormatsTest.assertFails(THIRD_PARTY.resolve("unicode.npy"), "string arrays are not matrices (dtype '<U2')");
    AmmFormatException e = assertThrows(AmmFormatException.class,
        () -> MatrixFiles.read(THIRD_PARTY.resolve("object_member.npz"), "A"));
    assertTrue(e.getMessage().endsWith("object_member.npz[A]: object arrays are not matrices (dtype '|O' holds pickled "
        + "Python objects; save a numeric array, e.g. a.astype(float))"), e.getMessage());
    assertArrayEquals(new double[] {1, 0, 0, 1}, MatrixFiles.read(THIRD_PARTY.resolve("object_member.npz"), "B").matrix.toArray());
  }

  /** The N-d writer gives what numpy.save gives, byte for byte. */
  @Test
  void npyWriterMatchesNumpyByteForByte() throws IOException {
    double[] quarterSteps = new double[24];
    for (int i = 0; i < 24; i++) {
      quarterSteps[i] = i / 4.0;
    }
    Object[][] cases = {
        {"arange_2x3x4_f4.npy", new long[] {2, 3, 4}, quarterSteps, DType.F4},
        {"vector_i8.npy", new long[] {3}, new double[] {-3, 0, 1L << 40}, DType.I8},
        {"scalar_f8.npy", new long[0], new double[] {2.5}, DType.F8},
        {"bool.npy", new long[] {2, 3}, new double[] {1, 0, 1, 0, 0, 1}, DType.B1}};
    for (Object[] c : cases) {
      Path out = dir.resolve((String) c[0]);
      Npy.write(out, (long[]) c[1], (double[]) c[2], (DType) c[3]);
      assertArrayEquals(Files.readAllBytes(THIRD_PARTY.resolve((String) c[0])), Files.readAllBytes(out), (String) c[0]);
    }
  }

  /** binary16: every half survives the round trip, and doubles round to the nearest half, ties to even. */
  @Test
  void halfPrecisionRoundsToNearestEven() {
    float[] finite = new float[0x7c00]; // the non-negative finite halves, in increasing order
    for (int h = 0; h < 0x7c00; h++) {
      finite[h] = Half.toFloat((short) h);
      assertEquals(h, Half.fromDouble(finite[h]) & 0xffff, "half " + h);
      assertEquals(h | 0x8000, Half.fromDouble(-finite[h]) & 0xffff, "half -" + h);
    }
    Random r = new Random(5);
    for (int t = 0; t < 20000; t++) {
      int lo = r.nextInt(0x7bff);
      double x = t % 2 == 0 ? finite[lo] + (finite[lo + 1] - finite[lo]) * r.nextDouble()
          : (finite[lo] + finite[lo + 1]) / 2.0; // exact midpoints (halves are exact doubles)
      double dLo = x - finite[lo];
      double dHi = finite[lo + 1] - x;
      int expected = dLo < dHi ? lo : dHi < dLo ? lo + 1 : (lo % 2 == 0 ? lo : lo + 1);
      assertEquals(expected, Half.fromDouble(x) & 0xffff, "x = " + x);
    }
    assertEquals(0x7c00, Half.fromDouble(65520) & 0xffff); // halfway past 65504 rounds to even: infinity
    assertEquals(0x7bff, Half.fromDouble(65519.99) & 0xffff);
    assertEquals(0, Half.fromDouble(0x1.0p-25) & 0xffff); // half the smallest subnormal: ties to even zero
    assertEquals(1, Half.fromDouble(0x1.0p-25 + 0x1.0p-40) & 0xffff);
    assertTrue(Float.isNaN(Half.toFloat(Half.fromDouble(Double.NaN))));
  }
}
