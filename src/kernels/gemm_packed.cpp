// gemm_packed: packed panels and a register-tiled micro-kernel; and gemm,
// which runs it on the thread pool.
//
// What changed from gemm_blocked, and why it is faster:
//  1. The micro-kernel keeps a kMR × kNR tile of C (8 × 32 floats with
//     AVX-512: 16 zmm registers) in registers for the whole K slab. Each
//     step p loads two vectors of a row of op(B), broadcasts kMR numbers of
//     a column of op(A), and does 2·kMR FMAs: 2·kMR·16 multiply-adds for
//     2 loads + kMR broadcasts, where gemm_blocked loaded and stored C for
//     every FMA. 16 independent accumulators also hide the FMA latency
//     (4 cycles × 2 FMA units needs at least 8 in flight).
//  2. Packing: before the loops, a kKC × kNC panel of op(B) is copied into
//     slivers kNR columns wide, and a kMC × kKC block of op(A) into slivers
//     kMR rows tall, each laid out in exactly the order the micro-kernel
//     reads it: one contiguous, aligned stream per sliver. The copy costs
//     O(K·N + M·K) and is reused O(M) and O(N) times. It also absorbs the
//     transposes: packing reads op(A) and op(B) however they are stored,
//     so the kernel never sees a stride. Where the packed order is the
//     transpose of the stored one, the copy moves kWidth × kWidth squares
//     through registers (simd::transpose): storing one float at a time
//     made packing a visible part of a short (64-row) product.
//  3. Cache blocking matched to the levels (Goto & van de Geijn, "Anatomy
//     of high-performance matrix multiplication", 2008): a B sliver
//     (kKC × kNR = 32 KiB) stays in L1 while the micro-kernel sweeps down
//     the A block (kMC × kKC, 80 KiB, in L2); the B panel lives in L3.
// Edges: slivers are zero-padded to full size, the kernel always computes a
// full tile, and a partial tile goes through a small buffer to C.
// Packing buffers are thread_local and grow once: no allocation per call.
#include <algorithm>
#include <cstddef>
#include <new>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "simd.hpp"

namespace hg::kernels {

namespace {

using namespace simd;

constexpr int kNR = 2 * kWidth;  // columns of the register tile: two vectors
#if defined(__AVX512F__)
// 8 × 2 accumulators + 2 B vectors + 1 broadcast: 19 of 32 zmm. A 12-row
// tile (27 zmm) does as well on big squares, but batches of 64 or 128 rows
// do not divide by 12, and the last sliver's padding is wasted work; 8
// divides them, which is what the lesson shapes and a two-thread training
// step (64 rows per thread) need.
constexpr int kMR = 8;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kMR = 6;   // 6 × 2 accumulators + 3 ≤ 16 ymm
#else
constexpr int kMR = 4;
#endif
static_assert(kMR <= kWidth, "pack_a moves a sliver's kMR floats as one vector");
constexpr int kKC = 256;        // depth of a slab
constexpr int kMC = kMR * 10;   // rows of A per packed block
constexpr int kNC = kNR * 64;   // columns of B per packed panel

// A 64-byte-aligned float buffer that only ever grows.
class PackBuffer {
 public:
  ~PackBuffer() { ::operator delete[](data_, std::align_val_t(64)); }
  float* get(std::size_t n) {
    if (n > cap_) {
      ::operator delete[](data_, std::align_val_t(64));
      data_ = static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t(64)));
      cap_ = n;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  std::size_t cap_ = 0;
};

thread_local PackBuffer t_a_pack, t_b_pack;

// Packs op(A)(i0 : i0+mc, p0 : p0+kc) into slivers of kMR rows: sliver s
// holds element (r, p) at [s·kMR·kc + p·kMR + r], zero-padded past mc.
void pack_a(const GemmArgs& g, int i0, int mc, int p0, int kc, float* __restrict Ap) {
  const std::size_t lda = g.lda;
  for (int s0 = 0; s0 < mc; s0 += kMR, Ap += kMR * kc) {
    const int m = std::min(kMR, mc - s0);
    if (g.trans_a == Trans::No) {  // a row of A is a row of op(A): read it along p
      // Element by element this is a transpose with scattered stores; so
      // take kWidth values of p at a time from each row, transpose the
      // square in registers (rows past m read as zeros), and store each
      // column's first kMR floats: one vector store per p.
      int p = 0;
      for (; p + kWidth <= kc; p += kWidth) {
        Vec blk[kWidth];
        for (int r = 0; r < kWidth; ++r)
          blk[r] = r < m ? loadu(g.A + (i0 + s0 + r) * lda + p0 + p) : zero();
        transpose(blk);
        for (int i = 0; i < kWidth; ++i) storeu_first(Ap + (p + i) * kMR, blk[i], kMR);
      }
      for (int r = 0; r < m; ++r) {  // the last kc % kWidth columns
        const float* src = g.A + (i0 + s0 + r) * lda + p0;
        for (int q = p; q < kc; ++q) Ap[q * kMR + r] = src[q];
      }
    } else if (m == kMR) {  // op(A)(i, p) = A(p, i): a row of A gives kMR neighbours
      // One masked vector load and store per p (kMR <= kWidth). A plain
      // loop of kMR copies becomes a call to memcpy per 32 bytes, which
      // costs more than the copy.
      for (int p = 0; p < kc; ++p)
        storeu_first(Ap + p * kMR, loadu_first(g.A + (p0 + p) * lda + i0 + s0, kMR), kMR);
    } else {
      for (int p = 0; p < kc; ++p) {
        const float* src = g.A + (p0 + p) * lda + i0 + s0;
        for (int r = 0; r < m; ++r) Ap[p * kMR + r] = src[r];
      }
    }
    for (int p = 0; p < kc; ++p)
      for (int r = m; r < kMR; ++r) Ap[p * kMR + r] = 0.0f;
  }
}

// Packs op(B)(p0 : p0+kc, j0 : j0+nc) into slivers of kNR columns: sliver s
// holds element (p, c) at [s·kNR·kc + p·kNR + c], zero-padded past nc.
void pack_b(const GemmArgs& g, int p0, int kc, int j0, int nc, float* __restrict Bp) {
  const std::size_t ldb = g.ldb;
  for (int s0 = 0; s0 < nc; s0 += kNR, Bp += kNR * kc) {
    const int n = std::min(kNR, nc - s0);
    if (g.trans_b == Trans::No && n == kNR) {  // a row of the sliver: two vector moves
      for (int p = 0; p < kc; ++p) {
        const float* src = g.B + (p0 + p) * ldb + j0 + s0;
        storeu(Bp + p * kNR, loadu(src));
        storeu(Bp + p * kNR + kWidth, loadu(src + kWidth));
      }
    } else if (g.trans_b == Trans::No) {
      for (int p = 0; p < kc; ++p) {
        const float* src = g.B + (p0 + p) * ldb + j0 + s0;
        for (int c = 0; c < n; ++c) Bp[p * kNR + c] = src[c];
        for (int c = n; c < kNR; ++c) Bp[p * kNR + c] = 0.0f;
      }
    } else {  // op(B)(p, j) = B(j, p): a transpose, done kWidth × kWidth in registers
      // Each square reads kWidth rows of B side by side, one cache line of
      // each, and the next square the next line of the same rows. In a
      // training step B is a weight matrix that has dropped out of L2 since
      // it was last used, so every line is a trip to L3; the hardware
      // prefetcher does not follow kWidth streams at once well, so each row
      // announces its line kAhead squares ahead (bench_gemm's cold_B rows
      // time this case; docs/performance.md has the figures).
      // (Only within the row: past its end lie the next row's first lines,
      // which are being read already, or no array at all.)
      constexpr int kAhead = 4;
      const int p_end = kc / kWidth * kWidth;
      for (int h = 0; h < kNR; h += kWidth)  // the sliver's two halves
        for (int p = 0; p < p_end; p += kWidth) {
          const bool ahead = p0 + p + kAhead * kWidth < g.K;
          Vec blk[kWidth];
          for (int c = 0; c < kWidth; ++c) {
            const float* row = g.B + (j0 + s0 + h + c) * ldb + p0 + p;
            if (ahead && h + c < n) __builtin_prefetch(row + kAhead * kWidth);
            blk[c] = h + c < n ? loadu(row) : zero();
          }
          transpose(blk);
          for (int i = 0; i < kWidth; ++i) storeu(Bp + (p + i) * kNR + h, blk[i]);
        }
      for (int c = 0; c < kNR; ++c) {  // the last kc % kWidth rows
        const float* src = g.B + (j0 + s0 + c) * ldb + p0;
        for (int q = p_end; q < kc; ++q) Bp[q * kNR + c] = c < n ? src[q] : 0.0f;
      }
    }
  }
}

// The micro-kernel: C(m × n tile) = alpha · Ap · Bp + beta · C, where
// Ap is a packed (kMR × kc) sliver, Bp a packed (kc × kNR) sliver and
// m ≤ kMR, n ≤ kNR say how much of the tile lies inside C.
void micro_kernel(int kc, const float* __restrict Ap, const float* __restrict Bp,
                  float alpha, float beta, float* C, std::size_t ldc, int m, int n) {
  Vec acc[kMR][2];
#pragma GCC unroll 16
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = zero();
  for (int p = 0; p < kc; ++p, Ap += kMR, Bp += kNR) {
    const Vec b0 = load(Bp), b1 = load(Bp + kWidth);  // row p of the B sliver
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {                   // rank-1 update of the tile
      const Vec a = set1(Ap[r]);
      acc[r][0] = fma(a, b0, acc[r][0]);
      acc[r][1] = fma(a, b1, acc[r][1]);
    }
  }
  const Vec va = set1(alpha), vb = set1(beta);
  if (m == kMR && n == kNR) {
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {
      float* c = C + r * ldc;
      for (int v = 0; v < 2; ++v) {
        // beta = 0 must not read C: it may hold NaN.
        const Vec out = beta == 0.0f ? mul(va, acc[r][v])
                                     : fma(va, acc[r][v], mul(vb, loadu(c + v * kWidth)));
        storeu(c + v * kWidth, out);
      }
    }
    return;
  }
  alignas(64) float tile[kMR * kNR];
  for (int r = 0; r < kMR; ++r)
    for (int v = 0; v < 2; ++v) storeu(tile + r * kNR + v * kWidth, acc[r][v]);
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < n; ++j) {
      float& c = C[r * ldc + j];
      c = alpha * tile[r * kNR + j] + (beta == 0.0f ? 0.0f : beta * c);
    }
}

// Splits `total` into the fewest blocks of at most `most`, of nearly equal
// size rounded up to a multiple of `unit`: K = 784 becomes 4 slabs of 196
// rather than 3 of 256 and a thin one of 16 that would waste a pass over C.
int even_block(int total, int most, int unit) {
  const int blocks = (total + most - 1) / most;
  const int size = (total + blocks - 1) / blocks;
  return std::min(most, (size + unit - 1) / unit * unit);
}

}  // namespace

void gemm_packed(const GemmArgs& g) {
  gemm_check(g, "gemm_packed");
  if (gemm_only_scale(g)) return;
  const int kc_max = even_block(g.K, kKC, 1);
  const int mc_max = even_block(g.M, kMC, kMR);
  const int nc_max = even_block(g.N, kNC, kNR);
  float* Ap = t_a_pack.get(static_cast<std::size_t>(mc_max) * kc_max);
  float* Bp = t_b_pack.get(static_cast<std::size_t>(kc_max) * nc_max);
  const std::size_t ldc = g.ldc;
  for (int jc = 0; jc < g.N; jc += nc_max) {
    const int nc = std::min(nc_max, g.N - jc);
    for (int pc = 0; pc < g.K; pc += kc_max) {
      const int kc = std::min(kc_max, g.K - pc);
      // The first slab applies beta; later slabs add onto what it wrote.
      const float beta = pc == 0 ? g.beta : 1.0f;
      pack_b(g, pc, kc, jc, nc, Bp);
      for (int ic = 0; ic < g.M; ic += mc_max) {
        const int mc = std::min(mc_max, g.M - ic);
        pack_a(g, ic, mc, pc, kc, Ap);
        for (int jr = 0; jr < nc; jr += kNR)
          for (int ir = 0; ir < mc; ir += kMR)
            micro_kernel(kc, Ap + ir * kc, Bp + jr * kc, g.alpha, beta,
                         g.C + (ic + ir) * ldc + jc + jr, ldc,
                         std::min(kMR, mc - ir), std::min(kNR, nc - jr));
      }
    }
  }
}

// Below this many flops (2·M·N·K) gemm stays on the calling thread: waking
// a worker and splitting the packing costs tens of microseconds.
double gemm_parallel_min_flops() { return 4e6; }

void gemm(const GemmArgs& g) {
  gemm_check(g, "gemm");
  if (gemm_only_scale(g)) return;
  const int threads = num_threads();
  const double flops = 2.0 * g.M * g.N * static_cast<double>(g.K);
  if (threads == 1 || flops < gemm_parallel_min_flops()) {
    gemm_packed(g);
    return;
  }
  // Split C into strips (in whole register tiles); each strip is an
  // independent gemm_packed on its own packing buffers. Strips of rows
  // each pack ALL of op(B) (K × N floats), strips of columns each pack all
  // of op(A) (M × K): split the way that repeats the smaller copy, i.e.
  // along the longer side of C, unless that side has too few tiles to go
  // round the threads (then the other side, even at the cost of a copy).
  const int row_tiles = (g.M + kMR - 1) / kMR, col_tiles = (g.N + kNR - 1) / kNR;
  const bool rows_enough = row_tiles >= threads, cols_enough = col_tiles >= threads;
  const bool by_rows = rows_enough ? g.M >= g.N || !cols_enough
                                   : !cols_enough && row_tiles >= col_tiles;
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  const std::size_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  parallel_for(0, by_rows ? row_tiles : col_tiles, [&](int t0, int t1) {
    GemmArgs s = g;
    if (by_rows) {
      const int i0 = t0 * kMR, i1 = std::min(g.M, t1 * kMR);
      s.M = i1 - i0;
      s.A = ta ? g.A + i0 : g.A + i0 * lda;  // rows i0.. of op(A)
      s.C = g.C + i0 * ldc;
    } else {
      const int j0 = t0 * kNR, j1 = std::min(g.N, t1 * kNR);
      s.N = j1 - j0;
      s.B = tb ? g.B + j0 * ldb : g.B + j0;  // columns j0.. of op(B)
      s.C = g.C + j0;
    }
    gemm_packed(s);
  });
}

}  // namespace hg::kernels
