package org.sparkamm.sketch;

import java.util.Arrays;

/**
 * A column-row sample as a sketch: the distinct sampled inner indices in increasing order, each with
 * the weight w_i of its pair, so that {@code C = sum_i w_i a_i b_i}. Sketch column t holds the
 * t-th sampled index; A's side carries the weight, B's side the plain row.
 */
public final class SampledSketch implements InnerSketch {
  private static final long serialVersionUID = 1L;
  private final long[] indices;
  private final double[] weights;

  /** @param indices strictly increasing inner indices; @param weights their pair weights */
  public SampledSketch(long[] indices, double[] weights) {
    this.indices = indices;
    this.weights = weights;
  }

  @Override
  public boolean perIndex() {
    return true;
  }

  @Override
  public int width() {
    return indices.length;
  }

  public long[] indices() {
    return indices.clone();
  }

  public double[] weights() {
    return weights.clone();
  }

  /** A's side is B's times the pair weights: column t of the sketch holds w_t a_i on A's side, b_i on B's. */
  @Override
  public double[] sideAFactors() {
    return weights.clone();
  }

  @Override
  public Hits slice(long start, int len, Side side) {
    int from = lowerBound(start);
    int to = lowerBound(start + len);
    int count = to - from;
    int[] local = new int[count];
    int[] bucket = new int[count];
    double[] coef = new double[count];
    for (int t = 0; t < count; t++) {
      local[t] = (int) (indices[from + t] - start);
      bucket[t] = from + t;
      coef[t] = side == Side.A ? weights[from + t] : 1.0;
    }
    return new Hits(count, local, bucket, coef);
  }

  private int lowerBound(long value) {
    int pos = Arrays.binarySearch(indices, value);
    return pos >= 0 ? pos : -pos - 1;
  }
}
