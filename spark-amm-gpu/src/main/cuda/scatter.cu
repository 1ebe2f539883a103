// The sparse-sketch scatter-add of spark-amm-gpu (ComputeBackend.scatterColumns), deterministic:
// the host sorts the hits stably by bucket, so segment s holds the hits of one bucket in their
// original order; one thread per (row r, segment s) adds them into its own output element:
//   out[r, s] = (...((out[r, s] + coef[t0] * v[r, col[t0]]) + coef[t1] * v[r, col[t1]]) + ...)
// with separately rounded products and sums (__dmul_rn, __dadd_rn: never contracted to FMA), which
// is exactly the CPU loop's order and rounding, so the result is bit-identical to CpuBackend. No
// atomics: atomicAdd on double would make the summation order, and so the rounding, vary by run.
// v is rows x (distinct columns), out rows x segments, both compact column-major; threads along
// rows read and write consecutive addresses. Cost 2 * rows * hits flops.

typedef long long idx_t;

extern "C" __global__ void scatter_columns(int rows, int segments, const int* __restrict__ segmentStart,
    const int* __restrict__ column, const double* __restrict__ coef, const double* __restrict__ v,
    double* __restrict__ out) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  for (int s = blockIdx.y; s < segments; s += gridDim.y) {
    const idx_t o = r + (idx_t)s * rows;
    double acc = out[o];
    const int end = segmentStart[s + 1];
    for (int t = segmentStart[s]; t < end; t++) {
      acc = __dadd_rn(acc, __dmul_rn(coef[t], v[r + (idx_t)column[t] * rows]));
    }
    out[o] = acc;
  }
}
