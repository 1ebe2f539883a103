/**
 * The optional CUDA backend of spark-amm ({@link org.sparkamm.gpu.CudaBackend}, a {@link
 * org.sparkamm.local.ComputeBackend} found by {@link java.util.ServiceLoader}): the module's own
 * kernels (src/main/cuda: tiled FP64 tensor-core and FMA DGEMM, FMA SGEMM, a deterministic
 * scatter-add, the dense sketches' Rademacher and Gaussian columns from the core's counter function),
 * shipped as PTX (compute_80, and compute_90 for Hopper's kernel) and loaded through
 * JCuda's driver API, which needs only the NVIDIA driver's {@code libcuda.so.1} (no NVRTC); cuBLAS
 * replaces the GEMM kernels where CUDA 12's {@code libcublas.so.12} loads ({@link org.sparkamm.gpu.Cublas}).
 * Without a driver or device the backend reports why ({@code unavailableReason()}) and every call
 * runs on the CPU backend.
 *
 * <p>Layout: {@link org.sparkamm.gpu.CudaRuntime} (the driver, once per JVM), {@link
 * org.sparkamm.gpu.CudaDevice} (one GPU: context, kernels, staging buffers), {@link
 * org.sparkamm.gpu.TaskGpu} (the Spark task's GPU address), {@link org.sparkamm.gpu.OffloadPolicy}
 * (which calls pay for their transfers), {@link org.sparkamm.gpu.GemmKernel} (the DGEMM kernels),
 * {@link org.sparkamm.gpu.GemmBenchmark} (GFLOP/s on a GPU machine), {@link
 * org.sparkamm.gpu.EndToEndBenchmark} (the core's local engine on the CPU and the CUDA backend).
 */
package org.sparkamm.gpu;
