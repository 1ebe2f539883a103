package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * Files written by NumPy itself (data/samples, see data/make_samples.py): every reader must give
 * entry (i, j) = 10 i + j + 0.5 of the 6 x 4 sample (minus 0.5 for the int16 file, transposed for B).
 */
class SamplesTest {
  private static final Path SAMPLES = Path.of("..", "data", "samples");

  private static void assertSample(DenseMatrix m, double shift, boolean transposed, String what) {
    int rows = transposed ? 4 : 6;
    int cols = transposed ? 6 : 4;
    assertEquals(rows, m.numRows(), what);
    assertEquals(cols, m.numCols(), what);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        int r = transposed ? j : i;
        int c = transposed ? i : j;
        assertEquals(10 * r + c + 0.5 - shift, m.apply(i, j), 0, what + " (" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void everyNumpyLayoutAndEveryFormatReadsTheSameMatrix() {
    for (String f : new String[] {"m_f8_c.npy", "m_f4_fortran.npy", "m_f8_bigendian.npy", "m_f2.npy", "m_transposed_view.npy",
        "m.mtx", "m.fvecs"}) {
      assertSample(MatrixFiles.read(SAMPLES.resolve(f), null).matrix, 0, false, f);
    }
    assertSample(MatrixFiles.read(SAMPLES.resolve("m_i2.npy"), null).matrix, 0.5, false, "m_i2.npy");
    assertTrue(MatrixFiles.read(SAMPLES.resolve("m_f4_fortran.npy"), null).float32);
    for (String f : new String[] {"m_pair.npz", "m_pair_compressed.npz"}) {
      assertSample(MatrixFiles.read(SAMPLES.resolve(f), "A").matrix, 0, false, f + "[A]");
      assertSample(MatrixFiles.read(SAMPLES.resolve(f), "B").matrix, 0, true, f + "[B]");
    }
  }
}
