package org.sparkamm.local;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The floor of any one-pass method: the fastest read of every value of its inputs that Java can do
 * here, i.e. the machine's memory bandwidth over the arrays as they are laid out.
 *
 * <p>{@link #sum} reads the arrays in {@value #SLICES_PER_THREAD} contiguous slices per core, on all
 * cores ({@link #THREADS}); each slice is summed with eight independent accumulators, so no add waits
 * for the previous one and the loop runs as fast as the values stream in from memory (on the build
 * machine about 40 ms for 2 x 0.82 GB, ~40 GB/s, against ~100 ms for a plain one-thread {@code s += v}
 * loop, whose one dependency chain of adds is slower than memory). {@link #millis} is the median of
 * several such reads after one untimed warm-up read (JIT-compiled, caches and TLB as a repeated pass
 * finds them): a time no pass over the same bytes can beat, hence the denominator of the bench's
 * {@code x_read}. Cost: reads 8 bytes per value, writes nothing.
 */
public final class ReadFloor {
  /** Threads of the parallel read: the machine's cores. */
  public static final int THREADS = Runtime.getRuntime().availableProcessors();
  /** Slices per thread: several, so that a thread slowed by other processes does not hold the others up. */
  private static final int SLICES_PER_THREAD = 4;

  private ReadFloor() {}

  /** The sum of every value of {@code arrays}, read in parallel slices (the result keeps the read from being elided). */
  public static double sum(double[]... arrays) {
    int slices = THREADS * SLICES_PER_THREAD;
    return IntStream.range(0, slices).parallel().mapToDouble(s -> {
      double total = 0;
      for (double[] v : arrays) {
        total += sum(v, (int) ((long) v.length * s / slices), (int) ((long) v.length * (s + 1) / slices));
      }
      return total;
    }).sum();
  }

  /** The sum of v[from, to) with eight independent accumulators (one thread). */
  public static double sum(double[] v, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      s0 += v[i];
      s1 += v[i + 1];
      s2 += v[i + 2];
      s3 += v[i + 3];
      s4 += v[i + 4];
      s5 += v[i + 5];
      s6 += v[i + 6];
      s7 += v[i + 7];
    }
    for (; i < to; i++) {
      s0 += v[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** The median wall time in milliseconds of {@code repeats} reads of {@code arrays}, after one untimed warm-up read. */
  public static double millis(int repeats, double[]... arrays) {
    return medianMillis(repeats, () -> sum(arrays));
  }

  /** The median wall time in milliseconds of {@code repeats} runs of {@code read}, after one untimed warm-up run. */
  public static double medianMillis(int repeats, java.util.function.DoubleSupplier read) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
    }
    sink = read.getAsDouble();
    double[] ms = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      sink = read.getAsDouble();
      ms[r] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[repeats / 2];
  }

  /** Where the sums go, so that the JIT cannot drop the reads. */
  private static volatile double sink;
}
