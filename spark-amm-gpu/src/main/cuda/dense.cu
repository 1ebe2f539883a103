// Dense sketch columns of spark-amm-gpu (ComputeBackend.sketchProduct): the columns [start, start + len)
// of a dense random sketch S (l x n), generated on the device by the steps of the CPU's definition,
// org.sparkamm.random.DenseColumns, on the same 64-bit integers:
//   counterBits(key, i) = mix64(key ^ mix64(i * GOLDEN + 0x632BE59BD9B4E019)), mix64 SplitMix64's finalizer;
//   column i's stream: state_0 = counterBits(key, i), word_w = mix64(state_0 + (w + 1) * GOLDEN);
//   c_i = -scale when columnSigns and bit 0 of counterBits(signKey, i) is 0, else scale.
// Rademacher: entry t = +c_i if bit t mod 64 of word_(t / 64) is 1, else -c_i (a sign-bit xor, as on the
// CPU): bit-identical. Gaussian: entry t = c_i * z_t, z the stream's successive ziggurat normals with the
// CPU's tables (layer edges and acceptance ratios, computed in Java and passed in, 513 doubles): every
// step is a separately rounded IEEE operation (no FMA contraction), so a draw accepted in a layer (99%)
// or a wedge is bit-identical; only exp and log (wedge test, tail beyond R, about 1 draw in 3,900) are the
// device's rather than Java's, within an ulp or two: a tail value may differ in its last bits, and a wedge
// decision would flip only for a density within ~1e-16 of the boundary.
//
// Both kernels write S's slice transposed, len x l column-major (element (j, t) at out[j + t * len]), so
// that consecutive threads (consecutive columns j of S) write consecutive addresses; the GEMM kernels then
// read it as op(S) = (S^T)^T. Cost: Rademacher 3 mix64 per 64-entry word (5 with column signs: each
// word's thread derives its column's stream and sign itself), Gaussian ~1 mix64 per entry, one thread per
// column.

typedef unsigned long long u64;
typedef long long idx_t;

#define SKETCH_GOLDEN 0x9E3779B97F4A7C15ULL
#define ZIGGURAT_LAYERS 256
#define ZIGGURAT_R 3.6541528853610088

__device__ __forceinline__ u64 mix64(u64 z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

__device__ __forceinline__ u64 counterBits(u64 key, u64 index) {
  return mix64(key ^ mix64(index * SKETCH_GOLDEN + 0x632BE59BD9B4E019ULL));
}

__device__ __forceinline__ u64 nextWord(u64& state) {
  state += SKETCH_GOLDEN;
  return mix64(state);
}

// [0, 1) and (0, 1] from a word's top 53 bits: exact conversions, an exact power-of-two scaling
__device__ __forceinline__ double unitInterval(u64 word) { return __dmul_rn((double)(word >> 11), 0x1.0p-53); }
__device__ __forceinline__ double positiveUnitInterval(u64 word) { return __dmul_rn((double)((word >> 11) + 1), 0x1.0p-53); }

__device__ __forceinline__ double columnScale(u64 signKey, int columnSigns, double scale, u64 index) {
  return columnSigns && (counterBits(signKey, index) & 1ULL) == 0 ? -scale : scale;
}

// Rademacher: thread (j, w) writes the 64 entries of word w of column j; threads along j write along
// the rows of S^T. grid.x over columns (ceil(len / blockDim.x)), grid.y over words (ceil(l / 64)).
extern "C" __global__ void dense_rademacher(int width, idx_t start, int len, u64 key, u64 signKey, int columnSigns,
    double scale, double* __restrict__ out) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  const int w = blockIdx.y;
  if (j >= len) return;
  const u64 index = (u64)(start + j);
  u64 word = mix64(counterBits(key, index) + (u64)(w + 1) * SKETCH_GOLDEN);
  const u64 minus = (u64)__double_as_longlong(-columnScale(signKey, columnSigns, scale, index));
  const int end = min(width, 64 * w + 64);
  for (int t = 64 * w; t < end; t++, word >>= 1) {
    out[j + (idx_t)t * len] = __longlong_as_double((long long)(minus ^ (word << 63)));
  }
}

__device__ double zigguratTail(u64& state, bool negative) {
  double x, y;
  do {
    x = __ddiv_rn(log(positiveUnitInterval(nextWord(state))), ZIGGURAT_R);
    y = log(positiveUnitInterval(nextWord(state)));
  } while (__dmul_rn(-2.0, y) < __dmul_rn(x, x));
  return negative ? __dsub_rn(x, ZIGGURAT_R) : __dsub_rn(ZIGGURAT_R, x);
}

// One standard normal from the stream (Marsaglia-Tsang with Doornik's independent layer bits), as
// org.sparkamm.random.Ziggurat.next: edge[0..256] the layer edges, ratio[i] = edge[i + 1] / edge[i].
__device__ double ziggurat(u64& state, const double* edge, const double* ratio) {
  while (true) {
    const u64 bits = nextWord(state);
    const int i = (int)(bits & (ZIGGURAT_LAYERS - 1));
    const double u = __dsub_rn(__dmul_rn(2.0, unitInterval(bits)), 1.0);
    if (fabs(u) < ratio[i]) return __dmul_rn(u, edge[i]);
    if (i == 0) return zigguratTail(state, u < 0);
    const double x = __dmul_rn(u, edge[i]);
    const double x2 = __dmul_rn(x, x);
    const double f0 = exp(__dmul_rn(-0.5, __dsub_rn(__dmul_rn(edge[i], edge[i]), x2)));
    const double f1 = exp(__dmul_rn(-0.5, __dsub_rn(__dmul_rn(edge[i + 1], edge[i + 1]), x2)));
    if (__dadd_rn(f1, __dmul_rn(unitInterval(nextWord(state)), __dsub_rn(f0, f1))) < 1.0) return x;
  }
}

// Gaussian: one thread per column j, its l entries in stream order; the 513-double tables in shared
// memory (random layer lookups). grid.x = ceil(len / blockDim.x).
extern "C" __global__ void dense_gaussian(int width, idx_t start, int len, u64 key, u64 signKey, int columnSigns,
    double scale, const double* __restrict__ tables, double* __restrict__ out) {
  __shared__ double edge[ZIGGURAT_LAYERS + 1];
  __shared__ double ratio[ZIGGURAT_LAYERS];
  for (int t = threadIdx.x; t < 2 * ZIGGURAT_LAYERS + 1; t += blockDim.x) {
    if (t <= ZIGGURAT_LAYERS) edge[t] = tables[t];
    else ratio[t - ZIGGURAT_LAYERS - 1] = tables[t];
  }
  __syncthreads();
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= len) return;
  const u64 index = (u64)(start + j);
  const double c = columnScale(signKey, columnSigns, scale, index);
  u64 state = counterBits(key, index);
  for (int t = 0; t < width; t++) {
    out[j + (idx_t)t * len] = __dmul_rn(c, ziggurat(state, edge, ratio));
  }
}
