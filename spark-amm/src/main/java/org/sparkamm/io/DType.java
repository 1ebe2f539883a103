package org.sparkamm.io;

import java.nio.ByteBuffer;

/** The element types of binary matrix files, each decoded to a double (the byte order is the buffer's). */
public enum DType {
  F2(2, true), F4(4, true), F8(8, true), I1(1, false), U1(1, false), I2(2, false), U2(2, false), I4(4, false), U4(4, false),
  I8(8, false), U8(8, false);

  public final int size;
  public final boolean floating;

  DType(int size, boolean floating) {
    this.size = size;
    this.floating = floating;
  }

  /** Reads one element at the buffer's position. */
  public double decode(ByteBuffer bb) {
    switch (this) {
      case F2:
        return halfToFloat(bb.getShort());
      case F4:
        return bb.getFloat();
      case F8:
        return bb.getDouble();
      case I1:
        return bb.get();
      case U1:
        return bb.get() & 0xff;
      case I2:
        return bb.getShort();
      case U2:
        return bb.getShort() & 0xffff;
      case I4:
        return bb.getInt();
      case U4:
        return bb.getInt() & 0xffffffffL;
      case I8:
        return bb.getLong();
      default:
        long v = bb.getLong();
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
  }

  /** IEEE 754 binary16 to float (Float.float16ToFloat arrives only in Java 20). */
  public static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      return (sign != 0 ? -1 : 1) * mant * 0x1.0p-24f;
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** NumPy's kind letter and size ('f', 8) to a type, or null. */
  static DType numpy(char kind, int size) {
    for (DType t : values()) {
      char k = t.floating ? 'f' : t.name().charAt(0) == 'I' ? 'i' : 'u';
      if (k == kind && t.size == size) {
        return t;
      }
    }
    return null;
  }
}
