package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;
import org.sparkamm.sketch.InnerMasses;

/**
 * Gathers values indexed by inner index (per-block norm vectors, per-row norms) into arrays of
 * {@link InnerMasses#CHUNK} consecutive indices, summing values of the same index. Keyed by chunk
 * number, independent of how the data was partitioned or blocked; each task sums its values of a
 * chunk in the order it reads them, and the tasks' sums are added in task order ({@link
 * OrderedByKey}), so the masses are the same bits on every run. Shuffle: at most one 32 KiB array
 * per (partition, chunk), i.e. about 8n bytes plus overhead.
 */
final class InnerChunks {
  private InnerChunks() {}

  /**
   * @param pieces (first inner index, consecutive values) pairs
   * @param n the inner dimension
   */
  static JavaPairRDD<Integer, double[]> gather(JavaPairRDD<Long, double[]> pieces, long n, int partitions) {
    int chunk = InnerMasses.CHUNK;
    JavaPairRDD<Long, double[]> partial = JavaPairRDD.fromJavaRDD(pieces.mapPartitionsWithIndex((task, it) -> {
      Map<Integer, double[]> chunks = new TreeMap<>(); // this task's sums, by chunk
      while (it.hasNext()) {
        Tuple2<Long, double[]> piece = it.next();
        long start = piece._1();
        double[] v = piece._2();
        int done = 0;
        while (done < v.length) {
          long index = start + done;
          int id = (int) (index / chunk);
          int offset = (int) (index - (long) id * chunk);
          int len = Math.min(v.length - done, chunk - offset);
          double[] into = chunks.computeIfAbsent(id, c -> new double[chunk]);
          for (int i = 0; i < len; i++) {
            into[offset + i] += v[done + i];
          }
          done += len;
        }
      }
      List<Tuple2<Long, double[]>> out = new ArrayList<>(chunks.size());
      chunks.forEach((id, sums) -> out.add(new Tuple2<>(OrderedByKey.tag(id, task), sums)));
      return out.iterator();
    }, false));
    JavaPairRDD<Long, double[]> full = OrderedByKey.reduce(partial,
        Math.max(1, Math.min(partitions, InnerMasses.chunkCount(n))), (x, y) -> {
          for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
          }
          return x;
        });
    return full.mapToPair(e -> {
      int id = (int) (long) e._1();
      int len = (int) Math.min(chunk, n - (long) id * chunk);
      double[] v = e._2();
      return new Tuple2<>(id, len == v.length ? v : Arrays.copyOf(v, len));
    });
  }
}
