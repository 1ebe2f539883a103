package org.sparkamm.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/**
 * Where the values of a flat binary matrix file lie: {@code records} fixed-size records of
 * {@code width} elements, each record {@code prefix} bytes of record header (the dimension of a
 * {@code .fvecs} vector) then the elements, starting at {@code dataOffset}. A record is a row of
 * the matrix, or a column when {@code columnsAreRecords} (a Fortran-order {@code .npy}). Because
 * every record has the same size, any range of records can be read by position alone: this is what
 * lets executors read their own rows of a file in parallel, with nothing passing through the driver.
 * Headers are validated against the file size when the layout is built.
 */
public final class RowLayout implements Serializable {
  private static final long serialVersionUID = 1L;
  public final String file;
  public final long records;
  public final int width;
  public final long dataOffset;
  public final int prefix;
  public final DType dtype;
  public final boolean bigEndian;
  public final boolean columnsAreRecords;

  RowLayout(String file, long records, int width, long dataOffset, int prefix, DType dtype, boolean bigEndian,
      boolean columnsAreRecords) {
    this.file = file;
    this.records = records;
    this.width = width;
    this.dataOffset = dataOffset;
    this.prefix = prefix;
    this.dtype = dtype;
    this.bigEndian = bigEndian;
    this.columnsAreRecords = columnsAreRecords;
  }

  public long recordBytes() {
    return prefix + (long) width * dtype.size;
  }

  public long matrixRows() {
    return columnsAreRecords ? width : records;
  }

  public long matrixCols() {
    return columnsAreRecords ? records : width;
  }

  /**
   * Decodes {@code count} whole records held in {@code buf} into {@code out} (record after record,
   * {@code width} values each, from {@code outOffset}), checking each record's prefix if it has one.
   */
  public void decode(byte[] buf, int count, double[] out, int outOffset, long firstRecord) {
    ByteBuffer bb = ByteBuffer.wrap(buf).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int o = outOffset;
    for (int r = 0; r < count; r++) {
      if (prefix == 4) {
        int d = bb.getInt();
        if (d != width) {
          throw new AmmFormatException(file + ": record " + (firstRecord + r) + " has dimension " + d
              + ", the first has " + width);
        }
      }
      for (int j = 0; j < width; j++) {
        out[o++] = dtype.decode(bb);
      }
    }
  }

  /** Decodes {@code count} elements held back to back in {@code buf} (parts of records, no prefixes). */
  public void decodeElements(byte[] buf, int count, double[] out, int outOffset) {
    ByteBuffer bb = ByteBuffer.wrap(buf).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (int t = 0; t < count; t++) {
      out[outOffset + t] = dtype.decode(bb);
    }
  }

  /** Checks the prefix of one record read on its own (4 bytes in {@code buf}). */
  public void checkPrefix(byte[] buf, long record) {
    int d = ByteBuffer.wrap(buf).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).getInt();
    if (d != width) {
      throw new AmmFormatException(file + ": record " + record + " has dimension " + d + ", the first has " + width);
    }
  }

  /** Reads the whole matrix from a stream positioned at the first record, into one local matrix. */
  public DenseMatrix readLocal(InputStream in) throws IOException {
    long count = records * (long) width;
    if (count > Integer.MAX_VALUE - 8) {
      throw new AmmFormatException(file + ": " + matrixRows() + "x" + matrixCols()
          + " is too large for one local matrix (load it on Spark)");
    }
    double[] v = new double[(int) count];
    int perChunk = (int) Math.max(1, (1 << 20) / Math.max(1, recordBytes()));
    byte[] buf = new byte[(int) Math.min(Integer.MAX_VALUE - 8, perChunk * recordBytes())];
    for (long r = 0; r < records; r += perChunk) {
      int n = (int) Math.min(perChunk, records - r);
      int bytes = (int) (n * recordBytes());
      if (in.readNBytes(buf, 0, bytes) < bytes) {
        throw new AmmFormatException(file + ": truncated file");
      }
      decode(buf, n, v, (int) (r * width), r);
    }
    int rows = (int) matrixRows();
    int cols = (int) matrixCols();
    // Records in sequence are the row-major values of the matrix, or the column-major ones.
    return new DenseMatrix(rows, cols, v, !columnsAreRecords && rows > 0 && cols > 0);
  }

  /** Checks that the data fit the file exactly (or at least, when {@code trailingAllowed}). */
  void checkSize(long fileSize, boolean trailingAllowed) {
    long needed;
    try {
      needed = Math.addExact(dataOffset, Math.multiplyExact(records, recordBytes()));
    } catch (ArithmeticException e) {
      throw new AmmFormatException(file + ": sizes " + records + "x" + width + " overflow");
    }
    if (needed > fileSize) {
      throw new AmmFormatException(file + ": truncated file (header promises " + (needed - dataOffset)
          + " data bytes, the file holds " + (fileSize - dataOffset) + ")");
    }
    if (needed < fileSize && !trailingAllowed) {
      throw new AmmFormatException(file + ": " + (fileSize - needed) + " unexpected bytes after the " + matrixRows()
          + "x" + matrixCols() + " array");
    }
  }
}
