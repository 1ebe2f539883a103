package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.sketch.FastJltSketch;
import org.sparkamm.sketch.HadamardSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code fastjlt}: LibAMM's fast JL transform, done with a fast Walsh-Hadamard transform over the
 * global chunk grid (chunk D as for {@code srht}, config key {@value HadamardChunk#KEY}) instead of
 * a dense Hadamard matrix, and with its density capped: q = min(1, ceil(log2 n)^2 / D_pad) (see
 * {@link FastJltSketch}). Unbiased; no simple closed-form error (NaN is reported), tested against
 * {@code gaussian} at the same l. Cost: rows (D log2 D + q l D) per chunk and side, then O(mlp).
 */
public final class FastJltProduct extends AmmAlgorithm {
  private int maxChunk = HadamardChunk.DEFAULT;

  @Override
  public String tag() {
    return "fastjlt";
  }

  @Override
  public String description() {
    return "fast JL transform: signs, Walsh-Hadamard over chunks, sparse Gaussian projection";
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(HadamardChunk.KEY);
  }

  @Override
  public void configure(AmmConfig cfg) {
    maxChunk = HadamardChunk.read(cfg);
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new FastJltSketch(seed, l, HadamardSketch.chunkFor(n, maxChunk), FastJltSketch.density(n));
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }
}
