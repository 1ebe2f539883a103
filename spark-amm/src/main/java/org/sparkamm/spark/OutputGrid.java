package org.sparkamm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import scala.Tuple2;
import scala.Tuple3;

/**
 * {@code BlockMatrix.multiply}'s shape for any kind of tile: each tile of A is sent to every output
 * block of its block row(s), one per block column of C, each tile of B to every output block of its
 * block column(s); they meet by output block (one cogroup) and a kernel computes the block from the
 * tiles that met. The inner tiles can be split into {@code splits} contiguous ranges, so that a
 * product with few output blocks still uses every core, or so that the tiles meeting in one task fit
 * its memory; the partial blocks (8 bytes per output entry and range) are then summed in range order
 * (the same result on every run). Shuffle: each A tile once per block column of C (each B tile once
 * per block row) plus, with splits, the partial blocks.
 *
 * <p>C has {@code rowsPerBlock} x {@code colsPerBlock} blocks on an m x p grid; an output block where
 * no pair of tiles met is absent (zero), as in MLlib. The returned blocks are neither cached nor
 * materialized.
 */
final class OutputGrid implements Serializable {
  private static final long serialVersionUID = 1L;
  final long m;
  final long p;
  final int rowsPerBlock;
  final int colsPerBlock;
  final int innerTiles;
  final int splits;

  OutputGrid(long m, long p, int rowsPerBlock, int colsPerBlock, int innerTiles, int splits) {
    this.m = m;
    this.p = p;
    this.rowsPerBlock = rowsPerBlock;
    this.colsPerBlock = colsPerBlock;
    this.innerTiles = innerTiles;
    this.splits = Math.max(1, Math.min(Math.max(1, innerTiles), splits));
  }

  int rowBlocks() {
    return Math.toIntExact((m + rowsPerBlock - 1) / rowsPerBlock);
  }

  int colBlocks() {
    return Math.toIntExact((p + colsPerBlock - 1) / colsPerBlock);
  }

  /** Splits that give each core work ({@code 2 cores} tasks) when there are few output blocks. */
  static int splitsForCores(int cores, long outBlocks, int innerTiles) {
    return (int) Math.max(1, Math.min(innerTiles, (2L * cores + outBlocks - 1) / Math.max(1, outBlocks)));
  }

  /** Where a tile goes: the range of output block rows (A) or columns (B) it touches, and its inner tile. */
  interface Route<T> extends Serializable {
    /** {first output block, last output block, inner tile index}. */
    int[] of(T tile);
  }

  /** One output block from the A tiles and B tiles that met there (any inner tiles; the kernel pairs them). */
  interface Kernel<T, U> extends Serializable {
    /** The block (rows x cols, column-major) whose first entry is (r0, c0). */
    double[] block(List<T> as, List<U> bs, int blockRow, int blockCol, long r0, int rows, long c0, int cols);
  }

  <T, U> JavaPairRDD<Tuple2<Object, Object>, Matrix> multiply(JavaRDD<T> aTiles, Route<T> aRoute, JavaRDD<U> bTiles,
      Route<U> bRoute, Kernel<T, U> kernel, int partitions) {
    int nI = rowBlocks();
    int nJ = colBlocks();
    int nK = innerTiles;
    int s = splits;
    JavaPairRDD<Tuple3<Integer, Integer, Integer>, T> aOut = aTiles.flatMapToPair(t -> {
      int[] r = aRoute.of(t);
      int split = split(r[2], nK, s);
      List<Tuple2<Tuple3<Integer, Integer, Integer>, T>> out = new ArrayList<>((r[1] - r[0] + 1) * nJ);
      for (int i = r[0]; i <= r[1]; i++) {
        for (int j = 0; j < nJ; j++) {
          out.add(new Tuple2<>(new Tuple3<>(i, j, split), t));
        }
      }
      return out.iterator();
    });
    JavaPairRDD<Tuple3<Integer, Integer, Integer>, U> bOut = bTiles.flatMapToPair(t -> {
      int[] r = bRoute.of(t);
      int split = split(r[2], nK, s);
      List<Tuple2<Tuple3<Integer, Integer, Integer>, U>> out = new ArrayList<>((r[1] - r[0] + 1) * nI);
      for (int j = r[0]; j <= r[1]; j++) {
        for (int i = 0; i < nI; i++) {
          out.add(new Tuple2<>(new Tuple3<>(i, j, split), t));
        }
      }
      return out.iterator();
    });
    long mm = m;
    long pp = p;
    int rpb = rowsPerBlock;
    int cpb = colsPerBlock;
    JavaPairRDD<Tuple2<Integer, Integer>, Tuple2<Integer, double[]>> partial = aOut.cogroup(bOut,
        new HashPartitioner(Math.max(1, partitions))).flatMapToPair(e -> {
          List<T> as = new ArrayList<>();
          e._2()._1().forEach(as::add);
          List<U> bs = new ArrayList<>();
          e._2()._2().forEach(bs::add);
          if (as.isEmpty() || bs.isEmpty()) {
            return Collections.emptyIterator();
          }
          int bi = e._1()._1();
          int bj = e._1()._2();
          long r0 = (long) bi * rpb;
          long c0 = (long) bj * cpb;
          double[] c = kernel.block(as, bs, bi, bj, r0, (int) Math.min(rpb, mm - r0), c0, (int) Math.min(cpb, pp - c0));
          return Collections.singletonList(new Tuple2<>(new Tuple2<>(bi, bj), new Tuple2<>(e._1()._3(), c)))
              .iterator();
        });
    if (s == 1) {
      return partial.mapToPair(e -> block(e._1(), e._2()._2()));
    }
    return partial.groupByKey(Math.max(1, (int) Math.min((long) nI * nJ, partitions))).mapToPair(e -> {
      List<Tuple2<Integer, double[]>> ps = new ArrayList<>();
      e._2().forEach(ps::add);
      ps.sort((x, y) -> Integer.compare(x._1(), y._1()));
      double[] c = ps.get(0)._2();
      for (int q = 1; q < ps.size(); q++) {
        double[] d = ps.get(q)._2();
        for (int t = 0; t < c.length; t++) {
          c[t] += d[t];
        }
      }
      return block(e._1(), c);
    });
  }

  private static int split(int k, int nK, int splits) {
    return (int) ((long) k * splits / Math.max(1, nK));
  }

  private Tuple2<Tuple2<Object, Object>, Matrix> block(Tuple2<Integer, Integer> key, double[] c) {
    int rows = (int) Math.min(rowsPerBlock, m - (long) key._1() * rowsPerBlock);
    int cols = (int) Math.min(colsPerBlock, p - (long) key._2() * colsPerBlock);
    return new Tuple2<>(new Tuple2<>(key._1(), key._2()), new DenseMatrix(rows, cols, c));
  }
}
