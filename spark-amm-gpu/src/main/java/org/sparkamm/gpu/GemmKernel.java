package org.sparkamm.gpu;

/**
 * The module's double-precision GEMM kernels (src/main/cuda/gemm.cu), both 128 x 128 tiles of C per
 * 256-thread block, both computing {@code C = alpha op(A) op(B) + beta C} up to summation order.
 */
public enum GemmKernel {
  /**
   * FP64 tensor cores ({@code mma.sync.m8n8k4.f64}, compute capability 8.0+): each warp a 64 x 32
   * sub-tile as 8 x 4 mma tiles, k-slab 16. Peak on H100/H200 SXM is 67 TFLOP/s (twice the FMA
   * units'); the default.
   */
  DMMA("dgemm_dmma"),
  /**
   * FP64 FMA units: 8 x 8 register block per thread, k-slab 8; bounded by the 34 TFLOP/s FMA peak of
   * H100/H200 SXM. Selected with {@code -Dsparkamm.gpu.dgemm=fma}.
   */
  FMA("dgemm_fma");

  final String function;

  GemmKernel(String function) {
    this.function = function;
  }

  /** The kernel the backend uses: {@code sparkamm.gpu.dgemm} ({@code dmma} or {@code fma}), default DMMA. */
  static GemmKernel configured() {
    String value = System.getProperty("sparkamm.gpu.dgemm", "dmma");
    for (GemmKernel kernel : values()) {
      if (kernel.name().equalsIgnoreCase(value)) {
        return kernel;
      }
    }
    throw new org.sparkamm.error.AmmArgumentException(
        "sparkamm.gpu.dgemm must be dmma or fma, got '" + org.sparkamm.error.AmmException.printable(value, 40) + "'");
  }
}
