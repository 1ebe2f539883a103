package org.sparkamm.io;

import org.apache.spark.mllib.linalg.DenseMatrix;

/** A matrix read from a file, and whether the file stored it in single precision (float32). */
public final class LoadedMatrix {
  public final DenseMatrix matrix;
  public final boolean float32;

  public LoadedMatrix(DenseMatrix matrix, boolean float32) {
    this.matrix = matrix;
    this.float32 = float32;
  }
}
