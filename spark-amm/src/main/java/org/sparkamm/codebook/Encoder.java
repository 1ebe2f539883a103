package org.sparkamm.codebook;

import java.io.Serializable;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Blas;

/**
 * Encodes the rows of A (or the columns of B) with one side of a {@link Codebook}: in each subspace
 * c, the code of a sub-vector x is its nearest codeword, argmin_k ||x - P_{c,k}||^2 =
 * argmin_k (||P_{c,k}||^2 - 2 x . P_{c,k}) (||x||^2 is the same for every k and never computed;
 * ties go to the lower k), or for pq-hash the bucket its hash tree sends it to.
 *
 * <p>Pieces of the inner dimension are added into {@link PartialCodes}, either as dense blocks (one
 * BLAS product per subspace a block meets: rows x K x width multiply-adds) or one inner index at a
 * time (the row-aligned product, K multiply-adds per row and value). Cost of encoding m rows:
 * O(m K n) for nearest-codeword search, O(m C) for hash trees (4 comparisons per subspace).
 */
public final class Encoder implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Codebook codebook;
  private final boolean ofB;
  private final Subspaces s;
  private final int k;
  private final HashTree[] trees;
  /** ||P_{c,k}||^2, norms[c][k]. */
  private final double[][] norms;

  Encoder(Codebook codebook, boolean ofB, int k, HashTree[] trees) {
    this.codebook = codebook;
    this.ofB = ofB;
    this.s = codebook.subspaces();
    this.k = k;
    this.trees = trees;
    this.norms = new double[s.count()][k];
    for (int c = 0; c < s.count(); c++) {
      double[] p = codebook.prototypes(ofB, c);
      int w = s.width(c);
      for (int kk = 0; kk < k; kk++) {
        double n2 = 0;
        for (int j = 0; j < w; j++) {
          n2 += p[kk * w + j] * p[kk * w + j];
        }
        norms[c][kk] = n2;
      }
    }
  }

  /** Numbers per row and subspace in the partial codes: K, or 4 for hash trees. */
  public int width() {
    return trees != null ? HashTree.LEVELS : k;
  }

  /** Empty partial codes for {@code rows} rows (checked to fit one array). */
  public PartialCodes partial(int rows) {
    long length = (long) rows * s.count() * width();
    AmmArgumentException.require(length <= Integer.MAX_VALUE - 8,
        "%s: the partial codes of %d rows (%d subspaces x %d) do not fit one array; use smaller blocks",
        codebook.tag(), rows, s.count(), width());
    return new PartialCodes(rows, (int) length);
  }

  /**
   * Adds a dense block X (rows x w) holding inner indices inner0..inner0+w-1 of every row:
   * X[r, j] = x[r + j ld], or x[j + r ld] when {@code trans} (the block stored as X^T).
   */
  public void add(PartialCodes pc, double[] x, boolean trans, int ld, long inner0, int w) {
    int rows = pc.rows;
    int first = s.of(inner0);
    if (first < 0 || rows == 0) {
      return;
    }
    long stop = inner0 + w;
    for (int c = first; c < s.count() && s.start(c) < stop; c++) {
      int lo = (int) Math.max(s.start(c), inner0);
      int hi = (int) Math.min(s.end(c), stop);
      if (trees != null) {
        for (int t = 0; t < HashTree.LEVELS; t++) {
          int g = s.start(c) + trees[c].dim(t);
          if (g >= lo && g < hi) {
            int col = (int) (g - inner0);
            int o = (c * HashTree.LEVELS + t) * rows;
            for (int r = 0; r < rows; r++) {
              pc.values[o + r] += trans ? x[col + r * ld] : x[r + col * ld];
            }
          }
        }
      } else {
        int offX = trans ? (int) (lo - inner0) : (int) (lo - inner0) * ld;
        Blas.gemm(trans, false, rows, k, hi - lo, 1.0, x, offX, ld, codebook.prototypes(ofB, c), lo - s.start(c),
            s.width(c), 1.0, pc.values, c * k * rows, rows);
      }
    }
  }

  /** Adds inner index i of every row: x[r] is row r's value there (dense, length rows). */
  public void addInner(PartialCodes pc, long i, double[] x) {
    int c = s.of(i);
    if (c < 0) {
      return;
    }
    int off = (int) (i - s.start(c));
    int rows = pc.rows;
    if (trees != null) {
      for (int t = 0; t < HashTree.LEVELS; t++) {
        if (trees[c].dim(t) == off) {
          int o = (c * HashTree.LEVELS + t) * rows;
          for (int r = 0; r < rows; r++) {
            pc.values[o + r] += x[r];
          }
        }
      }
      return;
    }
    double[] p = codebook.prototypes(ofB, c);
    int w = s.width(c);
    for (int kk = 0; kk < k; kk++) {
      double coef = p[kk * w + off];
      int o = (c * k + kk) * rows;
      for (int r = 0; r < rows; r++) {
        pc.values[o + r] += coef * x[r];
      }
    }
  }

  /** Adds inner index i of the rows {@code idx} with values {@code v} (a sparse row). */
  public void addInner(PartialCodes pc, long i, int[] idx, double[] v) {
    int c = s.of(i);
    if (c < 0) {
      return;
    }
    int off = (int) (i - s.start(c));
    int rows = pc.rows;
    if (trees != null) {
      for (int t = 0; t < HashTree.LEVELS; t++) {
        if (trees[c].dim(t) == off) {
          int o = (c * HashTree.LEVELS + t) * rows;
          for (int e = 0; e < idx.length; e++) {
            pc.values[o + idx[e]] += v[e];
          }
        }
      }
      return;
    }
    double[] p = codebook.prototypes(ofB, c);
    int w = s.width(c);
    for (int kk = 0; kk < k; kk++) {
      double coef = p[kk * w + off];
      int o = (c * k + kk) * rows;
      for (int e = 0; e < idx.length; e++) {
        pc.values[o + idx[e]] += coef * v[e];
      }
    }
  }

  /** The codes of the rows once every piece is in: codes[c * rows + r]. */
  public int[] codes(PartialCodes pc) {
    int rows = pc.rows;
    int count = s.count();
    int[] codes = new int[count * rows];
    for (int c = 0; c < count; c++) {
      if (trees != null) {
        int o = c * HashTree.LEVELS * rows;
        for (int r = 0; r < rows; r++) {
          codes[c * rows + r] = trees[c].bucket(pc.values, o + r, rows);
        }
        continue;
      }
      double[] n2 = norms[c];
      int o = c * k * rows;
      for (int r = 0; r < rows; r++) {
        int best = 0;
        double bestScore = n2[0] - 2 * pc.values[o + r];
        for (int kk = 1; kk < k; kk++) {
          double score = n2[kk] - 2 * pc.values[o + kk * rows + r];
          if (score < bestScore) {
            bestScore = score;
            best = kk;
          }
        }
        codes[c * rows + r] = best;
      }
    }
    return codes;
  }
}
