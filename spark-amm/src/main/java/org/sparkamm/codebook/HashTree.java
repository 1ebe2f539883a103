package org.sparkamm.codebook;

import java.io.Serializable;
import java.util.Arrays;

/**
 * MADDNESS's hash function for one subspace (Blalock and Guttag, "Multiplying Matrices Without
 * Multiplying", ICML 2021, Algorithm 1): a balanced binary tree of depth 4 that compares one
 * coordinate per level, so a sub-vector x reaches one of 16 buckets after 4 comparisons, with no
 * distance computed.
 *
 * <p>Nodes are numbered as a 1-based heap: the root is 1, the nodes of level t (t = 0..3) are
 * 2^t..2^(t+1)-1, and x goes from node h to 2h + [x[dims[t]] &gt;= thresholds[h]]. After four
 * levels h lies in 16..31 and the bucket is h - 16. (LibAMM starts at node 0, and with its update
 * i = 2i - 1 + b the indices go negative and wrap around in LibTorch, which permutes the buckets; it
 * also shares one tree across all subspaces. Here each subspace has its own tree, as in MADDNESS.)
 * Cost: 4 comparisons per sub-vector.
 */
public final class HashTree implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int LEVELS = 4;
  public static final int BUCKETS = 1 << LEVELS;
  /** The coordinate compared at each level, an offset within the subspace. */
  final int[] dims;
  /** thresholds[h] for heap nodes h = 1..15; thresholds[0] is unused (NaN). */
  final double[] thresholds;

  HashTree(int[] dims, double[] thresholds) {
    this.dims = dims;
    this.thresholds = thresholds;
  }

  /** The bucket (0..15) of a sub-vector whose coordinate dims[t] is {@code splitValues[off + t * stride]}. */
  public int bucket(double[] splitValues, int off, int stride) {
    int h = 1;
    for (int t = 0; t < LEVELS; t++) {
      h = 2 * h + (splitValues[off + t * stride] >= thresholds[h] ? 1 : 0);
    }
    return h - BUCKETS;
  }

  /** The coordinate (offset within the subspace) compared at level t. */
  public int dim(int level) {
    return dims[level];
  }

  /** The threshold of heap node h (1..15). */
  public double threshold(int node) {
    return thresholds[node];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HashTree && Arrays.equals(dims, ((HashTree) o).dims)
        && Arrays.equals(thresholds, ((HashTree) o).thresholds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims) * 31 + Arrays.hashCode(thresholds);
  }

  @Override
  public String toString() {
    return "HashTree" + Arrays.toString(dims) + Arrays.toString(Arrays.copyOfRange(thresholds, 1, BUCKETS));
  }
}
