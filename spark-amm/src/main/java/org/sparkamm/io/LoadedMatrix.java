package org.sparkamm.io;

import org.apache.spark.mllib.linalg.DenseMatrix;

/**
 * A matrix read from a file, whether the file stored it in single precision (float32), and what
 * the reader did to the file's shape to make it a matrix, if anything (null when nothing): e.g.
 * "tensor 'prototypes' of shape (10, 16, 100) read as a 160x100 matrix (leading dimensions folded into rows)".
 */
public final class LoadedMatrix {
  public final DenseMatrix matrix;
  public final boolean float32;
  public final String note;

  public LoadedMatrix(DenseMatrix matrix, boolean float32) {
    this(matrix, float32, null);
  }

  public LoadedMatrix(DenseMatrix matrix, boolean float32, String note) {
    this.matrix = matrix;
    this.float32 = float32;
    this.note = note;
  }
}
