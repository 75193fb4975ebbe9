// Elementwise maps y = f(x): each forward is one kernel call, each backward
// adds dy · f'(x) into dx with the matching *_backward kernel.
//
// f' comes from whichever is cheaper to read: the output y for exp, sqrt,
// sigmoid and tanh (σ' = y(1 − y), tanh' = 1 − y²), the input x otherwise.
//
// Big arrays are split over the thread pool (kernels::parallel_range): each
// element is independent, so ranges of x, y, dy, dx go to different threads.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
using Map = void (*)(const float* __restrict, float* __restrict, std::size_t);
// dx += dy · f'(·), f' read from x or y: the shape of most *_backward kernels.
using BackMap = void (*)(const float* __restrict, const float* __restrict,
                         float* __restrict, std::size_t);

// Below this many elements a map stays on the calling thread.
constexpr std::size_t kGrain = 16384;

void map_split(Map f, const float* x, float* y, std::size_t n) {
  kernels::parallel_range(n, kGrain, [&](std::size_t lo, std::size_t hi) {
    f(x + lo, y + lo, hi - lo);
  });
}
void back_split(BackMap f, const float* in, const float* dy, float* dx,
                std::size_t n) {
  kernels::parallel_range(n, kGrain, [&](std::size_t lo, std::size_t hi) {
    f(in + lo, dy + lo, dx + lo, hi - lo);
  });
}

// Push y = f(x), shaped like x, with the given backward.
Node& push_unary(const char* op, Var x, BackwardFn backward) {
  return x.tape().push(op, x.shape(), backward, {x});
}
Var unary(const char* op, Var x, BackwardFn backward, Map forward) {
  Tape& tape = x.tape();
  Node& y = push_unary(op, x, backward);
  map_split(forward, tape.node(x.index()).val().data(), y.value.data(),
            y.value.size());
  return tape.last();
}
// The three arrays a backward needs.
struct Grads {
  const float* x;
  const float* y;
  const float* dy;
  float* dx;  // nullptr: the input needs no gradient
  std::size_t n;
};
Grads grads(Tape& tape, Node& y) {
  return {tape.node(y.in[0]).val().data(), y.value.data(), y.grad().data(),
          tape.grad_of(y, 0), y.value.size()};
}
}  // namespace

Var neg(Var x) { return affine(x, -1.0f, 0.0f); }

static void exp_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::exp_backward, g.y, g.dy, g.dx, g.n);  // (eˣ)' = eˣ = y
}
Var exp(Var x) { return unary("exp", x, exp_backward, kernels::exp_forward); }

static void log_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::log_backward, g.x, g.dy, g.dx, g.n);  // (log x)' = 1/x
}
Var log(Var x) { return unary("log", x, log_backward, kernels::log_forward); }

static void sqrt_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::sqrt_backward, g.y, g.dy, g.dx, g.n);  // (√x)' = 1/(2y)
}
Var sqrt(Var x) { return unary("sqrt", x, sqrt_backward, kernels::sqrt_forward); }

static void square_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::square_backward, g.x, g.dy, g.dx, g.n);  // (x²)' = 2x
}
Var square(Var x) {
  return unary("square", x, square_backward, kernels::square_forward);
}

static void pow_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);  // (xᵖ)' = p·xᵖ⁻¹
  if (g.dx) kernels::pow_backward(g.x, node.k[0], g.dy, g.dx, g.n);
}
Var pow(Var x, float p) {
  Tape& tape = x.tape();
  Node& y = push_unary("pow", x, pow_backward);
  y.k[0] = p;
  kernels::pow_forward(tape.node(x.index()).val().data(), p, y.value.data(),
                       y.value.size());
  return tape.last();
}

static void abs_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::abs_backward, g.x, g.dy, g.dx, g.n);  // sign(x)
}
Var abs(Var x) { return unary("abs", x, abs_backward, kernels::abs_forward); }

static void sigmoid_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::sigmoid_backward, g.y, g.dy, g.dx, g.n);  // σ' = y(1 − y)
}
Var sigmoid(Var x) {
  return unary("sigmoid", x, sigmoid_backward, kernels::sigmoid_forward);
}

static void tanh_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::tanh_backward, g.y, g.dy, g.dx, g.n);  // 1 − y²
}
Var tanh(Var x) { return unary("tanh", x, tanh_backward, kernels::tanh_forward); }

static void relu_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::relu_backward, g.x, g.dy, g.dx, g.n);  // [x > 0]
}
Var relu(Var x) { return unary("relu", x, relu_backward, kernels::relu_forward); }

static void leaky_relu_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);  // 1 for x > 0, slope otherwise
  if (g.dx) kernels::leaky_relu_backward(g.x, node.k[0], g.dy, g.dx, g.n);
}
Var leaky_relu(Var x, float slope) {
  Tape& tape = x.tape();
  Node& y = push_unary("leaky_relu", x, leaky_relu_backward);
  y.k[0] = slope;
  kernels::leaky_relu_forward(tape.node(x.index()).val().data(), slope,
                              y.value.data(), y.value.size());
  return tape.last();
}

static void softplus_backward(Tape& tape, Node& node) {
  Grads g = grads(tape, node);
  if (g.dx) back_split(kernels::softplus_backward, g.x, g.dy, g.dx, g.n);  // σ(x)
}
Var softplus(Var x) {
  return unary("softplus", x, softplus_backward, kernels::softplus_forward);
}

}  // namespace hg
