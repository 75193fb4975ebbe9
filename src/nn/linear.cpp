// Linear layer: parameters, initialisation, and the call into the linear op.
#include "hourglass/nn/linear.hpp"

#include "hourglass/autodiff/ops.hpp"

namespace hg {

namespace {
// W's shape (out, in), checked before anything is allocated.
Shape weight_shape(int in, int out, const std::string& name) {
  check(in >= 1 && out >= 1, "Linear '", name, "': in and out must be >= 1, ",
        "got in = ", in, ", out = ", out);
  return Shape{out, in};
}
}  // namespace

Linear::Linear(int in, int out, Rng& rng, Init init, std::string name)
    : name_(std::move(name)),
      W_(name_ + ".W", Tensor(weight_shape(in, out, name_))),
      b_(name_ + ".b", Tensor(Shape{1, out})) {
  init_weights(W_.value, init, in, out, rng);
}

Var Linear::operator()(Var x) {
  check(x.valid(), "Linear '", name_, "': x is an empty Var");
  check(x.shape().rank() == 2 && x.shape()[1] == in_features(), "Linear '",
        name_, "': x must be (B, ", in_features(), "), got ", x.shape());
  Tape& tape = x.tape();
  return linear(x, tape.param(W_), tape.param(b_));
}

}  // namespace hg
