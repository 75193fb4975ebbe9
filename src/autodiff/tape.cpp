// Tape and Var: node storage, leaves, and the one reverse loop.
#include "hourglass/autodiff/tape.hpp"

#include "hourglass/kernels/parallel_maps.hpp"

namespace hg {

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
  n.in = {-1, -1, -1};
  n.backward = nullptr;
  n.op = "input";
  n.needs_grad = false;
  n.param = nullptr;
  n.param_value = nullptr;
  n.param_grad = nullptr;
  return n;
}

Node& Tape::push(const char* op, Shape shape, std::initializer_list<Var> in) {
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
  n.needs_grad = needs;
  n.value.resize(shape);
  return n;
}

Var Tape::input(const Tensor& value) {
  Node& n = next_node();
  n.value.resize(value.shape());  // reuses the buffer when it is big enough
  kernels::copy_parallel(value.data(), n.value.data(), value.size());
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
  for (const Binding& b : bindings_)  // empty unless bind() was called
    if (b.param == &p) {
      if (b.value) n.param_value = b.value;
      if (b.grad) n.param_grad = b.grad;
    }
  n.needs_grad = true;
  return Var(this, size_ - 1);
}

void Tape::bind(const Parameter& p, const Tensor* value, Tensor* grad) {
  for (const Tensor* t : {value, static_cast<const Tensor*>(grad)})
    check(!t || t->shape() == p.value.shape(), "Tape::bind: a tensor for \"", p.name,
          "\" has shape ", t ? t->shape() : Shape{}, ", expected ", p.value.shape(),
          " like the parameter");
  std::erase_if(bindings_, [&](const Binding& b) { return b.param == &p; });
  bindings_.push_back({&p, value, grad});
}

float* Tape::grad_of(const Node& self, int which) {
  const int i = self.in[static_cast<std::size_t>(which)];
  Node& n = node(i);
  return n.needs_grad ? n.grad().data() : nullptr;
}

void Tape::backward(Var loss) {
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
    kernels::zero_parallel(n.grad_buffer.data(), n.grad_buffer.size());
  }
  l.grad()[0] += 1.0f;  // dL/dL = 1 (+= also right when the loss is a param)

  // The Wengert list in reverse: each node pushes its gradient to its inputs.
  for (int i = last; i >= 0; --i) {
    Node& n = node(i);
    if (n.needs_grad && n.backward) n.backward(*this, n);
  }
}

}  // namespace hg
