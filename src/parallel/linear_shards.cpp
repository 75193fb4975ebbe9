// LinearOutputShard, LinearInputShard: see linear_shards.hpp.
#include "hourglass/parallel/linear_shards.hpp"

#include <string>

#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
// Where part `rank` of n features begins (the pool's cut, shared by all).
int cut(int n, int rank, int count) {
  return static_cast<int>(kernels::part_begin(static_cast<std::size_t>(n),
                                              static_cast<std::size_t>(rank),
                                              static_cast<std::size_t>(count)));
}
void check_rank(const Linear& whole, int rank, int count, int features) {
  check(count >= 1 && rank >= 0 && rank < count, "Linear '", whole.name(),
        "': shard ", rank, " of ", count,
        " asked for, expected 0 <= rank < count");
  check(features >= count, "Linear '", whole.name(), "': ", features,
        " features cannot be split over ", count,
        " shards (expected at least one each)");
}
std::string part_name(const Linear& whole, const char* what, int rank,
                      int count) {
  return whole.name() + "." + what + "[" + std::to_string(rank) + "/" +
         std::to_string(count) + "]";
}
// Rows [r0, r1) and columns [c0, c1) of a (rows, cols) tensor, as a new one.
Tensor block(const Tensor& t, int r0, int r1, int c0, int c1) {
  Tensor out(Shape{r1 - r0, c1 - c0});
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c) out.at(r - r0, c - c0) = t.at(r, c);
  return out;
}
// The inverse of block(): `part` written into t at rows r0.., columns c0...
void put_block(const Tensor& part, Tensor& t, int r0, int c0) {
  for (int r = 0; r < part.rows(); ++r)
    for (int c = 0; c < part.cols(); ++c) t.at(r0 + r, c0 + c) = part.at(r, c);
}
void check_whole(const char* layer, const Linear& whole, const Parameter& W,
                 int out, int in) {
  check(whole.out_features() == out && whole.in_features() == in, layer, " '",
        W.name, "'::copy_into: the layer is ", whole.W().value.shape(),
        ", expected (", out, ", ", in, ") like the one it was cut from");
}
void check_shard(const char* layer, const Shard& s, int rank, int count) {
  check(s.rank() == rank && s.count() == count, layer, ": called on shard ",
        s.rank(), " of ", s.count(), ", but it holds the slice of shard ", rank,
        " of ", count);
}
}  // namespace

LinearOutputShard::LinearOutputShard(const Linear& whole, int rank, int count)
    : rank_(rank),
      count_(count),
      features_(whole.out_features()),
      lo_((check_rank(whole, rank, count, whole.out_features()),
           cut(whole.out_features(), rank, count))),
      hi_(cut(whole.out_features(), rank + 1, count)),
      W_(part_name(whole, "W", rank, count),
         block(whole.W().value, lo_, hi_, 0, whole.in_features())),
      b_(part_name(whole, "b", rank, count),
         block(whole.b().value, 0, 1, lo_, hi_)) {}

Var LinearOutputShard::operator()(Shard& s, Var x) {
  check(x.valid(), "LinearOutputShard '", W_.name, "': x is an empty Var");
  check(x.shape().rank() == 2 && x.shape()[1] == W_.value.dim(1),
        "LinearOutputShard '", W_.name, "': x must be (B, ", W_.value.dim(1),
        "), got ", x.shape());
  check_shard("LinearOutputShard", s, rank_, count_);
  Tape& tape = x.tape();
  // Its gradient is partial here (this slice's share): summed over shards.
  if (tape.node(x.index()).needs_grad) x = copy_to_shards(s, x);
  return linear(x, tape.param(W_), tape.param(b_));
}

void LinearOutputShard::copy_into(Linear& whole) const {
  check_whole("LinearOutputShard", whole, W_, features_, W_.value.dim(1));
  put_block(W_.value, whole.W().value, lo_, 0);
  put_block(b_.value, whole.b().value, 0, lo_);
}

LinearInputShard::LinearInputShard(const Linear& whole, int rank, int count)
    : rank_(rank),
      count_(count),
      features_(whole.in_features()),
      lo_((check_rank(whole, rank, count, whole.in_features()),
           cut(whole.in_features(), rank, count))),
      hi_(cut(whole.in_features(), rank + 1, count)),
      W_(part_name(whole, "W", rank, count),
         block(whole.W().value, 0, whole.out_features(), lo_, hi_)),
      b_(part_name(whole, "b", rank, count),
         rank == 0 ? whole.b().value : Tensor(Shape{1, 1})) {}

void LinearInputShard::copy_into(Linear& whole) const {
  check_whole("LinearInputShard", whole, W_, W_.value.dim(0), features_);
  put_block(W_.value, whole.W().value, 0, lo_);
  if (has_bias()) put_block(b_.value, whole.b().value, 0, 0);
}

ParameterList LinearInputShard::params() {
  if (has_bias()) return {&W_, &b_};
  return {&W_};
}

Var LinearInputShard::operator()(Shard& s, Var x_t) {
  check(x_t.valid(), "LinearInputShard '", W_.name, "': x is an empty Var");
  check(x_t.shape().rank() == 2 && x_t.shape()[1] == hi_ - lo_,
        "LinearInputShard '", W_.name, "': x must be its columns ", lo_, "..",
        hi_, " of the input, (B, ", hi_ - lo_, "), got ", x_t.shape());
  check_shard("LinearInputShard", s, rank_, count_);
  Tape& tape = x_t.tape();
  // Shard 0 adds the bias to its share, so that the sum holds it once.
  const Var part = has_bias() ? linear(x_t, tape.param(W_), tape.param(b_))
                              : matmul(x_t, tape.param(W_), false, true);
  return sum_over_shards(s, part);
}

}  // namespace hg
