package org.sparkamm.sketch;

import java.util.Arrays;

/**
 * Adds rows that arrive one at a time, each the data of one inner index (the rows of X in
 * {@code X^T Y}), into an accumulator. Sketches of the {@link Hits} form take each row on its own
 * (a row without hits is skipped without being copied). Dense-tile and Hadamard sketches are fed
 * blocks instead: rows with consecutive indices are copied into a column-major panel (a power of
 * two of at most 1,024 rows, aligned to its own size in index space, so that panels never straddle
 * a chunk of the Hadamard grid when D is at least the panel) and the panel is applied as one block,
 * which turns l rank-one updates into one BLAS-3 call. Rows out of order simply start new panels:
 * correct, only slower. Call {@link #flush()} after the last row.
 */
public final class RowSketcher {
  private static final int MAX_PANEL = 1024;
  private static final int PANEL_DOUBLES = 1 << 20;
  private final SketchAccumulator acc;
  private final InnerSketch sketch;
  private final Side side;
  private final int dim;
  private final int panel;
  private double[] buf;
  private long panelStart;
  private int count;

  public RowSketcher(SketchAccumulator acc, InnerSketch sketch, Side side) {
    this.acc = acc;
    this.sketch = sketch;
    this.side = side;
    this.dim = acc.rows();
    this.panel = Integer.highestOneBit(Math.max(1, Math.min(MAX_PANEL, PANEL_DOUBLES / Math.max(1, dim))));
  }

  /** Adds a dense row of {@code dim} values with inner index {@code index}. */
  public void add(long index, double[] values) {
    double[] outer = acc.outerNorms2();
    if (outer != null) {
      for (int j = 0; j < dim; j++) {
        outer[j] += values[j] * values[j];
      }
    }
    if (sketch.perIndex()) {
      SketchSlice s = sketch.slice(index, 1, side);
      if (!s.isEmpty()) {
        s.addDense(acc, values, dim, false, 0, dim);
      }
      return;
    }
    System.arraycopy(values, 0, column(index), count * dim, dim);
    count++;
  }

  /** Adds a sparse row (indices and values) with inner index {@code index}. */
  public void add(long index, int[] indices, double[] values) {
    double[] outer = acc.outerNorms2();
    if (outer != null) {
      for (int p = 0; p < indices.length; p++) {
        outer[indices[p]] += values[p] * values[p];
      }
    }
    if (sketch.perIndex()) {
      SketchSlice s = sketch.slice(index, 1, side);
      if (!s.isEmpty()) {
        s.addCsc(acc, new int[] {0, indices.length}, indices, values);
      }
      return;
    }
    double[] b = column(index);
    int off = count * dim;
    for (int p = 0; p < indices.length; p++) {
      b[off + indices[p]] = values[p];
    }
    count++;
  }

  /** The panel buffer, after starting a new panel when {@code index} does not extend the current one. */
  private double[] column(long index) {
    if (count > 0 && (index != panelStart + count || index % panel == 0)) {
      flush();
    }
    if (buf == null) {
      buf = new double[panel * dim];
    }
    if (count == 0) {
      panelStart = index;
    }
    return buf;
  }

  /** Applies the pending panel. */
  public void flush() {
    if (count == 0) {
      return;
    }
    SketchSlice s = sketch.slice(panelStart, count, side);
    if (!s.isEmpty()) {
      s.addDense(acc, buf, dim, false, 0, dim);
    }
    Arrays.fill(buf, 0, count * dim, 0.0);
    count = 0;
  }
}
