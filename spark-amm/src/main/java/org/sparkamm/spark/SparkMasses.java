package org.sparkamm.spark;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.InnerStats;
import org.sparkamm.sketch.InnerMasses;

/**
 * Norm-weighted sampling masses q_i = ||a_i|| ||b_i|| held distributed, one array per chunk of
 * inner indices, built from the squared column norms of A and squared row norms of B (each gathered
 * by {@link InnerChunks}, then joined by chunk). The driver receives one total per chunk and the
 * arrays of the chunks that draws land in, never all n masses. Call {@link #release()} when done.
 */
final class SparkMasses implements InnerMasses, InnerNorms {
  private final long n;
  private final JavaPairRDD<Integer, Tuple2<double[], double[]>> norms;

  /** @param normsA2 chunks of squared column norms of A; @param normsB2 chunks of squared row norms of B */
  SparkMasses(long n, JavaPairRDD<Integer, double[]> normsA2, JavaPairRDD<Integer, double[]> normsB2) {
    // A chunk absent on one side (no block of it there) has zero norms on that side.
    this(n, normsA2.fullOuterJoin(normsB2).mapValues(p -> {
      double[] a = p._1().orElse(null);
      double[] b = p._2().orElse(null);
      return new Tuple2<>(a != null ? a : new double[b.length], b != null ? b : new double[a.length]);
    }));
  }

  private SparkMasses(long n, JavaPairRDD<Integer, Tuple2<double[], double[]>> norms) {
    this.n = n;
    this.norms = norms.persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The masses of a Gram product X^T X: one gather of ||x_i||^2 serves both sides, with no join. */
  static SparkMasses gram(long n, JavaPairRDD<Integer, double[]> norms2) {
    return new SparkMasses(n, norms2.mapValues(v -> new Tuple2<>(v, v)));
  }

  @Override
  public long size() {
    return n;
  }

  @Override
  public double[] chunkTotals() {
    double[] totals = new double[InnerMasses.chunkCount(n)];
    for (Tuple2<Integer, Double> t : norms.mapValues(SparkMasses::chunkTotal).collect()) {
      totals[t._1()] = t._2();
    }
    return totals;
  }

  @Override
  public double[][] chunks(int[] chunkIds) {
    Set<Integer> wanted = new HashSet<>();
    for (int c : chunkIds) {
      wanted.add(c);
    }
    Map<Integer, double[]> found = norms.filter(e -> wanted.contains(e._1()))
        .mapValues(SparkMasses::masses).collectAsMap();
    double[][] out = new double[chunkIds.length][];
    for (int t = 0; t < chunkIds.length; t++) {
      out[t] = found.get(chunkIds[t]);
    }
    return out;
  }

  @Override
  public InnerStats stats() {
    List<InnerStats> parts = norms.values().map(p -> InnerStats.of(p._1(), p._2())).collect();
    InnerStats total = new InnerStats(0, 0, 0, 0, 0);
    for (InnerStats s : parts) {
      total = total.plus(s);
    }
    return new InnerStats(n, total.normA2, total.normB2, total.sumProduct2, total.sumProduct);
  }

  @Override
  public double sum(Term term) {
    int chunk = CHUNK;
    return OrderedReduce.reduceOr(norms.map(e -> {
      double s = 0;
      long base = (long) e._1() * chunk;
      double[] a = e._2()._1();
      double[] b = e._2()._2();
      for (int j = 0; j < a.length; j++) {
        if (a[j] * b[j] != 0) {
          s += term.at(base + j, a[j], b[j]);
        }
      }
      return s;
    }), Double::sum, 0.0);
  }

  @Override
  public void release() {
    norms.unpersist(false);
  }

  private static double[] masses(Tuple2<double[], double[]> p) {
    double[] a = p._1();
    double[] b = p._2();
    double[] q = new double[a.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = Math.sqrt(a[i] * b[i]);
    }
    return q;
  }

  private static double chunkTotal(Tuple2<double[], double[]> p) {
    return InnerMasses.sum(masses(p));
  }
}
