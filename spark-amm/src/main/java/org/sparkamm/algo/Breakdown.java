package org.sparkamm.algo;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the time of one multiply went, in LibAMM's getBreakDown vocabulary (microseconds):
 * {@code buildATime} (sketch or sample A), {@code buildBTime} (sketch or sample B, including any
 * pass that computes sampling probabilities), {@code fABTime} (the reduced product), and
 * {@code postProcessTime} (assembling the result). On Spark each phase is materialized before the
 * next starts, so the phases add up to the whole; {@code shuffleBytes} is what Spark's shuffle wrote
 * during the multiply (0 for local runs).
 */
public final class Breakdown implements Serializable {
  private static final long serialVersionUID = 1L;
  public final long buildATime;
  public final long buildBTime;
  public final long fABTime;
  public final long postProcessTime;
  public final long shuffleBytes;

  public Breakdown(long buildATime, long buildBTime, long fABTime, long postProcessTime, long shuffleBytes) {
    this.buildATime = buildATime;
    this.buildBTime = buildBTime;
    this.fABTime = fABTime;
    this.postProcessTime = postProcessTime;
    this.shuffleBytes = shuffleBytes;
  }

  public static Breakdown zero() {
    return new Breakdown(0, 0, 0, 0, 0);
  }

  /** Total of the four phases, microseconds. */
  public long totalTime() {
    return buildATime + buildBTime + fABTime + postProcessTime;
  }

  /** The breakdown as LibAMM's key/value map (times in microseconds). */
  public Map<String, Long> toMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("buildATime", buildATime);
    m.put("buildBTime", buildBTime);
    m.put("fABTime", fABTime);
    m.put("postProcessTime", postProcessTime);
    m.put("shuffleBytes", shuffleBytes);
    return m;
  }

  @Override
  public String toString() {
    return toMap().toString();
  }

  /** Measures phases one after the other: each {@link #lap()} returns microseconds since the previous one. */
  public static final class Clock {
    private long last = System.nanoTime();

    public long lap() {
      long now = System.nanoTime();
      long micros = (now - last) / 1000;
      last = now;
      return micros;
    }
  }
}
