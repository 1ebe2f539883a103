package org.sparkamm.gpu;

import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmException;

/**
 * The double-precision GEMMs the backend can use: the module's kernels (src/main/cuda/gemm.cu,
 * gemm_sm90.cu), all 128 x 128 tiles of C per 256-thread block, and cuBLAS where it loads; all compute
 * {@code C = alpha op(A) op(B) + beta C} up to summation order. FP64 peaks of H100/H200 SXM: 67
 * TFLOP/s on the tensor cores, 34 on the FMA units.
 */
public enum GemmKernel {
  /**
   * Hopper's FP64 tensor-core instruction {@code mma.sync.m16n8k8.f64} (compute capability 9.0+): each
   * warp a 64 x 32 sub-tile as 4 x 4 mma tiles, 1024 multiply-adds per instruction. The default on
   * sm_90 and later.
   */
  DMMA_SM90("dgemm_dmma_sm90", "gemm_sm90.ptx", 9),
  /**
   * Ampere's FP64 tensor-core instruction {@code mma.sync.m8n8k4.f64} (8.0+): each warp a 64 x 32
   * sub-tile as 8 x 4 mma tiles, 256 multiply-adds per instruction. The default on sm_80 and sm_86+.
   */
  DMMA("dgemm_dmma", "gemm.ptx", 8),
  /** FP64 FMA units: an 8 x 8 register block per thread, k-slab 8; bounded by the FMA peak. */
  FMA("dgemm_fma", "gemm.ptx", 8),
  /**
   * NVIDIA's cuBLAS ({@code cublasDgemm}, and {@code cublasSgemm} for float32) where the CUDA 12
   * {@code libcublas.so.12} loads ({@link Cublas}); the default there.
   */
  CUBLAS("cublasDgemm", null, 8);

  /** The kernel's entry point in the PTX. */
  final String function;
  /** The PTX module (a {@link CudaRuntime#MODULES} entry) that holds it; null for cuBLAS. */
  final String module;
  /** The least compute capability (major) that runs it. */
  final int minMajor;

  GemmKernel(String function, String module, int minMajor) {
    this.function = function;
    this.module = module;
    this.minMajor = minMajor;
  }

  /**
   * The kernel the backend uses on a device of compute capability {@code major} with or without
   * cuBLAS: system property {@code sparkamm.gpu.dgemm} = {@code auto} (default: CUBLAS where it loads,
   * else the first of DMMA_SM90, DMMA the device runs), {@code cublas}, {@code dmma_sm90}, {@code dmma}
   * or {@code fma}. A kernel the device cannot run fails at its first use, naming why.
   */
  static GemmKernel configured(int major, boolean cublas) {
    String value = System.getProperty("sparkamm.gpu.dgemm", "auto");
    if (value.equalsIgnoreCase("auto")) {
      return cublas ? CUBLAS : major >= DMMA_SM90.minMajor ? DMMA_SM90 : DMMA;
    }
    for (GemmKernel kernel : values()) {
      if (kernel.name().equalsIgnoreCase(value)) {
        return kernel;
      }
    }
    throw new AmmArgumentException("sparkamm.gpu.dgemm must be auto, cublas, dmma_sm90, dmma or fma, got '"
        + AmmException.printable(value, 40) + "'");
  }
}
