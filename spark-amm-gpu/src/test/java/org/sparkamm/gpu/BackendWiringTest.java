package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.ServiceLoader;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmException;
import org.sparkamm.local.ComputeBackend;

/** Discovery, device choice, kernel choice, the offload threshold and argument checks: no GPU needed. */
class BackendWiringTest {
  private final CudaBackend cuda = new CudaBackend();

  @Test
  void serviceLoaderFindsTheCudaBackend() {
    assertTrue(ServiceLoader.load(ComputeBackend.class).stream()
        .anyMatch(p -> p.type() == CudaBackend.class && p.get().name().equals("cuda")));
  }

  @Test
  void theTaskGpuIsTheFirstAddressOfItsGpuResource() {
    assertFalse(TaskGpu.address().isPresent()); // outside a task
    try {
      TaskContext.set(Map.of());
      assertFalse(TaskGpu.address().isPresent()); // a task without GPUs (local mode)
      TaskContext.set(Map.of("gpu", new TaskContext.Resource()));
      assertFalse(TaskGpu.address().isPresent());
      TaskContext.set(Map.of("gpu", new TaskContext.Resource("3", "1"), "fpga", new TaskContext.Resource("0")));
      assertEquals(3, TaskGpu.address().getAsInt());
      TaskContext.set(Map.of("gpu", new TaskContext.Resource("gpu-a")));
      assertTrue(assertThrows(AmmException.class, TaskGpu::address).getMessage().contains("'gpu-a'"));
    } finally {
      TaskContext.set(null);
    }
  }

  @Test
  void failuresBecomeOneLineNamingTheNestedError() {
    // JCuda's UnsatisfiedLinkError: the attempts' stack traces inside the message; the last names the library
    UnsatisfiedLinkError jcuda = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
        + "Operating system name: Linux\n---(start of nested stack traces)---\n"
        + "Stack trace from the attempt to load the library as a file:\n"
        + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
        + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)\n"
        + "Stack trace from the attempt to load the library as a resource:\n"
        + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file\n"
        + "\tat jcuda.LibUtils.loadLibrary(LibUtils.java:183)\n---(end of nested stack traces)---\n");
    assertEquals("UnsatisfiedLinkError: Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"; "
        + "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file", CudaRuntime.oneLine(jcuda));
    assertEquals("RuntimeException: CUDA_ERROR_NO_DEVICE; caused by: inner",
        CudaRuntime.oneLine(new RuntimeException("CUDA_ERROR_NO_DEVICE", new IllegalStateException("inner"))));
    assertEquals("NoClassDefFoundError", CudaRuntime.oneLine(new NoClassDefFoundError()));
  }

  @Test
  void gpuAddressesAreDeviceOrdinals() {
    assertEquals(3, TaskGpu.ordinal("3"));
    assertEquals(0, TaskGpu.ordinal(" 0 "));
    for (String bad : new String[] {"-1", "gpu0", "", "0x1"}) {
      AmmException e = assertThrows(AmmException.class, () -> TaskGpu.ordinal(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void dgemmKernelComesFromTheSystemProperty() {
    String saved = System.getProperty("sparkamm.gpu.dgemm");
    try {
      System.clearProperty("sparkamm.gpu.dgemm");
      assertEquals(GemmKernel.DMMA_SM90, GemmKernel.configured(9, false));
      assertEquals(GemmKernel.DMMA_SM90, GemmKernel.configured(10, false));
      assertEquals(GemmKernel.DMMA, GemmKernel.configured(8, false));
      assertEquals(GemmKernel.CUBLAS, GemmKernel.configured(9, true));
      System.setProperty("sparkamm.gpu.dgemm", "FMA");
      assertEquals(GemmKernel.FMA, GemmKernel.configured(9, true));
      System.setProperty("sparkamm.gpu.dgemm", "dmma");
      assertEquals(GemmKernel.DMMA, GemmKernel.configured(9, true));
      System.setProperty("sparkamm.gpu.dgemm", "cublas");
      assertEquals(GemmKernel.CUBLAS, GemmKernel.configured(9, false)); // fails at its first use, naming why
      System.setProperty("sparkamm.gpu.dgemm", "cublas2");
      assertTrue(assertThrows(AmmArgumentException.class, () -> GemmKernel.configured(9, true)).getMessage().contains("'cublas2'"));
    } finally {
      if (saved == null) {
        System.clearProperty("sparkamm.gpu.dgemm");
      } else {
        System.setProperty("sparkamm.gpu.dgemm", saved);
      }
    }
  }

  @Test
  void squareDoubleProductsOffloadFromN192() {
    // 2 n^3 flops >= 16 flop/byte * 24 n^2 bytes  <=>  n >= 192 (and 2 * 192^3 > 2^22)
    assertTrue(OffloadPolicy.pays(2.0 * 192 * 192 * 192, OffloadPolicy.gemmBytes(192, 192, 192, false, 8)));
    assertFalse(OffloadPolicy.pays(2.0 * 191 * 191 * 191, OffloadPolicy.gemmBytes(191, 191, 191, false, 8)));
    assertEquals(8.0 * (2 * 3 + 3 * 5 + 2 * 2 * 5), OffloadPolicy.gemmBytes(2, 5, 3, true, 8));
    // a thin reduced product (s = 16) never pays, however large; s = 128 does
    assertFalse(OffloadPolicy.pays(2.0 * 8192 * 8192 * 16, OffloadPolicy.gemmBytes(8192, 8192, 16, false, 8)));
    assertTrue(OffloadPolicy.pays(2.0 * 8192 * 8192 * 128, OffloadPolicy.gemmBytes(8192, 8192, 128, false, 8)));
    // CountSketch: one hit per column, 2 rows*hits flops over 8 rows (hits + 2 buckets) bytes
    assertFalse(OffloadPolicy.pays(2.0 * 4096 * 100_000, 8.0 * 4096 * (100_000 + 2.0 * 1000)));
  }

  @Test
  void rowBatchesGrowUntilTheOperandsOutweighCsRoundTrip() {
    assertEquals(2048, OffloadPolicy.accumulationBatch(1024, 1024)); // 4 m n / (m + n)
    assertEquals(256, OffloadPolicy.accumulationBatch(10, 10)); // never below the CPU's
    assertEquals(512, OffloadPolicy.accumulationBatch(200, 100)); // 266 rounds up to a multiple of 256
    assertEquals(1024, OffloadPolicy.accumulationBatch(4096, 4096)); // 8,192 wanted, 64 MiB of operands allowed
    assertEquals(256, cuda.accumulationBatch(1024, 1024)); // no GPU here: the CPU's batch, so the CPU's bits
  }

  @Test
  void badArgumentsAreOneLineErrorsBeforeAnyDeviceWork() {
    double[] x = new double[8];
    String message = assertThrows(AmmArgumentException.class,
        () -> cuda.dgemmOnDevice(GemmKernel.FMA, false, false, 3, 3, 3, 1, x, 0, 3, x, 0, 3, 0, x, 0, 3)).getMessage();
    assertTrue(message.contains("needs 9 elements, the array has 8"), message);
    assertTrue(assertThrows(AmmArgumentException.class,
        () -> cuda.dgemmOnDevice(GemmKernel.FMA, true, false, 3, 2, 2, 1, x, 0, 1, x, 0, 2, 0, x, 0, 3))
        .getMessage().contains("leading dimension 1"));
    assertThrows(AmmArgumentException.class,
        () -> cuda.dgemmOnDevice(GemmKernel.FMA, false, false, 4, 4, 1, 1, x, 0, 4, x, 0, 1, 0, x, 0, 4));
    assertThrows(AmmArgumentException.class,
        () -> cuda.sgemmOnDevice(false, false, -1, 1, 1, 1, new float[1], 0, 1, new float[1], 0, 1, 0, new float[1], 0, 1));
    double[] v = new double[10];
    assertThrows(AmmArgumentException.class, () -> cuda.scatterColumnsOnDevice(v, 0, 5, 1, new int[] {0}, new int[] {2},
        new double[] {1}, 0, 5, new double[10], 5));
    assertThrows(AmmArgumentException.class, () -> cuda.scatterColumnsOnDevice(v, 0, 5, 1, new int[] {2}, new int[] {0},
        new double[] {1}, 0, 5, new double[10], 5));
    assertThrows(AmmArgumentException.class, () -> cuda.scatterColumnsOnDevice(v, 0, 5, 2, new int[] {0}, new int[] {0},
        new double[] {1}, 0, 5, new double[10], 5));
    assertThrows(AmmArgumentException.class, () -> cuda.scatterColumnsOnDevice(v, 0, 5, 1, new int[] {0}, new int[] {0},
        new double[] {1}, 3, 2, new double[10], 5));
  }
}
