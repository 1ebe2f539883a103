package org.sparkamm.spark;

/** Test access to package-private arithmetic of {@link BlockProduct} and {@link DistributedFiles}. */
public final class BlockProductAccess {
  private BlockProductAccess() {}

  public static int splits(long n, int rowsPerBlockA, int colsPerBlockB, int innerBlocks, long taskMemory) {
    return BlockProduct.midDimSplitsFor(n, rowsPerBlockA, colsPerBlockB, innerBlocks, taskMemory, 8.0);
  }

  public static org.apache.spark.mllib.linalg.distributed.BlockMatrix readInSpans(
      org.apache.spark.api.java.JavaSparkContext jsc, String path, int blockSize, int partitions, long taskBytes) {
    return DistributedFiles.blockMatrix(jsc, path, blockSize, partitions, taskBytes);
  }
}
