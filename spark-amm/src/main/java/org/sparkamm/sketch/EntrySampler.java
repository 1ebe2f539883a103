package org.sparkamm.sketch;

import java.util.Arrays;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.SparseVector;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Element-wise sampling of a matrix by rows ({@code ews}, see {@code algo.ElementWiseSampling}).
 * A matrix is seen here as a <em>view</em> whose rows are the groups that share a sampling budget
 * and whose columns are the inner index: A itself (m x n), and B through its transpose (p x n),
 * whose rows are B's columns.
 *
 * <p><b>Probabilities.</b> Entry (r, i) of a view is kept with probability
 * {@code p_ri = min(1, tau_r |v_ri|)} (0 for a zero entry, which is never kept) and then weighted
 * 1/p_ri. For a budget l, tau_r is set by water-filling so that {@code sum_i p_ri = min(l, nnz_r)},
 * the expected number of kept entries of the row; p proportional to |v| minimizes the variance
 * {@code sum_i v_ri^2 (1/p_ri - 1)} for that expected count, and capping at 1 is what keeps the
 * estimator unbiased. A row with nnz_r &le; l has tau_r = +infinity: every non-zero is kept exactly.
 *
 * <p><b>Water-filling</b> ({@link WaterFilling}) is Newton's method on the concave, piecewise-linear
 * {@code f(tau) = sum_i min(1, tau |v_i|) = l}, from below: starting from tau = l / ||v||_1, each
 * step sets {@code tau <- (l - #capped) / (sum of |v_i| not capped)} where capped means
 * {@code tau |v_i| >= 1}. tau never decreases, so the capped set only grows, by at least one entry
 * per step, and the iteration ends when it stops changing (at most min(l, nnz) steps; in practice a
 * few). Each step needs only four numbers per row, summable over any split of the row's entries
 * (blocks, partitions): the counts of uncapped non-zeros and of capped entries, the sum of the
 * uncapped |v|, and their maximum. The maximum tells at once whether the new tau caps another entry,
 * so a settled row is recognized in the pass that settles it, without a confirming pass.
 *
 * <p><b>Coins.</b> The coin of an entry is {@code CounterRng.uniform(key, index)} with the key of
 * {@link Streams#ENTRY_COINS_A} or {@link Streams#ENTRY_COINS_B} and the index a pure function of
 * the entry's global position ({@code r n + i} for A, {@code i p + c} for B); an entry with p = 1
 * needs no coin. So the coins depend on the seed and the positions only, never on blocks, partitions
 * or engine; the probabilities depend on those only through the rounding of the row statistics,
 * which are summed over a row's blocks (or partitions) in their order.
 *
 * <p>Views are read in place in any of Spark's local storages: dense column- or row-major, sparse
 * CSC or CSR. Samples are returned as CSC {@link SparseMatrix} (columns = inner index) with rows
 * ascending within each column.
 */
public final class EntrySampler {
  /** Per-row statistics under a probe tau: uncapped non-zeros, capped entries, sum and max of uncapped |v|. */
  public static final int STATS = 4;

  private EntrySampler() {}

  /** The coin key of A's (Side.A) or B's (Side.B) entries for this seed. */
  public static long coinKey(long seed, Side side) {
    return CounterRng.streamKey(seed, side == Side.A ? Streams.ENTRY_COINS_A : Streams.ENTRY_COINS_B);
  }

  /** p = min(1, tau |v|) for |v| = {@code abs}; 0 for a zero entry, 1 for tau = +infinity. */
  public static double probability(double tau, double abs) {
    if (abs == 0) {
      return 0.0;
    }
    return tau == Double.POSITIVE_INFINITY ? 1.0 : Math.min(1.0, tau * abs);
  }

  /** The water-filling tau of every row of a local view, for budget l (see the class comment). */
  public static double[] taus(Matrix view, int l) {
    WaterFilling wf = new WaterFilling(view.numRows(), l);
    while (!wf.finished()) {
      double[] stats = new double[STATS * view.numRows()];
      addStats(view, wf.probe(), 0, stats);
      wf.update(stats);
    }
    return wf.taus();
  }

  /**
   * Adds the statistics of the rows of {@code view} under the probe taus ({@code probe[probeOffset + r]}
   * for local row r; NaN: settled, skipped) into {@code stats[STATS r ..]}.
   */
  public static void addStats(Matrix view, double[] probe, int probeOffset, double[] stats) {
    Layout s = Layout.of(view);
    for (int o = 0; o < s.outer; o++) {
      int from = s.from(o);
      int to = s.to(o);
      for (int e = from; e < to; e++) {
        double a = Math.abs(s.values[e]);
        if (a == 0) {
          continue;
        }
        int row = s.rowMajor ? o : s.minor(e, from);
        addEntry(stats, row, a, probe[probeOffset + row]);
      }
    }
  }

  /** Merges statistics of the same rows gathered from different entries (into and returning x). */
  public static double[] mergeStats(double[] x, double[] y) {
    for (int i = 0; i < x.length; i += STATS) {
      x[i] += y[i];
      x[i + 1] += y[i + 1];
      x[i + 2] += y[i + 2];
      x[i + 3] = Math.max(x[i + 3], y[i + 3]);
    }
    return x;
  }

  /** True when some row {@code offset .. offset + rows - 1} of a probe is still unsettled. */
  public static boolean anyActive(double[] probe, int offset, int rows) {
    for (int r = offset; r < offset + rows; r++) {
      if (!Double.isNaN(probe[r])) {
        return true;
      }
    }
    return false;
  }

  /**
   * The sampled entries of a view block: entry (r, c) of the block, at global position
   * (rowStart + r, colStart + c), is kept with probability p = min(1, tau[tauOffset + r] |v|) by the
   * coin of index {@code (rowStart + r) rowStride + (colStart + c) colStride} and stored as v / p.
   * The result is CSC of the block's shape.
   */
  public static SparseMatrix sample(Matrix view, long rowStart, long colStart, long rowStride, long colStride,
      double[] tau, int tauOffset, long coinKey) {
    Layout s = Layout.of(view);
    int cap = 16;
    int[] rows = new int[cap];
    int[] cols = new int[cap];
    double[] vals = new double[cap];
    int kept = 0;
    for (int o = 0; o < s.outer; o++) {
      int from = s.from(o);
      int to = s.to(o);
      for (int e = from; e < to; e++) {
        double v = s.values[e];
        if (v == 0) {
          continue;
        }
        int q = s.minor(e, from);
        int row = s.rowMajor ? o : q;
        int col = s.rowMajor ? q : o;
        long index = (rowStart + row) * rowStride + (colStart + col) * colStride;
        double w = sampled(v, tau[tauOffset + row], coinKey, index);
        if (w == 0) {
          continue;
        }
        if (kept == cap) {
          cap *= 2;
          rows = Arrays.copyOf(rows, cap);
          cols = Arrays.copyOf(cols, cap);
          vals = Arrays.copyOf(vals, cap);
        }
        rows[kept] = row;
        cols[kept] = col;
        vals[kept++] = w;
      }
    }
    return compressedColumns(view.numRows(), view.numCols(), rows, cols, vals, kept);
  }

  /**
   * The sampled entries of a vector whose index q is the row of a view (a row of X read as a column
   * of A = X^T, or a row of B): entry q is kept with p = min(1, tau[q] |v_q|) by the coin of index
   * {@code base + q stride} and stored as v_q / p. {@code idx} is null for a dense vector.
   */
  public static SparseVector sampleVector(int size, int[] idx, double[] values, double[] tau, long coinKey, long base,
      long stride) {
    int[] keptIdx = new int[Math.min(values.length, 16)];
    double[] keptVal = new double[keptIdx.length];
    int kept = 0;
    for (int t = 0; t < values.length; t++) {
      if (values[t] == 0) {
        continue;
      }
      int q = idx == null ? t : idx[t];
      double w = sampled(values[t], tau[q], coinKey, base + q * stride);
      if (w == 0) {
        continue;
      }
      if (kept == keptIdx.length) {
        keptIdx = Arrays.copyOf(keptIdx, 2 * kept);
        keptVal = Arrays.copyOf(keptVal, 2 * kept);
      }
      keptIdx[kept] = q;
      keptVal[kept++] = w;
    }
    return new SparseVector(size, Arrays.copyOf(keptIdx, kept), Arrays.copyOf(keptVal, kept));
  }

  /**
   * Adds the statistics of a vector's entries, entry q belonging to row q of the statistics (the
   * groups are the vector's indices), under the probe taus. {@code idx} is null for a dense vector.
   */
  public static void addVectorStats(int[] idx, double[] values, double[] probe, double[] stats) {
    for (int t = 0; t < values.length; t++) {
      double a = Math.abs(values[t]);
      if (a != 0) {
        int q = idx == null ? t : idx[t];
        addEntry(stats, q, a, probe[q]);
      }
    }
  }

  /** v / p when the entry is kept, 0 when it is not; p = 1 needs no coin. */
  private static double sampled(double v, double tau, long coinKey, long index) {
    double p = probability(tau, Math.abs(v));
    if (p >= 1) {
      return v;
    }
    return CounterRng.uniform(coinKey, index) < p ? v / p : 0.0;
  }

  private static void addEntry(double[] stats, int row, double a, double tau) {
    if (Double.isNaN(tau)) {
      return;
    }
    int at = STATS * row;
    if (tau > 0 && tau * a >= 1) {
      stats[at + 1] += 1;
    } else {
      stats[at] += 1;
      stats[at + 2] += a;
      stats[at + 3] = Math.max(stats[at + 3], a);
    }
  }

  /**
   * For the error formula: adds, per column i of the view, {@code sum_r v_ri^2} into norm2[i] and
   * {@code sum_r v_ri^2 (1/p_ri - 1)} into var[i], with p from the rows' taus.
   */
  public static void addColumnVariances(Matrix view, double[] tau, double[] norm2, double[] var) {
    Layout s = Layout.of(view);
    for (int o = 0; o < s.outer; o++) {
      int from = s.from(o);
      int to = s.to(o);
      for (int e = from; e < to; e++) {
        double v = s.values[e];
        if (v == 0) {
          continue;
        }
        int q = s.minor(e, from);
        int row = s.rowMajor ? o : q;
        int col = s.rowMajor ? q : o;
        double p = probability(tau[row], Math.abs(v));
        norm2[col] += v * v;
        var[col] += v * v * (1 / p - 1);
      }
    }
  }

  /** CSC from (row, col, value) triples by a stable counting sort on the column. */
  private static SparseMatrix compressedColumns(int numRows, int numCols, int[] rows, int[] cols, double[] vals,
      int count) {
    int[] ptr = new int[numCols + 1];
    for (int t = 0; t < count; t++) {
      ptr[cols[t] + 1]++;
    }
    for (int c = 0; c < numCols; c++) {
      ptr[c + 1] += ptr[c];
    }
    int[] next = Arrays.copyOf(ptr, numCols);
    int[] rowIdx = new int[count];
    double[] values = new double[count];
    for (int t = 0; t < count; t++) {
      int at = next[cols[t]]++;
      rowIdx[at] = rows[t];
      values[at] = vals[t];
    }
    return new SparseMatrix(numRows, numCols, ptr, rowIdx, values);
  }

  /**
   * Spark's four local storages as one loop shape: {@code outer} major vectors (columns, or rows
   * when {@code rowMajor}), entries {@code from(o) .. to(o)} of {@code values}, the minor index
   * either stored ({@code idx}) or implied by the position (dense).
   */
  private static final class Layout {
    final boolean rowMajor;
    final int outer;
    final int dense; // the minor length of a dense layout; unused for sparse
    final double[] values;
    final int[] ptr;
    final int[] idx;

    private Layout(boolean rowMajor, int outer, int dense, double[] values, int[] ptr, int[] idx) {
      this.rowMajor = rowMajor;
      this.outer = outer;
      this.dense = dense;
      this.values = values;
      this.ptr = ptr;
      this.idx = idx;
    }

    static Layout of(Matrix m) {
      int rows = m.numRows();
      int cols = m.numCols();
      if (m instanceof DenseMatrix) {
        DenseMatrix d = (DenseMatrix) m;
        boolean t = d.isTransposed();
        return new Layout(t, t ? rows : cols, t ? cols : rows, d.values(), null, null);
      }
      SparseMatrix s = (SparseMatrix) m;
      boolean t = s.isTransposed(); // CSR: colPtrs run over rows, rowIndices hold column indices
      return new Layout(t, t ? rows : cols, 0, s.values(), s.colPtrs(), s.rowIndices());
    }

    int from(int o) {
      return ptr == null ? o * dense : ptr[o];
    }

    int to(int o) {
      return ptr == null ? (o + 1) * dense : ptr[o + 1];
    }

    int minor(int e, int from) {
      return idx == null ? e - from : idx[e];
    }
  }

  /**
   * Water-filling for a set of rows, pass by pass: {@link #probe()} gives the tau under which each
   * unsettled row's {@link #STATS} statistics are to be gathered (0 in the first pass: nothing
   * capped, the statistics are nnz, ||row||_1 and max |v|; NaN for settled rows), {@link #update}
   * takes them summed over each row's entries. A row settles with tau = +infinity when nnz &le; l,
   * otherwise when the new tau caps no entry that the previous one left uncapped. Not thread-safe.
   */
  public static final class WaterFilling {
    private final int l;
    private final double[] tau;
    private final boolean[] settled;
    private int active;
    private int passes;

    public WaterFilling(int rows, int l) {
      this.l = l;
      this.tau = new double[rows];
      this.settled = new boolean[rows];
      this.active = rows;
    }

    public boolean finished() {
      return active == 0;
    }

    /** Passes taken so far. */
    public int passes() {
      return passes;
    }

    /** The taus to gather statistics under, NaN for settled rows. */
    public double[] probe() {
      double[] t = tau.clone();
      for (int r = 0; r < t.length; r++) {
        if (settled[r]) {
          t[r] = Double.NaN;
        }
      }
      return t;
    }

    /** One Newton step per unsettled row from its statistics under {@link #probe()}. */
    public void update(double[] stats) {
      passes++;
      for (int r = 0; r < tau.length; r++) {
        if (settled[r]) {
          continue;
        }
        int at = STATS * r;
        double uncapped = stats[at];
        double capped = stats[at + 1];
        double freeSum = stats[at + 2];
        double freeMax = stats[at + 3];
        if (uncapped + capped <= l) {
          tau[r] = Double.POSITIVE_INFINITY;
          settle(r);
        } else if (capped >= l || !(freeSum > 0)) {
          settle(r); // unreachable in exact arithmetic: the previous step left sum p = l with capped < l
        } else {
          tau[r] = Math.max(tau[r], (l - capped) / freeSum);
          if (freeMax * tau[r] < 1) {
            settle(r);
          }
        }
      }
    }

    /** The final taus (every row settled). */
    public double[] taus() {
      if (!finished()) {
        throw new IllegalStateException(active + " rows are not settled yet");
      }
      return tau.clone();
    }

    private void settle(int r) {
      settled[r] = true;
      active--;
    }
  }
}
