package org.sparkamm.codebook;

import java.io.Serializable;

/**
 * What a piece of the inner dimension tells about the codes of a set of rows: for each row r,
 * subspace c and w &lt; W, a number additive over disjoint pieces of the inner dimension. For
 * nearest-codeword encoding (W = K codewords) it is the partial dot product x_r . P_{c,w} over the
 * piece's inner indices; for hash trees (W = 4 levels) it is the value of the coordinate compared at
 * level w when the piece holds it, else 0. Pieces add up ({@link #merge}) to the full numbers, from
 * which {@link Encoder#codes} picks each row's code: so a matrix whose blocks split a subspace is
 * encoded where its blocks lie, shuffling rows x C x W numbers instead of the rows themselves
 * (cheaper when W &lt; the subspace width D_c: 16 / D_c of A for pq-raw, 4 / D_c for pq-hash).
 *
 * <p>Layout: values[(c W + w) rows + r].
 */
public final class PartialCodes implements Serializable {
  private static final long serialVersionUID = 1L;
  final int rows;
  final double[] values;

  PartialCodes(int rows, int length) {
    this.rows = rows;
    this.values = new double[length];
  }

  public int rows() {
    return rows;
  }

  /** Adds {@code other} (the same rows, another piece of the inner dimension) into this; returns this. */
  public PartialCodes merge(PartialCodes other) {
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
    return this;
  }
}
