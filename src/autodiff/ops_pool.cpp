// max_pool2d and upsample2d: forward, and its backward right below it.
// Both are thin wrappers over the kernels of kernels/im2col.hpp. Every
// (H, W) plane is independent, so a batch's N·C planes are split over the
// thread pool in contiguous runs (the kernels take a plane count, so a run
// is just an offset and a smaller count).
#include "hourglass/autodiff/ops_conv.hpp"

#include "conv_groups.hpp"
#include "hourglass/kernels/im2col.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
// fn(first, count) over runs of planes covering [0, planes); a run is worth
// a thread's wake-up only if it reads some 16K floats.
template <class Fn>
void over_planes(int planes, std::size_t plane_floats, const Fn& fn) {
  const std::size_t grain = std::max<std::size_t>(1, (std::size_t(16) << 10) / plane_floats);
  kernels::parallel_range(std::size_t(planes), grain, [&](std::size_t lo, std::size_t hi) {
    fn(lo, int(hi - lo));
  });
}
}  // namespace

// ---- max_pool2d: y = the max of each window; dx[argmax] += dy -----------------

namespace {
struct Window {
  int k, stride;
};
}  // namespace

Var max_pool2d(Var x, int k, int stride) {
  const char* op = "max_pool2d";
  Tape& tape = x.tape();
  const Shape sx = x.shape();
  conv_groups::check_image(op, sx, "x");
  check(k >= 1 && stride >= 1, op, ": window ", k, ", stride ", stride,
        " (expected both >= 1)");
  check(k <= sx[2] && k <= sx[3], op, ": a ", k, "x", k,
        " window does not fit in x ", sx);
  const int Ho = kernels::conv_out_size(sx[2], k, stride, 0);
  const int Wo = kernels::conv_out_size(sx[3], k, stride, 0);
  Node& y = tape.push(op, Shape{sx[0], sx[1], Ho, Wo}, {x});
  y.set_attrs(Window{k, stride});
  y.saved.resize(y.value.shape());  // argmax of every window
  const float* xd = tape.node(x.index()).val().data();
  float* yd = y.value.data();
  float* argmax = y.saved.data();
  const std::size_t in = std::size_t(sx[2]) * sx[3], out = std::size_t(Ho) * Wo;
  over_planes(sx[0] * sx[1], in, [&](std::size_t p, int count) {
    kernels::max_pool2d_forward(xd + p * in, count, sx[2], sx[3], k, stride,
                                yd + p * out, argmax + p * out);
  });

  y.backward = [](Tape& tape, Node& y) {
    const Shape& s = tape.node(y.in[0]).val().shape();
    float* dx = tape.grad_of(y, 0);
    if (!dx) return;
    const auto [k, stride] = y.attrs<Window>();
    const std::size_t in = std::size_t(s[2]) * s[3], out = y.value.size() / (s[0] * s[1]);
    const float* dy = y.grad().data();
    const float* argmax = y.saved.data();
    over_planes(s[0] * s[1], in, [&](std::size_t p, int count) {
      kernels::max_pool2d_backward(dy + p * out, argmax + p * out, count, s[2], s[3],
                                   k, stride, dx + p * in);
    });
  };
  return tape.last();
}

// ---- upsample2d: each pixel repeated factor² times; dx += Σ of its copies' dy -----

namespace {
struct Factor {
  int f;
};
}  // namespace

Var upsample2d(Var x, int factor) {
  const char* op = "upsample2d";
  Tape& tape = x.tape();
  const Shape sx = x.shape();
  conv_groups::check_image(op, sx, "x");
  check(factor >= 1, op, ": factor ", factor, " (expected >= 1)");
  Node& y = tape.push(op, Shape{sx[0], sx[1], sx[2] * factor, sx[3] * factor}, {x});
  y.set_attrs(Factor{factor});
  const float* xd = tape.node(x.index()).val().data();
  float* yd = y.value.data();
  const std::size_t in = std::size_t(sx[2]) * sx[3], out = in * factor * factor;
  over_planes(sx[0] * sx[1], out, [&](std::size_t p, int count) {
    kernels::upsample_nearest_forward(xd + p * in, count, sx[2], sx[3], factor, yd + p * out);
  });

  y.backward = [](Tape& tape, Node& y) {
    const Shape& s = tape.node(y.in[0]).val().shape();
    float* dx = tape.grad_of(y, 0);
    if (!dx) return;
    const int f = y.attrs<Factor>().f;
    const std::size_t in = std::size_t(s[2]) * s[3], out = in * f * f;
    const float* dy = y.grad().data();
    over_planes(s[0] * s[1], out, [&](std::size_t p, int count) {
      kernels::upsample_nearest_backward(dy + p * out, count, s[2], s[3], f, dx + p * in);
    });
  };
  return tape.last();
}

}  // namespace hg
