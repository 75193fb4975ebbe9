// Elementwise maps y = f(x): each forward is one kernel call, each backward
// adds dy · f'(x) into dx with the matching *_backward kernel.
//
// f' comes from whichever is cheaper to read: the output y for exp, sqrt,
// sigmoid and tanh (σ' = y(1 − y), tanh' = 1 − y²), the input x otherwise.
//
// Big arrays are split over the thread pool (kernels/parallel_maps.hpp):
// each element is independent, so ranges of x, y, dy, dx go to different
// threads. The map itself is the plain kernel.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/parallel_maps.hpp"

namespace hg {

namespace {
using kernels::map_backward_parallel;

// Push y = f(x), shaped like x, and compute it with the kernel `f`.
Node& unary(const char* op, Var x, kernels::MapFn f) {
  Tape& tape = x.tape();
  Node& y = tape.push(op, x.shape(), {x});
  kernels::map_parallel(f, tape.node(x.index()).val().data(), y.value.data(),
                        y.value.size());
  return y;
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
// The constant of pow (p) and of leaky_relu (the slope).
struct Constant {
  float c;
};
}  // namespace

Var neg(Var x) { return affine(x, -1.0f, 0.0f); }

Var exp(Var x) {
  unary("exp", x, kernels::exp_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // (eˣ)' = eˣ = y
    if (g.dx) map_backward_parallel(kernels::exp_backward, g.y, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var log(Var x) {
  unary("log", x, kernels::log_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // (log x)' = 1/x
    if (g.dx) map_backward_parallel(kernels::log_backward, g.x, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var sqrt(Var x) {
  unary("sqrt", x, kernels::sqrt_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // (√x)' = 1/(2y)
    if (g.dx) map_backward_parallel(kernels::sqrt_backward, g.y, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var square(Var x) {
  unary("square", x, kernels::square_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // (x²)' = 2x
    if (g.dx) map_backward_parallel(kernels::square_backward, g.x, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var pow(Var x, float p) {
  Tape& tape = x.tape();
  Node& y = tape.push("pow", x.shape(), {x});
  y.set_attrs(Constant{p});
  kernels::pow_forward(tape.node(x.index()).val().data(), p, y.value.data(),
                       y.value.size());
  y.backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // (xᵖ)' = p·xᵖ⁻¹
    if (g.dx) kernels::pow_backward(g.x, y.attrs<Constant>().c, g.dy, g.dx, g.n);
  };
  return tape.last();
}

Var abs(Var x) {
  unary("abs", x, kernels::abs_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // sign(x)
    if (g.dx) map_backward_parallel(kernels::abs_backward, g.x, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var sigmoid(Var x) {
  unary("sigmoid", x, kernels::sigmoid_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // σ' = y(1 − y)
    if (g.dx) map_backward_parallel(kernels::sigmoid_backward, g.y, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var tanh(Var x) {
  unary("tanh", x, kernels::tanh_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // tanh' = 1 − y²
    if (g.dx) map_backward_parallel(kernels::tanh_backward, g.y, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var relu(Var x) {
  unary("relu", x, kernels::relu_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // [x > 0]
    if (g.dx) map_backward_parallel(kernels::relu_backward, g.x, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

Var leaky_relu(Var x, float slope) {
  Tape& tape = x.tape();
  Node& y = tape.push("leaky_relu", x.shape(), {x});
  y.set_attrs(Constant{slope});
  kernels::leaky_relu_forward(tape.node(x.index()).val().data(), slope,
                              y.value.data(), y.value.size());
  y.backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // 1 for x > 0, the slope otherwise
    if (g.dx) kernels::leaky_relu_backward(g.x, y.attrs<Constant>().c, g.dy, g.dx, g.n);
  };
  return tape.last();
}

Var softplus(Var x) {
  unary("softplus", x, kernels::softplus_forward).backward = [](Tape& tape, Node& y) {
    Grads g = grads(tape, y);  // softplus' = σ(x)
    if (g.dx) map_backward_parallel(kernels::softplus_backward, g.x, g.dy, g.dx, g.n);
  };
  return x.tape().last();
}

}  // namespace hg
