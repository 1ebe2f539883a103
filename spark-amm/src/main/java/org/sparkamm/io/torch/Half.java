package org.sparkamm.io.torch;

/**
 * The 16-bit floating-point formats of tensor and array files, to and from {@code float}:
 * IEEE 754 binary16 (NumPy's float16, PyTorch's half: 1 sign, 5 exponent, 10 fraction bits) and
 * bfloat16 (the top half of a binary32). Java 17 has neither ({@code Float.float16ToFloat} arrives
 * in Java 20). It lives in the lowest io package so that the PyTorch reader needs nothing from
 * {@code org.sparkamm.io}, which uses it for .npy.
 */
public final class Half {
  private Half() {}

  /** binary16 to float: exact (every binary16 value is a float). */
  public static float toFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      return (sign != 0 ? -1 : 1) * mant * 0x1.0p-24f; // zero and subnormals: mant x 2^-24
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /**
   * double to binary16, rounded to nearest, ties to even (as NumPy's astype(float16)): beyond the
   * largest finite half (65504, rounding up from 65520) it is infinite, below 2^-25 it is zero.
   */
  public static short fromDouble(double d) {
    if (Double.isNaN(d)) {
      return (short) 0x7e00;
    }
    int sign = d < 0 || (d == 0 && 1 / d < 0) ? 0x8000 : 0;
    double a = Math.abs(d);
    if (a >= 65520) {
      return (short) (sign | 0x7c00);
    }
    if (a < 0x1.0p-14) { // subnormal or zero: a multiple of 2^-24, rounded half-even
      return (short) (sign | (int) Math.rint(a * 0x1.0p24));
    }
    int exp = Math.getExponent(a); // -14..15
    double mant = Math.rint(a * Math.scalb(1.0, 10 - exp)); // 1024..2048
    int bits = ((exp + 15) << 10) + (int) mant - 1024; // a carry into the exponent stays correct
    return (short) (sign | bits);
  }

  /** bfloat16 to float: the 16 bits are the top half of a binary32. */
  public static float bfloat16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }
}
