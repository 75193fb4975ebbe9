// Tape and Var: node storage, leaves, and the one reverse loop.
#include "hourglass/autodiff/tape.hpp"

#include <algorithm>

#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
// dst = src (n floats) or dst = 0, split over the pool for big arrays: at
// batch 128 an image batch or a gradient is 100k floats, and one thread
// alone does not saturate the memory bandwidth.
constexpr std::size_t kGrain = 32768;
void copy_split(const float* src, float* dst, std::size_t n) {
  kernels::parallel_range(n, kGrain, [&](std::size_t lo, std::size_t hi) {
    std::copy(src + lo, src + hi, dst + lo);
  });
}
void zero_split(float* dst, std::size_t n) {
  kernels::parallel_range(n, kGrain, [&](std::size_t lo, std::size_t hi) {
    std::fill(dst + lo, dst + hi, 0.0f);
  });
}
}  // namespace

// ---- Var --------------------------------------------------------------------

Tape& Var::tape() const {
  check(tape_ != nullptr, "Var: this Var is empty (default-constructed)");
  check(index_ >= 0 && index_ < tape_->size(), "Var: refers to node ", index_,
        " but the tape holds ", tape_->size(),
        " nodes (was the tape cleared since this Var was made?)");
  return *tape_;
}

const Tensor& Var::value() const { return tape().node(index_).val(); }

const Tensor& Var::grad() const {
  const Node& n = tape().node(index_);
  check(n.needs_grad, "Var::grad: node ", index_, " ", n.val().shape(),
        " depends on no parameter, so it has no gradient (expected a "
        "tape.param or a value computed from one)");
  return n.grad();
}

float Var::item() const {
  const Tensor& v = value();
  check(v.size() == 1, "Var::item: value has shape ", v.shape(), " (",
        v.size(), " numbers), expected exactly one number");
  return v[0];
}

Tape& same_tape(const char* op, Var a, Var b) {
  Tape& t = a.tape();
  check(&t == &b.tape(), op, ": the two Vars belong to different tapes");
  return t;
}

// ---- Tape -------------------------------------------------------------------

Node& Tape::next_node() {
  // Reuse a spare node (and its buffers) from an earlier pass if there is
  // one: this is what makes steady-state steps allocation-free.
  if (static_cast<std::size_t>(size_) == nodes_.size()) nodes_.emplace_back();
  Node& n = nodes_[static_cast<std::size_t>(size_++)];
  n.param = nullptr;
  n.param_value = nullptr;
  n.param_grad = nullptr;
  n.in = {-1, -1, -1};
  n.k = {};
  n.backward = nullptr;
  n.ctx = nullptr;
  n.op = "input";
  n.needs_grad = false;
  return n;
}

Node& Tape::push(const char* op, Shape shape, BackwardFn backward,
                 std::initializer_list<Var> in) {
  check(in.size() <= 3, op, ": a node takes at most 3 inputs");
  bool needs = false;
  int slot = 0;
  std::array<int, 3> idx{-1, -1, -1};
  for (const Var& v : in) {
    check(&v.tape() == this, op, ": an input Var belongs to another tape");
    idx[static_cast<std::size_t>(slot++)] = v.index();
    needs = needs || node(v.index()).needs_grad;
  }
  Node& n = next_node();  // may move nodes_: take no references before this
  n.in = idx;
  n.op = op;
  n.backward = backward;
  n.needs_grad = needs;
  n.value.resize(shape);
  return n;
}

Var Tape::input(const Tensor& value) {
  Node& n = next_node();
  n.value.resize(value.shape());  // reuses the buffer when it is big enough
  copy_split(value.data(), n.value.data(), value.size());
  return Var(this, size_ - 1);
}

Var Tape::input_cols(const Tensor& value, int begin, int end) {
  check(value.rank() == 2 && 0 <= begin && begin <= end && end <= value.cols(),
        "Tape::input_cols: columns [", begin, ", ", end, ") of ", value.shape(),
        " asked for (expected a (rows, cols) tensor and 0 <= begin <= end <= cols)");
  Node& n = next_node();
  const int rows = value.rows(), cols = value.cols(), m = end - begin;
  n.value.resize(Shape{rows, m});
  for (int r = 0; r < rows; ++r)
    std::copy_n(value.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                    static_cast<std::size_t>(begin),
                m, n.value.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(m));
  return Var(this, size_ - 1);
}

Var Tape::param(Parameter& p) {
  // A Parameter whose grad was never shaped gets a zeroed one, once.
  if (!(p.grad.shape() == p.value.shape())) {
    p.grad.resize(p.value.shape());
    p.grad.zero();
  }
  Node& n = next_node();
  n.op = "param";
  n.param = &p;
  n.param_value = &p.value;
  n.param_grad = &p.grad;
  for (const Route& r : routes_)
    if (r.param == &p) {
      if (r.grad) n.param_grad = r.grad;
      if (r.value) n.param_value = r.value;
    }
  n.needs_grad = true;
  return Var(this, size_ - 1);
}

void Tape::route_grad(const Parameter& p, Tensor& to) {
  check(to.shape() == p.value.shape(), "Tape::route_grad: buffer for \"", p.name,
        "\" has shape ", to.shape(), ", expected ", p.value.shape(), " like the parameter");
  route_of(p).grad = &to;
}

void Tape::route_value(const Parameter& p, const Tensor& from) {
  check(from.shape() == p.value.shape(), "Tape::route_value: copy of \"", p.name,
        "\" has shape ", from.shape(), ", expected ", p.value.shape(), " like the parameter");
  route_of(p).value = &from;
}

Tape::Route& Tape::route_of(const Parameter& p) {
  for (Route& r : routes_)
    if (r.param == &p) return r;
  return routes_.emplace_back(Route{&p, nullptr, nullptr});
}

float* Tape::grad_of(const Node& self, int which) {
  const int i = self.in[static_cast<std::size_t>(which)];
  Node& n = node(i);
  return n.needs_grad ? n.grad().data() : nullptr;
}

void Tape::backward(Var loss, float seed) {
  check(&loss.tape() == this, "Tape::backward: the loss belongs to another tape");
  const int last = loss.index();
  Node& l = node(last);
  check(l.val().size() == 1, "Tape::backward: the loss has shape ",
        l.val().shape(), " (", l.val().size(),
        " numbers), expected exactly one number (reduce it with sum or mean)");
  if (!l.needs_grad) return;  // nothing trainable upstream: no gradients

  // Fresh zeroed gradients for every intermediate that needs one; parameter
  // gradients are left alone (they accumulate until an optimizer zeroes them).
  for (int i = 0; i <= last; ++i) {
    Node& n = node(i);
    if (!n.needs_grad || n.param) continue;
    n.grad_buffer.resize(n.value.shape());
    zero_split(n.grad_buffer.data(), n.grad_buffer.size());
  }
  l.grad()[0] += seed;  // dL/dL = 1 (+= also right when the loss is a param)

  // The Wengert list in reverse: each node pushes its gradient to its inputs.
  for (int i = last; i >= 0; --i) {
    Node& n = node(i);
    if (n.needs_grad && n.backward) n.backward(*this, n);
  }
}

}  // namespace hg
