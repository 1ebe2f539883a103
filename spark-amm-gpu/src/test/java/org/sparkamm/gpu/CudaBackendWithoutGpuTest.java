package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.sparkamm.error.AmmException;
import org.sparkamm.local.CpuBackend;
import org.sparkamm.local.GemmTerm;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.DenseColumns.Entries;

/** What the backend promises where CUDA cannot run (the build machines, CI): a cached reason and the CPU's results. */
class CudaBackendWithoutGpuTest {
  private final CudaBackend cuda = new CudaBackend();

  @BeforeEach
  void onlyWithoutGpu() {
    Assumptions.assumeTrue(cuda.unavailableReason() != null, "a GPU is present: " + cuda.description());
  }

  @Test
  void reasonIsOneLineNamingTheMissingDriverOrDevice() {
    String reason = cuda.unavailableReason();
    System.out.println("CudaBackend unavailable: " + reason);
    assertFalse(reason.contains("\n"), reason);
    assertTrue(reason.contains("libcuda.so.1") || reason.startsWith("no CUDA device") || reason.contains("CUDA_ERROR"), reason);
    assertNull(cuda.description());
  }

  @Test
  void reasonIsCachedAndTheSameOnEveryCall() {
    String first = cuda.unavailableReason();
    for (int i = 0; i < 3; i++) {
      assertEquals(first, new CudaBackend().unavailableReason());
    }
    assertFalse(first.contains("NoClassDefFoundError"), first);
  }

  @Test
  void onDeviceCallsFailWithTheReasonNotALinkageError() {
    double[] x = new double[4];
    AmmException e = assertThrows(AmmException.class,
        () -> cuda.dgemmOnDevice(GemmKernel.DMMA, false, false, 2, 2, 2, 1, x, 0, 2, x, 0, 2, 0, new double[4], 0, 2));
    assertTrue(e.getMessage().contains(cuda.unavailableReason()), e.getMessage());
    assertThrows(AmmException.class, () -> cuda.scatterColumnsOnDevice(x, 0, 2, 1, new int[] {0}, new int[] {0},
        new double[] {1}, 0, 2, new double[4], 2));
    assertThrows(AmmException.class, () -> cuda.dgemmSumOnDevice(GemmKernel.DMMA, 2, 2,
        java.util.List.of(new GemmTerm(false, false, 2, x, 0, 2, x, 0, 2)), new double[4], 0, 2));
    assertThrows(AmmException.class, () -> cuda.sketchProductOnDevice(GemmKernel.DMMA,
        new DenseColumns(Entries.GAUSSIAN, 1, 2, false, 1), 0, 2, false, 2, x, 0, 2, new double[4], 0, 2));
  }

  @Test
  void productsAreTheCpuBackendsExactly() {
    SplittableRandom random = new SplittableRandom(7);
    int m = 300;
    int n = 280;
    int k = 260; // large enough that a GPU would be asked (OffloadPolicy.pays), so this is the fallback path
    assertTrue(OffloadPolicy.pays(2.0 * m * n * k, OffloadPolicy.gemmBytes(m, n, k, true, 8)));
    double[] a = random.doubles(5 + k * (m + 3)).toArray();
    double[] b = random.doubles(n * k).toArray();
    double[] c = random.doubles(m * n).toArray();
    double[] expected = c.clone();
    cuda.dgemm(true, true, m, n, k, 0.5, a, 5, k, b, 0, n, -2, c, 0, m);
    CpuBackend.INSTANCE.dgemm(true, true, m, n, k, 0.5, a, 5, k, b, 0, n, -2, expected, 0, m);
    assertArrayEquals(expected, c);

    java.util.List<GemmTerm> terms = java.util.List.of(new GemmTerm(true, true, k, a, 5, k, b, 0, n),
        new GemmTerm(true, true, k, a, 5, k, b, 0, n));
    double[] sum = c.clone();
    double[] sumExpected = c.clone();
    cuda.dgemmSum(m, n, terms, sum, 0, m);
    CpuBackend.INSTANCE.dgemmSum(m, n, terms, sumExpected, 0, m);
    assertArrayEquals(sumExpected, sum);

    float[] fa = new float[m * k];
    float[] fb = new float[k * n];
    for (int i = 0; i < fa.length; i++) {
      fa[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < fb.length; i++) {
      fb[i] = (float) random.nextDouble();
    }
    float[] fc = new float[m * n];
    float[] fExpected = new float[m * n];
    cuda.sgemm(false, false, m, n, k, 1, fa, 0, m, fb, 0, k, 0, fc, 0, m);
    CpuBackend.INSTANCE.sgemm(false, false, m, n, k, 1, fa, 0, m, fb, 0, k, 0, fExpected, 0, m);
    assertArrayEquals(fExpected, fc);

    ScatterCase s = ScatterCase.random(new SplittableRandom(3), 50, 40, 2000, 30);
    double[] out = s.out.clone();
    cuda.scatterColumns(s.v, 3, s.ld, s.count, s.local, s.bucket, s.coef, 5, 45, out, s.outLd);
    double[] outExpected = s.out.clone();
    CpuBackend.INSTANCE.scatterColumns(s.v, 3, s.ld, s.count, s.local, s.bucket, s.coef, 5, 45, outExpected, s.outLd);
    assertArrayEquals(outExpected, out);

    int l = 200;
    for (boolean sketchLeft : new boolean[] {false, true}) { // the default: panels generated on the CPU
      DenseColumns sketch = new DenseColumns(Entries.GAUSSIAN, 9, l, true, 0.1);
      assertTrue(OffloadPolicy.pays(2.0 * m * k * l, OffloadPolicy.sketchProductBytes(m, k, l)));
      double[] product = random.doubles((long) m * l).toArray();
      double[] productExpected = product.clone();
      cuda.sketchProduct(sketch, 1000, k, sketchLeft, m, a, 5, sketchLeft ? k : m, product, 0, sketchLeft ? l : m);
      CpuBackend.INSTANCE.sketchProduct(sketch, 1000, k, sketchLeft, m, a, 5, sketchLeft ? k : m, productExpected, 0,
          sketchLeft ? l : m);
      assertArrayEquals(productExpected, product);
    }
  }
}
