package org.sparkamm.sketch;

import java.io.Serializable;

/**
 * A finished sketch of some outer rows: {@code M S^T} (rows x width, column-major), and, when the
 * algorithm asked for them, the exact squared norms of those rows of M.
 */
public final class SketchedBlock implements Serializable {
  private static final long serialVersionUID = 1L;
  public final double[] values;
  public final int rows;
  public final int width;
  /** ||M[r, :]||^2 for every row r, or null. */
  public final double[] outerNorms2;

  public SketchedBlock(double[] values, int rows, int width, double[] outerNorms2) {
    this.values = values;
    this.rows = rows;
    this.width = width;
    this.outerNorms2 = outerNorms2;
  }
}
