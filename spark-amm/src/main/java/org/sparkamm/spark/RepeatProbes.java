package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import scala.Tuple2;
import org.sparkamm.algo.SignProbes;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.sketch.SketchedBlock;

/**
 * The probe residuals of repeated sketches ({@link SignProbes}) on Spark, computed where the data
 * lies: {@code W = B Q^T} (n x T) from B's blocks or rows, summed by A's inner blocks (n T doubles
 * shuffled); the exact probes {@code E = A W} from A's blocks (or X's rows) reading W; the sketched
 * probes from the sketches. When W fits a broadcast ({@value #BROADCAST_LIMIT_BYTES} bytes, 8 n T)
 * it is broadcast and destroyed after use, and A does not move; above that A's blocks (X's rows)
 * are joined with W by inner index, which shuffles A once.
 */
final class RepeatProbes {
  static final long BROADCAST_LIMIT_BYTES = 256L << 20;

  private RepeatProbes() {}

  /** Residuals [test][repeat] for BlockMatrix A (m x n) and B (n x p) and their sketches by block row / column. */
  static double[][] residuals(SignProbes probes, BlockMatrix a, BlockMatrix b, JavaPairRDD<Integer, SketchedBlock> as,
      JavaPairRDD<Integer, SketchedBlock> bs, int width) {
    int t = probes.count();
    int cpbB = b.colsPerBlock();
    double[] qb = OrderedReduce.reduceOr(bs.map(e -> {
      double[] q = new double[t * width];
      probes.addSketchProbes(e._2().values, e._2().rows, width, (long) e._1() * cpbB, q);
      return q;
    }), Vectors2::plus, new double[t * width]);
    return withExactProbes(probes, a, b, exact -> OrderedReduce.reduceOr(exact.join(as)
        .map(e -> probes.residuals(e._2()._1(), e._2()._2().values, e._2()._2().rows, qb)),
        SignProbes::plus, new double[probes.tests()][probes.repeats()]));
  }

  /** The pilot's values {@code z_t = 16 ||(A B Q^T)[:, t]||^2} ({@code algo.SketchSizing}), summed over A's block rows. */
  static double[] pilotValues(SignProbes probes, BlockMatrix a, BlockMatrix b) {
    int t = probes.count();
    return withExactProbes(probes, a, b, exact -> OrderedReduce.reduceOr(exact
        .map(e -> SketchSizing.probeValues(e._2(), e._2().length / t)), Vectors2::plus, new double[t]));
  }

  /**
   * Gives {@code use} the exact probes {@code E = A (B Q^T)} by block row of A (rows x T, column-major),
   * and releases what they read afterwards, on every path.
   */
  private static <R> R withExactProbes(SignProbes probes, BlockMatrix a, BlockMatrix b,
      java.util.function.Function<JavaPairRDD<Integer, double[]>, R> use) {
    int t = probes.count();
    int cpbB = b.colsPerBlock();
    int rpbB = b.rowsPerBlock();
    int cpbA = a.colsPerBlock();
    // W = B Q^T (n x T, row-major), summed over B's column blocks and cut along A's inner blocks (K),
    // which need not be B's row blocks.
    long n = b.numRows();
    JavaPairRDD<Integer, Tuple2<Integer, double[]>> pieces = JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD())
        .flatMapToPair(e -> {
          Matrix block = e._2();
          long colFrom = (long) (Integer) e._1()._2() * cpbB;
          long rowFrom = (long) (Integer) e._1()._1() * rpbB;
          DenseMatrix qt = new DenseMatrix(block.numCols(), t, probes.slice(colFrom, block.numCols()), true);
          double[] wb = rowMajor(block.multiply(qt));
          List<Tuple2<Integer, Tuple2<Integer, double[]>>> out = new ArrayList<>();
          for (int done = 0; done < block.numRows(); ) {
            long row = rowFrom + done;
            int k = (int) (row / cpbA);
            int offset = (int) (row - (long) k * cpbA);
            int len = Math.min(block.numRows() - done, cpbA - offset);
            out.add(new Tuple2<>(k, new Tuple2<>(offset, java.util.Arrays.copyOfRange(wb, done * t, (done + len) * t))));
            done += len;
          }
          return out.iterator();
        });
    JavaPairRDD<Integer, double[]> w = pieces.combineByKey(
        piece -> place(new double[cpbA * t], piece, t),
        (acc, piece) -> place(acc, piece, t),
        Vectors2::plus).mapToPair(e -> {
          int rows = (int) Math.min(cpbA, n - (long) e._1() * cpbA);
          return new Tuple2<>(e._1(), java.util.Arrays.copyOf(e._2(), rows * t));
        });
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    JavaPairRDD<Integer, double[]> exact;
    Broadcast<java.util.Map<Integer, double[]>> wAll = null;
    if (b.numRows() * (long) t * 8 <= BROADCAST_LIMIT_BYTES) {
      Broadcast<java.util.Map<Integer, double[]>> wb = jsc.broadcast(new java.util.HashMap<>(w.collectAsMap()));
      wAll = wb;
      exact = JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD()).flatMapToPair(e -> {
        double[] wk = wb.value().get((Integer) e._1()._2());
        return wk == null ? Collections.emptyIterator()
            : Collections.singletonList(new Tuple2<>((Integer) e._1()._1(), times(e._2(), wk, t))).iterator();
      }).reduceByKey(Vectors2::plus);
    } else {
      exact = JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD())
          .mapToPair(e -> new Tuple2<>((Integer) e._1()._2(), new Tuple2<>((Integer) e._1()._1(), e._2())))
          .join(w)
          .mapToPair(e -> new Tuple2<>(e._2()._1()._1(), times(e._2()._1()._2(), e._2()._2(), t)))
          .reduceByKey(Vectors2::plus);
    }
    try {
      return use.apply(exact);
    } finally {
      if (wAll != null) {
        wAll.destroy();
      }
    }
  }

  /** Residuals for the row-aligned X^T Y (A = X^T, B = Y) and the two local sketches. */
  static double[][] residuals(SignProbes probes, IndexedRowMatrix x, IndexedRowMatrix y, SketchedBlock xs,
      SketchedBlock ys) {
    double[] qb = new double[probes.count() * xs.width];
    probes.addSketchProbes(ys.values, ys.rows, ys.width, 0, qb);
    return probes.residuals(exactProbes(probes, x, y, xs.rows, ys.rows), xs.values, xs.rows, qb);
  }

  /** The pilot's values for the row-aligned X^T Y ({@code algo.SketchSizing}). */
  static double[] pilotValues(SignProbes probes, IndexedRowMatrix x, IndexedRowMatrix y) {
    int m = Math.toIntExact(x.numCols());
    return SketchSizing.probeValues(exactProbes(probes, x, y, m, Math.toIntExact(y.numCols())), m);
  }

  /** E = X^T (Y Q^T), m x T column-major, on the driver. */
  private static double[] exactProbes(SignProbes probes, IndexedRowMatrix x, IndexedRowMatrix y, int m, int p) {
    int t = probes.count();
    // W_i = Q y_i (T values per row index).
    JavaPairRDD<Long, double[]> w = y.rows().toJavaRDD().mapPartitionsToPair(it -> {
      double[] q = probes.slice(0, p);
      List<Tuple2<Long, double[]>> out = new ArrayList<>();
      while (it.hasNext()) {
        IndexedRow r = it.next();
        out.add(new Tuple2<>(r.index(), qTimes(q, t, r.vector())));
      }
      return out.iterator();
    });
    JavaRDD<double[]> partial;
    Broadcast<java.util.Map<Long, double[]>> wAll = null;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    if (y.numRows() * (long) t * 8 <= BROADCAST_LIMIT_BYTES) {
      Broadcast<java.util.Map<Long, double[]>> wb = jsc.broadcast(new java.util.HashMap<>(w.collectAsMap()));
      wAll = wb;
      partial = x.rows().toJavaRDD().mapPartitions(it -> {
        double[] e = new double[m * t];
        while (it.hasNext()) {
          IndexedRow r = it.next();
          double[] wi = wb.value().get(r.index());
          if (wi != null) {
            addOuter(e, m, r.vector(), wi);
          }
        }
        return Collections.singletonList(e).iterator();
      });
    } else {
      partial = x.rows().toJavaRDD().mapToPair(r -> new Tuple2<>(r.index(), r.vector())).join(w).mapPartitions(it -> {
        double[] e = new double[m * t];
        while (it.hasNext()) {
          Tuple2<Vector, double[]> pair = it.next()._2();
          addOuter(e, m, pair._1(), pair._2());
        }
        return Collections.singletonList(e).iterator();
      });
    }
    try {
      return OrderedReduce.reduce(partial, Vectors2::plus);
    } finally {
      if (wAll != null) {
        wAll.destroy();
      }
    }
  }

  /** Q v for Q (T x p, column-major) and a vector of p entries. */
  private static double[] qTimes(double[] q, int t, Vector v) {
    double[] out = new double[t];
    v.foreachActive((c, value) -> {
      int base = (Integer) c * t;
      for (int r = 0; r < t; r++) {
        out[r] += q[base + r] * (Double) value;
      }
      return null;
    });
    return out;
  }

  /** e (m x T, column-major) += x w^T. */
  private static void addOuter(double[] e, int m, Vector x, double[] w) {
    x.foreachActive((i, value) -> {
      double xi = (Double) value;
      for (int r = 0; r < w.length; r++) {
        e[(Integer) i + r * m] += xi * w[r];
      }
      return null;
    });
  }

  /** block (rows x n_K) times W_K (n_K x T, row-major): rows x T column-major. */
  private static double[] times(Matrix block, double[] wk, int t) {
    return block.multiply(new DenseMatrix(block.numCols(), t, wk, true)).values();
  }

  private static double[] place(double[] into, Tuple2<Integer, double[]> piece, int t) {
    int off = piece._1() * t;
    double[] v = piece._2();
    for (int i = 0; i < v.length; i++) {
      into[off + i] += v[i];
    }
    return into;
  }

  private static double[] rowMajor(DenseMatrix m) {
    return m.transpose().toArray(); // column-major array of the transpose = row-major array of m
  }

}
