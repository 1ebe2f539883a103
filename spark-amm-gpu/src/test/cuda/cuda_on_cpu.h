// The module's CUDA kernels (src/main/cuda) on the CPU, one std::thread per CUDA thread, so that their
// arithmetic can be checked where no GPU is: by emulate.cpp (the kernels against exact references) and
// by fake_libcuda.cpp (the CUDA driver API over host memory, under JCuda and the Java backend). Thread
// blocks run one at a time: __shared__ becomes static storage, __syncthreads a barrier of the block's
// threads, and the warp-collective mma.sync (m8n8k4 and m16n8k8, f64) an exchange of the 32 lanes'
// fragments through a warp barrier, with the PTX ISA's layouts (m8n8k4: lane (g, t) holds A[g][t],
// B[t][g], D[g][2t] and D[g][2t + 1], g = lane / 4, t = lane % 4; m16n8k16: see gemm_sm90.cu). What it
// cannot check: timing, memory-model or hardware-specific behaviour; the GPU tests do that. Compile
// with -ffp-contract=off (the kernels' separately rounded steps must stay separate here too).
#pragma once
#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

struct dim3 {
  int x = 0, y = 0, z = 0;
};
thread_local dim3 threadIdx, blockIdx;
dim3 gridDim, blockDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

static std::barrier<>* blockBarrier;
static std::vector<std::unique_ptr<std::barrier<>>> warpBarriers;
static double fragmentA[8][32], fragmentB[8][32];

inline void __syncthreads() { blockBarrier->arrive_and_wait(); }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline long long __double_as_longlong(double x) {
  long long bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}
inline double __longlong_as_double(long long bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}
inline int min(int a, int b) { return a < b ? a : b; }

void emulatedMma8x8x4(double& d0, double& d1, double a, double b) {
  const int w = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  fragmentA[w][lane] = a;
  fragmentB[w][lane] = b;
  warpBarriers[w]->arrive_and_wait();
  double d[2] = {d0, d1};
  for (int h = 0; h < 2; h++) {
    const int col = 2 * t + h;
    for (int p = 0; p < 4; p++) d[h] += fragmentA[w][4 * g + p] * fragmentB[w][4 * col + p];  // A[g][p] * B[p][col]
  }
  warpBarriers[w]->arrive_and_wait();
  d0 = d[0];
  d1 = d[1];
}

void emulatedMma16x8x8(double (&d)[4], const double (&a)[4], const double (&b)[2]) {
  // A (16 x 8): a[v0 + 2 v1] = A[g + 8 v0][t + 4 v1]; B (8 x 8): b[v] = B[t + 4 v][g];
  // D (16 x 8): d[v0 + 2 v1] = D[g + 8 v1][2t + v0]
  static double sharedA[8][32][4], sharedB[8][32][2];
  const int w = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  for (int v = 0; v < 4; v++) sharedA[w][lane][v] = a[v];
  for (int v = 0; v < 2; v++) sharedB[w][lane][v] = b[v];
  warpBarriers[w]->arrive_and_wait();
  double r[4];
  for (int v = 0; v < 4; v++) {
    const int row = g + 8 * (v / 2), col = 2 * t + v % 2;
    double sum = d[v];
    for (int p = 0; p < 8; p++) {
      // A[row][p] is in lane (row % 8) * 4 + p % 4, register row / 8 + 2 (p / 4); B[p][col] in lane col * 4 + p % 4, register p / 4
      sum += sharedA[w][(row % 8) * 4 + p % 4][row / 8 + 2 * (p / 4)] * sharedB[w][col * 4 + p % 4][p / 4];
    }
    r[v] = sum;
  }
  warpBarriers[w]->arrive_and_wait();
  for (int v = 0; v < 4; v++) d[v] = r[v];
}

#include "../../main/cuda/gemm.cu"
#include "../../main/cuda/gemm_sm90.cu"
#include "../../main/cuda/scatter.cu"
#include "../../main/cuda/dense.cu"

// Runs a grid: thread blocks one after another, a block's threads as std::threads (so that __syncthreads
// and the warp exchanges of mma work), the same threads for every block of the launch (a barrier between
// blocks, since __shared__ storage is shared); a kernel without either (scatter_columns, dense_rademacher)
// may pass barriers = false to run its threads one after another on this thread.
template <class Kernel>
static void launch(int gridX, int gridY, int threads, Kernel kernel, bool barriers = true) {
  gridDim = {gridX, gridY, 1};
  blockDim = {threads, 1, 1};
  if (!barriers) {
    for (int by = 0; by < gridY; by++) {
      for (int bx = 0; bx < gridX; bx++) {
        blockIdx = {bx, by, 0};
        for (int t = 0; t < threads; t++) {
          threadIdx = {t, 0, 0};
          kernel();
        }
      }
    }
    return;
  }
  std::barrier<> block(threads), blockDone(threads);
  blockBarrier = &block;
  warpBarriers.clear();
  for (int w = 0; w < (threads + 31) / 32; w++) warpBarriers.emplace_back(new std::barrier<>(32));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([=, &blockDone] {
      threadIdx = {t, 0, 0};
      for (int by = 0; by < gridY; by++) {
        for (int bx = 0; bx < gridX; bx++) {
          blockIdx = {bx, by, 0};
          kernel();
          blockDone.arrive_and_wait();
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
}

