// Tape and Var: reverse-mode automatic differentiation as a Wengert list.
//
// What it is: a flat vector of nodes in the order the forward pass created
// them. Each node holds its value, its gradient, the indices of its inputs,
// the op's constants, and a plain function pointer to its backward step.
// `backward(loss)` seeds dloss/dloss = 1 and walks the list ONCE in reverse;
// since every node comes after its inputs, a node's gradient is complete by
// the time the walk reaches it (chain rule, in topological order).
// Gradients accumulate (+=), so a value used twice receives both shares.
//
// What it is not: a graph with shared pointers, a std::function per node,
// a virtual class per op, or a switch over op kinds. Ops are free functions
// (ops.hpp) that push a node, compute its value, and set its backward right
// below, as a lambda without captures (it converts to the function pointer).
//
// Memory: clear() forgets the nodes but keeps their tensors. The next pass
// with the same shapes reuses every buffer (Tensor::resize keeps capacity),
// so a steady-state training step allocates nothing.
#pragma once

#include <array>
#include <cstring>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

class Tape;
struct Node;

// A backward step: add this node's contribution to its inputs' gradients.
using BackwardFn = void (*)(Tape& tape, Node& self);

struct Node {
  Tensor value;                       // the forward result
  Tensor grad_buffer;                 // dloss/dvalue, for non-parameters
  Tensor saved;                       // per-op scratch (dropout mask, ρ̂, ...)
  std::array<int, 3> in{-1, -1, -1};  // indices of the inputs, -1 = unused
  BackwardFn backward = nullptr;      // nullptr for leaves
  const char* op = "input";           // the op that made it, for messages
  bool needs_grad = false;            // does any parameter lie upstream?
  Parameter* param = nullptr;         // set for tape.param nodes, which read
  const Tensor* param_value = nullptr;  // p.value and add into p.grad (or
  Tensor* param_grad = nullptr;         // what Tape::bind named instead)

  const Tensor& val() const { return param ? *param_value : value; }
  Tensor& grad() { return param ? *param_grad : grad_buffer; }
  const Tensor& grad() const { return param ? *param_grad : grad_buffer; }

  // The op's constants, as a small struct of the op's own: the forward
  // does y.set_attrs(Slice{begin}), its backward y.attrs<Slice>().begin.
  template <class Attrs>
  void set_attrs(const Attrs& a) {
    static_assert(std::is_trivially_copyable_v<Attrs> && sizeof(Attrs) <= kAttrBytes,
                  "an op's attributes: a few plain numbers, flags or pointers");
    std::memcpy(attr_bytes_, &a, sizeof(Attrs));
  }
  template <class Attrs>
  Attrs attrs() const {
    Attrs a;
    std::memcpy(&a, attr_bytes_, sizeof(Attrs));
    return a;
  }

 private:
  static constexpr std::size_t kAttrBytes = 16;
  alignas(8) unsigned char attr_bytes_[kAttrBytes] = {};
};

// A handle to one node of one tape: a pointer and an index, cheap to copy.
// Valid until the tape is cleared or destroyed.
class Var {
 public:
  Var() = default;
  Var(Tape* tape, int index) : tape_(tape), index_(index) {}

  const Tensor& value() const;
  // dloss/dvalue after tape.backward(loss); an error for values that do not
  // depend on any parameter (their gradients are never computed).
  const Tensor& grad() const;
  const Shape& shape() const { return value().shape(); }
  float item() const;  // the number of a one-number value
  Tape& tape() const;
  int index() const { return index_; }
  bool valid() const { return tape_ != nullptr; }

 private:
  Tape* tape_ = nullptr;
  int index_ = -1;
};

class Tape {
 public:
  Tape() = default;
  Tape(const Tape&) = delete;  // Vars point at their tape: it must not move
  Tape& operator=(const Tape&) = delete;

  // A constant leaf: the tensor is copied in; no gradient flows to it.
  Var input(const Tensor& value);
  // A trainable leaf: reads p.value, backward accumulates into p.grad.
  // p must outlive the tape's use of it.
  Var param(Parameter& p);

  // Gradients of `loss` (exactly one number) with respect to every node
  // upstream of it; parameter gradients accumulate into Parameter::grad.
  void backward(Var loss);

  // Forget all nodes, keep all buffers.
  void clear() { size_ = 0; }
  int size() const { return size_; }
  Var last() { return Var(this, size_ - 1); }  // the node pushed last

  // ---- for writing ops --------------------------------------------------
  // Append a node with inputs `in` and value shaped `shape` (contents
  // unspecified: the op writes them, then sets node.backward). needs_grad
  // is set from the inputs. The reference is valid until the next push.
  Node& push(const char* op, Shape shape, std::initializer_list<Var> in);
  Node& node(int index) { return nodes_[static_cast<std::size_t>(index)]; }
  const Node& node(int index) const {
    return nodes_[static_cast<std::size_t>(index)];
  }
  // The gradient buffer of an input of a node, or nullptr if that input
  // needs no gradient: the one question every backward asks.
  float* grad_of(const Node& self, int which);

  // ---- the one extension point ------------------------------------------
  // From now on, param(p) nodes read `value` instead of p.value and add
  // their gradient into `grad` instead of p.grad (nullptr: p's own; both
  // shaped like p.value; kept across clear()). A model on one tape never
  // calls it; hourglass/parallel/ does, to run one step of a model on
  // several tapes at once, each with buffers of its own.
  void bind(const Parameter& p, const Tensor* value, Tensor* grad);
  void unbind_all() { bindings_.clear(); }

 private:
  Node& next_node();

  std::vector<Node> nodes_;  // nodes_[0, size_) are live, the rest spare
  int size_ = 0;
  struct Binding {
    const Parameter* param;
    const Tensor* value;
    Tensor* grad;
  };
  std::vector<Binding> bindings_;  // searched linearly: a model has few
};

// The tape both Vars belong to; throws, naming `op`, if they differ.
Tape& same_tape(const char* op, Var a, Var b);

}  // namespace hg
