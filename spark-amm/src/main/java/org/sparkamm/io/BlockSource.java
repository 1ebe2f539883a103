package org.sparkamm.io;

import java.io.Serializable;
import org.apache.spark.mllib.linalg.DenseMatrix;

/**
 * A matrix any block of which can be produced on its own, in any executor, equal to the same slice
 * of the whole: generated data keyed by (seed, row, column). Spark builds distributed matrices
 * from it without passing data through the driver.
 */
public interface BlockSource extends Serializable {
  long rows();

  long cols();

  /** Rows [row0, row0 + rows) and columns [col0, col0 + cols), column-major. */
  DenseMatrix block(long row0, int rows, long col0, int cols);
}
