// Conv2d and ConvTranspose2d: parameters, initialisation, and the calls into
// the conv ops (src/autodiff/ops_conv.cpp does the work).
#include "hourglass/nn/conv.hpp"

#include <algorithm>

#include "hourglass/autodiff/ops_conv.hpp"

namespace hg {

namespace {
// The weight shape (a, b, k, k), checked before anything is allocated.
Shape weight_shape(const char* layer, const std::string& name, int c_in,
                   int c_out, int kernel, int stride, int padding, int a,
                   int b) {
  check(c_in >= 1 && c_out >= 1 && kernel >= 1, layer, " '", name,
        "': c_in, c_out and kernel must be >= 1, got c_in = ", c_in,
        ", c_out = ", c_out, ", kernel = ", kernel);
  check(stride >= 1 && padding >= 0, layer, " '", name, "': stride ", stride,
        ", padding ", padding, " (expected stride >= 1 and padding >= 0)");
  return Shape{a, b, kernel, kernel};
}

Tensor as_filters(const Tensor& W) {
  Tensor f = W;
  f.reshape(Shape{W.dim(0) * W.dim(1), W.dim(2) * W.dim(3)});
  return f;
}

void check_input(const char* layer, const std::string& name, Var x, int c_in) {
  check(x.valid(), layer, " '", name, "': x is an empty Var");
  check(x.shape().rank() == 4 && x.shape()[1] == c_in, layer, " '", name,
        "': x must be (N, ", c_in, ", H, W), got ", x.shape());
}
}  // namespace

Conv2d::Conv2d(int c_in, int c_out, int kernel, int stride, int padding,
               Rng& rng, Init init, std::string name)
    : name_(std::move(name)),
      stride_(stride),
      padding_(padding),
      W_(name_ + ".W", Tensor(weight_shape("Conv2d", name_, c_in, c_out, kernel,
                                           stride, padding, c_out, c_in))),
      b_(name_ + ".b", Tensor(Shape{c_out})) {
  init_weights(W_.value, init, c_in * kernel * kernel, c_out * kernel * kernel,
               rng);
}

Var Conv2d::operator()(Var x) {
  check_input("Conv2d", name_, x, in_channels());
  Tape& tape = x.tape();
  return conv2d(x, tape.param(W_), tape.param(b_), stride_, padding_);
}

Tensor Conv2d::filters() const { return as_filters(W_.value); }

ConvTranspose2d::ConvTranspose2d(int c_in, int c_out, int kernel, int stride,
                                 int padding, Rng& rng, Init init,
                                 std::string name)
    : name_(std::move(name)),
      stride_(stride),
      padding_(padding),
      W_(name_ + ".W",
         Tensor(weight_shape("ConvTranspose2d", name_, c_in, c_out, kernel,
                             stride, padding, c_in, c_out))),
      b_(name_ + ".b", Tensor(Shape{c_out})) {
  // Each output pixel receives about c_in·k²/stride² stamps: its fan-in.
  const int fan_in = std::max(1, c_in * kernel * kernel / (stride * stride));
  init_weights(W_.value, init, fan_in, c_out * kernel * kernel, rng);
}

Var ConvTranspose2d::operator()(Var x) {
  check_input("ConvTranspose2d", name_, x, in_channels());
  Tape& tape = x.tape();
  return conv_transpose2d(x, tape.param(W_), tape.param(b_), stride_, padding_);
}

Tensor ConvTranspose2d::filters() const { return as_filters(W_.value); }

}  // namespace hg
