package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.ReadFloor;

/**
 * The local engine's check that every input value is finite, at the speed of one read.
 *
 * <p>A sum of doubles is finite only if every term is (NaN + x is NaN, +-Inf + x is +-Inf or NaN),
 * so one parallel sum of the stored values ({@link ReadFloor#sum}) settles the common case; only a
 * non-finite sum, which finite values can also give by overflowing, is followed by the exact
 * value-by-value scan that decides and names the matrix. Cost: one read of the values (a second one
 * only when the sum is not finite).
 */
public final class FiniteInputs {
  /** Below this many values one thread sums them: a parallel read costs more than it saves. */
  private static final int PARALLEL_MIN = 1 << 16;

  private FiniteInputs() {}

  /** Throws a one-line error naming {@code name} and its shape when {@code m} holds a NaN or an infinite value. */
  public static void require(Matrix m, String name) {
    double[] values = m instanceof DenseMatrix ? ((DenseMatrix) m).values() : ((SparseMatrix) m).values();
    if (allFinite(values)) {
      return;
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new AmmArgumentException(name + " (" + m.numRows() + "x" + m.numCols()
            + ") contains NaN or infinite values");
      }
    }
  }

  /** True when the sum of {@code values} is finite, hence every value is; false may also mean an overflowing sum. */
  static boolean allFinite(double[] values) {
    double sum = values.length < PARALLEL_MIN ? ReadFloor.sum(values, 0, values.length) : ReadFloor.sum(values);
    return Double.isFinite(sum);
  }
}
