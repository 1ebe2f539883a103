package org.sparkamm.random;

/**
 * A short sequence of random values for one matrix entry: SplitMix64 (Steele, Lea, Flood 2014)
 * started from the entry's counter-based bits, so that samplers needing several uniforms (rejection
 * methods, sums of Bernoulli trials) stay pure functions of (seed, stream, index). Mutable and
 * reused entry after entry by one thread: {@link #reset} it per entry.
 */
public final class ElementStream {
  private long state;

  /** Starts the sequence of entry {@code index} of the stream whose key is {@code key}. */
  public ElementStream reset(long key, long index) {
    state = CounterRng.bits(key, index);
    return this;
  }

  public long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return CounterRng.mix64(state);
  }

  /** Uniform on [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform on (0, 1]: safe under a logarithm. */
  public double nextPositiveDouble() {
    return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
  }

  /** Standard normal (Box-Muller, one of the pair). */
  public double nextGaussian() {
    return Math.sqrt(-2.0 * Math.log(nextPositiveDouble())) * Math.cos(2.0 * Math.PI * nextDouble());
  }
}
