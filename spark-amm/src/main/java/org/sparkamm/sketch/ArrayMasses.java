package org.sparkamm.sketch;

import java.util.Arrays;

/** {@link InnerMasses} held in one local array. */
public final class ArrayMasses implements InnerMasses {
  private final double[] q;

  public ArrayMasses(double[] q) {
    this.q = q;
  }

  @Override
  public long size() {
    return q.length;
  }

  @Override
  public double[] chunkTotals() {
    double[] totals = new double[InnerMasses.chunkCount(q.length)];
    for (int c = 0; c < totals.length; c++) {
      totals[c] = InnerMasses.sum(Arrays.copyOfRange(q, c * CHUNK, Math.min(q.length, (c + 1) * CHUNK)));
    }
    return totals;
  }

  @Override
  public double[][] chunks(int[] chunkIds) {
    double[][] out = new double[chunkIds.length][];
    for (int t = 0; t < chunkIds.length; t++) {
      int c = chunkIds[t];
      out[t] = Arrays.copyOfRange(q, c * CHUNK, Math.min(q.length, (c + 1) * CHUNK));
    }
    return out;
  }
}
