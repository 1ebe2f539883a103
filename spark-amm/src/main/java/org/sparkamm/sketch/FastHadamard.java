package org.sparkamm.sketch;

/** The fast Walsh-Hadamard transform (unnormalized, Sylvester order): O(D log2 D) additions, no matrix. */
public final class FastHadamard {
  private FastHadamard() {}

  /**
   * Replaces every row of a rows x d column-major buffer by its transform {@code x H}, where
   * {@code H[i][j] = (-1)^popcount(i & j)}. Each butterfly combines two columns, contiguous runs of
   * {@code rows} values, so the inner loop vectorizes.
   */
  public static void transformColumns(double[] buf, int rows, int d) {
    for (int h = 1; h < d; h <<= 1) {
      for (int i = 0; i < d; i += h << 1) {
        for (int j = i; j < i + h; j++) {
          int x = j * rows;
          int y = (j + h) * rows;
          for (int r = 0; r < rows; r++) {
            double a = buf[x + r];
            double b = buf[y + r];
            buf[x + r] = a + b;
            buf[y + r] = a - b;
          }
        }
      }
    }
  }

  /** The entry H[i][j] of the unnormalized Walsh-Hadamard matrix. */
  public static double entry(long i, long j) {
    return (Long.bitCount(i & j) & 1) == 0 ? 1.0 : -1.0;
  }
}
