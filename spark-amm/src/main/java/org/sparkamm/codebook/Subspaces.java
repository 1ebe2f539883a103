package org.sparkamm.codebook;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmFormatException;

/**
 * How a codebook splits the inner dimension n of a product AB into C subspaces: subspace c holds
 * the inner indices [start(c), end(c)), that is the columns start(c)..end(c)-1 of A and the same
 * rows of B. Two layouts:
 *
 * <ul>
 *   <li><b>balanced</b> (codebooks trained here): the subspaces cover all of n, with widths
 *       ⌊n/C⌋ or ⌈n/C⌉ (the first n mod C subspaces one wider); the codebook fits exactly this n.
 *   <li><b>LibAMM's</b> (its {@code prototypes.pt} and {@code .pth} files): every subspace has width
 *       D = ⌊n/C⌋, subspace c is [cD, (c+1)D), and the trailing n - CD inner indices are ignored, as
 *       LibAMM ignores them; the codebook fits every n with ⌊n/C⌋ = D.
 * </ul>
 */
public final class Subspaces implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The largest inner dimension a codebook can split (its prototypes are held in Java arrays). */
  static final long MAX_INNER = Integer.MAX_VALUE - 8;
  private final int[] offsets;
  /** The inner dimension n the codebook was made for, or -1 for LibAMM's layout. */
  private final long inner;

  private Subspaces(int[] offsets, long inner) {
    this.offsets = offsets;
    this.inner = inner;
  }

  /** C balanced subspaces covering all of n. */
  public static Subspaces balanced(long n, int count) {
    AmmArgumentException.require(count >= 1, "the number of subspaces C must be at least 1, got %d", count);
    AmmArgumentException.require(n >= count && n <= MAX_INNER,
        "C = %d subspaces need an inner dimension between C and %d, got %d", count, MAX_INNER, n);
    int[] offsets = new int[count + 1];
    long base = n / count;
    long extra = n % count;
    for (int c = 0; c < count; c++) {
      offsets[c + 1] = (int) (offsets[c] + base + (c < extra ? 1 : 0));
    }
    return new Subspaces(offsets, n);
  }

  /** LibAMM's layout: C subspaces of width D each, for any n with ⌊n/C⌋ = D. */
  public static Subspaces libamm(int count, int width, String file) {
    if (count < 1 || width < 1 || (long) count * width > MAX_INNER) {
      throw new AmmFormatException(file + ": " + count + " subspaces of width " + width
          + " is not a codebook (both must be at least 1, their product at most " + MAX_INNER + ")");
    }
    int[] offsets = new int[count + 1];
    for (int c = 0; c <= count; c++) {
      offsets[c] = c * width;
    }
    return new Subspaces(offsets, -1);
  }

  /** Subspaces read from a file, checked: increasing offsets from 0; {@code inner} at least their end, or -1. */
  static Subspaces of(long[] offsets, long inner, String file) {
    if (offsets.length < 2 || offsets[0] != 0) {
      throw new AmmFormatException(file + ": subspace offsets must start at 0 and hold at least two values");
    }
    int[] o = new int[offsets.length];
    for (int c = 1; c < offsets.length; c++) {
      if (offsets[c] <= offsets[c - 1] || offsets[c] > MAX_INNER) {
        throw new AmmFormatException(file + ": subspace offsets must increase strictly (at most " + MAX_INNER
            + "), got " + offsets[c - 1] + " then " + offsets[c]);
      }
      o[c] = (int) offsets[c];
    }
    if (inner == -1) {
      int width = o[1];
      for (int c = 1; c < o.length; c++) {
        if (o[c] != c * width) {
          throw new AmmFormatException(file + ": LibAMM's layout (inner = -1) needs subspaces of equal width");
        }
      }
    } else if (inner != o[o.length - 1]) {
      throw new AmmFormatException(file + ": the subspaces cover " + o[o.length - 1]
          + " inner indices, but the codebook says its inner dimension is " + inner);
    }
    return new Subspaces(o, inner);
  }

  /** The number of subspaces C. */
  public int count() {
    return offsets.length - 1;
  }

  public int start(int c) {
    return offsets[c];
  }

  public int end(int c) {
    return offsets[c + 1];
  }

  public int width(int c) {
    return offsets[c + 1] - offsets[c];
  }

  /** The widest subspace's width. */
  public int maxWidth() {
    int w = 0;
    for (int c = 0; c < count(); c++) {
      w = Math.max(w, width(c));
    }
    return w;
  }

  /** The inner dimension the codebook was made for; -1 for LibAMM's layout. */
  public long inner() {
    return inner;
  }

  /** The boundaries start(0), ..., start(C-1), end(C-1), as longs. */
  public long[] offsets() {
    return Arrays.stream(offsets).asLongStream().toArray();
  }

  /** The subspace holding inner index i, or -1 for an index past the last subspace (ignored). */
  public int of(long i) {
    if (i < 0 || i >= offsets[offsets.length - 1]) {
      return -1;
    }
    int pos = Arrays.binarySearch(offsets, (int) i);
    return pos >= 0 ? pos : -pos - 2;
  }

  /** Checks that the codebook fits a product with inner dimension n; the message names both. */
  public void check(long n, String tag) {
    int c = count();
    if (inner >= 0) {
      AmmArgumentException.require(n == inner,
          "%s: the codebook splits an inner dimension of %d into %d subspaces, but the product's inner dimension is %d",
          tag, inner, c, n);
    } else {
      int d = width(0);
      AmmArgumentException.require(n / c == d,
          "%s: LibAMM's codebook has %d subspaces of width %d, which fits inner dimensions %d to %d (width = n / C), "
              + "but the product's inner dimension is %d", tag, c, d, (long) c * d, (long) c * (d + 1) - 1, n);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Subspaces && inner == ((Subspaces) o).inner && Arrays.equals(offsets, ((Subspaces) o).offsets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(offsets) * 31 + Long.hashCode(inner);
  }

  @Override
  public String toString() {
    int min = width(count() - 1);
    return count() + (count() == 1 ? " subspace" : " subspaces") + " of width " + (min == maxWidth() ? "" : min + "..") + maxWidth()
        + (inner < 0 ? " (LibAMM's layout)" : " over " + inner);
  }
}
