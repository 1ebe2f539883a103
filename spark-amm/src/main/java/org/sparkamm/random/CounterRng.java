package org.sparkamm.random;

/**
 * Counter-based randomness: every value is a pure function of {@code (seed, stream, index)}.
 *
 * <p>Spark may run a task twice (retries, speculation, lost executors), data may be repartitioned,
 * and users rerun jobs; a value drawn here depends on none of that. The construction is the
 * SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014) applied to a key built from the seed and stream, then to the key combined with the
 * index: two rounds of a 64-bit bijective mixer with full avalanche. It is not cryptographic; it
 * passes the statistical needs of sketching (uniform buckets, independent signs, uniform reals).
 *
 * <p>Streams separate independent uses of one seed (for example the bucket hash and the sample
 * draws); every stream constant used by the library is declared in {@link Streams}.
 */
public final class CounterRng {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private CounterRng() {}

  /** SplitMix64's output function: a bijection on 64-bit values with strong avalanche. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The key of one stream of one seed; cache it when drawing many values of the same stream. */
  public static long streamKey(long seed, long stream) {
    return mix64(mix64(seed) + (stream + 1) * GOLDEN);
  }

  /** 64 random bits for {@code index} of the stream whose key is {@code key}. */
  public static long bits(long key, long index) {
    return mix64(key ^ mix64(index * GOLDEN + 0x632BE59BD9B4E019L));
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  public static double uniform(long key, long index) {
    return (bits(key, index) >>> 11) * 0x1.0p-53;
  }

  /** A uniform integer in [0, bound) (bound &gt; 0), by Lemire's multiply-shift on 32 random bits. */
  public static int below(long key, long index, int bound) {
    return (int) (((bits(key, index) >>> 32) * bound) >>> 32);
  }

  /** A standard normal variate (Box-Muller on two independent uniforms of the same index). */
  public static double gaussian(long key, long index) {
    long b = bits(key, index);
    double u1 = ((b >>> 11) + 1) * 0x1.0p-53; // (0, 1]: log is finite
    double u2 = (mix64(b) >>> 11) * 0x1.0p-53;
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
