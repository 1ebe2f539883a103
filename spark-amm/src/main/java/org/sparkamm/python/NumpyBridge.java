package org.sparkamm.python;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;

/**
 * Moves NumPy data in and out of the JVM through direct buffers that wrap the arrays' own memory
 * (JPype's {@code convertToDirectBuffer}): one bulk copy each way, done by the JVM's intrinsic
 * memory copy, instead of element-by-element JNI transfers. float32 data is widened or narrowed
 * here, during that one copy, so NumPy never makes a float64 temporary.
 */
public final class NumpyBridge {
  private NumpyBridge() {}

  /**
   * A matrix from the native-endian contents of {@code buffer}: {@code rows x cols} values of
   * float32 or float64, row-major (C order) or column-major (Fortran order). The result keeps the
   * layout (a row-major DenseMatrix has isTransposed set), so nothing is transposed.
   */
  public static DenseMatrix fromBuffer(ByteBuffer buffer, int rows, int cols, boolean rowMajor, boolean float32) {
    int n = Math.multiplyExact(rows, cols);
    double[] values = new double[n];
    ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
    if (float32) {
      FloatBuffer f = b.asFloatBuffer();
      for (int i = 0; i < n; i++) {
        values[i] = f.get(i);
      }
    } else {
      b.asDoubleBuffer().get(values, 0, n);
    }
    return new DenseMatrix(rows, cols, values, rowMajor && rows > 0 && cols > 0);
  }

  /** Writes {@code m} column-major (Fortran order) into {@code buffer} as float32 or float64. */
  public static void toBuffer(Matrix m, ByteBuffer buffer, boolean float32) {
    double[] values = m instanceof DenseMatrix && !((DenseMatrix) m).isTransposed()
        ? ((DenseMatrix) m).values() : m.toArray();
    ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
    if (float32) {
      FloatBuffer f = b.asFloatBuffer();
      for (int i = 0; i < values.length; i++) {
        f.put(i, (float) values[i]);
      }
    } else {
      DoubleBuffer d = b.asDoubleBuffer();
      d.put(values, 0, values.length);
    }
  }
}
