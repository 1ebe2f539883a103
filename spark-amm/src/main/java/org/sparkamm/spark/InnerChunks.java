package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;
import org.sparkamm.sketch.InnerMasses;

/**
 * Gathers values indexed by inner index (per-block norm vectors, per-row norms) into arrays of
 * {@link InnerMasses#CHUNK} consecutive indices, summing values of the same index. Keyed by chunk
 * number, independent of how the data was partitioned or blocked. Shuffle: at most one 32 KiB array
 * per (partition, chunk) after map-side combining, i.e. about 8n bytes plus overhead.
 */
final class InnerChunks {
  private InnerChunks() {}

  /**
   * @param pieces (first inner index, consecutive values) pairs
   * @param n the inner dimension
   */
  static JavaPairRDD<Integer, double[]> gather(JavaPairRDD<Long, double[]> pieces, long n, int partitions) {
    int chunk = InnerMasses.CHUNK;
    JavaPairRDD<Integer, Tuple2<Integer, double[]>> split = pieces.flatMapToPair(piece -> {
      List<Tuple2<Integer, Tuple2<Integer, double[]>>> out = new ArrayList<>(2);
      long start = piece._1();
      double[] v = piece._2();
      int done = 0;
      while (done < v.length) {
        long index = start + done;
        int id = (int) (index / chunk);
        int offset = (int) (index - (long) id * chunk);
        int len = Math.min(v.length - done, chunk - offset);
        out.add(new Tuple2<>(id, new Tuple2<>(offset, Arrays.copyOfRange(v, done, done + len))));
        done += len;
      }
      return out.iterator();
    });
    JavaPairRDD<Integer, double[]> full = split.combineByKey(
        piece -> place(new double[chunk], piece),
        InnerChunks::place,
        (x, y) -> {
          for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
          }
          return x;
        },
        new HashPartitioner(Math.max(1, Math.min(partitions, InnerMasses.chunkCount(n)))));
    return full.mapToPair(e -> {
      int len = (int) Math.min(chunk, n - (long) e._1() * chunk);
      double[] v = e._2();
      return new Tuple2<>(e._1(), len == v.length ? v : Arrays.copyOf(v, len));
    });
  }

  private static double[] place(double[] into, Tuple2<Integer, double[]> piece) {
    int off = piece._1();
    double[] v = piece._2();
    for (int i = 0; i < v.length; i++) {
      into[off + i] += v[i];
    }
    return into;
  }
}
