package org.sparkamm.codebook;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.error.AmmArgumentException;

/**
 * Trains a codebook on local matrices, on this machine (Spark's trainer, {@code spark.CodebookTraining},
 * does the same with MLlib's k-means): draws the training rows of A (and columns of B) by
 * {@link TrainingSample}, splits them into the spec's balanced subspaces, and per subspace runs
 * k-means ({@link LloydKMeans}: pq-raw's 16 prototypes, vq/pq's l_A and l_B codewords) or learns a
 * MADDNESS hash tree ({@link TreeLearner}, pq-hash). Cost O(20 N K n) for k-means on N sampled rows
 * of width n, O(N n) memory for the sample.
 */
public final class CodebookTrainer {
  private CodebookTrainer() {}

  /** Trains on A (rows x n) and, for two-sided codebooks, B (n x cols); B may be null otherwise. */
  public static Codebook train(TrainingSpec spec, Matrix a, Matrix b) {
    long n = a.numCols();
    Subspaces s = spec.subspaces(n);
    TrainingSample rowSample = spec.rowsOfA(a.numRows(), n);
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < a.numRows(); r++) {
      if (rowSample.contains(r)) {
        rows.add(r);
      }
    }
    double[] sampleA = gather(a, rows, false, (int) n, spec.tag, "rows of A");
    if (spec.form == TrainingSpec.Form.HASHED) {
      return hashed(spec, s, sampleA, rows.size());
    }
    int ka = spec.codewordsA(rows.size());
    double[][] protoA = kmeans(spec, s, sampleA, rows.size(), ka, false);
    if (!spec.twoSided()) {
      return Codebook.prototypes(spec.tag, s, ka, protoA, spec.seed, rows.size());
    }
    TrainingSample colSample = spec.columnsOfB(b.numCols(), n);
    List<Integer> cols = new ArrayList<>();
    for (int j = 0; j < b.numCols(); j++) {
      if (colSample.contains(j)) {
        cols.add(j);
      }
    }
    double[] sampleB = gather(b, cols, true, (int) n, spec.tag, "columns of B");
    int kb = spec.codewordsB(cols.size());
    double[][] protoB = kmeans(spec, s, sampleB, cols.size(), kb, true);
    return Codebook.codewords(spec.tag, s, ka, protoA, kb, protoB, null, spec.seed, rows.size(), cols.size());
  }

  /** pq-hash's codebook from a sample of N rows (row-major N x n): a tree and 16 bucket means per subspace. */
  public static Codebook hashed(TrainingSpec spec, Subspaces s, double[] sample, int rows) {
    HashTree[] trees = new HashTree[s.count()];
    double[][] prototypes = new double[s.count()][];
    for (int c = 0; c < s.count(); c++) {
      TreeLearner.Learned l = TreeLearner.learn(slice(sample, rows, s, c), rows, s.width(c));
      trees[c] = l.tree;
      prototypes[c] = l.prototypes;
    }
    return Codebook.hashed(spec.tag, s, prototypes, trees, spec.seed, rows);
  }

  private static double[][] kmeans(TrainingSpec spec, Subspaces s, double[] sample, int rows, int k, boolean ofB) {
    double[][] centers = new double[s.count()][];
    for (int c = 0; c < s.count(); c++) {
      centers[c] = LloydKMeans.centers(slice(sample, rows, s, c), rows, s.width(c), k, spec.kmeansSeed(ofB, c));
    }
    return centers;
  }

  /** Subspace c of the sample's rows, row-major rows x width(c). */
  static double[] slice(double[] sample, int rows, Subspaces s, int c) {
    int n = s.end(s.count() - 1);
    int w = s.width(c);
    double[] out = new double[rows * w];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(sample, r * n + s.start(c), out, r * w, w);
    }
    return out;
  }

  /** The chosen rows of m (or columns, read as rows, when {@code columns}), row-major, each of length n. */
  private static double[] gather(Matrix m, List<Integer> picked, boolean columns, int n, String tag, String what) {
    AmmArgumentException.require(!picked.isEmpty(), "%s: the training sample of %s is empty (raise trainingRows)", tag,
        what);
    AmmArgumentException.require((long) picked.size() * n <= Integer.MAX_VALUE - 8,
        "%s: a training sample of %d %s of length %d does not fit one array (lower trainingRows)", tag, picked.size(),
        what, n);
    double[] out = new double[picked.size() * n];
    for (int t = 0; t < picked.size(); t++) {
      int idx = picked.get(t);
      for (int j = 0; j < n; j++) {
        out[t * n + j] = columns ? m.apply(j, idx) : m.apply(idx, j);
      }
    }
    return out;
  }
}
