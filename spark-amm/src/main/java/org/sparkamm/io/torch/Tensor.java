package org.sparkamm.io.torch;

import java.util.Arrays;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/** A tensor read from a PyTorch file: its shape, its dtype's name and its values in C (row-major) order. */
public final class Tensor {
  public final String name;
  public final String dtype;
  public final long[] shape;
  public final double[] values;

  Tensor(String name, String dtype, long[] shape, double[] values) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape;
    this.values = values;
  }

  /**
   * As a matrix: 2-D tensors as they are, 1-D as a column, higher ranks with the leading dimensions
   * folded into rows (shape (d0, ..., dk) becomes (d0 ... d(k-1)) x dk). A scalar is 1 x 1.
   */
  public DenseMatrix toMatrix(String file) {
    long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
    long rows = shape.length == 0 ? 1 : values.length / Math.max(1, cols);
    if (shape.length == 1) {
      rows = shape[0];
      cols = 1;
    }
    if (rows * cols != values.length) {
      throw new AmmFormatException(file + ": tensor '" + name + "' of shape " + Arrays.toString(shape)
          + " cannot be seen as a matrix");
    }
    return new DenseMatrix((int) rows, (int) cols, values, shape.length != 1 && rows > 0 && cols > 0);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
