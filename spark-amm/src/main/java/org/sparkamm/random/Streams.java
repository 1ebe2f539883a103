package org.sparkamm.random;

/** Stream identifiers: one per independent use of a seed, so that uses never share random values. */
public final class Streams {
  private Streams() {}

  /** CountSketch bucket and sign of an inner index. */
  public static final long COUNT_SKETCH = 1;
  /** The t-th draw of a column-row sample. */
  public static final long SAMPLE_DRAWS = 2;
  /** Synthetic test and benchmark data: shared latent factors, per-matrix loadings, noise. */
  public static final long DATA_LATENT = 100;
  public static final long DATA_LOADINGS_A = 101;
  public static final long DATA_LOADINGS_B = 102;
  public static final long DATA_NOISE_A = 103;
  public static final long DATA_NOISE_B = 104;
  /** LibAMM loaders' A and B, and the choice of "reduced" rows of the sparse loader. */
  public static final long LOADER_A = 200;
  public static final long LOADER_B = 201;
  public static final long LOADER_REDUCE_A = 202;
  public static final long LOADER_REDUCE_B = 203;
}
