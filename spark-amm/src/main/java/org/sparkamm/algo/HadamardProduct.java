package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.HadamardSketch;

/**
 * What the Hadamard sketches ({@code srht}, {@code fastjlt}) share: the chunk size D of their global
 * grid, config key {@value #CHUNK_KEY}, a power of two in [1, 65,536], default {@value #DEFAULT_CHUNK}
 * (D = min(2^ceil(log2 n), that)), and no simple closed-form error (NaN is reported; the tests
 * compare them with {@code gaussian} at the same l).
 */
abstract class HadamardProduct extends AmmAlgorithm {
  static final String CHUNK_KEY = "hadamardChunk";
  static final int DEFAULT_CHUNK = 1024;
  private int maxChunk = DEFAULT_CHUNK;

  @Override
  public final Set<String> configKeys() {
    return Set.of(CHUNK_KEY);
  }

  @Override
  public final void configure(AmmConfig cfg) {
    long d = cfg.getLong(CHUNK_KEY, DEFAULT_CHUNK, 1, HadamardSketch.MAX_CHUNK);
    AmmArgumentException.require(Long.bitCount(d) == 1,
        "config key '%s' must be a power of two in [1, %d], got %d", CHUNK_KEY, HadamardSketch.MAX_CHUNK, d);
    maxChunk = (int) d;
  }

  /** D for inner dimension n. */
  final int chunk(long n) {
    return HadamardSketch.chunkFor(n, maxChunk);
  }

  @Override
  public final double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }
}
