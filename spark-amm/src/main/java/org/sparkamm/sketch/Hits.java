package org.sparkamm.sketch;

/**
 * What a sketch does to a contiguous range of inner indices: for each hit {@code t < count}, the
 * inner index {@code start + local[t]} is added, times {@code coef[t]}, into sketch column
 * {@code bucket[t]}. Inner indices without a hit do not enter the sketch.
 */
public final class Hits {
  public final int count;
  public final int[] local;
  public final int[] bucket;
  public final double[] coef;

  public Hits(int count, int[] local, int[] bucket, double[] coef) {
    this.count = count;
    this.local = local;
    this.bucket = bucket;
    this.coef = coef;
  }

  /** For each local index in [0, len): its bucket, or -1 when it has no hit (one hit at most per index). */
  public int[] bucketByLocal(int len) {
    int[] out = new int[len];
    java.util.Arrays.fill(out, -1);
    for (int t = 0; t < count; t++) {
      out[local[t]] = t;
    }
    return out;
  }
}
