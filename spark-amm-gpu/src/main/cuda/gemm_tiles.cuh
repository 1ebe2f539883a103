// Shared by the GEMM kernels (gemm.cu, gemm_sm90.cu): operand access, the block tile staged through
// shared memory with a register prefetch of the next k-slab, and the epilogue.
// Column-major: element (i, j) of X with leading dimension ldX is X[i + j * ldX]; op(A) is m x k,
// op(B) is k x n. Elements outside the matrices read as zeros (ragged edges), indices are 64-bit.
#pragma once

typedef long long idx_t;

// Element (i, p) of op(X) for X stored column-major with leading dimension ld; zero outside rows x cols.
template <typename T>
__device__ __forceinline__ T element(const T* __restrict__ x, int ld, bool trans, int rows, int cols, int i, int p) {
  if (i >= rows || p >= cols) return T(0);
  return trans ? x[p + (idx_t)i * ld] : x[i + (idx_t)p * ld];
}

// C(i, j) = alpha * acc + beta * C(i, j) inside m x n; C is not read when beta == 0 (BLAS: NaN ignored).
template <typename T>
__device__ __forceinline__ void storeC(T* __restrict__ c, int ldc, int m, int n, int i, int j, T alpha, T beta, T acc) {
  if (i < m && j < n) {
    idx_t o = i + (idx_t)j * ldc;
    c[o] = beta == T(0) ? alpha * acc : alpha * acc + beta * c[o];
  }
}

// A BM x BN block tile's operands for one k-slab of BK: op(A)'s BM x BK and op(B)'s BK x BN panels,
// held as the k-major shared arrays as[BK][BM + PAD] and bs[BK][BN + PAD]. Each of THREADS threads
// loads LOADS elements per panel into registers (load) and later writes them to shared memory
// (store), so the next slab's global reads overlap the current slab's arithmetic. Thread tid's q-th
// element is e = tid + q * THREADS, mapped so that the stored matrix's contiguous index varies
// fastest across threads (whole memory segments per warp): for A not transposed, row = e % BM and
// p = e / BM; transposed, p = e % BK and row = e / BK. op(B)(p, j) is read as op(B)^T(j, p), i.e.
// the same with the transpose flag inverted.
template <typename T, int BM, int BN, int BK, int PAD, int THREADS>
struct TileLoader {
  static constexpr int LOADS = BM * BK / THREADS;
  static_assert(BM == BN && BM * BK % THREADS == 0, "square tiles, whole loads per thread");
  T ra[LOADS], rb[LOADS];

  __device__ __forceinline__ static void coordinates(bool trans, int e, int& row, int& p) {
    if (trans) { p = e % BK; row = e / BK; }
    else { row = e % BM; p = e / BM; }
  }

  __device__ __forceinline__ void load(int transA, int transB, int m, int n, int k, const T* __restrict__ a, int lda,
                                       const T* __restrict__ b, int ldb, int i0, int j0, int p0) {
#pragma unroll
    for (int q = 0; q < LOADS; q++) {
      int row, p;
      coordinates(transA, threadIdx.x + q * THREADS, row, p);
      ra[q] = element(a, lda, transA, m, k, i0 + row, p0 + p);
      coordinates(!transB, threadIdx.x + q * THREADS, row, p);
      rb[q] = element(b, ldb, !transB, n, k, j0 + row, p0 + p);
    }
  }

  __device__ __forceinline__ void store(int transA, int transB, T (*as)[BM + PAD], T (*bs)[BN + PAD]) const {
#pragma unroll
    for (int q = 0; q < LOADS; q++) {
      int row, p;
      coordinates(transA, threadIdx.x + q * THREADS, row, p);
      as[p][row] = ra[q];
      coordinates(!transB, threadIdx.x + q * THREADS, row, p);
      bs[p][row] = rb[q];
    }
  }
};

// The k loop every kernel shares: stage slab 0, then per slab prefetch the next into registers,
// multiply the current one from shared memory (multiply()), and swap. Two barriers per slab.
template <typename T, int BM, int BK, int PAD, int THREADS, class Multiply>
__device__ __forceinline__ void kLoop(int transA, int transB, int m, int n, int k, const T* __restrict__ a, int lda,
                                      const T* __restrict__ b, int ldb, T (*as)[BM + PAD], T (*bs)[BM + PAD],
                                      Multiply multiply) {
  const int i0 = blockIdx.x * BM, j0 = blockIdx.y * BM;
  TileLoader<T, BM, BM, BK, PAD, THREADS> tile;
  tile.load(transA, transB, m, n, k, a, lda, b, ldb, i0, j0, 0);
  tile.store(transA, transB, as, bs);
  __syncthreads();
  for (int p0 = 0; p0 < k; p0 += BK) {
    const bool more = p0 + BK < k;
    if (more) tile.load(transA, transB, m, n, k, a, lda, b, ldb, i0, j0, p0 + BK);
    multiply();
    __syncthreads();
    if (more) {
      tile.store(transA, transB, as, bs);
      __syncthreads();
    }
  }
}
