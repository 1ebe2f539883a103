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

  /** The dimensions and element size of an IDX header, and where the data start. */
  static final class Header {
    final long[] dims;
    final int type;
    final int itemSize;
    final long dataOffset;

    Header(long[] dims, int type, int itemSize, long dataOffset) {
      this.dims = dims;
      this.type = type;
      this.itemSize = itemSize;
      this.dataOffset = dataOffset;
    }

    long rows() {
      return dims.length == 0 ? 1 : dims[0];
    }

    long cols() {
      long c = 1;
      for (int i = 1; i < dims.length; i++) {
        c *= dims[i];
      }
      return c;
    }
  }

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

  static Header header(BinaryInput in) {
    ByteBuffer magic = in.read(4, ByteOrder.BIG_ENDIAN);
    int type = magic.get(2) & 0xff;
    int ndim = magic.get(3) & 0xff;
    if (magic.get(0) != 0 || magic.get(1) != 0 || itemSize(type) < 0 || ndim < 1) {
      throw in.fail(String.format("not an IDX file (bad magic number %08x)", magic.getInt(0)));
    }
    ByteBuffer d = in.read(4 * ndim, ByteOrder.BIG_ENDIAN);
    long[] dims = new long[ndim];
    long count = 1;
    Header h;
    long needed;
    try {
      for (int i = 0; i < ndim; i++) {
        dims[i] = d.getInt() & 0xffffffffL;
        count = Math.multiplyExact(count, dims[i]);
      }
      h = new Header(dims, type, itemSize(type), 4 + 4L * ndim);
      needed = Math.multiplyExact(count, (long) h.itemSize);
    } catch (ArithmeticException e) {
      throw in.fail("IDX dimensions " + java.util.Arrays.toString(dims) + " overflow");
    }
    if (needed > in.size - h.dataOffset) {
      throw in.fail("truncated IDX file (header promises " + needed + " data bytes, the file holds "
          + (in.size - h.dataOffset) + ")");
    }
    return h;
  }

  public static DenseMatrix read(Path file) {
    try (BinaryInput in = BinaryInput.open(file)) {
      Header h = header(in);
      long rows = h.rows();
      long cols = h.cols();
      if (rows * cols > BinaryInput.MAX_ELEMENTS) {
        throw in.fail(rows + "x" + cols + " is too large for one local matrix");
      }
      double[] v = new double[(int) (rows * cols)];
      int chunk = 1 << 16;
      for (int done = 0; done < v.length; ) {
        int n = Math.min(chunk, v.length - done);
        ByteBuffer bb = in.read(n * h.itemSize, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < n; i++) {
          v[done + i] = element(bb, h.type);
        }
        done += n;
      }
      return new DenseMatrix((int) rows, (int) cols, v, rows > 0 && cols > 0); // row-major data
    }
  }

  static double element(ByteBuffer bb, int type) {
    switch (type) {
      case 0x08:
        return bb.get() & 0xff;
      case 0x09:
        return bb.get();
      case 0x0B:
        return bb.getShort();
      case 0x0C:
        return bb.getInt();
      case 0x0D:
        return bb.getFloat();
      default:
        return bb.getDouble();
    }
  }
}
