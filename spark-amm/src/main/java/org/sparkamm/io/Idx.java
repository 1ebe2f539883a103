package org.sparkamm.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;

/**
 * The IDX format of MNIST (LeCun et al.): two zero bytes, a type byte (0x08 unsigned byte, 0x09
 * signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, the
 * dimensions as big-endian int32, then the big-endian data. Read as a matrix with one row per
 * entry of the first dimension (an idx3 image file of 60000 x 28 x 28 becomes 60000 x 784; an idx1
 * label file becomes a column). The header is checked against the file size before allocation.
 */
public final class Idx {
  private Idx() {}

  static boolean looksLikeIdx(byte[] head) {
    return head.length >= 4 && head[0] == 0 && head[1] == 0 && itemSize(head[2] & 0xff) > 0
        && (head[3] & 0xff) >= 1 && (head[3] & 0xff) <= 8;
  }

  private static int itemSize(int type) {
    switch (type) {
      case 0x08:
      case 0x09:
        return 1;
      case 0x0B:
        return 2;
      case 0x0C:
      case 0x0D:
        return 4;
      case 0x0E:
        return 8;
      default:
        return -1;
    }
  }

  /** Reads and checks an IDX header; the input is left at the first data byte. */
  static RowLayout layout(BinaryInput in) {
    ByteBuffer magic = in.read(4, ByteOrder.BIG_ENDIAN);
    int type = magic.get(2) & 0xff;
    int ndim = magic.get(3) & 0xff;
    if (magic.get(0) != 0 || magic.get(1) != 0 || itemSize(type) < 0 || ndim < 1) {
      throw in.fail(String.format("not an IDX file (bad magic number %08x)", magic.getInt(0)));
    }
    ByteBuffer d = in.read(4 * ndim, ByteOrder.BIG_ENDIAN);
    long[] dims = new long[ndim];
    long width = 1;
    for (int i = 0; i < ndim; i++) {
      dims[i] = d.getInt() & 0xffffffffL;
      if (i > 0) {
        width *= dims[i];
        if (width > Integer.MAX_VALUE - 8) {
          throw in.fail("IDX dimensions " + java.util.Arrays.toString(java.util.Arrays.copyOf(dims, i + 1))
              + " overflow");
        }
      }
    }
    DType dtype = type == 0x08 ? DType.U1 : type == 0x09 ? DType.I1 : type == 0x0B ? DType.I2
        : type == 0x0C ? DType.I4 : type == 0x0D ? DType.F4 : DType.F8;
    RowLayout layout = new RowLayout(in.name, dims[0], (int) width, 4 + 4L * ndim, 0, dtype, true, false);
    layout.checkSize(in.size, true);
    return layout;
  }

  public static DenseMatrix read(Path file) {
    try (BinaryInput in = BinaryInput.open(file)) {
      return in.readLocal(layout(in));
    }
  }
}
