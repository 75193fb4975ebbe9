// Every op's backward against central differences, on shapes from 1×1 to
// non-square, and on a composite two-layer network. Also: gradcheck itself
// must catch a wrong backward, or these tests would prove nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;
using Vars = std::vector<Var>;

namespace {

enum class Domain {
  Signed,    // ±[0.2, 1]: both signs, kept away from the kinks at 0
  Positive,  // [0.5, 2]: for log, sqrt, pow, divisors
};

Tensor random_tensor(Shape s, Domain d, hg::Rng& rng) {
  Tensor t(s);
  for (float& v : t) {
    if (d == Domain::Positive) {
      v = rng.uniform(0.5f, 2.0f);
    } else {
      v = rng.uniform(0.2f, 1.0f) * (rng.bernoulli(0.5f) ? -1.0f : 1.0f);
    }
  }
  return t;
}

// Σ y ⊙ w with fixed random weights w: a scalar that depends on every
// element of y with a different coefficient (a plain sum would hide
// errors that permute or average gradients).
Var weighted_sum(Var y) {
  hg::Rng rng(1234);
  Tensor w(y.shape());
  rng.fill_uniform(w, -1.0f, 1.0f);
  return sum(y * y.tape().input(w));
}

struct OpCase {
  const char* name;
  Domain domain;
  std::function<std::vector<Shape>(int r, int c)> shapes;
  std::function<Var(const Vars&)> f;
};

std::vector<Shape> one(int r, int c) { return {Shape{r, c}}; }
std::vector<Shape> two(int r, int c) { return {Shape{r, c}, Shape{r, c}}; }
std::vector<Shape> row(int r, int c) { return {Shape{r, c}, Shape{1, c}}; }

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = {
      {"matmul", Domain::Signed,
       [](int r, int c) { return std::vector<Shape>{Shape{r, 3}, Shape{3, c}}; },
       [](const Vars& v) { return matmul(v[0], v[1]); }},
      {"matmul aᵀ", Domain::Signed,
       [](int r, int c) { return std::vector<Shape>{Shape{3, r}, Shape{3, c}}; },
       [](const Vars& v) { return matmul(v[0], v[1], true, false); }},
      {"matmul bᵀ", Domain::Signed,
       [](int r, int c) { return std::vector<Shape>{Shape{r, 3}, Shape{c, 3}}; },
       [](const Vars& v) { return matmul(v[0], v[1], false, true); }},
      {"matmul aᵀbᵀ", Domain::Signed,
       [](int r, int c) { return std::vector<Shape>{Shape{3, r}, Shape{c, 3}}; },
       [](const Vars& v) { return matmul(v[0], v[1], true, true); }},
      {"linear", Domain::Signed,
       [](int r, int c) {
         return std::vector<Shape>{Shape{r, 4}, Shape{c, 4}, Shape{1, c}};
       },
       [](const Vars& v) { return linear(v[0], v[1], v[2]); }},
      {"linear, rank-1 bias", Domain::Signed,
       [](int r, int c) {
         return std::vector<Shape>{Shape{r, 2}, Shape{c, 2}, Shape{c}};
       },
       [](const Vars& v) { return linear(v[0], v[1], v[2]); }},
      {"add", Domain::Signed, two, [](const Vars& v) { return v[0] + v[1]; }},
      {"sub", Domain::Signed, two, [](const Vars& v) { return v[0] - v[1]; }},
      {"mul", Domain::Signed, two, [](const Vars& v) { return v[0] * v[1]; }},
      {"div", Domain::Positive, two, [](const Vars& v) { return v[0] / v[1]; }},
      {"add row", Domain::Signed, row, [](const Vars& v) { return v[0] + v[1]; }},
      {"sub row", Domain::Signed, row, [](const Vars& v) { return v[0] - v[1]; }},
      {"mul row", Domain::Signed, row, [](const Vars& v) { return v[0] * v[1]; }},
      {"div row", Domain::Positive, row, [](const Vars& v) { return v[0] / v[1]; }},
      {"scalar forms", Domain::Positive, one,
       [](const Vars& v) {
         return (2.0f - v[0]) * 0.5f + (v[0] + 1.0f) / 3.0f + 1.5f / v[0] -
                (v[0] - 0.25f) * 2.0f;
       }},
      {"neg", Domain::Signed, one, [](const Vars& v) { return -v[0]; }},
      {"exp", Domain::Signed, one, [](const Vars& v) { return exp(v[0]); }},
      {"log", Domain::Positive, one, [](const Vars& v) { return log(v[0]); }},
      {"sqrt", Domain::Positive, one, [](const Vars& v) { return sqrt(v[0]); }},
      {"square", Domain::Signed, one, [](const Vars& v) { return square(v[0]); }},
      {"pow 2.5", Domain::Positive, one, [](const Vars& v) { return pow(v[0], 2.5f); }},
      {"pow -1", Domain::Positive, one, [](const Vars& v) { return pow(v[0], -1.0f); }},
      {"abs", Domain::Signed, one, [](const Vars& v) { return abs(v[0]); }},
      {"sigmoid", Domain::Signed, one, [](const Vars& v) { return sigmoid(v[0] * 3.0f); }},
      {"tanh", Domain::Signed, one, [](const Vars& v) { return tanh(v[0] * 2.0f); }},
      {"relu", Domain::Signed, one, [](const Vars& v) { return relu(v[0]); }},
      {"leaky_relu", Domain::Signed, one,
       [](const Vars& v) { return leaky_relu(v[0], 0.1f); }},
      {"softplus", Domain::Signed, one, [](const Vars& v) { return softplus(v[0] * 4.0f); }},
      {"sum", Domain::Signed, one, [](const Vars& v) { return sum(v[0]); }},
      {"mean", Domain::Signed, one, [](const Vars& v) { return mean(v[0]); }},
      {"sum_rows", Domain::Signed, one, [](const Vars& v) { return sum_rows(v[0]); }},
      {"sum_cols", Domain::Signed, one, [](const Vars& v) { return sum_cols(v[0]); }},
      {"mean_rows", Domain::Signed, one, [](const Vars& v) { return mean_rows(v[0]); }},
      {"mean_cols", Domain::Signed, one, [](const Vars& v) { return mean_cols(v[0]); }},
      {"reshape", Domain::Signed, one,
       [](const Vars& v) {
         const Shape s = v[0].shape();
         return reshape(v[0], Shape{s.cols(), s.rows()});
       }},
      {"concat_cols", Domain::Signed,
       [](int r, int c) { return std::vector<Shape>{Shape{r, c}, Shape{r, 3}}; },
       [](const Vars& v) { return concat_cols(v[0], v[1]); }},
      {"slice_cols", Domain::Signed, one,
       [](const Vars& v) {
         const int c = v[0].shape().cols();
         return slice_cols(v[0], c / 3, c);
       }},
      {"dropout", Domain::Signed, one,
       [](const Vars& v) {
         hg::Rng rng(5);  // the same mask on every evaluation
         return dropout(v[0], 0.3f, rng);
       }},
      {"mask_noise", Domain::Signed, one,
       [](const Vars& v) {
         hg::Rng rng(6);
         return mask_noise(v[0], 0.5f, rng);
       }},
      {"gaussian_noise", Domain::Signed, one,
       [](const Vars& v) {
         hg::Rng rng(7);
         return gaussian_noise(v[0], 0.3f, rng);
       }},
  };
  return cases;
}

}  // namespace

TEST_SUITE("gradcheck") {
  TEST_CASE("every op, on 1×1, tall and wide shapes") {
    const int sizes[][2] = {{1, 1}, {7, 2}, {3, 5}, {1, 6}};
    hg::Rng rng(2024);
    for (const OpCase& op : op_cases()) {
      for (const auto& rc : sizes) {
        std::vector<Tensor> inputs;
        for (const Shape& s : op.shapes(rc[0], rc[1]))
          inputs.push_back(random_tensor(s, op.domain, rng));
        const auto f = op.f;
        hg::GradcheckResult r = hg::gradcheck(
            [&f](const Vars& v) { return weighted_sum(f(v)); }, inputs);
        INFO(op.name, " at (", rc[0], ", ", rc[1], "): ", r.message);
        CHECK(r.ok);
        CHECK(r.input >= 0);
      }
    }
  }

  TEST_CASE("a two-layer network, end to end") {
    hg::Rng rng(11);
    Tensor x(Shape{5, 6});
    rng.fill_uniform(x, 0.0f, 1.0f);
    std::vector<Tensor> params = {
        random_tensor(Shape{3, 6}, Domain::Signed, rng),  // W1
        random_tensor(Shape{1, 3}, Domain::Signed, rng),  // b1
        random_tensor(Shape{6, 3}, Domain::Signed, rng),  // W2
        random_tensor(Shape{6}, Domain::Signed, rng),     // b2
    };
    hg::GradcheckResult r = hg::gradcheck(
        [&x](const Vars& p) {
          Var in = p[0].tape().input(x);
          Var h = tanh(linear(in, p[0], p[1]));
          Var xh = sigmoid(linear(h, p[2], p[3]));
          return mean(sum_cols(square(xh - in)));
        },
        params);
    INFO(r.message);
    CHECK(r.ok);
  }

  TEST_CASE("a wrong backward is caught, and the message says where") {
    // y = 3x with a backward that claims dy/dx = 2.
    auto f = [](const Vars& v) {
      hg::Tape& tape = v[0].tape();
      hg::Node& y = tape.push("triple", v[0].shape(), {v[0]});
      const Tensor& x = v[0].value();
      for (std::size_t i = 0; i < x.size(); ++i) y.value[i] = 3.0f * x[i];
      y.backward = [](hg::Tape& tape, hg::Node& y) {
        if (float* dx = tape.grad_of(y, 0))
          for (std::size_t i = 0; i < y.value.size(); ++i)
            dx[i] += 2.0f * y.grad()[i];
      };
      return sum(tape.last());
    };
    hg::GradcheckResult r = hg::gradcheck(f, {Tensor(Shape{2, 2}, 1.0f)});
    CHECK_FALSE(r.ok);
    CHECK(r.analytic == doctest::Approx(2));
    CHECK(r.numeric == doctest::Approx(3).epsilon(1e-2));
    CHECK(r.worst_rel_error == doctest::Approx(1.0 / 3).epsilon(1e-2));
    CHECK(r.message.find("FAILED") != std::string::npos);
    CHECK(r.message.find("(2, 2)") != std::string::npos);
  }

  TEST_CASE("f must return one number") {
    CHECK_THROWS_AS(
        hg::gradcheck([](const Vars& v) { return v[0] * 2.0f; },
                      {Tensor(Shape{2, 2}, 1.0f)}),
        hg::Error);
  }
}
