package org.sparkamm.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.mllib.linalg.DenseMatrix;

/**
 * The TEXMEX vector formats of SIFT1M/GIST1M (Jégou et al.): {@code .fvecs} (float32),
 * {@code .ivecs} (int32) and {@code .bvecs} (uint8). Each record is a little-endian int32 dimension d
 * followed by d values; every record must have the same d, and the file size must be a whole
 * number of records. Read as a matrix with one row per vector.
 */
public final class Vecs {
  private Vecs() {}

  /** The element size of a file by its extension, or -1. */
  static int itemSize(String fileName) {
    String f = fileName.toLowerCase(Locale.ROOT);
    return f.endsWith(".fvecs") ? 4 : f.endsWith(".ivecs") ? 4 : f.endsWith(".bvecs") ? 1 : -1;
  }

  public static DenseMatrix read(Path file) {
    String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int item = itemSize(fileName);
    boolean floats = fileName.endsWith(".fvecs");
    try (BinaryInput in = BinaryInput.open(file)) {
      if (item < 0) {
        throw in.fail("not a .fvecs, .ivecs or .bvecs file name");
      }
      if (in.size == 0) {
        return new DenseMatrix(0, 0, new double[0]);
      }
      long dim = in.read(4, ByteOrder.LITTLE_ENDIAN).getInt(0);
      if (dim < 1 || dim > 1 << 24) {
        throw in.fail("implausible vector dimension " + dim + " in the first record");
      }
      long record = 4 + dim * item;
      if (in.size % record != 0) {
        throw in.fail("size " + in.size + " is not a whole number of " + record + "-byte records (dimension " + dim + ")");
      }
      long rows = in.size / record;
      if (rows * dim > BinaryInput.MAX_ELEMENTS) {
        throw in.fail(rows + "x" + dim + " is too large for one local matrix");
      }
      double[] v = new double[(int) (rows * dim)];
      for (long r = 0; r < rows; r++) {
        if (r > 0) {
          int d = in.read(4, ByteOrder.LITTLE_ENDIAN).getInt(0);
          if (d != dim) {
            throw in.fail("record " + r + " has dimension " + d + ", the first has " + dim);
          }
        }
        ByteBuffer bb = in.read((int) (dim * item), ByteOrder.LITTLE_ENDIAN);
        int base = (int) (r * dim);
        for (int j = 0; j < dim; j++) {
          v[base + j] = item == 1 ? bb.get() & 0xff : floats ? bb.getFloat() : bb.getInt();
        }
      }
      return new DenseMatrix((int) rows, (int) dim, v, true); // one vector per row: row-major
    }
  }
}
