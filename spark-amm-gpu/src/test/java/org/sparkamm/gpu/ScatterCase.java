package org.sparkamm.gpu;

import java.util.SplittableRandom;

/** A random scatter-add: v with {@code columns} columns (offset 3, padded ld), hits with repeated buckets and columns. */
final class ScatterCase {
  final double[] v;
  final int ld;
  final int count;
  final int[] local;
  final int[] bucket;
  final double[] coef;
  final double[] out;
  final int outLd;

  private ScatterCase(double[] v, int ld, int count, int[] local, int[] bucket, double[] coef, double[] out, int outLd) {
    this.v = v;
    this.ld = ld;
    this.count = count;
    this.local = local;
    this.bucket = bucket;
    this.coef = coef;
    this.out = out;
    this.outLd = outLd;
  }

  /** rows of v and out, {@code columns} columns of v, {@code hits} hits (arrays 2 longer than count) into {@code buckets} buckets. */
  static ScatterCase random(SplittableRandom random, int rows, int columns, int hits, int buckets) {
    int ld = rows + 2;
    double[] v = random.doubles(3 + (long) ld * columns, -1, 1).toArray();
    int[] local = new int[hits + 2];
    int[] bucket = new int[hits + 2];
    double[] coef = new double[hits + 2];
    for (int t = 0; t < hits + 2; t++) {
      local[t] = random.nextInt(columns);
      bucket[t] = random.nextInt(buckets);
      coef[t] = random.nextBoolean() ? 1 : random.nextDouble(-2, 2);
    }
    int outLd = rows + 1;
    double[] out = random.doubles((long) outLd * buckets, -1, 1).toArray();
    return new ScatterCase(v, ld, hits, local, bucket, coef, out, outLd);
  }
}
