package org.sparkamm.algo;

import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.HadamardSketch;

/** The chunk size D of Hadamard sketches: config key {@value #KEY}, a power of two, default 1,024. */
final class HadamardChunk {
  static final String KEY = "hadamardChunk";
  static final int DEFAULT = 1024;

  private HadamardChunk() {}

  static int read(AmmConfig cfg) {
    long d = cfg.getLong(KEY, DEFAULT, 1, HadamardSketch.MAX_CHUNK);
    AmmArgumentException.require(Long.bitCount(d) == 1,
        "config key '%s' must be a power of two in [1, %d], got %d", KEY, HadamardSketch.MAX_CHUNK, d);
    return (int) d;
  }
}
