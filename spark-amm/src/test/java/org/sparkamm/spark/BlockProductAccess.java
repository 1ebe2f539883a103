package org.sparkamm.spark;

/** Test access to package-private arithmetic of {@link BlockProduct}. */
public final class BlockProductAccess {
  private BlockProductAccess() {}

  public static int splits(long n, int rowsPerBlockA, int colsPerBlockB, int innerBlocks, long taskMemory) {
    return BlockProduct.midDimSplitsFor(n, rowsPerBlockA, colsPerBlockB, innerBlocks, taskMemory, 8.0);
  }
}
