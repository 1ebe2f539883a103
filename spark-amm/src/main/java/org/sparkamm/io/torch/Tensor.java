package org.sparkamm.io.torch;

import java.util.Arrays;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/**
 * A tensor read from a PyTorch file, with its own shape: {@code values} holds its elements in C
 * (row-major) order, so element (i0, ..., ik) is {@code values[((i0 * shape[1] + i1) * shape[2] + ...) + ik]}.
 * {@code dtype} is PyTorch's name of the stored type: float32, float64, float16, bfloat16, int64,
 * int32, int16, int8, uint8 or bool. Every value is a double: exact for all of them but int64
 * values beyond ±2^53, rounded to the nearest double ({@link #isExact} says whether any was); bool
 * is 0 or 1. A 0-D tensor (a scalar) has an empty shape and one value.
 */
public final class Tensor {
  public final String name;
  public final String dtype;
  public final long[] shape;
  public final double[] values;
  private final boolean exact;

  Tensor(String name, String dtype, long[] shape, double[] values, boolean exact) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape;
    this.values = values;
    this.exact = exact;
  }

  /** The number of dimensions (0 for a scalar). */
  public int rank() {
    return shape.length;
  }

  /** False when an int64 value lay beyond ±2^53 and was rounded to the nearest double. */
  public boolean isExact() {
    return exact;
  }

  /**
   * As a matrix: 2-D tensors as they are, 1-D as a column, higher ranks with the leading dimensions
   * folded into rows (shape (d0, ..., dk) becomes (d0 ... d(k-1)) x dk). A scalar is 1 x 1.
   */
  public DenseMatrix toMatrix(String file) {
    long[] rc = matrixShape();
    long rows = rc[0];
    long cols = rc[1];
    if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE || rows * cols != values.length) {
      throw new AmmFormatException(file + ": tensor '" + name + "' of shape " + Arrays.toString(shape)
          + " cannot be seen as a matrix");
    }
    return new DenseMatrix((int) rows, (int) cols, values, shape.length != 1 && rows > 0 && cols > 0);
  }

  /**
   * What {@link #toMatrix} does to the shape, for messages: null for a 2-D tensor, else e.g.
   * "tensor 'prototypes' of shape (10, 16, 100) read as a 160x100 matrix (leading dimensions folded into rows)".
   */
  public String matrixNote() {
    if (shape.length == 2) {
      return null;
    }
    long[] rc = matrixShape();
    String how = shape.length == 0 ? "a scalar" : shape.length == 1 ? "a vector, as a column" : "leading dimensions folded into rows";
    return "tensor '" + name + "' of shape " + shapeText() + " read as a " + rc[0] + "x" + rc[1] + " matrix (" + how + ")";
  }

  /** Rows and columns of {@link #toMatrix}: the product of the leading dimensions, and the last (1 for ranks 0 and 1). */
  private long[] matrixShape() {
    long rows = 1;
    for (int d = 0; d < shape.length - 1; d++) {
      rows = shape[d] != 0 && rows > Long.MAX_VALUE / shape[d] ? Long.MAX_VALUE : rows * shape[d];
    }
    return shape.length == 1 ? new long[] {shape[0], 1} : new long[] {rows, shape.length == 0 ? 1 : shape[shape.length - 1]};
  }

  /** The shape as Python writes it: (10, 16, 100), (5,), (). */
  public String shapeText() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i > 0 ? ", " : "").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
