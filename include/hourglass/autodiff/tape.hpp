// Tape and Var: reverse-mode automatic differentiation as a Wengert list.
//
// What it is: a flat vector of nodes in the order the forward pass created
// them. Each node holds its value, its gradient, the indices of its inputs,
// a few float constants, and a plain function pointer to its backward step.
// `backward(loss)` seeds dloss/dloss = 1 and walks the list ONCE in reverse;
// since every node comes after its inputs, a node's gradient is complete by
// the time the walk reaches it (chain rule, in topological order).
// Gradients accumulate (+=), so a value used twice receives both shares.
//
// What it is not: a graph with shared pointers, a std::function per node,
// a virtual class per op, or a switch over op kinds. Ops are free functions
// (ops.hpp) that push a node and name their backward function.
//
// Memory: clear() forgets the nodes but keeps their tensors. The next pass
// with the same shapes reuses every buffer (Tensor::resize keeps capacity),
// so a steady-state training step allocates nothing.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <utility>
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
  Parameter* param = nullptr;         // set for tape.param nodes
  const Tensor* param_value = nullptr;  // what it reads: param->value, or
                                        // the copy the tape routes it to
  Tensor* param_grad = nullptr;       // where its gradient goes: param->grad
                                      // unless the tape routes it elsewhere
  std::array<int, 3> in{-1, -1, -1};  // indices of the inputs, -1 = unused
  std::array<float, 4> k{};           // constants (slope, p, scale, ...)
  BackwardFn backward = nullptr;      // nullptr for leaves
  void* ctx = nullptr;                // what an op needs beyond numbers (the
                                      // shard of a collective op: shards.hpp)
  const char* op = "input";           // the op that made it, for messages
  bool needs_grad = false;            // does any parameter lie upstream?

  // A parameter node reads and writes the Parameter itself: no copies, and
  // backward accumulates straight into Parameter::grad (or into the buffers
  // the tape routes it to: Tape::route_grad, Tape::route_value).
  const Tensor& val() const { return param ? *param_value : value; }
  Tensor& grad() { return param ? *param_grad : grad_buffer; }
  const Tensor& grad() const { return param ? *param_grad : grad_buffer; }
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
  // The same for columns [begin, end) of a (rows, cols) tensor: what a
  // shard of a ShardGroup reads of a batch, without copying all of it.
  Var input_cols(const Tensor& value, int begin, int end);
  // A trainable leaf: reads p.value, backward accumulates into p.grad.
  // p must outlive the tape's use of it.
  Var param(Parameter& p);

  // Gradients of `loss` (exactly one number) with respect to every node
  // upstream of it; parameter gradients accumulate into Parameter::grad.
  // `seed` is dloss/dloss, 1 unless the loss is one weighted share of a
  // bigger one (DataParallel: a block of rows of the batch).
  void backward(Var loss, float seed = 1.0f);

  // Routing: from now on, param(p) nodes accumulate their gradient into
  // `to` (shaped like p.value) instead of p.grad. Lets several tapes run
  // the same model at once, each into its own buffers, summed afterwards.
  // Kept across clear(); `to` must outlive the tape's use of it.
  void route_grad(const Parameter& p, Tensor& to);
  // The same for what param(p) nodes read: `from` (shaped like p.value, and
  // holding the same numbers, or the run is not p's) instead of p.value.
  // Lets each thread read a copy of the weights in memory of its own
  // (DataParallel says why that pays).
  void route_value(const Parameter& p, const Tensor& from);
  void clear_grad_routes() { routes_.clear(); }  // and the value routes
  // Forget all nodes, keep all buffers.
  void clear() { size_ = 0; }
  int size() const { return size_; }
  Var last() { return Var(this, size_ - 1); }  // the node pushed last

  // ---- for writing ops --------------------------------------------------
  // Append a node with inputs `in` and value shaped `shape` (contents
  // unspecified: the op writes them). needs_grad is set from the inputs.
  // The returned reference is valid until the next push.
  Node& push(const char* op, Shape shape, BackwardFn backward,
             std::initializer_list<Var> in);
  Node& node(int index) { return nodes_[static_cast<std::size_t>(index)]; }
  const Node& node(int index) const {
    return nodes_[static_cast<std::size_t>(index)];
  }
  // The gradient buffer of an input of a node, or nullptr if that input
  // needs no gradient: the one question every backward asks.
  float* grad_of(const Node& self, int which);

 private:
  Node& next_node();

  std::vector<Node> nodes_;  // nodes_[0, size_) are live, the rest spare
  int size_ = 0;
  // Where a parameter's gradient goes and its value comes from (nullptr:
  // the Parameter's own); searched linearly: a model has few tensors.
  struct Route {
    const Parameter* param;
    Tensor* grad;
    const Tensor* value;
  };
  Route& route_of(const Parameter& p);  // made on first use
  std::vector<Route> routes_;
};

// The tape both Vars belong to; throws, naming `op`, if they differ.
Tape& same_tape(const char* op, Var a, Var b);

}  // namespace hg
