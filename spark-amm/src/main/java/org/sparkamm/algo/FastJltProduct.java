package org.sparkamm.algo;

import org.sparkamm.sketch.FastJltSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code fastjlt}: LibAMM's fast JL transform, done with a fast Walsh-Hadamard transform over the
 * global chunk grid (chunk D as for {@code srht}, config key {@value HadamardProduct#CHUNK_KEY}) instead of
 * a dense Hadamard matrix, and with its density capped: q = min(1, ceil(log2 n)^2 / D_pad) (see
 * {@link FastJltSketch}). Unbiased; no simple closed-form error (NaN is reported), tested against
 * {@code gaussian} at the same l. Cost: rows (D log2 D + q l D) per chunk and side, then O(mlp).
 */
public final class FastJltProduct extends HadamardProduct {
  @Override
  public String tag() {
    return "fastjlt";
  }

  @Override
  public String description() {
    return "fast JL transform: signs, Walsh-Hadamard over chunks, sparse Gaussian projection";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new FastJltSketch(seed, l, chunk(n), FastJltSketch.density(n));
  }
}
