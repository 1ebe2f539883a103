package org.sparkamm.spark;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.CoordinateMatrix;
import org.apache.spark.mllib.linalg.distributed.MatrixEntry;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.MatrixMarket;
import org.sparkamm.io.RowLayout;
import org.sparkamm.io.RowLayouts;

/**
 * Loads matrix files straight into Spark. Flat binary files (.npy in C or Fortran order, IDX,
 * .fvecs/.ivecs/.bvecs): the driver reads only the header; each task reads its own range of records by
 * position, through Hadoop's FileSystem (so {@code file:}, {@code hdfs:} and the other schemes
 * Spark is configured for work), and builds its blocks or rows. No matrix data passes through the
 * driver, so files larger than the driver's heap load. Every value is checked to be finite as it is
 * decoded; a bad value fails the load with the file and record named.
 */
public final class DistributedFiles {
  /** Records read per positioned read, at most this many bytes. */
  private static final long READ_BYTES = 32L << 20;
  /** The most a task holds of a BlockMatrix file read, as doubles. */
  static final long TASK_BYTES = 64L << 20;
  /** At most this many load tasks; beyond it, tasks take several record groups each. */
  private static final int MAX_TASKS = 20_000;

  private DistributedFiles() {}

  /**
   * The Hadoop configuration the readers use: the running SparkContext's (so {@code spark.hadoop.*}
   * settings, credentials, {@code fs.defaultFS} and HA nameservices apply), or, before Spark starts
   * (the CLI reads headers first), one built from the {@code spark.hadoop.*} system properties that
   * spark-submit passes. Tasks receive the driver's configuration with their closure.
   */
  static Configuration hadoopConf() {
    scala.Option<org.apache.spark.sql.SparkSession> session = org.apache.spark.sql.SparkSession.getDefaultSession();
    if (session.isDefined() && !session.get().sparkContext().isStopped()) {
      return session.get().sparkContext().hadoopConfiguration();
    }
    Configuration conf = new Configuration();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), System.getProperty(key));
      }
    }
    return conf;
  }

  /** The header of a file, read on the driver. */
  public static RowLayout layout(String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try {
      FileSystem fs = p.getFileSystem(hadoopConf());
      if (!fs.exists(p)) {
        throw new AmmFormatException(path + ": no such file");
      }
      long size = fs.getFileStatus(p).getLen();
      try (InputStream in = fs.open(p)) {
        return RowLayouts.read(in, size, path);
      }
    } catch (IOException e) {
      throw new AmmFormatException(path + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** True for a Matrix Market file, plain or gzip-compressed (read as text, not by record position). */
  public static boolean isMatrixMarket(String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try {
      return MatrixMarket.isMatrixMarket(p.getFileSystem(hadoopConf()).open(p));
    } catch (java.io.FileNotFoundException e) {
      throw new AmmFormatException(path + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(path + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** What a file's header says: its matrix's shape, and whether it stores float32. */
  public static final class Shape {
    public final long rows;
    public final long cols;
    public final boolean float32;

    Shape(long rows, long cols, boolean float32) {
      this.rows = rows;
      this.cols = cols;
      this.float32 = float32;
    }
  }

  /** The shape of a file that {@link #blockMatrix} reads, from its header alone. */
  public static Shape shape(String path) {
    if (isMatrixMarket(path)) {
      MatrixMarket.Header h = matrixMarketHeader(path);
      return new Shape(h.rows, h.cols, false);
    }
    RowLayout l = layout(path);
    return new Shape(l.matrixRows(), l.matrixCols(), l.dtype == org.sparkamm.io.DType.F4);
  }

  private static MatrixMarket.Header matrixMarketHeader(String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try (InputStream in = MatrixMarket.decompressed(p.getFileSystem(hadoopConf()).open(p))) {
      return MatrixMarket.header(in, path);
    } catch (IOException e) {
      throw new AmmFormatException(path + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * A Matrix Market file read as text splits by the executors: lines at or after the size line's
   * end are parsed where they lie (errors give the byte offset of the line), symmetric storage is
   * mirrored, array-format values are placed by their index in file order, the entry count is
   * checked against the size line, and a CoordinateMatrix becomes sparse blocks (duplicate
   * coordinates are summed there, as {@code SparseMatrix.fromCOO} does). A gzip-compressed file
   * does not split: one task decompresses and parses it whole, streaming its entries into the
   * shuffle (nothing passes through the driver, and no task holds more than one entry). Shuffle:
   * the entries once (grouping them by block), about 24 bytes each.
   */
  public static BlockMatrix matrixMarket(JavaSparkContext jsc, String path, int blockSize, int partitions) {
    MatrixMarket.Header h = matrixMarketHeader(path);
    JavaRDD<MatrixEntry> entries = gzipped(path) ? gzipEntries(jsc, path, h) : textSplitEntries(jsc, path, h, partitions);
    BlockMatrix b = new CoordinateMatrix(entries.rdd(), h.rows, h.cols).toBlockMatrix(blockSize, blockSize);
    SparkMatrices.cached(b.blocks());
    return b;
  }

  private static boolean gzipped(String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try (InputStream in = p.getFileSystem(hadoopConf()).open(p)) {
      return MatrixMarket.isGzip(in.readNBytes(2));
    } catch (IOException e) {
      throw new AmmFormatException(path + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** The entries of a gzip file, read in one task that closes its stream when it ends, however it ends. */
  private static JavaRDD<MatrixEntry> gzipEntries(JavaSparkContext jsc, String path, MatrixMarket.Header h) {
    SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
    return jsc.parallelize(List.of(0), 1).flatMap(unused -> {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      InputStream in = MatrixMarket.decompressed(p.getFileSystem(conf.value()).open(p));
      org.apache.spark.TaskContext.get().addTaskCompletionListener(
          (org.apache.spark.util.TaskCompletionListener) context -> closeQuietly(in));
      MatrixMarket.header(in, path);
      MatrixMarket.Entries e = new MatrixMarket.Entries(in, h);
      return new java.util.Iterator<MatrixEntry>() {
        private final java.util.ArrayDeque<MatrixEntry> pending = new java.util.ArrayDeque<>(2);

        @Override
        public boolean hasNext() {
          try {
            if (pending.isEmpty() && e.next()) {
              pending.addAll(mirrored(h, e.row(), e.col(), e.value()));
            }
          } catch (IOException x) {
            throw new AmmFormatException(path + ": cannot read (" + x.getMessage() + ")");
          }
          return !pending.isEmpty();
        }

        @Override
        public MatrixEntry next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return pending.poll();
        }
      };
    });
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the task is over; nothing more to read
    }
  }

  private static JavaRDD<MatrixEntry> textSplitEntries(JavaSparkContext jsc, String path, MatrixMarket.Header h,
      int partitions) {
    JavaPairRDD<Long, String> lines = jsc.hadoopFile(path, org.apache.hadoop.mapred.TextInputFormat.class,
            org.apache.hadoop.io.LongWritable.class, org.apache.hadoop.io.Text.class, Math.max(1, partitions))
        .mapToPair(e -> new Tuple2<>(e._1().get(), e._2().toString()))
        .filter(e -> e._1() >= h.dataOffset && !MatrixMarket.isSkipped(e._2()));
    JavaRDD<MatrixEntry> entries;
    if (h.coordinate) {
      entries = lines.flatMap(e -> {
        long[] rc = new long[2];
        double x = MatrixMarket.entry(h, e._2(), path + " at byte " + e._1(), rc);
        return mirrored(h, rc[0], rc[1], x).iterator();
      });
    } else {
      entries = lines.zipWithIndex().flatMap(e -> {
        double x = MatrixMarket.value(h, e._1()._2(), path + " at byte " + e._1()._1());
        if (e._2() >= h.entries) {
          throw new AmmFormatException(path + " at byte " + e._1()._1() + ": more entries than the " + h.entries
              + " declared");
        }
        long[] rc = h.arrayPosition(e._2());
        return mirrored(h, rc[0], rc[1], x).iterator();
      });
    }
    long found = lines.count();
    if (found != h.entries) {
      throw new AmmFormatException(path + ": " + h.entries + " entries declared, " + found + " found");
    }
    return entries;
  }

  private static List<MatrixEntry> mirrored(MatrixMarket.Header h, long i, long j, double x) {
    List<MatrixEntry> out = new ArrayList<>(2);
    out.add(new MatrixEntry(i, j, x));
    if (h.mirrored() && i != j) {
      out.add(new MatrixEntry(j, i, h.skew ? -x : x));
    }
    return out;
  }

  /**
   * The file as a BlockMatrix of blockSize x blockSize blocks, cached and materialized: flat binary
   * files by record position, Matrix Market files as text splits ({@link #matrixMarket}).
   */
  public static BlockMatrix blockMatrix(JavaSparkContext jsc, String path, int blockSize, int partitions) {
    return blockMatrix(jsc, path, blockSize, partitions, TASK_BYTES);
  }

  /** {@link #blockMatrix(JavaSparkContext, String, int, int)} holding at most {@code taskBytes} per task. */
  static BlockMatrix blockMatrix(JavaSparkContext jsc, String path, int blockSize, int partitions, long taskBytes) {
    AmmArgumentException.require(blockSize >= 1, "block size must be at least 1, got %d", blockSize);
    if (isMatrixMarket(path)) {
      return matrixMarket(jsc, path, blockSize, partitions);
    }
    RowLayout layout = layout(path);
    long groups = (layout.records + blockSize - 1) / blockSize;
    // A task reads a group of blockSize records, all of each record when that fits TASK_BYTES, else a
    // range of whole blocks of it: wide files (long records) are read in as many tasks as their bytes need.
    long span = spanFor(layout, blockSize, taskBytes);
    long spans = (layout.width + span - 1) / span;
    SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
    JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = groups(jsc, groups * spans, partitions).flatMapToPair(u -> {
      long g = u / spans;
      int from = (int) ((u % spans) * span);
      int len = (int) Math.min(span, layout.width - from);
      long first = g * blockSize;
      int count = (int) Math.min(blockSize, layout.records - first);
      double[] values = len == layout.width ? readRecords(path, layout, first, count, conf.value())
          : readSpans(path, layout, first, count, from, len, conf.value());
      return cut(layout, values, (int) g, count, blockSize, from, len).iterator();
    });
    SparkMatrices.cached(blocks.rdd());
    return new BlockMatrix(blocks.rdd(), blockSize, blockSize, layout.matrixRows(), layout.matrixCols());
  }

  /**
   * Elements of each record a task reads: the whole record when a group of blockSize records fits
   * {@code taskBytes} as doubles, else the largest multiple of blockSize that does (at least one block).
   */
  static long spanFor(RowLayout layout, int blockSize, long taskBytes) {
    long perRecord = taskBytes / (8L * Math.max(1, Math.min(blockSize, layout.records)));
    if (perRecord >= layout.width) {
      return Math.max(1, layout.width);
    }
    return Math.max(1, perRecord / blockSize) * blockSize;
  }

  /**
   * The file as an IndexedRowMatrix with the row index of the file. Row-major files are read row
   * ranges per task; a Fortran-order .npy (whose records are columns) and a Matrix Market file go
   * through a BlockMatrix.
   */
  public static IndexedRowMatrix indexedRows(JavaSparkContext jsc, String path, int partitions) {
    if (isMatrixMarket(path)) {
      return rowsOf(matrixMarket(jsc, path, 1024, partitions));
    }
    RowLayout layout = layout(path);
    if (layout.columnsAreRecords) {
      return rowsOf(blockMatrix(jsc, path, 1024, partitions));
    }
    long perGroup = Math.max(1, READ_BYTES / Math.max(1, layout.recordBytes()));
    long groups = (layout.records + perGroup - 1) / perGroup;
    SerializableConfiguration conf = new SerializableConfiguration(jsc.hadoopConfiguration());
    JavaRDD<IndexedRow> rows = groups(jsc, groups, partitions).flatMap(g -> {
      long first = g * perGroup;
      int count = (int) Math.min(perGroup, layout.records - first);
      double[] values = readRecords(path, layout, first, count, conf.value());
      List<IndexedRow> out = new ArrayList<>(count);
      for (int r = 0; r < count; r++) {
        double[] row = new double[layout.width];
        System.arraycopy(values, r * layout.width, row, 0, layout.width);
        out.add(new IndexedRow(first + r, Vectors.dense(row)));
      }
      return out.iterator();
    });
    SparkMatrices.cached(rows.rdd());
    return new IndexedRowMatrix(rows.rdd(), layout.matrixRows(), (int) layout.matrixCols());
  }

  /**
   * The rows of a loaded BlockMatrix, cached as the rows the caller holds (unpersisting them releases
   * the load); the blocks, cached by the load, are released once the rows are computed or fail.
   */
  private static IndexedRowMatrix rowsOf(BlockMatrix blocks) {
    try {
      IndexedRowMatrix rows = blocks.toIndexedRowMatrix();
      SparkMatrices.cached(rows.rows());
      return rows;
    } finally {
      blocks.blocks().unpersist(false);
    }
  }

  /**
   * One task per group of records (as Hadoop gives one task per split), and at least
   * {@code partitions} tasks: a task holds one group's values at a time, so executor memory bounds
   * the group size, not the file size.
   */
  private static JavaRDD<Long> groups(JavaSparkContext jsc, long groups, int partitions) {
    List<Long> ids = new ArrayList<>();
    for (long g = 0; g < groups; g++) {
      ids.add(g);
    }
    int slices = (int) Math.max(1, Math.min(Math.max(groups, partitions), MAX_TASKS));
    return jsc.parallelize(ids, slices);
  }

  /** Records [first, first + count), decoded record after record. */
  static double[] readRecords(String path, RowLayout layout, long first, int count, Configuration conf)
      throws IOException {
    long total = (long) count * layout.width;
    if (total > Integer.MAX_VALUE - 8) {
      throw new AmmFormatException(path + ": a group of " + count + " records is too large for one task");
    }
    double[] values = new double[(int) total];
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    FileSystem fs = p.getFileSystem(conf);
    long perRead = Math.max(1, READ_BYTES / Math.max(1, layout.recordBytes()));
    try (FSDataInputStream in = fs.open(p)) {
      for (long done = 0; done < count; done += perRead) {
        int n = (int) Math.min(perRead, count - done);
        byte[] buf = new byte[(int) (n * layout.recordBytes())];
        in.readFully(layout.dataOffset + (first + done) * layout.recordBytes(), buf, 0, buf.length);
        layout.decode(buf, n, values, (int) (done * layout.width), first + done);
      }
    }
    checkFinite(path, values, first, layout.width);
    return values;
  }

  /**
   * Records [first, first + count), elements [from, from + len) of each: one positioned read per record
   * (and, for the span holding element 0 of records with a prefix, a check of each prefix).
   */
  static double[] readSpans(String path, RowLayout layout, long first, int count, int from, int len,
      Configuration conf) throws IOException {
    double[] values = new double[Math.multiplyExact(count, len)];
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    FileSystem fs = p.getFileSystem(conf);
    int size = layout.dtype.size;
    byte[] buf = new byte[Math.multiplyExact(len, size)];
    byte[] prefix = new byte[layout.prefix];
    try (FSDataInputStream in = fs.open(p)) {
      for (int r = 0; r < count; r++) {
        long at = layout.dataOffset + (first + r) * layout.recordBytes();
        if (from == 0 && layout.prefix > 0) {
          in.readFully(at, prefix, 0, prefix.length);
          layout.checkPrefix(prefix, first + r);
        }
        in.readFully(at + layout.prefix + (long) from * size, buf, 0, buf.length);
        layout.decodeElements(buf, len, values, r * len);
      }
    }
    checkFinite(path, values, first, len);
    return values;
  }

  private static void checkFinite(String path, double[] values, long first, int perRecord) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new AmmFormatException(path + ": record " + (first + i / perRecord) + " holds a NaN or infinite value");
      }
    }
  }

  /**
   * Cuts elements [from, from + len) of a group of records (row-major in v, len per record) into
   * blocks: records are rows (block row g) or columns (block column g); {@code from} is a multiple of
   * blockSize.
   */
  private static List<Tuple2<Tuple2<Object, Object>, Matrix>> cut(RowLayout layout, double[] v, int g, int count,
      int blockSize, int spanFrom, int spanLen) {
    List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
    int width = spanLen;
    for (int b = 0; b * (long) blockSize < width; b++) {
      int from = b * blockSize;
      int len = Math.min(blockSize, width - from);
      double[] block = new double[count * len];
      // records x len, row-major in v; as a matrix: rows = records (or the transpose).
      for (int r = 0; r < count; r++) {
        for (int j = 0; j < len; j++) {
          double x = v[r * width + from + j];
          if (layout.columnsAreRecords) {
            block[j + r * len] = x; // len rows x count columns, column-major
          } else {
            block[r + j * count] = x; // count rows x len columns, column-major
          }
        }
      }
      int bb = spanFrom / blockSize + b;
      Tuple2<Object, Object> key = layout.columnsAreRecords ? new Tuple2<>(bb, g) : new Tuple2<>(g, bb);
      DenseMatrix m = layout.columnsAreRecords ? new DenseMatrix(len, count, block) : new DenseMatrix(count, len, block);
      out.add(new Tuple2<>(key, m));
    }
    return out;
  }
}
