// A stand-in for CUDA 12's libcublas.so.12 beside fake_libcuda.cpp: the calls the backend makes through
// JCublas (cublasCreate, cublasDgemm, cublasSgemm), over the emulated driver's host-memory "device"
// pointers, as plain column-major loops with BLAS semantics (beta = 0 never reads C). It checks what the
// Java side passes (operations, dimensions, leading dimensions, offsets, host scalars), not cuBLAS. JCublas
// binds versioned symbols (cublasDgemm_v2@libcublas.so.12), so the library defines that version node.
// Build: g++ -std=c++20 -O1 -shared -fPIC -Wl,-soname,libcublas.so.12
//        -Wl,--version-script=src/test/cuda/fake_libcublas.map -o libcublas.so.12 src/test/cuda/fake_libcublas.cpp
namespace {
int library;  // its address is the handle
enum { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7 };

template <typename T>
int gemm(int transA, int transB, int m, int n, int k, const T* alpha, const T* a, int lda, const T* b, int ldb,
         const T* beta, T* c, int ldc) {
  const auto atLeast = [](int ld, int rows) { return ld >= (rows > 1 ? rows : 1); };  // cuBLAS's own argument checks
  if (transA > 1 || transB > 1 || m < 0 || n < 0 || k < 0 || !atLeast(lda, transA ? k : m) || !atLeast(ldb, transB ? n : k) ||
      !atLeast(ldc, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  for (int j = 0; j < n; j++) {
    for (int i = 0; i < m; i++) {
      T sum = 0;
      for (int p = 0; p < k; p++) {
        sum += (transA ? a[p + (long long)i * lda] : a[i + (long long)p * lda]) *
               (transB ? b[j + (long long)p * ldb] : b[p + (long long)j * ldb]);
      }
      T& out = c[i + (long long)j * ldc];
      out = *beta == 0 ? *alpha * sum : *alpha * sum + *beta * out;
    }
  }
  return CUBLAS_STATUS_SUCCESS;
}
}  // namespace

extern "C" {
int cublasCreate_v2(void** handle) {
  *handle = &library;
  return CUBLAS_STATUS_SUCCESS;
}
int cublasDestroy_v2(void*) { return CUBLAS_STATUS_SUCCESS; }
int cublasGetVersion_v2(void*, int* version) {
  *version = 120000;
  return CUBLAS_STATUS_SUCCESS;
}
const char* cublasGetStatusString(int) { return "status of the emulated cuBLAS (fake_libcublas.cpp)"; }
int cublasDgemm_v2(void*, int transA, int transB, int m, int n, int k, const double* alpha, const double* a, int lda,
                   const double* b, int ldb, const double* beta, double* c, int ldc) {
  return gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
int cublasSgemm_v2(void*, int transA, int transB, int m, int n, int k, const float* alpha, const float* a, int lda,
                   const float* b, int ldb, const float* beta, float* c, int ldc) {
  return gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
}
