// Hopper's FP64 tensor-core GEMM (compute capability 9.0+; regen-ptx.sh compiles *_sm90.cu for compute_90):
// dgemm_dmma_sm90, C = alpha * op(A) * op(B) + beta * C with the conventions, block tile (128 x 128, k-slab
// 16, 256 threads = 8 warps as 2 x 4, 64 x 32 per warp) and staging of gemm.cu's dgemm_dmma, but with
// mma.sync.aligned.m16n8k8.row.col.f64 (new in sm_90): 1024 multiply-adds per instruction instead of
// m8n8k4's 256, so a warp issues 32 mma per k-slab instead of 128, with the same fragment loads.
// (m16n8k16 would halve the instructions again but needs 8 more fragment registers per thread, and
// with the 128 accumulators and the 32 prefetch registers ptxas then spills.)
// Fragments (PTX ISA "Matrix Fragments for mma.m16n8k8 with .f64"; the same as CUTLASS's
// SM90_16x8x8_F64F64F64F64_TN traits), with g = lane / 4, t = lane % 4:
//   A (16 x 8): a[v], v = v0 + 2 v1 (v0, v1 < 2), is element (row g + 8 v0, col t + 4 v1);
//   B (8 x 8):  b[v], v < 2, is element (row t + 4 v, col g);
//   C, D (16 x 8): c[v], v = v0 + 2 v1, is element (row g + 8 v1, col 2t + v0).
#include "gemm_tiles.cuh"

__device__ __forceinline__ void mma16x8x8(double (&d)[4], const double (&a)[4], const double (&b)[2]) {
#if defined(__CUDA_ARCH__)
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f64.f64.f64.f64 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
      : "+d"(d[0]), "+d"(d[1]), "+d"(d[2]), "+d"(d[3])
      : "d"(a[0]), "d"(a[1]), "d"(a[2]), "d"(a[3]), "d"(b[0]), "d"(b[1]));
#else  // the host emulation of src/test/cuda, with the fragment layout above
  emulatedMma16x8x8(d, a, b);
#endif
}

extern "C" __global__ void __launch_bounds__(256, 1) dgemm_dmma_sm90(int transA, int transB, int m, int n, int k, double alpha,
    const double* __restrict__ a, int lda, const double* __restrict__ b, int ldb, double beta, double* __restrict__ c, int ldc) {
  constexpr int BM = 128, BK = 16, PAD = 8;
  __shared__ double as[BK][BM + PAD];
  __shared__ double bs[BK][BM + PAD];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, g = lane / 4, t = lane % 4;
  const int wi = (warp % 2) * 64, wj = (warp / 2) * 32;  // the warp's 64 x 32 sub-tile: 4 x 4 mma tiles of 16 x 8
  double acc[4][4][4];
#pragma unroll
  for (int x = 0; x < 4; x++)
#pragma unroll
    for (int y = 0; y < 4; y++)
#pragma unroll
      for (int v = 0; v < 4; v++) acc[x][y][v] = 0.0;
  kLoop<double, BM, BK, PAD, 256>(transA, transB, m, n, k, a, lda, b, ldb, as, bs, [&] {
#pragma unroll
    for (int kk = 0; kk < BK; kk += 8) {
      double fb[4][2];
#pragma unroll
      for (int y = 0; y < 4; y++)
#pragma unroll
        for (int v = 0; v < 2; v++) fb[y][v] = bs[kk + t + 4 * v][wj + 8 * y + g];
#pragma unroll
      for (int x = 0; x < 4; x++) {
        double fa[4];
#pragma unroll
        for (int v = 0; v < 4; v++) fa[v] = as[kk + t + 4 * (v / 2)][wi + 16 * x + g + 8 * (v % 2)];
#pragma unroll
        for (int y = 0; y < 4; y++) mma16x8x8(acc[x][y], fa, fb[y]);
      }
    }
  });
  const int i0 = blockIdx.x * BM, j0 = blockIdx.y * BM;
#pragma unroll
  for (int x = 0; x < 4; x++)
#pragma unroll
    for (int y = 0; y < 4; y++)
#pragma unroll
      for (int v = 0; v < 4; v++)
        storeC(c, ldc, m, n, i0 + wi + 16 * x + g + 8 * (v / 2), j0 + wj + 8 * y + 2 * t + v % 2, alpha, beta, acc[x][y][v]);
}
