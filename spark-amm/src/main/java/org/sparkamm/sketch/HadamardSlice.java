package org.sparkamm.sketch;

/**
 * The structured form of a sketch slice (see {@link HadamardSketch}): for each chunk that the
 * range [start, start + len) overlaps, the block's columns in that chunk are multiplied by their
 * signs and placed at their offsets in a zero buffer of D columns, every row of the buffer is
 * transformed by the fast Walsh-Hadamard transform, and the chunk's projection hits add the
 * transformed columns into the sketch. Rows are processed in bands so that the buffer holds at
 * most {@value #BUFFER_DOUBLES} doubles. Cost per band and chunk: rows D log2 D additions plus
 * rows times the projection's hits.
 */
public final class HadamardSlice implements SketchSlice {
  /** 256 KiB: a band's transform runs all its log2 D stages in cache. */
  static final int BUFFER_DOUBLES = 1 << 15;
  private static final int TILE = 32;
  private final HadamardSketch sketch;
  private final long start;
  private final int len;

  HadamardSlice(HadamardSketch sketch, long start, int len) {
    this.sketch = sketch;
    this.start = start;
    this.len = len;
  }

  @Override
  public boolean isEmpty() {
    return len == 0;
  }

  @Override
  public void addDense(SketchAccumulator acc, double[] v, int ld, boolean rowMajor, int rowFrom, int rowTo) {
    forEachPiece(rowFrom, rowTo, (buf, band, r0, r1, from, to, offset, signs) -> {
      if (rowMajor) {
        // Transpose in tiles of TILE columns: contiguous reads along each row, writes that stay in cache.
        for (int j0 = from; j0 < to; j0 += TILE) {
          int j1 = Math.min(to, j0 + TILE);
          for (int r = r0; r < r1; r++) {
            int src = r * ld;
            for (int j = j0; j < j1; j++) {
              buf[(offset + j - from) * band + r - r0] = signs[j - from] * v[src + j];
            }
          }
        }
      } else {
        for (int j = from; j < to; j++) {
          double s = signs[j - from];
          int dst = (offset + j - from) * band;
          int src = j * ld;
          for (int r = r0; r < r1; r++) {
            buf[dst + r - r0] = s * v[src + r];
          }
        }
      }
    }, acc);
  }

  @Override
  public void addCsc(SketchAccumulator acc, int[] colPtrs, int[] rowIndices, double[] values) {
    forEachPiece(0, acc.rows(), (buf, band, r0, r1, from, to, offset, signs) -> {
      for (int j = from; j < to; j++) {
        double s = signs[j - from];
        int dst = (offset + j - from) * band;
        for (int p = colPtrs[j]; p < colPtrs[j + 1]; p++) {
          int r = rowIndices[p];
          if (r >= r0 && r < r1) {
            buf[dst + r - r0] = s * values[p];
          }
        }
      }
    }, acc);
  }

  /**
   * Fills a zeroed band buffer with the columns [from, to) of the range times their signs
   * ({@code signs[j - from]}), placed from {@code offset}.
   */
  private interface Fill {
    void fill(double[] buf, int band, int r0, int r1, int from, int to, int offset, double[] signs);
  }

  private void forEachPiece(int rowFrom, int rowTo, Fill fill, SketchAccumulator acc) {
    int d = sketch.chunk();
    int bandRows = Math.max(1, BUFFER_DOUBLES / d);
    double[] buf = null;
    long end = start + len;
    for (long c = start / d; c * d < end; c++) {
      long chunkStart = c * d;
      int from = (int) (Math.max(start, chunkStart) - start);
      int to = (int) (Math.min(end, chunkStart + d) - start);
      int offset = (int) (start + from - chunkStart);
      Hits projection = sketch.projection(c);
      if (projection.count == 0) {
        continue;
      }
      double[] signs = new double[to - from]; // once per chunk piece, shared by every band of rows
      for (int j = from; j < to; j++) {
        signs[j - from] = sketch.sign(start + j);
      }
      for (int r0 = rowFrom; r0 < rowTo; r0 += bandRows) {
        int r1 = Math.min(rowTo, r0 + bandRows);
        int band = r1 - r0;
        if (buf == null || buf.length < band * d) {
          buf = new double[band * d];
        } else {
          java.util.Arrays.fill(buf, 0, band * d, 0.0);
        }
        fill.fill(buf, band, r0, r1, from, to, offset, signs);
        FastHadamard.transformColumns(buf, band, d);
        acc.addColumnMajor(buf, -r0, band, projection, r0, r1);
      }
    }
  }
}
