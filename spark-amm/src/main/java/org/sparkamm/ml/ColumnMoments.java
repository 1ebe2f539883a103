package org.sparkamm.ml;

import java.io.Serializable;
import java.util.Collections;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.spark.OrderedReduce;

/**
 * One pass over rows of vector columns: the number of rows n, each column's vector size d_c and sum
 * s_c = sum_i x_i, hence its mean mu_c = s_c / n. Rejects, with one line naming the column, a null
 * cell, vectors of different sizes in one column, and NaN or infinite values (a non-finite sum).
 *
 * <p>Cost: one read of the rows, O(nnz) additions; each task ships one partial sum, (sum_c d_c + 1)
 * doubles, merged in partition order ({@link OrderedReduce}). Sums are
 * plain double sums per task, then a tree of merges: relative error at most about (rows per task +
 * log tasks) * 2^-53 of sum_i |x_i|.
 */
final class ColumnMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String[] columns;
  private long n;
  private final double[][] sums;

  private ColumnMoments(String[] columns) {
    this.columns = columns;
    this.sums = new double[columns.length][];
  }

  /** The moments of {@code rows}, whose columns are {@code columns} in that order. */
  static ColumnMoments of(Dataset<Row> rows, String[] columns) {
    JavaRDD<Row> rdd = rows.javaRDD();
    ColumnMoments m = rdd.getNumPartitions() == 0 ? new ColumnMoments(columns)
        : TaskErrors.unwrap(() -> OrderedReduce.reduce(rdd.mapPartitions(it -> {
          ColumnMoments part = new ColumnMoments(columns);
          while (it.hasNext()) {
            part.add(it.next());
          }
          return Collections.singletonList(part).iterator();
        }), ColumnMoments::merge));
    for (int c = 0; c < columns.length; c++) {
      for (double s : m.sums[c] == null ? new double[0] : m.sums[c]) {
        AmmArgumentException.require(Double.isFinite(s), "column '%s' contains NaN or infinite values", columns[c]);
      }
    }
    return m;
  }

  long count() {
    return n;
  }

  /** The vector size of column c (0 when there are no rows). */
  int dim(int c) {
    return sums[c] == null ? 0 : sums[c].length;
  }

  /** The mean of column c, sum / n. */
  double[] mean(int c) {
    double[] mu = sums[c].clone();
    for (int j = 0; j < mu.length; j++) {
      mu[j] /= n;
    }
    return mu;
  }

  private ColumnMoments add(Row row) {
    for (int c = 0; c < columns.length; c++) {
      Vector v = VectorColumns.ml(row.get(c), columns[c]);
      double[] s = sized(c, v.size());
      if (v instanceof DenseVector) {
        double[] x = ((DenseVector) v).values();
        for (int j = 0; j < x.length; j++) {
          s[j] += x[j];
        }
      } else {
        SparseVector sv = (SparseVector) v;
        int[] idx = sv.indices();
        double[] x = sv.values();
        for (int t = 0; t < idx.length; t++) {
          s[idx[t]] += x[t];
        }
      }
    }
    n++;
    return this;
  }

  private ColumnMoments merge(ColumnMoments other) {
    for (int c = 0; c < columns.length; c++) {
      if (other.sums[c] != null) {
        double[] s = sized(c, other.sums[c].length);
        for (int j = 0; j < s.length; j++) {
          s[j] += other.sums[c][j];
        }
      }
    }
    n += other.n;
    return this;
  }

  private double[] sized(int c, int size) {
    if (sums[c] == null) {
      sums[c] = new double[size];
    }
    AmmArgumentException.require(sums[c].length == size, "column '%s' holds vectors of different sizes (%d and %d)",
        columns[c], sums[c].length, size);
    return sums[c];
  }
}
