package org.sparkamm.algo;

import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.SrhtSketch;

/**
 * {@code srht}: the subsampled randomized Hadamard transform (LibAMM has it only as a TorchScript
 * file), in its block form over the global chunk grid (see {@link SrhtSketch}): independent signs
 * per chunk, a fast Walsh-Hadamard transform of each chunk of D = min(2^ceil(log2 n),
 * {@value HadamardProduct#CHUNK_KEY}) inner indices (config key, default 1,024), l transformed coordinates
 * sampled per chunk with replacement, scaled 1/sqrt(l), summed over chunks. Unbiased; no simple
 * closed-form error (NaN is reported), tested against {@code gaussian} at the same l. Cost: rows
 * (D log2 D + l) per chunk and side, then O(mlp).
 */
public final class SrhtProduct extends HadamardProduct {
  @Override
  public String tag() {
    return "srht";
  }

  @Override
  public String description() {
    return "subsampled randomized Hadamard transform over chunks of hadamardChunk (default 1024)";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new SrhtSketch(seed, l, chunk(n));
  }
}
