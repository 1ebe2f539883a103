package org.sparkamm.io.torch;

import java.nio.ByteBuffer;

/**
 * The element types of PyTorch storages this reader decodes, by the storage class a pickle names
 * ({@code torch.FloatStorage}), with the dtype name a {@link Tensor} reports. Values become doubles:
 * exact for every type but int64 beyond ±2^53 (rounded to the nearest double); bool is 0 or 1.
 */
enum ScalarType {
  FLOAT32("FloatStorage", "float32", 4), FLOAT64("DoubleStorage", "float64", 8), FLOAT16("HalfStorage", "float16", 2),
  BFLOAT16("BFloat16Storage", "bfloat16", 2), INT64("LongStorage", "int64", 8), INT32("IntStorage", "int32", 4),
  INT16("ShortStorage", "int16", 2), INT8("CharStorage", "int8", 1), UINT8("ByteStorage", "uint8", 1),
  BOOL("BoolStorage", "bool", 1);

  final String storageClass;
  final String dtype;
  final int itemSize;

  ScalarType(String storageClass, String dtype, int itemSize) {
    this.storageClass = storageClass;
    this.dtype = dtype;
    this.itemSize = itemSize;
  }

  /** The type of a storage class name, or null. */
  static ScalarType ofStorage(String storageClass) {
    for (ScalarType t : values()) {
      if (t.storageClass.equals(storageClass)) {
        return t;
      }
    }
    return null;
  }

  /** Element {@code i} of the buffer (in the buffer's byte order). */
  double decode(ByteBuffer bb, int i) {
    switch (this) {
      case FLOAT32:
        return bb.getFloat(i * 4);
      case FLOAT64:
        return bb.getDouble(i * 8);
      case FLOAT16:
        return Half.toFloat(bb.getShort(i * 2));
      case BFLOAT16:
        return Half.bfloat16ToFloat(bb.getShort(i * 2));
      case INT64:
        return bb.getLong(i * 8);
      case INT32:
        return bb.getInt(i * 4);
      case INT16:
        return bb.getShort(i * 2);
      case INT8:
        return bb.get(i);
      case UINT8:
        return bb.get(i) & 0xff;
      default:
        return bb.get(i) != 0 ? 1 : 0;
    }
  }
}
