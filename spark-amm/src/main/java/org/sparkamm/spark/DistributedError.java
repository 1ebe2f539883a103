package org.sparkamm.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.Optional;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import scala.Tuple2;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.FrobeniusError;

/**
 * The relative Frobenius error of two distributed matrices, block by block: a join of the two
 * block sets (a missing block counts as zero), partial sums of squares in double, one division on
 * the driver. Neither matrix is collected.
 */
public final class DistributedError {
  private DistributedError() {}

  public static double relative(BlockMatrix exact, BlockMatrix approx) {
    AmmArgumentException.require(exact.numRows() == approx.numRows() && exact.numCols() == approx.numCols(),
        "cannot compare a %dx%d matrix with a %dx%d matrix", exact.numRows(), exact.numCols(),
        approx.numRows(), approx.numCols());
    AmmArgumentException.require(exact.rowsPerBlock() == approx.rowsPerBlock()
            && exact.colsPerBlock() == approx.colsPerBlock(),
        "cannot compare matrices with different blocks: %dx%d and %dx%d per block",
        exact.rowsPerBlock(), exact.colsPerBlock(), approx.rowsPerBlock(), approx.colsPerBlock());
    JavaPairRDD<Tuple2<Object, Object>, Matrix> e = JavaPairRDD.fromJavaRDD(exact.blocks().toJavaRDD());
    JavaPairRDD<Tuple2<Object, Object>, Matrix> a = JavaPairRDD.fromJavaRDD(approx.blocks().toJavaRDD());
    Tuple2<Double, Double> sums = OrderedReduce.reduceOr(e.fullOuterJoin(a).values().map(pair -> {
      double[] x = values(pair._1());
      double[] y = values(pair._2());
      if (x == null) {
        return new Tuple2<>(FrobeniusError.squaredNorm(y), 0.0);
      }
      if (y == null) {
        return new Tuple2<>(FrobeniusError.squaredNorm(x), FrobeniusError.squaredNorm(x));
      }
      return new Tuple2<>(FrobeniusError.squaredDifference(x, y), FrobeniusError.squaredNorm(x));
    }), (u, v) -> new Tuple2<>(u._1() + v._1(), u._2() + v._2()), new Tuple2<>(0.0, 0.0));
    return FrobeniusError.ratio(sums._1(), sums._2());
  }

  private static double[] values(Optional<Matrix> m) {
    return m.isPresent() ? m.get().toArray() : null;
  }
}
