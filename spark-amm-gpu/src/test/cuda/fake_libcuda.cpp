// A stand-in for the NVIDIA driver's libcuda.so.1: the CUDA driver API calls the backend makes (through
// JCuda's libJCudaDriver, which binds them lazily), over host memory, with every kernel launch run by the
// CPU emulation of the module's own kernels (cuda_on_cpu.h). Loaded instead of the real driver
// (LD_LIBRARY_PATH) by EmulatedDeviceTest, so that the whole Java path (CudaRuntime, CudaDevice's
// staging layouts, kernel arguments, grids, chunk loops, CudaBackend) runs where no GPU is. It reports
// one device of compute capability 9.0; "device" pointers are host addresses; copies are memcpy; launches
// are synchronous. Unknown kernels and any call outside this list fail as the driver would
// (CUDA_ERROR_NOT_FOUND, or an unresolved symbol).
// Build: g++ -std=c++20 -O1 -pthread -ffp-contract=off -shared -fPIC -o libcuda.so.1 src/test/cuda/fake_libcuda.cpp
#include <cstdint>
#include <map>
#include <string>

#include "cuda_on_cpu.h"

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_OUT_OF_MEMORY = 2, CUDA_ERROR_NOT_FOUND = 500 };
enum { ATTRIBUTE_MULTIPROCESSOR_COUNT = 16, ATTRIBUTE_MAJOR = 75, ATTRIBUTE_MINOR = 76 };

namespace {
struct Kernel {
  std::string name;
};
std::map<std::string, Kernel>& kernels() {
  static std::map<std::string, Kernel> table;
  return table;
}
int context, module;  // their addresses are the handles

template <typename T>
T arg(void** params, int i) {
  return *static_cast<T*>(params[i]);
}

template <typename T>
CUresult gemm(void (*kernel)(int, int, int, int, int, T, const T*, int, const T*, int, T, T*, int), unsigned gx,
              unsigned gy, unsigned threads, void** p) {
  launch(gx, gy, threads, [&] {
    kernel(arg<int>(p, 0), arg<int>(p, 1), arg<int>(p, 2), arg<int>(p, 3), arg<int>(p, 4), arg<T>(p, 5), arg<T*>(p, 6),
           arg<int>(p, 7), arg<T*>(p, 8), arg<int>(p, 9), arg<T>(p, 10), arg<T*>(p, 11), arg<int>(p, 12));
  });
  return CUDA_SUCCESS;
}
}  // namespace

extern "C" {
CUresult cuInit(unsigned) { return CUDA_SUCCESS; }
CUresult cuDriverGetVersion(int* version) {
  *version = 13000;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int* count) {
  *count = 1;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(int* device, int ordinal) {
  if (ordinal != 0) return CUDA_ERROR_INVALID_VALUE;
  *device = 0;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int* value, int attribute, int) {
  *value = attribute == ATTRIBUTE_MAJOR ? 9 : attribute == ATTRIBUTE_MINOR ? 0 : attribute == ATTRIBUTE_MULTIPROCESSOR_COUNT ? 1 : 0;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char* name, int length, int) {
  std::snprintf(name, length, "CPU emulation of a CUDA device (fake_libcuda.cpp)");
  return CUDA_SUCCESS;
}
CUresult cuDeviceTotalMem_v2(size_t* bytes, int) {
  *bytes = size_t(1) << 32;
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(void** ctx, int) {
  *ctx = &context;
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease_v2(int) { return CUDA_SUCCESS; }
CUresult cuCtxSetCurrent(void*) { return CUDA_SUCCESS; }
CUresult cuCtxSynchronize() { return CUDA_SUCCESS; }
CUresult cuModuleLoadData(void** handle, const void*) {
  *handle = &module;
  return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(void** function, void*, const char* name) {
  static const char* known[] = {"dgemm_fma", "sgemm_fma", "dgemm_dmma", "dgemm_dmma_sm90", "scatter_columns",
                                "dense_rademacher", "dense_gaussian"};
  for (const char* k : known) {
    if (std::string(k) == name) {
      *function = &kernels()[name];
      kernels()[name].name = name;
      return CUDA_SUCCESS;
    }
  }
  return CUDA_ERROR_NOT_FOUND;
}
CUresult cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned sharedBytes, void* stream, void** p, void** extra) {
  // the hardware's limits (grid.y and grid.z <= 65535, 1024 threads a block), then what the backend never passes
  if (gx < 1 || gy < 1 || gy > 65535 || bx < 1 || bx > 1024 || gz != 1 || by != 1 || bz != 1 || sharedBytes != 0 ||
      stream != nullptr || extra != nullptr)
    return CUDA_ERROR_INVALID_VALUE;
  const std::string& name = static_cast<Kernel*>(function)->name;
  if (name == "dgemm_fma") return gemm<double>(dgemm_fma, gx, gy, bx, p);
  if (name == "sgemm_fma") return gemm<float>(sgemm_fma, gx, gy, bx, p);
  if (name == "dgemm_dmma") return gemm<double>(dgemm_dmma, gx, gy, bx, p);
  if (name == "dgemm_dmma_sm90") return gemm<double>(dgemm_dmma_sm90, gx, gy, bx, p);
  if (name == "scatter_columns") {
    launch(gx, gy, bx, [&] {
      scatter_columns(arg<int>(p, 0), arg<int>(p, 1), arg<int*>(p, 2), arg<int*>(p, 3), arg<double*>(p, 4),
                      arg<double*>(p, 5), arg<double*>(p, 6));
    }, false);
    return CUDA_SUCCESS;
  }
  if (name == "dense_rademacher") {
    launch(gx, gy, bx, [&] {
      dense_rademacher(arg<int>(p, 0), arg<idx_t>(p, 1), arg<int>(p, 2), arg<u64>(p, 3), arg<u64>(p, 4), arg<int>(p, 5),
                       arg<double>(p, 6), arg<double*>(p, 7));
    }, false);
    return CUDA_SUCCESS;
  }
  if (name == "dense_gaussian") {
    launch(gx, gy, bx, [&] {
      dense_gaussian(arg<int>(p, 0), arg<idx_t>(p, 1), arg<int>(p, 2), arg<u64>(p, 3), arg<u64>(p, 4), arg<int>(p, 5),
                     arg<double>(p, 6), arg<double*>(p, 7), arg<double*>(p, 8));
    });
    return CUDA_SUCCESS;
  }
  return CUDA_ERROR_NOT_FOUND;
}
CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
  void* memory = std::malloc(bytes);
  *pointer = reinterpret_cast<CUdeviceptr>(memory);
  return memory == nullptr ? CUDA_ERROR_OUT_OF_MEMORY : CUDA_SUCCESS;
}
CUresult cuMemFree_v2(CUdeviceptr pointer) {
  std::free(reinterpret_cast<void*>(pointer));
  return CUDA_SUCCESS;
}
CUresult cuMemAllocHost_v2(void** pointer, size_t bytes) {
  *pointer = std::malloc(bytes);
  return *pointer == nullptr ? CUDA_ERROR_OUT_OF_MEMORY : CUDA_SUCCESS;
}
CUresult cuMemFreeHost(void* pointer) {
  std::free(pointer);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr to, const void* from, size_t bytes) {
  std::memcpy(reinterpret_cast<void*>(to), from, bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoH_v2(void* to, CUdeviceptr from, size_t bytes) {
  std::memcpy(to, reinterpret_cast<const void*>(from), bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemsetD8_v2(CUdeviceptr to, unsigned char value, size_t bytes) {
  std::memset(reinterpret_cast<void*>(to), value, bytes);
  return CUDA_SUCCESS;
}
CUresult cuGetErrorString(CUresult, const char** text) {
  *text = "error in the emulated CUDA driver (fake_libcuda.cpp)";
  return CUDA_SUCCESS;
}
CUresult cuGetErrorName(CUresult, const char** text) {
  *text = "CUDA_ERROR_EMULATED";
  return CUDA_SUCCESS;
}
}
