package org.sparkamm.spark;

import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;

/** Small loops over Spark's local vectors, without boxing. */
final class Vectors2 {
  private Vectors2() {}

  /** The vector of an indexed row, checked to have {@code dim} entries (one-line error otherwise). */
  static Vector checked(org.apache.spark.mllib.linalg.distributed.IndexedRow row, int dim) {
    Vector v = row.vector();
    if (v.size() != dim) {
      throw new org.sparkamm.error.AmmArgumentException(
          "row " + row.index() + " has " + v.size() + " entries, expected " + dim);
    }
    return v;
  }

  /** Adds {@code b} into {@code a} elementwise and returns a: the merge of partial sums. */
  static double[] plus(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  static double normSquared(Vector v) {
    double[] values = v instanceof DenseVector ? ((DenseVector) v).values() : ((SparseVector) v).values();
    double s = 0;
    for (double x : values) {
      s += x * x;
    }
    return s;
  }

  /** Writes v as row {@code row} of a column-major batch with leading dimension ld (the batch is zeroed). */
  static void copyInto(Vector v, double[] batch, int row, int ld) {
    if (v instanceof DenseVector) {
      double[] values = ((DenseVector) v).values();
      for (int j = 0; j < values.length; j++) {
        batch[row + j * ld] = values[j];
      }
    } else {
      SparseVector s = (SparseVector) v;
      int[] idx = s.indices();
      double[] values = s.values();
      for (int t = 0; t < idx.length; t++) {
        batch[row + idx[t] * ld] = values[t];
      }
    }
  }
}
