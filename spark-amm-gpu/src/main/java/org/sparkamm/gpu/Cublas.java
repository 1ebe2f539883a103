package org.sparkamm.gpu;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * cuBLAS through JCublas 12.6, where NVIDIA's CUDA 12 cuBLAS ({@code libcublas.so.12}) loads: its
 * DGEMM and SGEMM on the module's staged device operands, in place of the module's kernels. The GPU
 * machines of driver 580 / CUDA 13 without the CUDA 12 libraries have no {@code libcublas.so.12},
 * so there the binding fails to load, {@link #unavailableReason()} says why (once per JVM: a second
 * touch of a class whose native library failed would throw NoClassDefFoundError), and the module's
 * own kernels run. A handle belongs to the context current when it is made (a device's primary
 * context, whose life it shares: kept for the JVM's), and its calls go to the default stream, so they are ordered with the module's own
 * launches and copies. Scalars are read from host memory (cuBLAS's default pointer mode). {@code
 * -Dsparkamm.gpu.cublas=false} keeps cuBLAS unloaded even where it is installed.
 */
final class Cublas {
  private static final String UNAVAILABLE = load();

  private Cublas() {}

  private static String load() {
    if (!Boolean.parseBoolean(System.getProperty("sparkamm.gpu.cublas", "true"))) {
      return "cuBLAS: off (-Dsparkamm.gpu.cublas=false)";
    }
    try {
      JCublas2.setExceptionsEnabled(true);
      JCublas2.initialize();
      return null;
    } catch (Throwable e) { // UnsatisfiedLinkError (no libcublas.so.12), NoClassDefFoundError (no jcublas jar)
      return "cuBLAS: " + CudaRuntime.oneLine(e);
    }
  }

  /** Null when cuBLAS loaded in this JVM, otherwise the one-line reason it did not. */
  static String unavailableReason() {
    return UNAVAILABLE;
  }

  /** A cuBLAS handle on the current context; only when {@link #unavailableReason()} is null. */
  static cublasHandle create() {
    cublasHandle handle = new cublasHandle();
    JCublas2.cublasCreate(handle);
    return handle;
  }

  /** {@code C = alpha op(A) op(B) + beta C} on device operands, FP64 ({@code elementBytes} 8) or FP32 (4). */
  static void gemm(cublasHandle handle, int elementBytes, boolean transA, boolean transB, int m, int n, int k,
      Pointer alpha, Pointer a, int lda, Pointer b, int ldb, Pointer beta, Pointer c, int ldc) {
    int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    if (elementBytes == 8) {
      JCublas2.cublasDgemm(handle, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    } else {
      JCublas2.cublasSgemm(handle, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
  }
}
