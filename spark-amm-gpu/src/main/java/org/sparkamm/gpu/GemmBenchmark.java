package org.sparkamm.gpu;

import java.util.SplittableRandom;
import org.sparkamm.local.Blas;
import org.sparkamm.local.CpuBackend;

/**
 * GEMM speed of the CUDA backend, for the device-check bundle: each kernel alone on device-resident
 * n x n operands (TFLOP/s = 2 n^3 / time), then {@code CudaBackend.dgemm} end to end (packing,
 * transfers, kernel) with 64 entries checked against a Java dot product, and the CPU backend on the
 * same machine at n = 2048 for comparison. Without a GPU it prints {@code no GPU: <reason>} and exits
 * 0. Arguments: matrix sizes (default 4096 8192).
 */
public final class GemmBenchmark {
  private GemmBenchmark() {}

  public static void main(String[] args) {
    CudaBackend cuda = new CudaBackend();
    if (cuda.unavailableReason() != null) {
      System.out.println("no GPU: " + cuda.unavailableReason());
      return;
    }
    System.out.println(cuda.description() + "; dgemm kernel for the backend: "
        + CudaRuntime.get().device(0).gemmKernel());
    int[] sizes = args.length == 0 ? new int[] {4096, 8192} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    try {
      CudaDevice device = CudaRuntime.get().device(0);
      for (int n : sizes) {
        for (GemmKernel kernel : GemmKernel.values()) {
          if (device.runs(kernel)) {
            report(kernel.function, n, device.timeGemmKernel(kernel, 8, n, n <= 4096 ? 10 : 4));
          }
        }
        report("sgemm_fma", n, device.timeGemmKernel(GemmKernel.FMA, 4, n, n <= 4096 ? 10 : 4));
        if (device.runs(GemmKernel.CUBLAS)) {
          report("cublasSgemm", n, device.timeGemmKernel(GemmKernel.CUBLAS, 4, n, n <= 4096 ? 10 : 4));
        }
      }
      for (int n : sizes) {
        endToEnd(cuda, n);
      }
      int n = 2048;
      double[] a = random(n * n, 1);
      double[] b = random(n * n, 2);
      double[] c = new double[n * n];
      CpuBackend.INSTANCE.dgemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
      long start = System.nanoTime();
      CpuBackend.INSTANCE.dgemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
      double cpu = (System.nanoTime() - start) / 1e9;
      System.out.printf("cpu backend  %-10s n=%5d %9.2f ms %8.3f TFLOP/s (%d cores)%n", Blas.implementation(), n, cpu * 1e3,
          2.0 * n * n * n / cpu / 1e12, Runtime.getRuntime().availableProcessors());
      endToEnd(cuda, n);
    } finally {
      CudaBackend.releaseStaging();
    }
  }

  private static void report(String kernel, int n, double seconds) {
    System.out.printf("kernel only  %-15s n=%5d %9.2f ms %8.2f TFLOP/s%n", kernel, n, seconds * 1e3, 2.0 * n * n * n / seconds / 1e12);
  }

  /** {@code CudaBackend.dgemm} of two random n x n matrices, timed (second call), 64 entries checked. */
  private static void endToEnd(CudaBackend cuda, int n) {
    double[] a = random(n * n, 3);
    double[] b = random(n * n, 4);
    double[] c = new double[n * n];
    cuda.dgemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
    long start = System.nanoTime();
    cuda.dgemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n);
    double seconds = (System.nanoTime() - start) / 1e9;
    SplittableRandom pick = new SplittableRandom(5);
    double worst = 0;
    for (int s = 0; s < 64; s++) {
      int i = pick.nextInt(n);
      int j = pick.nextInt(n);
      double dot = 0;
      double abs = 0;
      for (int p = 0; p < n; p++) {
        dot += a[i + p * n] * b[p + j * n];
        abs += Math.abs(a[i + p * n] * b[p + j * n]);
      }
      worst = Math.max(worst, Math.abs(c[i + j * n] - dot) / (2.0 * n * Math.ulp(1.0) * abs));
    }
    System.out.printf("end to end   cuda.dgemm n=%5d %9.2f ms %8.2f TFLOP/s (with transfers); 64 entries: max error / "
        + "(2 n eps sum|a||b|) = %.3g %s%n", n, seconds * 1e3, 2.0 * n * n * n / seconds / 1e12, worst, worst <= 1 ? "OK" : "WRONG");
  }

  private static double[] random(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[size];
    for (int i = 0; i < size; i++) {
      x[i] = random.nextDouble(-1, 1);
    }
    return x;
  }
}
