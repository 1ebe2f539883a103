// Runs the module's CUDA kernels on the CPU (cuda_on_cpu.h) against exact references: every GEMM kernel
// on ragged shapes, transposes, leading dimensions and alpha/beta, the scatter bit for bit against the CPU
// loop. Prints one line per kernel and exits 1 on the first mismatch.
// Build: g++ -std=c++20 -O1 -pthread -ffp-contract=off src/test/cuda/emulate.cpp (from spark-amm-gpu/);
// run with the argument "full" for 48 cases per GEMM kernel (minutes), without for 8 (KernelEmulationTest);
// "dense ..." generates a dense sketch slice (see dense() below).
#include <fstream>
#include <random>
#include <string>

#include "cuda_on_cpu.h"

static bool full = false;  // "full": 6 shapes x 4 transposes x 2 (alpha, beta); else 2 shapes x 4 transposes

template <typename T>
static bool checkGemm(const char* name, std::mt19937_64& random, double unit,
                      void (*kernel)(int, int, int, int, int, T, const T*, int, const T*, int, T, T*, int)) {
  const std::vector<std::vector<int>> shapes = full
      ? std::vector<std::vector<int>>{{1, 1, 1}, {127, 129, 3}, {128, 128, 16}, {200, 77, 37}, {130, 260, 17}, {129, 1, 40}}
      : std::vector<std::vector<int>>{{1, 1, 1}, {130, 129, 19}};  // ragged in m, n and k: 2 x 2 tiles, partial k-slabs
  const double alphaBeta[][2] = {{1, 0}, {-0.5, 2}};
  std::uniform_real_distribution<double> uniform(-1, 1);
  int cases = 0;
  for (auto& shape : shapes) {
    for (int transposes = 0; transposes < 4; transposes++) {
      for (int which = 0; which < 2; which++) {
        if (!full && which != transposes % 2) continue;
        const double* ab = alphaBeta[which];
        const int m = shape[0], n = shape[1], k = shape[2], tA = transposes & 1, tB = transposes >> 1;
        const int rowsA = tA ? k : m, colsA = tA ? m : k, rowsB = tB ? n : k, colsB = tB ? k : n;
        const int lda = rowsA + 3, ldb = rowsB + 1, ldc = m + 2;
        std::vector<T> a((size_t)lda * colsA), b((size_t)ldb * colsB), c((size_t)ldc * n);
        for (auto& x : a) x = (T)uniform(random);
        for (auto& x : b) x = (T)uniform(random);
        for (auto& x : c) x = ab[1] == 0 ? (T)NAN : (T)uniform(random);
        std::vector<T> c0 = c;
        launch((m + 127) / 128, (n + 127) / 128, 256, [&] {
          kernel(tA, tB, m, n, k, (T)ab[0], a.data(), lda, b.data(), ldb, (T)ab[1], c.data(), ldc);
        });
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < ldc; i++) {
            const size_t o = i + (size_t)j * ldc;
            if (i >= m) {
              if (!(std::isnan(c0[o]) ? std::isnan(c[o]) : c[o] == c0[o])) {
                std::printf("%s: wrote outside C at row %d column %d\n", name, i, j);
                return false;
              }
              continue;
            }
            long double exact = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
              const long double x = tA ? a[p + (size_t)i * lda] : a[i + (size_t)p * lda];
              const long double y = tB ? b[j + (size_t)p * ldb] : b[p + (size_t)j * ldb];
              exact += x * y;
              magnitude += std::fabs((double)(x * y));
            }
            exact = ab[0] * exact + (ab[1] == 0 ? 0 : ab[1] * (long double)c0[o]);
            const double tolerance = (k + 2) * unit * (std::fabs(ab[0]) * magnitude + (ab[1] == 0 ? 0 : std::fabs(ab[1] * c0[o])));
            if (!(std::fabs((double)(c[o] - exact)) <= tolerance)) {
              std::printf("%s: m=%d n=%d k=%d transA=%d transB=%d alpha=%g beta=%g: C(%d,%d) = %.17g, exact %.17g\n", name, m,
                          n, k, tA, tB, ab[0], ab[1], i, j, (double)c[o], (double)exact);
              return false;
            }
          }
        }
        cases++;
      }
    }
  }
  std::printf("%s: %d cases (%zu shapes, 4 transposes, alpha/beta) match the exact product\n", name, cases, shapes.size());
  return true;
}

static bool checkScatter(std::mt19937_64& random) {
  // hits sorted by bucket into segments, as CudaDevice stages them; out must equal the CPU loop bit for bit
  const int rows = 70, columns = 9, hits = 40, buckets = 5;
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<double> v((size_t)rows * columns), out((size_t)rows * buckets), expected;
  for (auto& x : v) x = uniform(random);
  for (auto& x : out) x = uniform(random);
  std::vector<int> local(hits), bucket(hits);
  std::vector<double> coef(hits);
  for (int t = 0; t < hits; t++) {
    local[t] = (int)(random() % columns);
    bucket[t] = (int)(random() % buckets);
    coef[t] = uniform(random);
  }
  expected = out;
  for (int t = 0; t < hits; t++)
    for (int r = 0; r < rows; r++) expected[r + (size_t)bucket[t] * rows] += coef[t] * v[r + (size_t)local[t] * rows];
  std::vector<int> start, column;
  std::vector<double> sortedCoef;
  for (int s = 0; s < buckets; s++) {  // every bucket is a segment here, in bucket order
    start.push_back((int)column.size());
    for (int t = 0; t < hits; t++)
      if (bucket[t] == s) {
        column.push_back(local[t]);
        sortedCoef.push_back(coef[t]);
      }
  }
  start.push_back((int)column.size());
  launch((rows + 31) / 32, 2, 32, [&] {
    scatter_columns(rows, buckets, start.data(), column.data(), sortedCoef.data(), v.data(), out.data());
  });
  if (out != expected) {
    std::printf("scatter_columns: differs from the CPU loop\n");
    return false;
  }
  std::printf("scatter_columns: bit-identical to the CPU loop (%d rows, %d hits, %d buckets, grid.y < buckets)\n", rows, hits, buckets);
  return true;
}

// "dense KIND WIDTH START LEN KEY SIGNKEY COLUMNSIGNS SCALE TABLES OUT": runs dense_rademacher (KIND 0) or
// dense_gaussian (1) and writes S's slice, transposed as the kernels store it, to OUT (len x l doubles,
// native order); TABLES holds the ziggurat's 513 doubles. Integers in decimal, SCALE as %a. The caller
// (KernelEmulationTest) compares the values with org.sparkamm.random.DenseColumns.
static int dense(char** argv) {
  const int kind = std::atoi(argv[2]), width = std::atoi(argv[3]), len = std::atoi(argv[5]), columnSigns = std::atoi(argv[8]);
  const long long start = std::strtoll(argv[4], nullptr, 10);
  const u64 key = std::strtoull(argv[6], nullptr, 10), signKey = std::strtoull(argv[7], nullptr, 10);
  const double scale = std::strtod(argv[9], nullptr);
  std::vector<double> tables(2 * ZIGGURAT_LAYERS + 1), out((size_t)len * width);
  std::ifstream(argv[10], std::ios::binary).read(reinterpret_cast<char*>(tables.data()), tables.size() * sizeof(double));
  const int threads = 32;
  if (kind == 0) {
    launch((len + threads - 1) / threads, (width + 63) / 64, threads,
           [&] { dense_rademacher(width, start, len, key, signKey, columnSigns, scale, out.data()); });
  } else {
    launch((len + threads - 1) / threads, 1, threads,
           [&] { dense_gaussian(width, start, len, key, signKey, columnSigns, scale, tables.data(), out.data()); });
  }
  std::ofstream(argv[11], std::ios::binary).write(reinterpret_cast<const char*>(out.data()), out.size() * sizeof(double));
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 12 && std::string(argv[1]) == "dense") return dense(argv);
  full = argc > 1 && std::string(argv[1]) == "full";
  std::mt19937_64 random(42);
  bool ok = checkGemm<double>("dgemm_dmma_sm90", random, 0x1p-53, dgemm_dmma_sm90)
      && checkGemm<double>("dgemm_dmma", random, 0x1p-53, dgemm_dmma) && checkGemm<double>("dgemm_fma", random, 0x1p-53, dgemm_fma)
      && checkGemm<float>("sgemm_fma", random, 0x1p-24, sgemm_fma) && checkScatter(random);
  return ok ? 0 : 1;
}
