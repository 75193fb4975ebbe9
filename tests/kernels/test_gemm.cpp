// Tests for the GEMM variants: a product worked by hand, then every variant
// against gemm_naive on odd, prime and degenerate sizes, all four transpose
// combinations, padded leading dimensions and alpha/beta cases, then gemm on
// 1, 2 and 3 threads, no allocation once warmed up, and the argument checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <random>
#include <vector>

#include "hourglass/error.hpp"
#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/thread_pool.hpp"

using namespace hg::kernels;

// Counting allocations: this program's operator new is replaced by one that
// counts calls and forwards to malloc, so a test can ask whether a warmed-up
// gemm or parallel_for allocates (the training loop must not).
namespace {
std::atomic<long> g_news{0};
}  // namespace

void* operator new(std::size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t al) {
  ++g_news;
  const std::size_t a = static_cast<std::size_t>(al);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, std::align_val_t al) { return operator new(n, al); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using GemmFn = void (*)(const GemmArgs&);
struct Variant {
  const char* name;
  GemmFn fn;
};
const Variant kVariants[] = {{"gemm_reordered", gemm_reordered},
                             {"gemm_blocked", gemm_blocked},
                             {"gemm_packed", gemm_packed},
                             {"gemm", gemm}};

struct Case {
  Trans ta, tb;
  int M, N, K;
  int pad;  // extra floats at the end of every stored row
  float alpha, beta;
};

// A problem with its stored matrices, the naive answer and, per element, an
// error bound: 16 float epsilons of alpha·Σ|a||b| + |beta·c|. Rounding in a
// sum is relative to the size of its terms, not of its (maybe cancelled)
// result; a wrong or missing term is far outside this bound.
struct Problem {
  Case c;
  int lda, ldb, ldc;
  std::vector<float> A, B, C0, want, bound;

  GemmArgs args(float* C) const {
    return {.trans_a = c.ta, .trans_b = c.tb, .M = c.M, .N = c.N, .K = c.K,
            .alpha = c.alpha, .A = A.data(), .lda = lda, .B = B.data(), .ldb = ldb,
            .beta = c.beta, .C = C, .ldc = ldc};
  }
};

Problem make_problem(const Case& c, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Problem p{.c = c, .lda = 0, .ldb = 0, .ldc = 0, .A = {}, .B = {}, .C0 = {}, .want = {}, .bound = {}};
  const bool ta = c.ta == Trans::Yes, tb = c.tb == Trans::Yes;
  const int a_rows = ta ? c.K : c.M, a_cols = ta ? c.M : c.K;
  const int b_rows = tb ? c.N : c.K, b_cols = tb ? c.K : c.N;
  p.lda = a_cols + c.pad;
  p.ldb = b_cols + c.pad;
  p.ldc = c.N + c.pad;
  p.A.resize(static_cast<std::size_t>(a_rows) * p.lda + 1);
  p.B.resize(static_cast<std::size_t>(b_rows) * p.ldb + 1);
  for (float& x : p.A) x = u(rng);
  for (float& x : p.B) x = u(rng);
  p.C0.resize(static_cast<std::size_t>(c.M) * p.ldc + 1);
  for (float& x : p.C0)
    x = c.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : u(rng);
  p.want = p.C0;
  gemm_naive(p.args(p.want.data()));

  // bound = 16·eps·(|alpha|·|op(A)|·|op(B)| + |beta|·|C0|), via the reference.
  Problem abs_p = p;
  for (float& x : abs_p.A) x = std::fabs(x);
  for (float& x : abs_p.B) x = std::fabs(x);
  abs_p.bound.assign(p.C0.size(), 0.0f);
  GemmArgs g = abs_p.args(abs_p.bound.data());
  g.alpha = std::fabs(c.alpha);
  g.beta = 0.0f;
  gemm_naive(g);
  p.bound = abs_p.bound;
  const float eps = std::numeric_limits<float>::epsilon();
  for (std::size_t i = 0; i < p.bound.size(); ++i) {
    const float c0 = c.beta == 0.0f ? 0.0f : std::fabs(c.beta * p.C0[i]);
    p.bound[i] = 16.0f * eps * (p.bound[i] + c0) + 1e-30f;
  }
  return p;
}

// Runs fn on the problem; returns the worst |got − want| / bound over C,
// or infinity if any padding float outside the M × N block was touched.
float worst_error(const Problem& p, GemmFn fn) {
  std::vector<float> C = p.C0;
  fn(p.args(C.data()));
  float worst = 0.0f;
  for (int i = 0; i < p.c.M; ++i) {
    for (int j = 0; j < p.ldc; ++j) {
      const std::size_t k = static_cast<std::size_t>(i) * p.ldc + j;
      if (j >= p.c.N) {  // padding: must be untouched (NaN-aware)
        if (std::memcmp(&C[k], &p.C0[k], sizeof(float)) != 0) return INFINITY;
        continue;
      }
      const float err = std::fabs(C[k] - p.want[k]) / p.bound[k];
      if (!(err <= worst)) worst = std::isnan(err) ? INFINITY : err;
    }
  }
  if (std::memcmp(&C.back(), &p.C0.back(), sizeof(float)) != 0) return INFINITY;
  return worst;
}

void check_all_variants(const Case& c, std::mt19937& rng) {
  const Problem p = make_problem(c, rng);
  for (const Variant& v : kVariants) {
    INFO(v.name, " ta=", int(c.ta == Trans::Yes), " tb=", int(c.tb == Trans::Yes),
         " M=", c.M, " N=", c.N, " K=", c.K, " pad=", c.pad, " alpha=", c.alpha,
         " beta=", c.beta);
    CHECK(worst_error(p, v.fn) <= 1.0f);
  }
}

const Trans kTrans[2] = {Trans::No, Trans::Yes};

}  // namespace

TEST_SUITE("gemm") {
  TEST_CASE("naive gemm matches a product worked by hand") {
    // [1 2 3]   [ 7  8]   [ 58  64]
    // [4 5 6] · [ 9 10] = [139 154]
    //           [11 12]
    const float A[] = {1, 2, 3, 4, 5, 6};
    const float B[] = {7, 8, 9, 10, 11, 12};
    float C[] = {1, 1, 1, 1};
    gemm_naive({.M = 2, .N = 2, .K = 3, .alpha = 1, .A = A, .lda = 3,
                .B = B, .ldb = 2, .beta = 0, .C = C, .ldc = 2});
    CHECK(C[0] == 58);
    CHECK(C[1] == 64);
    CHECK(C[2] == 139);
    CHECK(C[3] == 154);
  }

  TEST_CASE("every variant gives the hand-worked product with transposes") {
    // Aᵀ stored as (3, 2), Bᵀ stored as (2, 3); alpha 2, beta -1 on C = 1.
    const float At[] = {1, 4, 2, 5, 3, 6};
    const float Bt[] = {7, 9, 11, 8, 10, 12};
    for (const Variant& v : kVariants) {
      INFO(v.name);
      float C[] = {1, 1, 1, 1};
      v.fn({.trans_a = Trans::Yes, .trans_b = Trans::Yes, .M = 2, .N = 2, .K = 3,
            .alpha = 2, .A = At, .lda = 2, .B = Bt, .ldb = 3, .beta = -1, .C = C,
            .ldc = 2});
      CHECK(C[0] == 115);
      CHECK(C[1] == 127);
      CHECK(C[2] == 277);
      CHECK(C[3] == 307);
    }
  }

  TEST_CASE("every variant matches naive on odd sizes and all transposes") {
    // (M, N, K) drawn from {1, 2, 7, 17, 33, 127, 130, 784} in mixed roles.
    const int shapes[][3] = {{1, 1, 1},     {2, 7, 17},     {7, 1, 33},
                             {17, 33, 2},   {33, 127, 7},   {127, 130, 33},
                             {130, 17, 127}, {1, 784, 130}, {784, 2, 17},
                             {33, 17, 784}, {130, 127, 784}, {7, 784, 33}};
    const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-1.5f, 0.5f}};
    std::mt19937 rng(7);
    int n = 0;
    for (const auto& s : shapes)
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) {
          const auto& [alpha, beta] = ab[n % 3];
          check_all_variants({ta, tb, s[0], s[1], s[2], (n % 2) * 3, alpha, beta}, rng);
          ++n;
        }
  }

  TEST_CASE("alpha and beta: beta 0 overwrites NaN, beta 1 accumulates, 0.5 scales") {
    const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {2.0f, 0.5f},
                           {0.0f, 0.5f}, {0.0f, 0.0f}, {-0.25f, -1.0f}};
    std::mt19937 rng(11);
    for (const auto& [alpha, beta] : ab)
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) check_all_variants({ta, tb, 33, 17, 130, 5, alpha, beta}, rng);
  }

  TEST_CASE("K = 0 leaves C = beta·C; empty M or N touches nothing") {
    std::mt19937 rng(13);
    for (const Variant& v : kVariants) {
      INFO(v.name);
      float C[6] = {1, 2, 3, 4, 5, 6};
      v.fn({.M = 2, .N = 3, .K = 0, .beta = 0.5f, .C = C, .ldc = 3});
      CHECK(C[0] == 0.5f);
      CHECK(C[5] == 3.0f);
      float D[6];
      std::fill(D, D + 6, std::numeric_limits<float>::quiet_NaN());
      v.fn({.M = 2, .N = 3, .K = 0, .beta = 0.0f, .C = D, .ldc = 3});
      for (float d : D) CHECK(d == 0.0f);
      v.fn({.M = 0, .N = 3, .K = 4});  // no pointers needed: nothing to do
      v.fn({.M = 3, .N = 0, .K = 4});
    }
    for (Trans ta : kTrans) check_all_variants({ta, Trans::No, 7, 33, 0, 2, 1.0f, 0.5f}, rng);
  }

  TEST_CASE("gemm gives the same bits on 1, 2 and 3 threads") {
    // Row split (M long), column split (N long), and one under the threshold.
    const int shapes[][3] = {{130, 127, 784}, {784, 33, 130}, {17, 784, 300}, {33, 7, 17}};
    std::mt19937 rng(17);
    for (const auto& s : shapes)
      for (Trans ta : kTrans)
        for (Trans tb : kTrans) {
          const Problem p = make_problem({ta, tb, s[0], s[1], s[2], 1, 1.0f, 0.5f}, rng);
          INFO("M=", s[0], " N=", s[1], " K=", s[2]);
          set_num_threads(1);
          std::vector<float> C1 = p.C0;
          gemm(p.args(C1.data()));
          CHECK(worst_error(p, gemm) <= 1.0f);
          for (int t : {2, 3}) {
            set_num_threads(t);
            std::vector<float> Ct = p.C0;
            gemm(p.args(Ct.data()));
            CHECK(std::memcmp(C1.data(), Ct.data(), C1.size() * sizeof(float)) == 0);
          }
        }
    set_num_threads(1);
  }

  TEST_CASE("a warmed-up gemm allocates nothing, threaded or not") {
    std::mt19937 rng(19);
    const Problem big = make_problem({Trans::No, Trans::Yes, 130, 127, 784, 0, 1.0f, 0.0f}, rng);
    const Problem small = make_problem({Trans::Yes, Trans::No, 33, 17, 130, 0, 1.0f, 1.0f}, rng);
    std::vector<float> C = big.C0, D = small.C0;
    set_num_threads(2);
    for (int warm = 0; warm < 2; ++warm) {  // the packing buffers grow here, once
      gemm(big.args(C.data()));
      gemm(small.args(D.data()));
    }
    const long before = g_news;
    for (int step = 0; step < 3; ++step) {
      gemm(big.args(C.data()));
      gemm(small.args(D.data()));
      gemm_packed(small.args(D.data()));
    }
    const long during = g_news - before;
    set_num_threads(1);
    CHECK(during == 0);
  }

  TEST_CASE("bad arguments throw hg::Error naming the variant and the problem") {
    float A[12] = {}, B[12] = {}, C[12] = {};
    const GemmArgs ok{.M = 2, .N = 3, .K = 4, .A = A, .lda = 4, .B = B, .ldb = 3,
                      .C = C, .ldc = 3};
    for (const Variant& v : kVariants) {
      INFO(v.name);
      CHECK_NOTHROW(v.fn(ok));
      GemmArgs g = ok;
      g.lda = 3;  // A is (2, 4): rows are 4 wide
      CHECK_THROWS_WITH_AS(v.fn(g), doctest::Contains("lda=3"), hg::Error);
      g = ok;
      g.trans_a = Trans::Yes;  // stored Aᵀ is (4, 2): lda = 4 is fine
      CHECK_NOTHROW(v.fn(g));
      g = ok;
      g.trans_b = Trans::Yes;  // stored Bᵀ is (3, 4): ldb must be >= 4
      CHECK_THROWS_WITH_AS(v.fn(g), doctest::Contains("(3, 4)"), hg::Error);
      g = ok;
      g.ldc = 2;
      CHECK_THROWS_WITH_AS(v.fn(g), doctest::Contains(v.name), hg::Error);
      g = ok;
      g.K = -1;
      CHECK_THROWS_AS(v.fn(g), hg::Error);
      g = ok;
      g.B = nullptr;
      CHECK_THROWS_AS(v.fn(g), hg::Error);
      g = ok;
      g.C = nullptr;
      CHECK_THROWS_AS(v.fn(g), hg::Error);
    }
  }
}
