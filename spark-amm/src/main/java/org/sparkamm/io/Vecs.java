package org.sparkamm.io;

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

  /** Reads and checks the first record's dimension against the file size; the input is left at the start. */
  static RowLayout layout(BinaryInput in, String fileName) {
    int item = itemSize(fileName);
    if (item < 0) {
      throw in.fail("not a .fvecs, .ivecs or .bvecs file name");
    }
    if (in.size < 4) {
      throw in.fail("empty or truncated vector file");
    }
    long dim = in.peekInt(ByteOrder.LITTLE_ENDIAN);
    if (dim < 1 || dim > 1 << 24) {
      throw in.fail("implausible vector dimension " + dim + " in the first record");
    }
    long record = 4 + dim * item;
    if (in.size % record != 0) {
      throw in.fail("size " + in.size + " is not a whole number of " + record + "-byte records (dimension " + dim + ")");
    }
    String lower = fileName.toLowerCase(Locale.ROOT);
    DType dtype = lower.endsWith(".fvecs") ? DType.F4 : lower.endsWith(".ivecs") ? DType.I4 : DType.U1;
    return new RowLayout(in.name, in.size / record, (int) dim, 0, 4, dtype, false, false);
  }

  public static DenseMatrix read(Path file) {
    try (BinaryInput in = BinaryInput.open(file)) {
      return in.readLocal(layout(in, file.getFileName().toString()));
    }
  }
}
