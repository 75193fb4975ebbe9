// Exercise 04's checker: the learner's my_gemm against kernels::gemm_naive
// on odd sizes; with --bench, timed beside the library's GEMM ladder in
// GFLOP/s and as a percentage of this core's measured FMA peak.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../exercise.hpp"
#include "hourglass/hourglass.hpp"
#include "../../../bench/peak.hpp"  // the measured FMA peak

// Written in exercise.cpp (or solution.cpp).
void my_gemm(int M, int N, int K, const float* A, const float* B, float* C);

namespace {

namespace k = hg::kernels;

struct Problem {
  int M, N, K;
  std::vector<float> A, B;
  Problem(int m, int n, int kk, hg::Rng& rng) : M(m), N(n), K(kk) {
    A.resize(std::size_t(M) * std::size_t(K));
    B.resize(std::size_t(K) * std::size_t(N));
    for (float& x : A) x = rng.uniform(-1, 1);
    for (float& x : B) x = rng.uniform(-1, 1);
  }
  k::GemmArgs args(float* C) const {
    return {.M = M, .N = N, .K = K, .A = A.data(), .lda = K, .B = B.data(), .ldb = N,
            .C = C, .ldc = N};
  }
  std::string name() const {
    return std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K);
  }
};

void check_sizes(exercise::Checker& check) {
  hg::Rng rng(5);
  const int sizes[][3] = {{1, 1, 1},    {3, 5, 7},     {17, 1, 9},     {1, 23, 40},
                          {31, 33, 35}, {64, 64, 64},  {100, 37, 129}, {129, 130, 131}};
  for (const auto& s : sizes) {
    const Problem p(s[0], s[1], s[2], rng);
    // C starts as garbage: my_gemm must overwrite it, not add to it.
    std::vector<float> got(std::size_t(p.M) * std::size_t(p.N), 7.0f), want(got.size());
    my_gemm(p.M, p.N, p.K, p.A.data(), p.B.data(), got.data());
    k::gemm_naive(p.args(want.data()));
    // Sums of K products in another order differ by rounding, growing with K.
    check.compare("C = A·B at M×N×K = " + p.name() + ", against gemm_naive", "C", got.data(),
                  want.data(), got.size(), 2e-6 * p.K, 1e-4);
  }
}

// Best of three timings of `fn`, each repeated until it lasts 0.1 s of
// this thread's CPU time; in GFLOP/s.
template <class Fn>
double gflops(const Problem& p, Fn fn) {
  const double flops = 2.0 * p.M * p.N * double(p.K);
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    long calls = 0;
    const double t0 = hg::bench::thread_seconds();
    double t = 0;
    do {
      fn();
      ++calls;
      t = hg::bench::thread_seconds() - t0;
    } while (t < 0.1);
    best = std::max(best, flops * double(calls) / t * 1e-9);
  }
  return best;
}

void bench() {
  hg::kernels::set_num_threads(1);
  const double peak = hg::bench::measure_peak_gflops();
  std::printf("\none core, fp32; this core's measured FMA peak: %.1f GFLOP/s\n", peak);
  std::printf("%-16s %-12s %9s %8s\n", "kernel", "M×N×K", "GFLOP/s", "% peak");
  hg::Rng rng(9);
  for (const int s : {128, 256, 512}) {
    const Problem p(s, s, s, rng);
    std::vector<float> C(std::size_t(s) * std::size_t(s));
    const k::GemmArgs args = p.args(C.data());
    struct Rung {
      const char* name;
      void (*fn)(const k::GemmArgs&);
    };
    std::vector<Rung> ladder = {{"gemm_naive", k::gemm_naive},
                                {"gemm_reordered", k::gemm_reordered},
                                {"gemm_blocked", k::gemm_blocked},
                                {"gemm_packed", k::gemm_packed}};
    if (s > 256) ladder.erase(ladder.begin());  // naive takes too long here
    auto row = [&](const char* name, double g) {
      std::printf("%-16s %-12s %9.2f %7.1f%%\n", name, p.name().c_str(), g, 100.0 * g / peak);
    };
    row("my_gemm", gflops(p, [&] { my_gemm(s, s, s, p.A.data(), p.B.data(), C.data()); }));
    for (const Rung& r : ladder) row(r.name, gflops(p, [&] { r.fn(args); }));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool timed = argc > 1 && std::strcmp(argv[1], "--bench") == 0;
  const int status =
      exercise::run("04_gemm_kernel", "a faster GEMM", [](exercise::Checker& c) { check_sizes(c); });
  if (timed && status == 0) bench();
  if (timed && status != 0) std::printf("(timed only once it is right)\n");
  return status;
}
