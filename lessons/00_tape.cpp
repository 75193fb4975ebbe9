// Lesson 00 — the tape: where gradients come from.
//
// What you will learn. Every later lesson trains an autoencoder by gradient
// descent, which needs ∂L/∂w for every weight w. hourglass gets them from a
// tape (reverse-mode automatic differentiation). Before trusting it with a
// network, we check it three ways on things small enough to do by hand:
//
//   1. a scalar expression, f(a, b) = σ(a·b + a) at a = 2, b = −1.5: its
//      tape listed and drawn (out/00_tape/tape.svg), then differentiated
//      with the chain rule on paper, by the tape, and by finite differences;
//   2. one Linear layer, y = x·Wᵀ + b, whose gradients have a closed form
//      (dW = dyᵀ·x, db = Σ dy, dx = dy·W), the same three ways;
//   3. one step of SGD and one of Adam on that layer, number by number.
//
// How to run it:   scripts/lesson 00_tape         (no data, no flags needed)
//                  scripts/lesson 00_tape --step  (pause after each step)
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.
//
// New here: everything. Next, lesson 01 builds a whole autoencoder from the
// same pieces (Linear, sigmoid, a loss, an optimizer).
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hourglass/autodiff/autodiff.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/io/tape_view.hpp"
#include "hourglass/nn/linear.hpp"
#include "hourglass/optim/adam.hpp"
#include "hourglass/optim/sgd.hpp"

namespace {

// The central difference of a loss with respect to one number w: nudge it
// by ±h, measure, put it back. Its error shrinks like h², but h cannot be
// tiny either, or the float rounding of f swamps the difference.
double finite_diff(float& w, float h, const std::function<double()>& loss) {
  const float saved = w;
  w = saved + h;
  const double up = loss();
  w = saved - h;
  const double down = loss();
  w = saved;
  return (up - down) / (2.0 * h);
}

// The columns of every gradient table: one number worked out three ways.
const std::vector<std::string> kGradientColumns = {"", "hand", "tape", "finite diff."};

// One row of a gradient table, each number to six decimals.
std::vector<std::string> row(const char* name, double hand, double tape, double numeric) {
  return {name, hg::cell("%.6f", hand), hg::cell("%.6f", tape), hg::cell("%.6f", numeric)};
}

// The tape's listing, indented like the rest of a step's output.
void print_listing(const hg::Tape& tape, const hg::TapeListingOptions& options) {
  std::istringstream lines(hg::tape_listing(tape, options));
  for (std::string line; std::getline(lines, line);) std::printf("  %s\n", line.c_str());
}

double sigmoid(double u) { return 1.0 / (1.0 + std::exp(-u)); }

// ---------------------------------------------------------------------------
// tape.backward(y), with the tape listed before and after.
void backward_listed(hg::Tape& tape, hg::Var y) {
  std::printf("  The tape after the forward pass, no gradients yet:\n");
  print_listing(tape, {.loss = y});
  tape.backward(y);
  std::printf("  After backward(f), each node's ‖grad‖ is |∂f/∂node|:\n");
  print_listing(tape, {.loss = y, .gradients = true});
}

void draw_tape(hg::Lesson& lesson, hg::Tape& tape, hg::Var y) {
  hg::save_tape_svg(tape, lesson.out_path("tape.svg"),
                    {.loss = y, .gradients = true, .title = "f(a, b) = σ(a·b + a)"});
  lesson.figure("tape.svg", "the tape of f: values flow left to right, "
                "gradients right to left, each node's gradient is its user's "
                "times the local slope; a feeds both mul and add, and its "
                "gradient is the sum of the two");
}

void scalar(hg::Lesson& lesson, float h) {
  lesson.step(1, "A scalar: f(a, b) = sigmoid(a*b + a)",
              "The chain rule three ways: on paper, by the tape, and by "
              "nudging each input. First the tape itself, listed before and "
              "after backward: look for the ‖grad‖ column filling in, from "
              "the output back to a and b. a appears twice, in a·b (slope b) "
              "and on its own (slope 1): the two paths add, which is why the "
              "tape accumulates gradients with +=. Then look for the three "
              "columns of the table to agree.");
  // By hand, with u = a·b + a and f = σ(u):
  //   ∂f/∂u = σ(u)·(1 − σ(u))           (the sigmoid's famous derivative)
  //   ∂u/∂a = b + 1   (here the two paths pull against each other)
  //   ∂u/∂b = a
  //   chain rule: ∂f/∂a = σ'(u)·(b + 1),  ∂f/∂b = σ'(u)·a
  hg::Parameter a("a", hg::Tensor(hg::Shape{1, 1}, {2.0f}));
  hg::Parameter b("b", hg::Tensor(hg::Shape{1, 1}, {-1.5f}));
  const double av = a.value[0], bv = b.value[0];
  const double u = av * bv + av, s = sigmoid(u), ds_du = s * (1.0 - s);

  // The tape: the forward pass writes each operation down in order (mul,
  // add, sigmoid); backward walks that list once in reverse, applying each
  // operation's local derivative — the chain rule, run by the computer.
  hg::Tape tape;
  auto f = [&] {
    hg::Var A = tape.param(a), B = tape.param(b);
    return hg::sigmoid(A * B + A);
  };
  hg::Var y = f();
  backward_listed(tape, y);
  std::printf("  a is used twice: mul passes back %.4f·b = %.4f, add %.4f·1;\n"
              "  the tape adds the two: df/da = %.4f\n",
              ds_du, ds_du * bv, ds_du, a.grad[0]);
  draw_tape(lesson, tape, y);
  auto f_value = [&] {
    tape.clear();
    return double(f().item());
  };
  std::printf("  a = %.2f, b = %.2f, f = %.6f (tape: %.6f)\n", av, bv, s, y.item());
  lesson.table("", kGradientColumns,
               {row("df/da", ds_du * (bv + 1.0), a.grad[0],
                    finite_diff(a.value[0], h, f_value)),
                row("df/db", ds_du * av, b.grad[0], finite_diff(b.value[0], h, f_value))});
}

// ---------------------------------------------------------------------------
// The layer of steps 2 and 3, with weights chosen to be easy to follow.
// x: (2, 3) two examples of 3 features; W: (2, 3), b: (1, 2); y: (2, 2).
struct Example {
  hg::Rng rng{0};
  hg::Linear layer{3, 2, rng, hg::Init::Xavier, "layer"};
  // x is a Parameter here only so that the tape computes dx too.
  hg::Parameter x{"x", hg::Tensor(hg::Shape{2, 3}, {1.0f, 2.0f, -1.0f,
                                                    0.5f, -1.0f, 2.0f})};
  hg::Tape tape;

  Example() {
    layer.W().value = hg::Tensor(hg::Shape{2, 3}, {0.2f, -0.4f, 0.1f,
                                                   0.5f, 0.3f, -0.2f});
    layer.b().value = hg::Tensor(hg::Shape{1, 2}, {0.1f, -0.1f});
  }
  // L = ½ Σ y², recorded on the tape.
  hg::Var loss() {
    hg::Var y = layer(tape.param(x));
    return 0.5f * hg::sum(hg::square(y));
  }
  double loss_value() {
    tape.clear();
    return double(loss().item());
  }
};

// The gradients of L = ½ Σ y² by the formulas, in plain loops. With
// dy = ∂L/∂y = y, and y_nj = Σ_i x_ni W_ji + b_j:
//   dW_ji = Σ_n dy_nj x_ni   →  dW = dyᵀ·x   (2, 3)
//   db_j  = Σ_n dy_nj        →  db = Σ_rows dy (1, 2)
//   dx_ni = Σ_j dy_nj W_ji   →  dx = dy·W    (2, 3)
// Each gradient has the shape of the thing it belongs to: a quick check
// that a formula is at least plausible.
struct HandGradients {
  double dW[2][3] = {}, db[2] = {}, dx[2][3] = {};
};
HandGradients by_hand(const hg::Tensor& x, const hg::Tensor& W, const hg::Tensor& b) {
  HandGradients g;
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 2; ++j) {
      double dy = b[j];  // y_nj, which is also ∂(½y²)/∂y
      for (int i = 0; i < 3; ++i) dy += x.at(n, i) * W.at(j, i);
      g.db[j] += dy;
      for (int i = 0; i < 3; ++i) {
        g.dW[j][i] += dy * x.at(n, i);
        g.dx[n][i] += dy * W.at(j, i);
      }
    }
  return g;
}

void linear_layer(hg::Lesson& lesson, Example& ex, float h) {
  lesson.step(2, "One Linear layer: y = x W^T + b, L = 1/2 sum(y^2)",
              "The layer every autoencoder is built from. Its gradients have "
              "a closed form (dW = dyᵀ·x, db = Σ dy, dx = dy·W); the table "
              "checks each of the 14 numbers the same three ways.");
  const HandGradients g = by_hand(ex.x.value, ex.layer.W().value, ex.layer.b().value);
  ex.tape.clear();
  ex.layer.W().grad.zero();  // gradients accumulate: start from zero
  ex.layer.b().grad.zero();
  ex.x.grad.zero();
  ex.tape.backward(ex.loss());
  auto L = [&] { return ex.loss_value(); };
  std::printf("  L = %.6f\n", L());
  std::vector<std::vector<std::string>> rows;
  char name[16];
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 3; ++i) {
      std::snprintf(name, sizeof name, "dW[%d,%d]", j, i);
      rows.push_back(row(name, g.dW[j][i], ex.layer.W().grad.at(j, i),
                         finite_diff(ex.layer.W().value.at(j, i), h, L)));
    }
  for (int j = 0; j < 2; ++j) {
    std::snprintf(name, sizeof name, "db[%d]", j);
    rows.push_back(row(name, g.db[j], ex.layer.b().grad[j],
                       finite_diff(ex.layer.b().value[j], h, L)));
  }
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 3; ++i) {
      std::snprintf(name, sizeof name, "dx[%d,%d]", n, i);
      rows.push_back(row(name, g.dx[n][i], ex.x.grad.at(n, i),
                         finite_diff(ex.x.value.at(n, i), h, L)));
    }
  lesson.table("", kGradientColumns, std::move(rows));
}

// ---------------------------------------------------------------------------
void optimizer_step(hg::Lesson& lesson, Example& ex, float lr) {
  lesson.step(3, "One optimizer step: SGD, then Adam",
              "SGD moves every weight against its gradient, w ← w − lr·∂L/∂w: "
              "for a small enough lr the loss must go down. Adam divides by a "
              "running RMS of the gradient; on its first step m̂ = g and √v̂ = "
              "|g|, so every weight moves by exactly lr, against the sign of "
              "its gradient, however large or small the gradient is.");
  hg::Linear& layer = ex.layer;
  const hg::Tensor W0 = layer.W().value, b0 = layer.b().value;
  const hg::Tensor gW = layer.W().grad;  // the gradients of step 2
  for (int use_adam = 0; use_adam < 2; ++use_adam) {
    layer.W().value = W0;  // both optimizers start from the same weights
    layer.b().value = b0;
    const double before = ex.loss_value();
    layer.W().grad = gW;   // and the same gradient (db is unchanged too)
    if (use_adam) {
      hg::Adam opt(layer.params(), {.lr = lr});
      opt.step();
    } else {
      hg::SGD opt(layer.params(), {.lr = lr});
      opt.step();
    }
    std::printf("  %s, lr = %g: W[0,0] %.4f -> %.4f (grad %.4f), L %.6f -> %.6f\n",
                use_adam ? "Adam" : "SGD ", lr, W0[0], layer.W().value[0], gW[0],
                before, ex.loss_value());
    std::printf("    change in W:");
    for (std::size_t i = 0; i < W0.size(); ++i)
      std::printf(" %+.4f", layer.W().value[i] - W0[i]);
    std::printf("\n");
  }
  std::printf("  SGD's changes are -lr * grad; Adam's are all +-%g.\n", lr);
}

}  // namespace

int main(int argc, char** argv) {
  float h = 1e-3f;
  const hg::LessonInfo info{
      .name = "00_tape",
      .summary = "gradients by hand, by the tape and by finite differences",
      .look_for = "In every table the three columns agree to several digits. "
                  "\"hand\" is exact math in double; \"tape\" is what training "
                  "will use; \"finite diff.\" nudges one number up and down "
                  "and measures the slope, needing no calculus at all, so it "
                  "is the referee. The last step shows the loss going down "
                  "after one update, and Adam's first step being ±lr for every "
                  "weight.",
      .lr = 0.1f,  // the one optimizer step of step 3
      .flags = {hg::flag("h", &h, "the nudge of the finite differences", 1e-7, 1)}};
  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    scalar(lesson, h);
    Example ex;
    linear_layer(lesson, ex, h);
    optimizer_step(lesson, ex, lesson.options().lr);
    lesson.try_this({
        {"--h 0.1",
         "A coarse nudge: step 1's finite differences drift from the other "
         "two columns (their error grows like h²), while step 2's become "
         "exact: L is quadratic in each number, and the central difference "
         "of a quadratic has no error at all."},
        {"--h 1e-6",
         "A nudge too small for float: f(w + h) and f(w − h) share almost "
         "all their digits, and step 2's finite differences go wrong from "
         "the second digit on. The tape's column does not move: it needs "
         "no h."},
        {"--lr 3",
         "Too large a step: both optimizers overshoot and step 3's loss "
         "goes up instead of down, SGD's the most; Adam's changes are all "
         "±3, whatever the gradient."},
    });
  });
}
