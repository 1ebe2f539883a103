package org.sparkamm.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.jcublas.cublasHandle;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmException;
import org.sparkamm.local.GemmTerm;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.Ziggurat;

/**
 * One GPU: its primary context with the module's kernels loaded, and one pinned host staging buffer
 * and one device buffer, both grown on demand (by half again, so a run of growing blocks reallocates
 * O(log) times) and kept for the life of the JVM (the driver frees them at exit; {@link #release()}
 * frees them earlier). Every call packs its operands compactly (leading dimension = rows) into the
 * pinned buffer, copies them to the device in one {@code cuMemcpyHtoD}, runs the kernel, and copies
 * the result back: each operand crosses PCIe once per call. Calls are serialized per device
 * ({@code synchronized}): the staging buffers are shared, and concurrent Spark tasks on one GPU would
 * contend for it anyway; each call makes the context current on its own thread first.
 */
final class CudaDevice {
  private static final int TILE = 128;
  private static final int GEMM_THREADS = 256;
  private static final int SCATTER_THREADS = 128;
  private static final int DENSE_THREADS = 128;
  /** Bytes of X (and as many of S) per chunk of a sketch product: 256 MiB, so staging stays bounded whatever len is. */
  private static final long SKETCH_CHUNK_BYTES = 1L << 28;
  /** The ziggurat's layer edges then acceptance ratios, the CPU's own (staged with each Gaussian product). */
  private static final double[] ZIGGURAT_TABLES = zigguratTables();
  /** Products run on a GPU in this JVM (every device, every kind of call). */
  static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();
  private static final int MAX_GRID_Y = 65_535;
  private static final long ALIGN = 256;

  private final int ordinal;
  private final String description;
  private final CUcontext context = new CUcontext();
  private final int major;
  private final java.util.EnumMap<GemmKernel, CUfunction> dgemm = new java.util.EnumMap<>(GemmKernel.class);
  private final CUfunction sgemmFma = new CUfunction();
  private final CUfunction scatterColumns = new CUfunction();
  private final CUfunction denseRademacher = new CUfunction();
  private final CUfunction denseGaussian = new CUfunction();
  /** cuBLAS on this device's context, null where it did not load ({@link #cublasReason}). */
  private final cublasHandle cublas;
  private final String cublasReason;
  private Pointer host;
  private long hostBytes;
  private CUdeviceptr device;
  private long deviceBytes;

  /** Opens GPU {@code ordinal}: its primary context (retained for the JVM's life) and the PTX modules. */
  CudaDevice(int ordinal, byte[][] ptx) {
    this.ordinal = ordinal;
    CUdevice dev = new CUdevice();
    cuDeviceGet(dev, ordinal);
    this.major = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    int minor = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    byte[] name = new byte[256];
    cuDeviceGetName(name, name.length, dev);
    long[] memory = new long[1];
    cuDeviceTotalMem(memory, dev);
    String gpu = new String(name, 0, indexOfNul(name), StandardCharsets.US_ASCII).trim();
    this.description = String.format("%s, compute capability %d.%d, %d SMs, %.1f GiB", gpu, major, minor,
        attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), memory[0] / (double) (1L << 30));
    if (major < 8) {
      throw new AmmException("GPU " + ordinal + " (" + gpu + ") has compute capability " + major + "." + minor
          + "; the module's PTX targets 8.0 or later (FP64 mma.sync)");
    }
    cuDevicePrimaryCtxRetain(context, dev);
    try {
      cuCtxSetCurrent(context);
      CUmodule[] modules = new CUmodule[ptx.length];
      for (int i = 0; i < ptx.length; i++) {
        if (major >= CudaRuntime.MODULE_MIN_MAJOR[i]) {
          modules[i] = new CUmodule();
          cuModuleLoadData(modules[i], ptx[i]);
        }
      }
      for (GemmKernel kernel : GemmKernel.values()) {
        if (kernel.module != null && major >= kernel.minMajor) { // the module's own kernels; cuBLAS below
          CUfunction function = new CUfunction();
          cuModuleGetFunction(function, modules[Arrays.asList(CudaRuntime.MODULES).indexOf(kernel.module)], kernel.function);
          dgemm.put(kernel, function);
        }
      }
      cuModuleGetFunction(sgemmFma, modules[0], "sgemm_fma");
      cuModuleGetFunction(scatterColumns, modules[1], "scatter_columns");
      cuModuleGetFunction(denseRademacher, modules[3], "dense_rademacher");
      cuModuleGetFunction(denseGaussian, modules[3], "dense_gaussian");
    } catch (RuntimeException e) { // a PTX the driver cannot JIT (e.g. CUDA_ERROR_UNSUPPORTED_PTX_VERSION): give the context back
      cuDevicePrimaryCtxRelease(dev);
      throw e;
    }
    cublasHandle handle = null;
    String reason = Cublas.unavailableReason();
    if (reason == null) {
      try {
        handle = Cublas.create();
      } catch (RuntimeException e) { // e.g. CUBLAS_STATUS_NOT_INITIALIZED: the module's kernels still run
        reason = "cuBLAS: " + CudaRuntime.oneLine(e);
      }
    }
    this.cublas = handle;
    this.cublasReason = reason;
  }

  private static int attribute(CUdevice dev, int attribute) {
    int[] value = new int[1];
    cuDeviceGetAttribute(value, attribute, dev);
    return value[0];
  }

  private static int indexOfNul(byte[] text) {
    for (int i = 0; i < text.length; i++) {
      if (text[i] == 0) {
        return i;
      }
    }
    return text.length;
  }

  /** Name, compute capability, SM count and memory, and whether cuBLAS runs, e.g. for the benchmark's header. */
  String description() {
    return description + (cublas != null ? "; cuBLAS" : "; no " + cublasReason);
  }

  int ordinal() {
    return ordinal;
  }

  /** The compute capability's major number (8 for A100, 9 for H100/H200). */
  int major() {
    return major;
  }

  /** The DGEMM the backend uses here: {@link GemmKernel#configured} for this device's compute capability and cuBLAS. */
  GemmKernel gemmKernel() {
    return GemmKernel.configured(major, cublas != null);
  }

  /** Whether this device runs {@code kernel}: compute capability, and cuBLAS for {@link GemmKernel#CUBLAS}. */
  boolean runs(GemmKernel kernel) {
    return kernel == GemmKernel.CUBLAS ? cublas != null : dgemm.containsKey(kernel);
  }

  private void requireRuns(GemmKernel kernel) {
    if (kernel == GemmKernel.CUBLAS) {
      AmmArgumentException.require(cublas != null, "GEMM kernel CUBLAS is not available on GPU %d: %s", ordinal, cublasReason);
    } else {
      AmmArgumentException.require(dgemm.containsKey(kernel), "GEMM kernel %s needs compute capability %d.0; GPU %d has %d.x",
          kernel, kernel.minMajor, ordinal, major);
    }
  }

  /** Where one GEMM's compact operands lie in the staging buffers (byte offsets, 256-byte aligned). */
  private static final class GemmLayout {
    final int rowsA;
    final int colsA;
    final int rowsB;
    final int colsB;
    final long offB;
    final long offC;
    final long bytesC;
    final long total;

    GemmLayout(boolean transA, boolean transB, int m, int n, int k, int elementBytes) {
      rowsA = transA ? k : m;
      colsA = transA ? m : k;
      rowsB = transB ? n : k;
      colsB = transB ? k : n;
      offB = align((long) elementBytes * rowsA * colsA);
      offC = offB + align((long) elementBytes * rowsB * colsB);
      bytesC = (long) elementBytes * m * n;
      total = offC + bytesC;
      for (long bytes : new long[] {offB, offC - offB, bytesC}) {
        AmmArgumentException.require(bytes <= Integer.MAX_VALUE,
            "a GPU operand of %d bytes exceeds the 2 GiB a staging view can hold; split the product", bytes);
      }
    }
  }

  private static long align(long bytes) {
    return (bytes + ALIGN - 1) / ALIGN * ALIGN;
  }

  /** {@code C = alpha op(A) op(B) + beta C} in FP64 with the given kernel; m, n, k >= 1, arguments checked by the caller. */
  synchronized void dgemm(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int offA, int lda, double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc) {
    CALLS.incrementAndGet();
    GemmLayout l = new GemmLayout(transA, transB, m, n, k, Double.BYTES);
    prepare(l.total);
    put(view(0, l.offB).asDoubleBuffer(), a, offA, lda, l.rowsA, l.colsA);
    put(view(l.offB, l.offC - l.offB).asDoubleBuffer(), b, offB, ldb, l.rowsB, l.colsB);
    if (beta != 0) {
      put(view(l.offC, l.bytesC).asDoubleBuffer(), c, offC, ldc, m, n);
    }
    runGemm(kernel, Double.BYTES, transA, transB, m, n, k, l,
        Pointer.to(new double[] {alpha}), Pointer.to(new double[] {beta}), beta != 0);
    DoubleBuffer result = view(l.offC, l.bytesC).asDoubleBuffer();
    for (int j = 0; j < n; j++) {
      result.get(c, offC + j * ldc, m);
    }
  }

  /**
   * {@link org.sparkamm.local.ComputeBackend#dgemmSum} with C kept on the device: C is staged and
   * uploaded once, then each term's op(A) and op(B) are staged compactly and uploaded (the next term's
   * staging overlaps this term's kernel: the default stream orders its upload after it) and the GEMM
   * adds into C on the device, in list order; C comes back once. m, n >= 1, every k >= 1, arguments
   * checked by the caller.
   */
  synchronized void dgemmSum(GemmKernel kernel, int m, int n, List<GemmTerm> terms, double[] c, int offC, int ldc) {
    CALLS.incrementAndGet();
    long bytesC = 8L * m * n;
    long offTerm = align(bytesC);
    long termBytes = 0;
    for (GemmTerm t : terms) {
      termBytes = Math.max(termBytes, new GemmLayout(t.transA(), t.transB(), m, n, t.k(), Double.BYTES).offC);
    }
    AmmArgumentException.require(bytesC <= Integer.MAX_VALUE, "a GPU gemm sum of %d x %d exceeds the 2 GiB a staging view holds",
        m, n);
    prepare(offTerm + termBytes);
    put(view(0, bytesC).asDoubleBuffer(), c, offC, ldc, m, n);
    cuMemcpyHtoD(device, host, bytesC);
    Pointer one = Pointer.to(new double[] {1});
    CUdeviceptr terms0 = device.withByteOffset(offTerm);
    for (GemmTerm t : terms) {
      GemmLayout l = new GemmLayout(t.transA(), t.transB(), m, n, t.k(), Double.BYTES);
      put(view(offTerm, l.offB).asDoubleBuffer(), t.a(), t.offA(), t.lda(), l.rowsA, l.colsA);
      put(view(offTerm + l.offB, l.offC - l.offB).asDoubleBuffer(), t.b(), t.offB(), t.ldb(), l.rowsB, l.colsB);
      cuMemcpyHtoD(terms0, host.withByteOffset(offTerm), l.offC);
      launchGemm(kernel, Double.BYTES, t.transA(), t.transB(), m, n, t.k(), one, terms0, l.rowsA,
          terms0.withByteOffset(l.offB), l.rowsB, one, device, m);
    }
    cuCtxSynchronize();
    cuMemcpyDtoH(host, device, bytesC);
    DoubleBuffer result = view(0, bytesC).asDoubleBuffer();
    for (int j = 0; j < n; j++) {
      result.get(c, offC + j * ldc, m);
    }
  }

  /** {@link #dgemm} in FP32: {@code cublasSgemm} when {@code kernel} is CUBLAS, otherwise {@code sgemm_fma}. */
  synchronized void sgemm(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
    CALLS.incrementAndGet();
    GemmLayout l = new GemmLayout(transA, transB, m, n, k, Float.BYTES);
    prepare(l.total);
    put(view(0, l.offB).asFloatBuffer(), a, offA, lda, l.rowsA, l.colsA);
    put(view(l.offB, l.offC - l.offB).asFloatBuffer(), b, offB, ldb, l.rowsB, l.colsB);
    if (beta != 0) {
      put(view(l.offC, l.bytesC).asFloatBuffer(), c, offC, ldc, m, n);
    }
    runGemm(kernel, Float.BYTES, transA, transB, m, n, k, l, Pointer.to(new float[] {alpha}), Pointer.to(new float[] {beta}),
        beta != 0);
    FloatBuffer result = view(l.offC, l.bytesC).asFloatBuffer();
    for (int j = 0; j < n; j++) {
      result.get(c, offC + j * ldc, m);
    }
  }

  /** Uploads the staged operands (C only when read), runs the kernel, downloads C into the staging buffer. */
  private void runGemm(GemmKernel kernel, int elementBytes, boolean transA, boolean transB, int m, int n, int k, GemmLayout l,
      Pointer alpha, Pointer beta, boolean readsC) {
    cuMemcpyHtoD(device, host, readsC ? l.total : l.offC);
    launchGemm(kernel, elementBytes, transA, transB, m, n, k, alpha, device, l.rowsA, device.withByteOffset(l.offB), l.rowsB,
        beta, device.withByteOffset(l.offC), m);
    cuCtxSynchronize();
    cuMemcpyDtoH(host.withByteOffset(l.offC), device.withByteOffset(l.offC), l.bytesC);
  }

  /**
   * Starts a GEMM on device operands (asynchronously, on the default stream): FP64 ({@code
   * elementBytes} 8) with {@code kernel}, FP32 (4) with cuBLAS when {@code kernel} is CUBLAS, else
   * {@code sgemm_fma}.
   */
  private void launchGemm(GemmKernel kernel, int elementBytes, boolean transA, boolean transB, int m, int n, int k,
      Pointer alpha, Pointer a, int lda, Pointer b, int ldb, Pointer beta, Pointer c, int ldc) {
    if (elementBytes == Double.BYTES) {
      requireRuns(kernel);
    }
    if (kernel == GemmKernel.CUBLAS && cublas != null) {
      Cublas.gemm(cublas, elementBytes, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
    AmmArgumentException.require((n + TILE - 1) / TILE <= MAX_GRID_Y, "a GPU GEMM has at most %d columns, got %d",
        MAX_GRID_Y * TILE, n);
    Pointer params = Pointer.to(ints(transA ? 1 : 0), ints(transB ? 1 : 0), ints(m), ints(n), ints(k), alpha,
        Pointer.to(a), ints(lda), Pointer.to(b), ints(ldb), beta, Pointer.to(c), ints(ldc));
    CUfunction function = elementBytes == Double.BYTES ? dgemm.get(kernel) : sgemmFma;
    cuLaunchKernel(function, (m + TILE - 1) / TILE, (n + TILE - 1) / TILE, 1, GEMM_THREADS, 1, 1, 0, null, params, null);
  }

  /**
   * {@link org.sparkamm.local.ComputeBackend#sketchProduct} with S generated on the device
   * (src/main/cuda/dense.cu): C is staged and uploaded once; then, per chunk of {@code chunk} inner
   * indices ({@link #sketchChunk}), X's chunk is staged and uploaded, its columns of S are generated
   * (transposed, len x l) beside it, and the GEMM kernel adds the chunk's product into C on the device
   * (staging the next chunk overlaps the kernels of this one: the default stream orders the upload
   * after them); C comes back once. Moves 8 (m len + 2 m l) bytes, S never crosses PCIe. m, len, l >= 1,
   * arguments checked by the caller.
   */
  synchronized void sketchProduct(GemmKernel kernel, DenseColumns s, long start, int len, boolean sketchLeft, int m,
      double[] x, int offX, int ldX, double[] c, int offC, int ldc, int chunk) {
    AmmArgumentException.require(chunk >= 1 && s.width() >= 1, "sketch product: chunk %d and width %d must be positive",
        chunk, s.width());
    CALLS.incrementAndGet();
    int l = s.width();
    boolean gaussian = s.entries() == DenseColumns.Entries.GAUSSIAN;
    long offProduct = align(8L * ZIGGURAT_TABLES.length);
    long bytesProduct = 8L * m * l;
    long offChunk = offProduct + align(bytesProduct);
    long offSketch = offChunk + align(8L * m * chunk);
    AmmArgumentException.require(bytesProduct <= Integer.MAX_VALUE,
        "a GPU sketch product of %d x %d exceeds the 2 GiB a staging view holds", m, l);
    prepare(offSketch, offSketch + 8L * l * chunk);
    int rowsC = sketchLeft ? l : m;
    int colsC = sketchLeft ? m : l;
    view(0, 8L * ZIGGURAT_TABLES.length).asDoubleBuffer().put(ZIGGURAT_TABLES);
    put(view(offProduct, bytesProduct).asDoubleBuffer(), c, offC, ldc, rowsC, colsC);
    cuMemcpyHtoD(device, host, offChunk);
    CUdeviceptr product = device.withByteOffset(offProduct);
    CUdeviceptr data = device.withByteOffset(offChunk);
    CUdeviceptr sketch = device.withByteOffset(offSketch);
    Pointer one = Pointer.to(new double[] {1});
    for (int from = 0; from < len; from += chunk) {
      int w = Math.min(chunk, len - from);
      if (sketchLeft) { // X is w x m: rows [from, from + w) of the block's inner range
        put(view(offChunk, 8L * w * m).asDoubleBuffer(), x, offX + from, ldX, w, m);
      } else { // X is m x w
        put(view(offChunk, 8L * m * w).asDoubleBuffer(), x, offX + from * ldX, ldX, m, w);
      }
      cuMemcpyHtoD(data, host.withByteOffset(offChunk), 8L * m * w);
      int blocks = (w + DENSE_THREADS - 1) / DENSE_THREADS;
      if (gaussian) {
        cuLaunchKernel(denseGaussian, blocks, 1, 1, DENSE_THREADS, 1, 1, 0, null,
            denseArguments(s, start + from, w, Pointer.to(device), Pointer.to(sketch)), null);
      } else {
        cuLaunchKernel(denseRademacher, blocks, (l + 63) / 64, 1, DENSE_THREADS, 1, 1, 0, null,
            denseArguments(s, start + from, w, Pointer.to(sketch)), null);
      }
      if (sketchLeft) { // C (l x m) += S X = (S^T)^T X
        launchGemm(kernel, Double.BYTES, true, false, l, m, w, one, sketch, w, data, w, one, product, l);
      } else { // C (m x l) += X S^T
        launchGemm(kernel, Double.BYTES, false, false, m, l, w, one, data, m, sketch, w, one, product, m);
      }
    }
    cuCtxSynchronize();
    cuMemcpyDtoH(host.withByteOffset(offProduct), product, bytesProduct);
    DoubleBuffer result = view(offProduct, bytesProduct).asDoubleBuffer();
    for (int j = 0; j < colsC; j++) {
      result.get(c, offC + j * ldc, rowsC);
    }
  }

  /**
   * {@link org.sparkamm.local.ComputeBackend#scatterColumns} on the device, bit-identical to the CPU
   * loop: the hits sorted stably by bucket (one segment per distinct bucket, hits in their original
   * order), the distinct source columns and the touched output columns staged compactly, one thread
   * per (row, segment) summing its segment in order (src/main/cuda/scatter.cu). count >= 1 and
   * rowTo > rowFrom, arguments checked by the caller.
   */
  synchronized void scatterColumns(double[] v, int off, int ld, int count, int[] local, int[] bucket, double[] coef,
      int rowFrom, int rowTo, double[] out, int outLd) {
    CALLS.incrementAndGet();
    int rows = rowTo - rowFrom;
    long[] byBucket = new long[count];
    for (int t = 0; t < count; t++) {
      byBucket[t] = (long) bucket[t] << 32 | t;
    }
    Arrays.sort(byBucket);
    int[] segmentStart = new int[count + 1];
    int[] segmentBucket = new int[count];
    int[] column = new int[count];
    double[] sortedCoef = new double[count];
    int maxLocal = 0;
    for (int t = 0; t < count; t++) {
      maxLocal = Math.max(maxLocal, local[t]);
    }
    int[] compactColumn = new int[maxLocal + 1];
    Arrays.fill(compactColumn, -1);
    int[] sourceColumn = new int[count];
    int columns = 0;
    int segments = 0;
    for (int s = 0; s < count; s++) {
      int t = (int) byBucket[s];
      if (s == 0 || bucket[t] != segmentBucket[segments - 1]) {
        segmentStart[segments] = s;
        segmentBucket[segments++] = bucket[t];
      }
      if (compactColumn[local[t]] < 0) {
        compactColumn[local[t]] = columns;
        sourceColumn[columns++] = local[t];
      }
      column[s] = compactColumn[local[t]];
      sortedCoef[s] = coef[t];
    }
    segmentStart[segments] = count;

    long offOut = align(8L * rows * columns);
    long offStart = offOut + align(8L * rows * segments);
    long offColumn = offStart + align(4L * (segments + 1));
    long offCoef = offColumn + align(4L * count);
    long total = offCoef + 8L * count;
    AmmArgumentException.require(offOut <= Integer.MAX_VALUE && offStart - offOut <= Integer.MAX_VALUE,
        "a GPU scatter of %d rows over %d columns and %d buckets exceeds the 2 GiB a staging view holds", rows, columns, segments);
    prepare(total);
    DoubleBuffer sources = view(0, offOut).asDoubleBuffer();
    for (int j = 0; j < columns; j++) {
      sources.put(v, off + sourceColumn[j] * ld + rowFrom, rows);
    }
    DoubleBuffer targets = view(offOut, offStart - offOut).asDoubleBuffer();
    for (int s = 0; s < segments; s++) {
      targets.put(out, segmentBucket[s] * outLd + rowFrom, rows);
    }
    view(offStart, 4L * (segments + 1)).asIntBuffer().put(segmentStart, 0, segments + 1);
    view(offColumn, 4L * count).asIntBuffer().put(column, 0, count);
    view(offCoef, 8L * count).asDoubleBuffer().put(sortedCoef, 0, count);
    cuMemcpyHtoD(device, host, total);
    Pointer params = Pointer.to(ints(rows), ints(segments), Pointer.to(device.withByteOffset(offStart)),
        Pointer.to(device.withByteOffset(offColumn)), Pointer.to(device.withByteOffset(offCoef)), Pointer.to(device),
        Pointer.to(device.withByteOffset(offOut)));
    cuLaunchKernel(scatterColumns, (rows + SCATTER_THREADS - 1) / SCATTER_THREADS, Math.min(segments, MAX_GRID_Y), 1,
        SCATTER_THREADS, 1, 1, 0, null, params, null);
    cuCtxSynchronize();
    cuMemcpyDtoH(host.withByteOffset(offOut), device.withByteOffset(offOut), offStart - offOut);
    targets = view(offOut, offStart - offOut).asDoubleBuffer();
    for (int s = 0; s < segments; s++) {
      targets.get(out, segmentBucket[s] * outLd + rowFrom, rows);
    }
  }

  /**
   * Seconds per call of a GEMM alone on device-resident n x n operands (no transfers, beta = 0), the
   * mean of {@code reps} calls after one warm-up; for the benchmark. elementBytes 4 times the FP32 GEMM
   * of {@code kernel} (cuBLAS for CUBLAS, otherwise sgemm_fma).
   */
  synchronized double timeGemmKernel(GemmKernel kernel, int elementBytes, int n, int reps) {
    GemmLayout l = new GemmLayout(false, false, n, n, n, elementBytes);
    prepare(l.total);
    cuMemsetD8(device, (byte) 0x3f, l.offC); // 0x3f3f... is a normal number in FP64 and FP32
    Pointer one = elementBytes == 8 ? Pointer.to(new double[] {1}) : Pointer.to(new float[] {1});
    Pointer zero = elementBytes == 8 ? Pointer.to(new double[] {0}) : Pointer.to(new float[] {0});
    Runnable call = () -> launchGemm(kernel, elementBytes, false, false, n, n, n, one, device, n,
        device.withByteOffset(l.offB), n, zero, device.withByteOffset(l.offC), n);
    call.run();
    cuCtxSynchronize();
    long start = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      call.run();
    }
    cuCtxSynchronize();
    return (System.nanoTime() - start) / 1e9 / reps;
  }

  /** Frees the staging buffers (they are allocated again on the next call). */
  synchronized void release() {
    cuCtxSetCurrent(context);
    freeBuffers();
  }

  private void freeBuffers() {
    freeHost();
    freeDevice();
  }

  private void freeHost() {
    if (host != null) {
      Pointer p = host;
      host = null;
      hostBytes = 0;
      cuMemFreeHost(p);
    }
  }

  private void freeDevice() {
    if (device != null) {
      CUdeviceptr p = device;
      device = null;
      deviceBytes = 0;
      cuMemFree(p);
    }
  }

  /** Makes the context current on this thread and both buffers at least {@code bytes} long. */
  private void prepare(long bytes) {
    prepare(bytes, bytes);
  }

  /**
   * Makes the context current on this thread, the pinned buffer at least {@code hostNeed} bytes and the
   * device one {@code deviceNeed}; each is reallocated only when it is short itself.
   */
  private void prepare(long hostNeed, long deviceNeed) {
    cuCtxSetCurrent(context);
    if (hostNeed > hostBytes) {
      long size = grown(hostNeed, hostBytes);
      freeHost();
      Pointer newHost = new Pointer();
      cuMemAllocHost(newHost, size);
      host = newHost;
      hostBytes = size;
    }
    if (deviceNeed > deviceBytes) {
      long size = grown(deviceNeed, deviceBytes);
      freeDevice();
      CUdeviceptr newDevice = new CUdeviceptr();
      cuMemAlloc(newDevice, size);
      device = newDevice;
      deviceBytes = size;
    }
  }

  /** At least {@code need} and half again the current size, in whole MiB. */
  private static long grown(long need, long current) {
    long size = Math.max(need, current + current / 2);
    return (size + (1 << 20) - 1) >> 20 << 20;
  }

  /** The pinned staging bytes [from, from + bytes) in native order (bytes <= 2^31 - 1). */
  private ByteBuffer view(long from, long bytes) {
    return host.getByteBuffer(from, bytes).order(ByteOrder.nativeOrder());
  }

  private static Pointer ints(int value) {
    return Pointer.to(new int[] {value});
  }

  /** Inner indices per chunk of a sketch product: at most {@link #SKETCH_CHUNK_BYTES} of X and as many of S. */
  static int sketchChunk(int m, int len, int l) {
    return (int) Math.max(1, Math.min(len, SKETCH_CHUNK_BYTES / (8L * Math.max(m, l))));
  }

  /** The kernel arguments of dense.cu's generators: (width, start, len, key, signKey, columnSigns, scale, buffers...). */
  private static Pointer denseArguments(DenseColumns s, long start, int len, Pointer... buffers) {
    Pointer[] arguments = Arrays.copyOf(new Pointer[] {ints(s.width()), Pointer.to(new long[] {start}), ints(len),
        Pointer.to(new long[] {s.key()}), Pointer.to(new long[] {s.signKey()}), ints(s.columnSigns() ? 1 : 0),
        Pointer.to(new double[] {s.scale()})}, 7 + buffers.length);
    System.arraycopy(buffers, 0, arguments, 7, buffers.length);
    return Pointer.to(arguments);
  }

  private static double[] zigguratTables() {
    double[] edges = Ziggurat.layerEdges();
    double[] ratios = Ziggurat.acceptRatios();
    double[] tables = Arrays.copyOf(edges, edges.length + ratios.length);
    System.arraycopy(ratios, 0, tables, edges.length, ratios.length);
    return tables;
  }

  /** Stages the rows x cols matrix at {@code off} with leading dimension {@code ld} compactly (column after column). */
  private static void put(DoubleBuffer to, double[] x, int off, int ld, int rows, int cols) {
    if (ld == rows) {
      to.put(x, off, rows * cols);
      return;
    }
    for (int j = 0; j < cols; j++) {
      to.put(x, off + j * ld, rows);
    }
  }

  private static void put(FloatBuffer to, float[] x, int off, int ld, int rows, int cols) {
    if (ld == rows) {
      to.put(x, off, rows * cols);
      return;
    }
    for (int j = 0; j < cols; j++) {
      to.put(x, off + j * ld, rows);
    }
  }
}
