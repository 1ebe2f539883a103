package org.sparkamm.quant;

import java.io.Serializable;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;

/**
 * One block of an operand, quantized where it lies and stored in as few bytes as its mode needs:
 * 1 byte per entry (INT8), 2 (INT16), half a byte (INT4, two's-complement nibbles, two per byte) or 4
 * (FP32, a float32 copy). Entries are row-major: an A block is rows x inner, a B block inner x cols.
 * The scales are not stored: they belong to A's rows and B's columns, and are applied once to each
 * output entry.
 */
public final class QuantizedTile implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The block's index in the operand's block grid (block row, block column). */
  public final int blockRow;
  public final int blockCol;
  public final int rows;
  public final int cols;
  public final FpMode mode;
  private final byte[] bytes;
  private final short[] shorts;
  private final float[] floats;

  private QuantizedTile(int blockRow, int blockCol, int rows, int cols, FpMode mode, byte[] bytes, short[] shorts,
      float[] floats) {
    this.blockRow = blockRow;
    this.blockCol = blockCol;
    this.rows = rows;
    this.cols = cols;
    this.mode = mode;
    this.bytes = bytes;
    this.shorts = shorts;
    this.floats = floats;
  }

  /**
   * The rectangle [r0, r1) x [c0, c1) of {@code block} in {@code mode}: integers with the scales of
   * its rows ({@code byRow}, an A block) or of its columns (a B block), indexed like the block's own
   * rows or columns; for FP32 the scales are not read.
   */
  public static QuantizedTile of(int blockRow, int blockCol, Matrix block, int r0, int r1, int c0, int c1,
      FpMode mode, double[] scales, boolean byRow) {
    int rows = r1 - r0;
    int cols = c1 - c0;
    int n = Math.multiplyExact(rows, cols);
    if (mode == FpMode.FP32) {
      DenseMatrix d = block instanceof DenseMatrix ? (DenseMatrix) block : ((SparseMatrix) block).toDense();
      float[] f = new float[n];
      for (int i = r0; i < r1; i++) {
        for (int j = c0; j < c1; j++) {
          f[(i - r0) * cols + j - c0] = (float) d.apply(i, j);
        }
      }
      return new QuantizedTile(blockRow, blockCol, rows, cols, mode, null, null, f);
    }
    int[] q = new int[n];
    Quantizer.toInts(block, r0, r1, c0, c1, scales, byRow, mode.levels, q);
    switch (mode) {
      case INT8: {
        byte[] b = new byte[n];
        for (int t = 0; t < n; t++) {
          b[t] = (byte) q[t];
        }
        return new QuantizedTile(blockRow, blockCol, rows, cols, mode, b, null, null);
      }
      case INT16: {
        short[] s = new short[n];
        for (int t = 0; t < n; t++) {
          s[t] = (short) q[t];
        }
        return new QuantizedTile(blockRow, blockCol, rows, cols, mode, null, s, null);
      }
      case INT4: {
        byte[] b = new byte[(n + 1) / 2];
        for (int t = 0; t < n; t++) {
          b[t >> 1] |= (byte) ((q[t] & 0xF) << ((t & 1) << 2));
        }
        return new QuantizedTile(blockRow, blockCol, rows, cols, mode, b, null, null);
      }
      default:
        throw new IllegalArgumentException(mode + " is not stored as tiles");
    }
  }

  /** The whole block (see {@link #of(int, int, Matrix, int, int, int, int, FpMode, double[], boolean)}). */
  public static QuantizedTile of(int blockRow, int blockCol, Matrix block, FpMode mode, double[] scales,
      boolean byRow) {
    return of(blockRow, blockCol, block, 0, block.numRows(), 0, block.numCols(), mode, scales, byRow);
  }

  /** The integer entries, row-major (integer modes). */
  public int[] ints() {
    int n = rows * cols;
    int[] q = new int[n];
    switch (mode) {
      case INT8:
        for (int t = 0; t < n; t++) {
          q[t] = bytes[t];
        }
        return q;
      case INT16:
        for (int t = 0; t < n; t++) {
          q[t] = shorts[t];
        }
        return q;
      case INT4:
        for (int t = 0; t < n; t++) {
          q[t] = (bytes[t >> 1] << (28 - ((t & 1) << 2))) >> 28; // sign-extend the nibble
        }
        return q;
      default:
        throw new IllegalStateException(mode + " tiles hold floats");
    }
  }

  /** The float32 entries, row-major (FP32). */
  public float[] floats() {
    if (floats == null) {
      throw new IllegalStateException(mode + " tiles hold integers");
    }
    return floats;
  }

  /** Bytes of the entries: what this tile costs in a shuffle, besides a few dozen bytes of header. */
  public long payloadBytes() {
    return (long) rows * cols * mode.bits / 8 + (mode == FpMode.INT4 ? (rows * cols) & 1 : 0);
  }
}
