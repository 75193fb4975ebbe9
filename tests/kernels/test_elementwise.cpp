// Elementwise and reduction kernels against per-element references in
// double, on odd sizes (1, 7, 33, 127, 1000) so every vector tail is hit.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/reduce.hpp"

namespace k = hg::kernels;
using Vec = std::vector<float>;

namespace {
const std::size_t kSizes[] = {1, 7, 33, 127, 1000};

Vec random_vec(std::size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Vec v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

double ref_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct UnaryCase {
  const char* name;
  float lo, hi;  // input range
  std::function<void(const float*, float*, std::size_t)> forward;
  // backward(x, y, dy, dx, n) in the kernel's own argument convention
  std::function<void(const float*, const float*, const float*, float*, std::size_t)>
      backward;
  std::function<double(double)> f, df;
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"exp", -5, 5, k::exp_forward,
       [](auto, auto y, auto dy, auto dx, auto n) { k::exp_backward(y, dy, dx, n); },
       [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }},
      {"log", 0.1f, 10, k::log_forward,
       [](auto x, auto, auto dy, auto dx, auto n) { k::log_backward(x, dy, dx, n); },
       [](double x) { return std::log(x); }, [](double x) { return 1 / x; }},
      {"sqrt", 0.1f, 10, k::sqrt_forward,
       [](auto, auto y, auto dy, auto dx, auto n) { k::sqrt_backward(y, dy, dx, n); },
       [](double x) { return std::sqrt(x); }, [](double x) { return 0.5 / std::sqrt(x); }},
      {"square", -3, 3, k::square_forward,
       [](auto x, auto, auto dy, auto dx, auto n) { k::square_backward(x, dy, dx, n); },
       [](double x) { return x * x; }, [](double x) { return 2 * x; }},
      {"pow 1.5", 0.1f, 4, [](auto x, auto y, auto n) { k::pow_forward(x, 1.5f, y, n); },
       [](auto x, auto, auto dy, auto dx, auto n) { k::pow_backward(x, 1.5f, dy, dx, n); },
       [](double x) { return std::pow(x, 1.5); }, [](double x) { return 1.5 * std::sqrt(x); }},
      {"abs", -3, 3, k::abs_forward,
       [](auto x, auto, auto dy, auto dx, auto n) { k::abs_backward(x, dy, dx, n); },
       [](double x) { return std::fabs(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; }},
      {"sigmoid", -30, 30, k::sigmoid_forward,
       [](auto, auto y, auto dy, auto dx, auto n) { k::sigmoid_backward(y, dy, dx, n); },
       ref_sigmoid, [](double x) { return ref_sigmoid(x) * (1 - ref_sigmoid(x)); }},
      {"tanh", -5, 5, k::tanh_forward,
       [](auto, auto y, auto dy, auto dx, auto n) { k::tanh_backward(y, dy, dx, n); },
       [](double x) { return std::tanh(x); },
       [](double x) { return 1 - std::tanh(x) * std::tanh(x); }},
      {"relu", -3, 3, k::relu_forward,
       [](auto x, auto, auto dy, auto dx, auto n) { k::relu_backward(x, dy, dx, n); },
       [](double x) { return x > 0 ? x : 0.0; }, [](double x) { return x > 0 ? 1.0 : 0.0; }},
      {"leaky_relu", -3, 3,
       [](auto x, auto y, auto n) { k::leaky_relu_forward(x, 0.2f, y, n); },
       [](auto x, auto, auto dy, auto dx, auto n) {
         k::leaky_relu_backward(x, 0.2f, dy, dx, n);
       },
       [](double x) { return x > 0 ? x : 0.2 * x; },
       [](double x) { return x > 0 ? 1.0 : 0.2; }},
      {"softplus", -30, 30, k::softplus_forward,
       [](auto x, auto, auto dy, auto dx, auto n) { k::softplus_backward(x, dy, dx, n); },
       [](double x) { return std::log1p(std::exp(x)); }, ref_sigmoid},
      {"affine", -3, 3,
       [](auto x, auto y, auto n) { k::affine_forward(x, -2.0f, 0.5f, y, n); },
       [](auto x, auto, auto dy, auto dx, auto n) { k::axpy(-2.0f, dy, dx, n); (void)x; },
       [](double x) { return -2 * x + 0.5; }, [](double) { return -2.0; }},
  };
  return cases;
}
}  // namespace

TEST_SUITE("elementwise") {
  TEST_CASE("unary maps and their accumulating backward, against double references") {
    for (const UnaryCase& c : unary_cases()) {
      for (std::size_t n : kSizes) {
        INFO(c.name, " n = ", n);
        const Vec x = random_vec(n, c.lo, c.hi, 1);
        const Vec dy = random_vec(n, -1, 1, 2);
        const Vec dx0 = random_vec(n, -1, 1, 3);
        Vec y(n), dx = dx0;
        c.forward(x.data(), y.data(), n);
        c.backward(x.data(), y.data(), dy.data(), dx.data(), n);
        int bad = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const double fy = c.f(x[i]);
          const double fdx = dx0[i] + dy[i] * c.df(x[i]);
          bad += std::fabs(y[i] - fy) > 1e-5 * (1 + std::fabs(fy));
          bad += std::fabs(dx[i] - fdx) > 1e-4 * (1 + std::fabs(fdx));
        }
        CHECK(bad == 0);
      }
    }
  }

  TEST_CASE("stable forms stay finite and exact at extreme inputs") {
    const Vec x = {-1000, -100, -20, 0, 20, 100, 1000};
    Vec s(x.size()), sp(x.size());
    k::sigmoid_forward(x.data(), s.data(), x.size());
    k::softplus_forward(x.data(), sp.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(std::isfinite(s[i]));
      CHECK(std::isfinite(sp[i]));
      CHECK(s[i] == doctest::Approx(ref_sigmoid(x[i])));
    }
    CHECK(s[1] > 0.0f);  // e^−100 ≈ 3.7e-44 is a float denormal, not 0
    CHECK(s[1] == doctest::Approx(3.7200759760208e-44).epsilon(0.05));
    CHECK(sp[5] == 100.0f);
    CHECK(sp[6] == 1000.0f);
    CHECK(sp[0] == 0.0f);
    CHECK(sp[2] == doctest::Approx(2.0611536e-9));  // log1p(e^−20), not 0
    CHECK(s[3] == 0.5f);
  }

  TEST_CASE("binary maps and gradient accumulators") {
    for (std::size_t n : kSizes) {
      INFO("n = ", n);
      const Vec a = random_vec(n, -2, 2, 4), b = random_vec(n, 0.5f, 2, 5);
      const Vec y0 = random_vec(n, -1, 1, 6);
      Vec add(n), sub(n), mul(n), div(n), axpy = y0, macc = y0, dacc = y0,
          dbb = y0, sh = y0;
      k::add(a.data(), b.data(), add.data(), n);
      k::sub(a.data(), b.data(), sub.data(), n);
      k::mul(a.data(), b.data(), mul.data(), n);
      k::div(a.data(), b.data(), div.data(), n);
      k::axpy(0.5f, a.data(), axpy.data(), n);
      k::mul_acc(a.data(), b.data(), macc.data(), n);
      k::div_acc(a.data(), b.data(), dacc.data(), n);
      k::div_backward_b(a.data(), div.data(), b.data(), dbb.data(), n);
      k::add_scalar(0.25f, sh.data(), n);
      int bad = 0;
      auto near = [&](float got, double want) {
        bad += std::fabs(got - want) > 1e-5 * (1 + std::fabs(want));
      };
      for (std::size_t i = 0; i < n; ++i) {
        const double ai = a[i], bi = b[i];
        near(add[i], ai + bi);
        near(sub[i], ai - bi);
        near(mul[i], ai * bi);
        near(div[i], ai / bi);
        near(axpy[i], y0[i] + 0.5 * ai);
        near(macc[i], y0[i] + ai * bi);
        near(dacc[i], y0[i] + ai / bi);
        near(dbb[i], y0[i] - ai * (ai / bi) / bi);  // dy = a here
        near(sh[i], y0[i] + 0.25);
      }
      CHECK(bad == 0);
    }
  }

  TEST_CASE("row broadcasts and fused bias + activation on odd shapes") {
    const int shapes[][2] = {{1, 1}, {7, 33}, {33, 7}, {5, 127}};
    for (const auto& rc : shapes) {
      const int R = rc[0], C = rc[1];
      const std::size_t n = static_cast<std::size_t>(R) * C;
      INFO("(", R, ", ", C, ")");
      const Vec x = random_vec(n, -3, 3, 7), b = random_vec(C, -1, 1, 8);
      const Vec dy = random_vec(n, -1, 1, 9), base = random_vec(n, -1, 1, 10);
      Vec bc(n), ad(n), sb(n), ml(n), mlacc = base, rowacc = base, colacc = base;
      Vec ys(n), yr(n), dxs = base, dxr = base, dbs(C, 0.5f), dbr(C, 0.5f);
      const Vec c = random_vec(R, -1, 1, 11);
      k::broadcast_row(b.data(), bc.data(), R, C);
      k::add_row(x.data(), b.data(), ad.data(), R, C);
      k::sub_row(x.data(), b.data(), sb.data(), R, C);
      k::mul_row(x.data(), b.data(), ml.data(), R, C);
      k::mul_row_acc(x.data(), b.data(), mlacc.data(), R, C);
      k::broadcast_row_acc(b.data(), 2.0f, rowacc.data(), R, C);
      k::broadcast_col_acc(c.data(), -1.0f, colacc.data(), R, C);
      k::add_row_sigmoid_forward(x.data(), b.data(), ys.data(), R, C);
      k::add_row_sigmoid_backward(ys.data(), dy.data(), dxs.data(), dbs.data(), R, C);
      k::add_row_relu_forward(x.data(), b.data(), yr.data(), R, C);
      k::add_row_relu_backward(yr.data(), dy.data(), dxr.data(), dbr.data(), R, C);
      int bad = 0;
      auto near = [&](float got, double want) {
        bad += std::fabs(got - want) > 1e-5 * (1 + std::fabs(want));
      };
      std::vector<double> want_dbs(C, 0.5), want_dbr(C, 0.5);
      for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j) {
          const std::size_t e = static_cast<std::size_t>(i) * C + j;
          const double z = double(x[e]) + b[j], s = ref_sigmoid(z);
          near(bc[e], b[j]);
          near(ad[e], z);
          near(sb[e], double(x[e]) - b[j]);
          near(ml[e], double(x[e]) * b[j]);
          near(mlacc[e], base[e] + double(x[e]) * b[j]);
          near(rowacc[e], base[e] + 2.0 * b[j]);
          near(colacc[e], base[e] - c[i]);
          near(ys[e], s);
          near(dxs[e], base[e] + dy[e] * s * (1 - s));
          want_dbs[j] += dy[e] * s * (1 - s);
          near(yr[e], z > 0 ? z : 0);
          near(dxr[e], base[e] + (z > 0 ? dy[e] : 0));
          want_dbr[j] += z > 0 ? dy[e] : 0;
        }
      for (int j = 0; j < C; ++j) {
        bad += std::fabs(dbs[j] - want_dbs[j]) > 1e-4 * (1 + std::fabs(want_dbs[j]));
        bad += std::fabs(dbr[j] - want_dbr[j]) > 1e-4 * (1 + std::fabs(want_dbr[j]));
      }
      CHECK(bad == 0);
    }
  }
}

TEST_SUITE("reduce") {
  TEST_CASE("whole-array sums against double references") {
    for (std::size_t n : kSizes) {
      INFO("n = ", n);
      const Vec a = random_vec(n, -2, 2, 12), b = random_vec(n, -2, 2, 13);
      double s = 0, sa = 0, sq = 0, d = 0, ssd = 0, sad = 0;
      for (std::size_t i = 0; i < n; ++i) {
        s += a[i];
        sa += std::fabs(a[i]);
        sq += double(a[i]) * a[i];
        d += double(a[i]) * b[i];
        ssd += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        sad += std::fabs(double(a[i]) - b[i]);
      }
      CHECK(k::sum(a.data(), n) == doctest::Approx(s).epsilon(1e-6));
      CHECK(k::sum_abs(a.data(), n) == doctest::Approx(sa).epsilon(1e-6));
      CHECK(k::sum_sq(a.data(), n) == doctest::Approx(sq).epsilon(1e-6));
      CHECK(k::dot(a.data(), b.data(), n) == doctest::Approx(d).epsilon(1e-6));
      CHECK(k::sum_sq_diff(a.data(), b.data(), n) == doctest::Approx(ssd).epsilon(1e-6));
      CHECK(k::sum_abs_diff(a.data(), b.data(), n) == doctest::Approx(sad).epsilon(1e-6));
    }
    CHECK(k::sum(nullptr, 0) == 0.0);
  }

  TEST_CASE("a million small terms are not rounded away") {
    // In a float running sum, 1 + 1e-8 == 1: the double accumulator keeps them.
    Vec x(1'000'001, 1e-8f);
    x[0] = 1.0f;
    CHECK(k::sum(x.data(), x.size()) == doctest::Approx(1.01).epsilon(1e-6));
  }

  TEST_CASE("sums over rows and over columns, plain and accumulating") {
    const int shapes[][2] = {{1, 1}, {7, 33}, {33, 7}, {127, 5}};
    for (const auto& rc : shapes) {
      const int R = rc[0], C = rc[1];
      INFO("(", R, ", ", C, ")");
      const Vec x = random_vec(static_cast<std::size_t>(R) * C, -1, 1, 14);
      const Vec y = random_vec(static_cast<std::size_t>(R) * C, -1, 1, 15);
      Vec cs(C, 99.0f), csa(C, 1.0f), mcs(C, 1.0f), rs(R, 99.0f), rsa(R, 1.0f);
      k::sum_rows(x.data(), cs.data(), R, C);
      k::sum_rows_acc(x.data(), csa.data(), R, C, -0.5f);
      k::mul_sum_rows_acc(x.data(), y.data(), mcs.data(), R, C);
      k::sum_cols(x.data(), rs.data(), R, C);
      k::sum_cols_acc(x.data(), rsa.data(), R, C, 2.0f);
      int bad = 0;
      auto near = [&](float got, double want) { bad += std::fabs(got - want) > 1e-4; };
      for (int j = 0; j < C; ++j) {
        double s = 0, m = 0;
        for (int i = 0; i < R; ++i) {
          s += x[static_cast<std::size_t>(i) * C + j];
          m += double(x[static_cast<std::size_t>(i) * C + j]) * y[static_cast<std::size_t>(i) * C + j];
        }
        near(cs[j], s);
        near(csa[j], 1 - 0.5 * s);
        near(mcs[j], 1 + m);
      }
      for (int i = 0; i < R; ++i) {
        double s = 0;
        for (int j = 0; j < C; ++j) s += x[static_cast<std::size_t>(i) * C + j];
        near(rs[i], s);
        near(rsa[i], 1 + 2 * s);
      }
      CHECK(bad == 0);
    }
  }
}
