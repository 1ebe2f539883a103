package org.sparkamm.algo;

import java.io.Serializable;

/**
 * The squared norms of the inputs per inner index, ||a_i||^2 (column i of A) and ||b_i||^2 (row i
 * of B), held locally or distributed, which the error formulas read: through the aggregate
 * {@link InnerStats} or, for formulas whose terms depend on i (sampling probabilities drawn from
 * the seed), through {@link #sum(Term)}.
 */
public interface InnerNorms {
  /** n, ||A||_F^2, ||B||_F^2, sum_i ||a_i||^2 ||b_i||^2, sum_i ||a_i|| ||b_i||. */
  InnerStats stats();

  /** sum_i term(i, ||a_i||^2, ||b_i||^2), summed in double; terms must vanish when a2 b2 = 0. */
  double sum(Term term);

  /** Releases what a distributed implementation cached; local ones hold nothing. */
  default void release() {}

  /** One term of a sum over inner indices; serializable so that Spark can evaluate it where the norms are. */
  interface Term extends Serializable {
    double at(long i, double a2, double b2);
  }

  /** Norms held in two local arrays. */
  static InnerNorms of(double[] a2, double[] b2) {
    InnerStats stats = InnerStats.of(a2, b2);
    return new InnerNorms() {
      @Override
      public InnerStats stats() {
        return stats;
      }

      @Override
      public double sum(Term term) {
        double s = 0;
        for (int i = 0; i < a2.length; i++) {
          if (a2[i] * b2[i] != 0) {
            s += term.at(i, a2[i], b2[i]);
          }
        }
        return s;
      }
    };
  }
}
