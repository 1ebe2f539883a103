// Dense GEMM kernels of spark-amm-gpu: C = alpha * op(A) * op(B) + beta * C, column-major, op(X) = X or X^T.
// Element (i, j) of a matrix X with leading dimension ldX is X[i + j * ldX]; op(A) is m x k, op(B) is k x n.
// Every kernel reads A, B and C through their leading dimensions (the host passes pointers already
// moved to the operands' first elements), treats elements outside [0, m) x [0, k) and [0, k) x [0, n)
// as zeros (ragged edges: any m, n, k >= 1), and never reads C when beta == 0 (BLAS semantics: NaN in
// C is ignored). Indices are computed in 64 bits.
//
// Kernels (one thread block computes one 128 x 128 tile of C; grid = ceil(m/128) x ceil(n/128)):
//   dgemm_dmma  FP64 tensor cores (mma.sync m8n8k4 f64, sm_80+). 256 threads = 8 warps as 2 (M) x 4 (N),
//               each warp a 64 x 32 sub-tile = 8 x 4 mma tiles, 64 accumulators per thread. k-slab 16.
//   dgemm_dmma_sm90 (gemm_sm90.cu) the same tiles with Hopper's mma.sync m16n8k8 f64 (sm_90+).
//   dgemm_fma   FP64 FMA, 256 threads as 16 x 16, each an 8 x 8 register block. k-slab 8.
//   sgemm_fma   the same in float32.
//
// Why these tile sizes: a 128 x 128 tile with a k-slab of BK reads 2 * 128 * BK elements from global
// memory for 2 * 128 * 128 * BK flops, i.e. 64 flops per element = 8 flop/byte in FP64; the H100/H200
// FP64 peak (67 TFLOP/s with DMMA, 34 without) over their L2 bandwidth (~10 TB/s) needs ~7 flop/byte,
// so 128 x 128 is the smallest square tile that keeps the tensor cores fed from L2. Register blocking
// (8 x 8 per thread for FMA, 8 x 4 mma tiles per warp for DMMA) gives 64 FMAs (16 mma) per 16 (12)
// shared-memory loads, below the 128 B/clock/SM shared-memory bandwidth at peak issue rate. The
// accumulators take 128 32-bit registers per thread, so one 256-thread block per SM (8 warps); the
// next k-slab is prefetched into registers while the current one is multiplied, which hides the
// global-memory latency that the low occupancy does not. Shared memory: DMMA 2 * 16 * 136 * 8 B =
// 34.8 KB (rows padded by 8 doubles so that the 4 k-rows one fragment load touches fall in distinct
// bank halves: 2 wavefronts per 256-byte fragment, the minimum), FMA 2 * 8 * 128 * sizeof(T).

#include "gemm_tiles.cuh"

// ---------------------------------------------------------------------------------------------------
// FMA kernel (any type): 128 x 128 tile, k-slab 8, 256 threads, 8 x 8 accumulators per thread. Thread
// (tx, ty) owns rows {4tx..4tx+3, 64+4tx..64+4tx+3} and the same pattern of columns with ty, so a
// warp's shared-memory reads of a k-row are 16 consecutive 4-element runs (no bank conflicts).
template <typename T>
__device__ __forceinline__ void gemmFma(int transA, int transB, int m, int n, int k, T alpha,
    const T* __restrict__ a, int lda, const T* __restrict__ b, int ldb, T beta, T* __restrict__ c, int ldc) {
  constexpr int BM = 128, BK = 8;
  __shared__ T as[BK][BM];
  __shared__ T bs[BK][BM];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  T acc[8][8];
#pragma unroll
  for (int r = 0; r < 8; r++)
#pragma unroll
    for (int s = 0; s < 8; s++) acc[r][s] = T(0);
  kLoop<T, BM, BK, 0, 256>(transA, transB, m, n, k, a, lda, b, ldb, as, bs, [&] {
#pragma unroll
    for (int p = 0; p < BK; p++) {
      T fa[8], fb[8];
#pragma unroll
      for (int r = 0; r < 4; r++) {
        fa[r] = as[p][4 * tx + r];
        fa[r + 4] = as[p][64 + 4 * tx + r];
        fb[r] = bs[p][4 * ty + r];
        fb[r + 4] = bs[p][64 + 4 * ty + r];
      }
#pragma unroll
      for (int r = 0; r < 8; r++)
#pragma unroll
        for (int s = 0; s < 8; s++) acc[r][s] += fa[r] * fb[s];
    }
  });
  const int i0 = blockIdx.x * BM, j0 = blockIdx.y * BM;
#pragma unroll
  for (int r = 0; r < 8; r++)
#pragma unroll
    for (int s = 0; s < 8; s++)
      storeC(c, ldc, m, n, i0 + (r < 4 ? 4 * tx + r : 60 + 4 * tx + r), j0 + (s < 4 ? 4 * ty + s : 60 + 4 * ty + s),
          alpha, beta, acc[r][s]);
}

extern "C" __global__ void __launch_bounds__(256) dgemm_fma(int transA, int transB, int m, int n, int k, double alpha,
    const double* __restrict__ a, int lda, const double* __restrict__ b, int ldb, double beta, double* __restrict__ c, int ldc) {
  gemmFma<double>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

extern "C" __global__ void __launch_bounds__(256) sgemm_fma(int transA, int transB, int m, int n, int k, float alpha,
    const float* __restrict__ a, int lda, const float* __restrict__ b, int ldb, float beta, float* __restrict__ c, int ldc) {
  gemmFma<float>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// ---------------------------------------------------------------------------------------------------
// DMMA kernel: mma.sync.aligned.m8n8k4.row.col.f64 computes D (8 x 8) = A (8 x 4) * B (4 x 8) + C per warp.
// Fragments (PTX ISA, "Matrix Fragments for mma.m8n8k4 with .f64"), with g = lane / 4, t = lane % 4:
//   A: one double per lane, element (row g, col t);  B: one double, element (row t, col g);
//   C, D: two doubles, elements (row g, cols 2t and 2t + 1).
__device__ __forceinline__ void mma8x8x4(double& d0, double& d1, double a, double b) {
#if defined(__CUDA_ARCH__)
  asm volatile("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%0, %1}, {%2}, {%3}, {%0, %1};\n"
               : "+d"(d0), "+d"(d1) : "d"(a), "d"(b));
#else  // the host emulation of src/test/cuda (threads as std::threads), with the fragment layout above
  emulatedMma8x8x4(d0, d1, a, b);
#endif
}

extern "C" __global__ void __launch_bounds__(256, 1) dgemm_dmma(int transA, int transB, int m, int n, int k, double alpha,
    const double* __restrict__ a, int lda, const double* __restrict__ b, int ldb, double beta, double* __restrict__ c, int ldc) {
  constexpr int BM = 128, BK = 16, PAD = 8;
  __shared__ double as[BK][BM + PAD];
  __shared__ double bs[BK][BM + PAD];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, g = lane / 4, t = lane % 4;
  const int wi = (warp % 2) * 64, wj = (warp / 2) * 32;  // the warp's 64 x 32 sub-tile within the block tile
  double acc[8][4][2];
#pragma unroll
  for (int x = 0; x < 8; x++)
#pragma unroll
    for (int y = 0; y < 4; y++) acc[x][y][0] = acc[x][y][1] = 0.0;
  kLoop<double, BM, BK, PAD, 256>(transA, transB, m, n, k, a, lda, b, ldb, as, bs, [&] {
#pragma unroll
    for (int kk = 0; kk < BK; kk += 4) {
      double fa[8], fb[4];
#pragma unroll
      for (int x = 0; x < 8; x++) fa[x] = as[kk + t][wi + 8 * x + g];
#pragma unroll
      for (int y = 0; y < 4; y++) fb[y] = bs[kk + t][wj + 8 * y + g];
#pragma unroll
      for (int x = 0; x < 8; x++)
#pragma unroll
        for (int y = 0; y < 4; y++) mma8x8x4(acc[x][y][0], acc[x][y][1], fa[x], fb[y]);
    }
  });
  const int i0 = blockIdx.x * BM, j0 = blockIdx.y * BM;
#pragma unroll
  for (int x = 0; x < 8; x++)
#pragma unroll
    for (int y = 0; y < 4; y++)
#pragma unroll
      for (int h = 0; h < 2; h++)
        storeC(c, ldc, m, n, i0 + wi + 8 * x + g, j0 + wj + 8 * y + 2 * t + h, alpha, beta, acc[x][y][h]);
}
