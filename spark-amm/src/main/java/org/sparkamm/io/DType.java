package org.sparkamm.io;

import java.nio.ByteBuffer;
import org.sparkamm.io.torch.Half;

/**
 * The element types of binary matrix files, each decoded to a double (the byte order is the
 * buffer's) and encoded from one. NumPy's kind letter and item size name each ({@code f8},
 * {@code u1}, {@code b1}); bool reads as 0 or 1 (any nonzero byte is true, as in NumPy).
 */
public enum DType {
  F2('f', 2), F4('f', 4), F8('f', 8), I1('i', 1), U1('u', 1), I2('i', 2), U2('u', 2), I4('i', 4), U4('u', 4),
  I8('i', 8), U8('u', 8), B1('b', 1);

  public final int size;
  public final boolean floating;
  /** NumPy's kind letter: f, i, u or b. */
  public final char kind;

  DType(char kind, int size) {
    this.kind = kind;
    this.size = size;
    this.floating = kind == 'f';
  }

  /** Reads one element at the buffer's position. */
  public double decode(ByteBuffer bb) {
    switch (this) {
      case F2:
        return Half.toFloat(bb.getShort());
      case F4:
        return bb.getFloat();
      case F8:
        return bb.getDouble();
      case I1:
        return bb.get();
      case U1:
        return bb.get() & 0xff;
      case B1:
        return bb.get() != 0 ? 1 : 0;
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

  /**
   * Writes one element at the buffer's position: floats rounded to nearest, integers as they are
   * (the values come from a file of this type, so they are whole and in range), bool as 0 or 1.
   */
  public void encode(ByteBuffer bb, double v) {
    switch (this) {
      case F2:
        bb.putShort(Half.fromDouble(v));
        break;
      case F4:
        bb.putFloat((float) v);
        break;
      case F8:
        bb.putDouble(v);
        break;
      case I1:
      case U1:
        bb.put((byte) (long) v);
        break;
      case B1:
        bb.put((byte) (v != 0 ? 1 : 0));
        break;
      case I2:
      case U2:
        bb.putShort((short) (long) v);
        break;
      case I4:
      case U4:
        bb.putInt((int) (long) v);
        break;
      case I8:
        bb.putLong((long) v);
        break;
      default: // U8: values from 2^63 up do not fit a long
        bb.putLong(v >= 0x1.0p63 ? (long) (v - 0x1.0p63) ^ Long.MIN_VALUE : (long) v);
    }
  }

  /** NumPy's descr of this type in little-endian order ({@code <f8}, {@code |u1}). */
  public String descr() {
    return (size == 1 ? "|" : "<") + kind + size;
  }

  /** NumPy's name of the type: float64, int8, uint16, bool. */
  public String numpyName() {
    return kind == 'b' ? "bool" : (kind == 'f' ? "float" : kind == 'i' ? "int" : "uint") + size * 8;
  }

  /** IEEE 754 binary16 to float (Float.float16ToFloat arrives only in Java 20). */
  public static float halfToFloat(short h) {
    return Half.toFloat(h);
  }

  /** NumPy's kind letter and size ('f', 8) to a type, or null. */
  static DType numpy(char kind, int size) {
    for (DType t : values()) {
      if (t.kind == kind && t.size == size) {
        return t;
      }
    }
    return null;
  }

  /**
   * The .npy type of a PyTorch dtype (as {@link org.sparkamm.io.torch.Tensor#dtype} names it):
   * the same type, except bfloat16, which NumPy lacks, widened exactly to float32.
   */
  public static DType ofTorch(String dtype) {
    switch (dtype) {
      case "float16":
        return F2;
      case "float32":
      case "bfloat16":
        return F4;
      case "float64":
        return F8;
      case "int8":
        return I1;
      case "uint8":
        return U1;
      case "int16":
        return I2;
      case "int32":
        return I4;
      case "int64":
        return I8;
      case "bool":
        return B1;
      default:
        throw new IllegalArgumentException("no .npy type for the PyTorch dtype " + dtype);
    }
  }
}
