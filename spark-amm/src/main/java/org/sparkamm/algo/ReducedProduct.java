package org.sparkamm.algo;

import java.io.Serializable;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.sketch.SketchedBlock;

/**
 * How the sketches of a block row of A and a block column of B become that block of C. By default
 * {@code C = (A S^T)(B^T S^T)^T}, one dgemm of O(rows l cols); an algorithm may use a range of the
 * sketch's columns (the repeat {@code tugOfWar} chose) or rescale the result ({@code smp-pca}).
 * Serializable: Spark runs it where the sketches are, on that JVM's backend.
 */
public interface ReducedProduct extends Serializable {
  /** The rows(a) x rows(b) block of C, column-major, its product computed by {@code backend}. */
  double[] multiply(SketchedBlock a, SketchedBlock b, ComputeBackend backend);

  /** The plain product of the whole sketches. */
  static ReducedProduct plain() {
    return columns(0, -1);
  }

  /** The product of the sketches' columns [from, to); to = -1 means all of them. */
  static ReducedProduct columns(int from, int to) {
    return (a, b, backend) -> {
      int end = to < 0 ? a.width : to;
      double[] c = new double[Math.multiplyExact(a.rows, b.rows)];
      backend.dgemm(false, true, a.rows, b.rows, end - from, 1.0, a.values, from * a.rows, a.rows,
          b.values, from * b.rows, b.rows, 0.0, c, 0, a.rows);
      return c;
    };
  }
}
