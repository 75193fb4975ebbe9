// Lesson 00 — the tape: where gradients come from.
//
// What you will learn. Every later lesson trains an autoencoder by gradient
// descent, which needs ∂L/∂w for every weight w. hourglass gets them from a
// tape (reverse-mode automatic differentiation). Before trusting it with a
// network, we check it three ways on things small enough to do by hand:
//
//   1. a scalar expression, f(a, b) = σ(a·b + a), differentiated with the
//      chain rule on paper, by the tape, and by finite differences;
//   2. one Linear layer, y = x·Wᵀ + b, whose gradients have a closed form
//      (dW = dyᵀ·x, db = Σ dy, dx = dy·W), the same three ways;
//   3. one step of SGD and one of Adam on that layer, number by number.
//
// How to run it:   build/lessons/00_tape        (no data, no flags needed)
//                  build/lessons/00_tape --step (pause after each step)
//
// What to look for: in every table the three columns agree to about 4
// digits. The "hand" column is exact math in double; the "tape" column is
// what training will use; "finite diff." is the slope measured by nudging
// one number up and down, (f(w + h) − f(w − h)) / 2h, which needs no
// calculus at all and so is the referee. The last step shows the loss going
// down after one update, and Adam's first step being ±lr for every weight.
//
// New here: everything. Next, lesson 01 builds a whole autoencoder from the
// same pieces (Linear, sigmoid, a loss, an optimizer).
#include <cmath>
#include <cstdio>
#include <functional>

#include "hourglass/autodiff/autodiff.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/nn/linear.hpp"
#include "hourglass/optim/adam.hpp"
#include "hourglass/optim/sgd.hpp"

namespace {

// The central difference of a loss with respect to one number w:
// nudge it by ±h, measure, put it back. Its error shrinks like h², but h
// cannot be tiny either, or the float rounding of f swamps the difference.
double finite_diff(float& w, const std::function<double()>& loss) {
  const float saved = w, h = 1e-3f;
  w = saved + h;
  const double up = loss();
  w = saved - h;
  const double down = loss();
  w = saved;
  return (up - down) / (2.0 * h);
}

void row(const char* name, double hand, double tape, double numeric) {
  std::printf("  %-8s %12.6f %12.6f %12.6f\n", name, hand, tape, numeric);
}

void header() {
  std::printf("  %-8s %12s %12s %12s\n", "", "hand", "tape", "finite diff.");
}

double sigmoid(double u) { return 1.0 / (1.0 + std::exp(-u)); }

}  // namespace

int main(int argc, char** argv) {
  const hg::LessonInfo info{
      .name = "00_tape",
      .summary = "gradients by hand, by the tape and by finite differences"};
  return hg::run_lesson(argc, argv, info, [](hg::Lesson& lesson) {
    // ---------------------------------------------------------------------
    lesson.step(1, "A scalar: f(a, b) = sigmoid(a*b + a)");
    // By hand, with u = a·b + a and f = σ(u):
    //   ∂f/∂u = σ(u)·(1 − σ(u))           (the sigmoid's famous derivative)
    //   ∂u/∂a = b + 1   — a appears twice: once in a·b (slope b), once on
    //                     its own (slope 1); the two paths ADD. This is why
    //                     the tape accumulates gradients with += .
    //   ∂u/∂b = a
    //   chain rule: ∂f/∂a = σ'(u)·(b + 1),  ∂f/∂b = σ'(u)·a
    hg::Parameter a("a", hg::Tensor(hg::Shape{1, 1}, {0.5f}));
    hg::Parameter b("b", hg::Tensor(hg::Shape{1, 1}, {-1.5f}));
    const double av = a.value[0], bv = b.value[0];
    const double u = av * bv + av, s = sigmoid(u), ds_du = s * (1.0 - s);

    // The tape: the forward pass writes each operation down in order
    // (mul, add, sigmoid); backward walks that list once in reverse,
    // applying each operation's local derivative — the chain rule, run by
    // the computer instead of on paper.
    hg::Tape tape;
    auto f = [&] {
      hg::Var A = tape.param(a), B = tape.param(b);
      return hg::sigmoid(A * B + A);
    };
    hg::Var y = f();
    tape.backward(y);
    auto f_value = [&] {
      tape.clear();
      return double(f().item());
    };
    std::printf("  a = %.2f, b = %.2f, f = %.6f (tape: %.6f)\n", av, bv, s,
                y.item());
    header();
    row("df/da", ds_du * (bv + 1.0), a.grad[0], finite_diff(a.value[0], f_value));
    row("df/db", ds_du * av, b.grad[0], finite_diff(b.value[0], f_value));

    // ---------------------------------------------------------------------
    lesson.step(2, "One Linear layer: y = x W^T + b, L = 1/2 sum(y^2)");
    // x: (2, 3) two examples of 3 features; W: (2, 3), b: (1, 2); y: (2, 2).
    // With L = ½ Σ y², the gradient arriving at y is dy = y. Then, for the
    // layer (write y_nj = Σ_i x_ni W_ji + b_j and differentiate):
    //   dW_ji = Σ_n dy_nj x_ni   →  dW = dyᵀ·x   (2, 3)
    //   db_j  = Σ_n dy_nj        →  db = Σ_rows dy (1, 2)
    //   dx_ni = Σ_j dy_nj W_ji   →  dx = dy·W    (2, 3)
    // Each gradient has the shape of the thing it belongs to: a quick check
    // that a formula is at least plausible.
    hg::Rng rng(0);
    hg::Linear layer(3, 2, rng, hg::Init::Xavier, "layer");
    layer.W().value = hg::Tensor(hg::Shape{2, 3}, {0.2f, -0.4f, 0.1f,
                                                   0.5f, 0.3f, -0.2f});
    layer.b().value = hg::Tensor(hg::Shape{1, 2}, {0.1f, -0.1f});
    // x is made a Parameter here only so that the tape computes dx too.
    hg::Parameter x("x", hg::Tensor(hg::Shape{2, 3}, {1.0f, 2.0f, -1.0f,
                                                      0.5f, -1.0f, 2.0f}));
    auto loss_of = [&] {
      hg::Var yv = layer(tape.param(x));
      return 0.5f * hg::sum(hg::square(yv));
    };
    auto loss_value = [&] {
      tape.clear();
      return double(loss_of().item());
    };

    // By hand: the forward pass and the three formulas, in plain loops.
    const hg::Tensor& W = layer.W().value;
    double yh[2][2], dW[2][3] = {}, db[2] = {}, dx[2][3] = {};
    for (int n = 0; n < 2; ++n)
      for (int j = 0; j < 2; ++j) {
        yh[n][j] = layer.b().value[j];
        for (int i = 0; i < 3; ++i) yh[n][j] += x.value.at(n, i) * W.at(j, i);
      }
    for (int n = 0; n < 2; ++n)
      for (int j = 0; j < 2; ++j) {
        const double dy = yh[n][j];  // ∂(½y²)/∂y = y
        db[j] += dy;
        for (int i = 0; i < 3; ++i) {
          dW[j][i] += dy * x.value.at(n, i);
          dx[n][i] += dy * W.at(j, i);
        }
      }

    tape.clear();
    layer.W().grad.zero();  // gradients accumulate: start from zero
    layer.b().grad.zero();
    x.grad.zero();
    tape.backward(loss_of());
    std::printf("  L = %.6f\n", loss_value());
    header();
    char name[16];
    for (int j = 0; j < 2; ++j)
      for (int i = 0; i < 3; ++i) {
        std::snprintf(name, sizeof name, "dW[%d,%d]", j, i);
        row(name, dW[j][i], layer.W().grad.at(j, i),
            finite_diff(layer.W().value.at(j, i), loss_value));
      }
    for (int j = 0; j < 2; ++j) {
      std::snprintf(name, sizeof name, "db[%d]", j);
      row(name, db[j], layer.b().grad[j],
          finite_diff(layer.b().value[j], loss_value));
    }
    for (int n = 0; n < 2; ++n)
      for (int i = 0; i < 3; ++i) {
        std::snprintf(name, sizeof name, "dx[%d,%d]", n, i);
        row(name, dx[n][i], x.grad.at(n, i),
            finite_diff(x.value.at(n, i), loss_value));
      }

    // ---------------------------------------------------------------------
    lesson.step(3, "One optimizer step: SGD, then Adam");
    // SGD moves every weight against its gradient: w ← w − lr·∂L/∂w. For a
    // small enough lr the loss must go down (that is what a gradient is).
    // Adam divides by a running RMS of the gradient: on its very first
    // step m̂ = g and √v̂ = |g|, so every weight moves by exactly lr, in the
    // direction of −sign(g), however large or small g is.
    const hg::Tensor W0 = layer.W().value, b0 = layer.b().value;
    const float lr = 0.1f;
    const hg::Tensor gW = layer.W().grad;  // the gradients of step 2
    for (int use_adam = 0; use_adam < 2; ++use_adam) {
      layer.W().value = W0;  // both optimizers start from the same weights
      layer.b().value = b0;
      const double before = loss_value();
      layer.W().grad = gW;   // and the same gradient (db is unchanged too)
      if (use_adam) {
        hg::Adam opt(layer.params(), {.lr = lr});
        opt.step();
      } else {
        hg::SGD opt(layer.params(), {.lr = lr});
        opt.step();
      }
      std::printf("  %s, lr = %.1f: W[0,0] %.4f -> %.4f (grad %.4f), "
                  "L %.6f -> %.6f\n",
                  use_adam ? "Adam" : "SGD ", lr, W0[0], layer.W().value[0],
                  gW[0], before, loss_value());
      std::printf("    change in W:");
      for (std::size_t i = 0; i < W0.size(); ++i)
        std::printf(" %+.4f", layer.W().value[i] - W0[i]);
      std::printf("\n");
    }
    std::printf("  SGD's changes are -lr * grad; Adam's are all +-%.1f.\n", lr);
  });
}
