package org.sparkamm.gpu;

import java.util.BitSet;
import java.util.List;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.local.CpuBackend;
import org.sparkamm.local.GemmTerm;
import org.sparkamm.random.DenseColumns;

/**
 * The CUDA {@link ComputeBackend} ({@code cuda}): the module's own kernels (src/main/cuda, shipped as
 * PTX and JIT-compiled by the driver) through JCuda's driver API, which needs only the NVIDIA driver's
 * {@code libcuda.so.1} (no NVRTC), and cuBLAS's GEMMs where CUDA 12's {@code libcublas.so.12} loads
 * ({@link Cublas}). Found by {@link java.util.ServiceLoader}; the driver is
 * started once per JVM ({@link CudaRuntime}) and, when that fails, {@link #unavailableReason()} says
 * why and every call runs on {@link CpuBackend}.
 *
 * <p>Per call: the task's GPU (its Spark {@code gpu} resource address, device 0 without one);
 * calls that would not pay for their transfers ({@link OffloadPolicy}: fewer than 2^22 flops or
 * fewer than 16 flops per transferred byte, so every scatter-add) run on the CPU backend. Dense
 * sketch products generate S on the device ({@link #sketchProduct}), so only the data and the product move. The
 * {@code *OnDevice} methods skip that policy (tests, benchmark). DGEMM and SGEMM use cuBLAS where it
 * loads, otherwise an FP64 tensor-core kernel ({@link GemmKernel#DMMA_SM90} on Hopper, {@link
 * GemmKernel#DMMA} on Ampere; {@code -Dsparkamm.gpu.dgemm=fma} for the FMA kernel) and an FP32 FMA
 * kernel ({@link GemmKernel#configured}); all agree with the CPU up to summation order ({@code |error|
 * <= ~k eps sum |a||b|}). The scatter-add is bit-identical to the CPU's (same order, no FMA
 * contraction, no atomics).
 *
 * <p>Products whose operands exceed {@link #MAX_OPERAND_BYTES} are computed in column blocks of C
 * (C[:, j0:j1] needs only op(B)[:, j0:j1]); op(A) is staged whole, so an op(A) above the limit runs
 * on the CPU.
 */
public final class CudaBackend implements ComputeBackend {
  /** The largest operand staged at once (1 GiB, a 16384 x 8192 double block): bounds the pinned memory a task holds. */
  public static final long MAX_OPERAND_BYTES = 1L << 30;

  /** A stateless handle: the driver state is per JVM ({@link CudaRuntime}). Public for ServiceLoader. */
  public CudaBackend() {}

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public String unavailableReason() {
    return CudaRuntime.get().unavailableReason();
  }

  /** The driver version, device count and device 0 (name, compute capability, SMs, memory); null when unavailable. */
  public String description() {
    return CudaRuntime.get().description();
  }

  @Override
  public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    if (offloads(m, n, k, beta != 0, Double.BYTES)) {
      dgemmOnDevice(CudaRuntime.get().taskDevice().gemmKernel(), transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    } else {
      CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    if (offloads(m, n, k, beta != 0, Float.BYTES)) {
      sgemmOnDevice(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    } else {
      CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }
  }

  @Override
  public void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    int rows = rowTo - rowFrom;
    if (unavailableReason() == null && rows > 0 && count > 0
        && OffloadPolicy.pays(2.0 * rows * count, 8.0 * rows * (distinct(local, count) + 2.0 * distinct(bucket, count)))) {
      scatterColumnsOnDevice(v, off, ld, count, local, bucket, coef, rowFrom, rowTo, out, outLd);
    } else {
      CpuBackend.INSTANCE.scatterColumns(v, off, ld, count, local, bucket, coef, rowFrom, rowTo, out, outLd);
    }
  }

  /**
   * With a usable GPU, {@link OffloadPolicy#accumulationBatch}: enough rows that a call's operands
   * outweigh C's round trip; without one, the CPU's 256, so that the fallback gives the CPU's bits.
   */
  @Override
  public int accumulationBatch(int m, int n) {
    return unavailableReason() == null ? OffloadPolicy.accumulationBatch(m, n) : ComputeBackend.super.accumulationBatch(m, n);
  }

  /**
   * On the GPU when the whole sum pays for moving every operand once and C once each way, with C kept
   * on the device between terms; otherwise the default (a {@link #dgemm} per term, each deciding for
   * itself).
   */
  @Override
  public void dgemmSum(int m, int n, List<GemmTerm> terms, double[] c, int offC, int ldc) {
    double flops = 0;
    double bytes = 16.0 * m * n;
    boolean fits = (long) Double.BYTES * m * n <= MAX_OPERAND_BYTES;
    for (GemmTerm t : terms) {
      flops += 2.0 * m * n * t.k();
      bytes += 8.0 * ((double) m * t.k() + (double) t.k() * n);
      fits &= (long) Double.BYTES * t.k() * Math.max(m, n) <= MAX_OPERAND_BYTES;
    }
    if (unavailableReason() == null && m > 0 && n > 0 && fits && OffloadPolicy.pays(flops, bytes)) {
      dgemmSumOnDevice(CudaRuntime.get().taskDevice().gemmKernel(), m, n, terms, c, offC, ldc);
    } else {
      ComputeBackend.super.dgemmSum(m, n, terms, c, offC, ldc);
    }
  }

  /** {@link #dgemmSum} on the calling task's GPU with the given GEMM kernel, whatever its size. */
  public void dgemmSumOnDevice(GemmKernel kernel, int m, int n, List<GemmTerm> terms, double[] c, int offC, int ldc) {
    AmmArgumentException.require(m >= 0 && n >= 0, "gemm sum: negative dimensions m=%d n=%d", m, n);
    checkOperand("C", c.length, offC, ldc, m, n);
    for (GemmTerm t : terms) {
      AmmArgumentException.require(t.k() >= 0, "gemm sum: a term has k=%d", t.k());
      checkOperand("A", t.a().length, t.offA(), t.lda(), t.transA() ? t.k() : m, t.transA() ? m : t.k());
      checkOperand("B", t.b().length, t.offB(), t.ldb(), t.transB() ? n : t.k(), t.transB() ? t.k() : n);
    }
    List<GemmTerm> nonEmpty = terms.stream().filter(t -> t.k() > 0).toList();
    if (m == 0 || n == 0 || nonEmpty.isEmpty()) {
      return;
    }
    CudaRuntime.get().taskDevice().dgemmSum(kernel, m, n, nonEmpty, c, offC, ldc);
  }

  /**
   * On the GPU when the product pays for moving X and C ({@link OffloadPolicy#sketchProductBytes}: S is
   * generated on the device, so it never crosses PCIe and the CPU never generates it); otherwise the
   * default: S generated on the CPU in panels, each panel product through {@link #dgemm}.
   */
  @Override
  public void sketchProduct(DenseColumns s, long start, int len, boolean sketchLeft, int m,
      double[] x, int offX, int ldX, double[] c, int offC, int ldc) {
    int l = s.width();
    if (unavailableReason() == null && m > 0 && len > 0 && 8L * m * l <= MAX_OPERAND_BYTES
        && OffloadPolicy.pays(2.0 * m * len * l, OffloadPolicy.sketchProductBytes(m, len, l))) {
      sketchProductOnDevice(CudaRuntime.get().taskDevice().gemmKernel(), s, start, len, sketchLeft, m,
          x, offX, ldX, c, offC, ldc);
    } else {
      ComputeBackend.super.sketchProduct(s, start, len, sketchLeft, m, x, offX, ldX, c, offC, ldc);
    }
  }

  /**
   * {@link #sketchProduct} on the calling task's GPU with the given GEMM kernel, whatever its size: S's
   * columns generated on the device (Rademacher bit-identical to {@link DenseColumns}, Gaussian too
   * except the device's exp/log in rare wedge and tail draws), the product equal to the CPU's up to
   * summation order.
   */
  public void sketchProductOnDevice(GemmKernel kernel, DenseColumns s, long start, int len, boolean sketchLeft, int m,
      double[] x, int offX, int ldX, double[] c, int offC, int ldc) {
    int l = s.width();
    AmmArgumentException.require(m >= 0 && len >= 0 && start >= 0, "sketch product: negative m=%d, len=%d or start=%d", m, len, start);
    checkOperand("X", x.length, offX, ldX, sketchLeft ? len : m, sketchLeft ? m : len);
    checkOperand("C", c.length, offC, ldc, sketchLeft ? l : m, sketchLeft ? m : l);
    if (m == 0 || len == 0) {
      return;
    }
    CudaRuntime.get().taskDevice().sketchProduct(kernel, s, start, len, sketchLeft, m, x, offX, ldX, c, offC, ldc,
        CudaDevice.sketchChunk(m, len, l));
  }

  private boolean offloads(int m, int n, int k, boolean readsC, int elementBytes) {
    return unavailableReason() == null && m > 0 && n > 0 && k > 0
        && (long) elementBytes * m * k <= MAX_OPERAND_BYTES
        && OffloadPolicy.pays(2.0 * m * n * k, OffloadPolicy.gemmBytes(m, n, k, readsC, elementBytes));
  }

  private static int distinct(int[] values, int count) {
    BitSet seen = new BitSet();
    for (int t = 0; t < count; t++) {
      seen.set(values[t]);
    }
    return seen.cardinality();
  }

  /** {@link #dgemm} on the calling task's GPU with the given kernel, whatever its size (k = 0 scales C on the CPU). */
  public void dgemmOnDevice(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    checkGemm(transA, transB, m, n, k, a.length, offA, lda, b.length, offB, ldb, c.length, offC, ldc, Double.BYTES);
    if (m == 0 || n == 0 || k == 0) {
      CpuBackend.INSTANCE.dgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
      return;
    }
    CudaDevice device = CudaRuntime.get().taskDevice();
    int block = columnBlock(m, k, Double.BYTES);
    for (int j = 0; j < n; j += block) {
      int w = Math.min(block, n - j);
      device.dgemm(kernel, transA, transB, m, w, k, alpha, a, offA, lda,
          b, offB + j * (transB ? 1 : ldb), ldb, beta, c, offC + j * ldc, ldc);
    }
  }

  /** {@link #sgemm} on the calling task's GPU, whatever its size. */
  public void sgemmOnDevice(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    checkGemm(transA, transB, m, n, k, a.length, offA, lda, b.length, offB, ldb, c.length, offC, ldc, Float.BYTES);
    if (m == 0 || n == 0 || k == 0) {
      CpuBackend.INSTANCE.sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
      return;
    }
    CudaDevice device = CudaRuntime.get().taskDevice();
    int block = columnBlock(m, k, Float.BYTES);
    for (int j = 0; j < n; j += block) {
      int w = Math.min(block, n - j);
      device.sgemm(device.gemmKernel(), transA, transB, m, w, k, alpha, a, offA, lda,
          b, offB + j * (transB ? 1 : ldb), ldb, beta, c, offC + j * ldc, ldc);
    }
  }

  /** {@link #scatterColumns} on the calling task's GPU, whatever its size; bit-identical to the CPU backend. */
  public void scatterColumnsOnDevice(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    AmmArgumentException.require(count >= 0 && count <= local.length && count <= bucket.length && count <= coef.length,
        "scatter: count %d exceeds the hit arrays (local %d, bucket %d, coef %d)", count, local.length, bucket.length, coef.length);
    AmmArgumentException.require(0 <= rowFrom && rowFrom <= rowTo, "scatter: rows [%d, %d) are not a range", rowFrom, rowTo);
    if (count == 0 || rowFrom == rowTo) {
      return;
    }
    AmmArgumentException.require(off >= 0 && ld >= rowTo && outLd >= rowTo,
        "scatter: offset %d, leading dimensions %d (v) and %d (out) do not hold rows [%d, %d)", off, ld, outLd, rowFrom, rowTo);
    for (int t = 0; t < count; t++) {
      AmmArgumentException.require(local[t] >= 0 && off + (long) local[t] * ld + rowTo <= v.length,
          "scatter: hit %d reads column %d of v, outside its %d elements (offset %d, ld %d)", t, local[t], v.length, off, ld);
      AmmArgumentException.require(bucket[t] >= 0 && (long) bucket[t] * outLd + rowTo <= out.length,
          "scatter: hit %d writes bucket %d, outside out's %d elements (ld %d)", t, bucket[t], out.length, outLd);
    }
    CudaRuntime.get().taskDevice().scatterColumns(v, off, ld, count, local, bucket, coef, rowFrom, rowTo, out, outLd);
  }

  /** How many products (GEMMs, scatter-adds, sketch products) ran on a GPU in this JVM so far: for logs and tests. */
  public static long deviceCalls() {
    return CudaDevice.CALLS.get();
  }

  /** Frees the staging buffers of every opened device (they are allocated again on the next call). */
  public static void releaseStaging() {
    CudaRuntime.get().releaseStaging();
  }

  /** Columns of C per device call so that op(B) and C blocks stay within {@link #MAX_OPERAND_BYTES}. */
  private static int columnBlock(int m, int k, int elementBytes) {
    AmmArgumentException.require((long) elementBytes * m * k <= MAX_OPERAND_BYTES,
        "op(A) of %d x %d exceeds the %d bytes the GPU stages at once; split the block", m, k, MAX_OPERAND_BYTES);
    return (int) Math.min(Integer.MAX_VALUE, MAX_OPERAND_BYTES / ((long) elementBytes * Math.max(m, k)));
  }

  private static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
      int lengthA, int offA, int lda, int lengthB, int offB, int ldb, int lengthC, int offC, int ldc, int elementBytes) {
    AmmArgumentException.require(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimensions m=%d n=%d k=%d", m, n, k);
    checkOperand("A", lengthA, offA, lda, transA ? k : m, transA ? m : k);
    checkOperand("B", lengthB, offB, ldb, transB ? n : k, transB ? k : n);
    checkOperand("C", lengthC, offC, ldc, m, n);
  }

  private static void checkOperand(String name, int length, int off, int ld, int rows, int cols) {
    AmmArgumentException.require(off >= 0 && ld >= Math.max(1, rows),
        "gemm: %s has offset %d and leading dimension %d, needs offset >= 0 and ld >= %d", name, off, ld, Math.max(1, rows));
    AmmArgumentException.require(rows == 0 || cols == 0 || off + (long) (cols - 1) * ld + rows <= length,
        "gemm: %s of %d x %d at offset %d with ld %d needs %d elements, the array has %d",
        name, rows, cols, off, ld, off + (long) (cols - 1) * ld + rows, length);
  }
}
