// DataParallel: see data_parallel.hpp for what it does and the contract.
#include "hourglass/autodiff/data_parallel.hpp"

#include <algorithm>
#include <cstdint>

#include "hourglass/error.hpp"

namespace hg {

namespace {
// `s` with its first dimension set to n.
Shape with_rows(const Shape& s, int n) {
  switch (s.rank()) {
    case 1: return Shape{n};
    case 2: return Shape{n, s[1]};
    case 3: return Shape{n, s[1], s[2]};
    default: return Shape{n, s[1], s[2], s[3]};
  }
}
// Share c of [0, n) split in `parts`: sizes differ by at most one.
std::size_t share(std::size_t n, int c, int parts) {
  return n * static_cast<std::size_t>(c) / static_cast<std::size_t>(parts);
}
// g += from, then from = 0. Half of each array was last written by another
// thread, which must give each line up before this one can write it:
// announcing the lines a few blocks ahead (prefetch for write) lets those
// hand-overs overlap instead of stalling the stores one by one.
void add_and_clear(float* __restrict g, float* __restrict from, std::size_t n) {
  constexpr std::size_t kBlock = 64, kAhead = 4 * kBlock;
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    for (std::size_t l = 0; l < kBlock; l += 16) {
      __builtin_prefetch(g + i0 + kAhead + l, 1);
      __builtin_prefetch(from + i0 + kAhead + l, 1);
    }
    const std::size_t i1 = i0 + kBlock < n ? i0 + kBlock : n;
#pragma omp simd
    for (std::size_t k = i0; k < i1; ++k) {
      g[k] += from[k];
      from[k] = 0.0f;
    }
  }
}
}  // namespace

DataParallel::DataParallel(ParameterList params) : params_(std::move(params)) {
  for (Parameter* p : params_) {
    check(p != nullptr, "DataParallel: the parameter list holds a null pointer");
    if (!(p->grad.shape() == p->value.shape())) {  // as Tape::param would
      p->grad.resize(p->value.shape());
      p->grad.zero();
    }
  }
}

int DataParallel::begin_step(const Tensor& batch, Rng& rng) {
  check(batch.rank() >= 1 && batch.rows() >= 1, "DataParallel::backward: the batch has shape ",
        batch.shape(), ", expected at least one row");
  const int rows = batch.rows();
  const int blocks = std::min(kernels::num_threads(), rows);
  while (static_cast<int>(blocks_.size()) < blocks) {  // first steps only
    auto b = std::make_unique<Block>();
    if (!blocks_.empty()) {  // block 0 writes Parameter::grad itself
      b->grads.reserve(params_.size());
      for (Parameter* p : params_) {
        b->grads.emplace_back(p->value.shape());
        b->tape.route_grad(*p, b->grads.back());
      }
    }
    blocks_.push_back(std::move(b));
  }
  for (int c = 0; c < blocks; ++c) {
    Block& b = *blocks_[static_cast<std::size_t>(c)];
    b.lo = static_cast<int>(share(rows, c, blocks));
    b.hi = static_cast<int>(share(rows, c + 1, blocks));
    b.weight = static_cast<float>(b.hi - b.lo) / static_cast<float>(rows);
    b.loss = 0.0f;
    if (c == 0) {
      b.rng = &rng;
    } else {
      b.rng = nullptr;
      b.own_rng = rng.split();
    }
  }
  used_ = blocks;
  return blocks;
}

// Runs on the block's thread: copy its rows. (Its gradient buffers are
// already zero: made so, then emptied by each end_step.)
void DataParallel::prepare_block(Block& b, const Tensor& batch) {
  const std::size_t row = batch.size() / static_cast<std::size_t>(batch.rows());
  b.rows.resize(with_rows(batch.shape(), b.hi - b.lo));
  std::copy(batch.data() + row * static_cast<std::size_t>(b.lo),
            batch.data() + row * static_cast<std::size_t>(b.hi), b.rows.data());
}

void DataParallel::finish_block(Block& b, Var loss) {
  check(loss.valid() && &loss.tape() == &b.tape,
        "DataParallel::backward: loss_fn must return a Var recorded on the tape it was given");
  b.loss = loss.item();
  b.tape.backward(loss, b.weight);
}

void DataParallel::discard_partial_grads() {
  for (auto& b : blocks_)
    for (Tensor& g : b->grads) g.zero();
}

float DataParallel::end_step(int blocks) {
  // Parameter::grad += the other blocks' gradients, which are zeroed on the
  // way (they are in cache already: cheaper than a separate pass at the
  // next step). Thread t takes share t of every parameter's elements, so
  // each element has one writer.
  if (blocks > 1) {
    kernels::parallel_for(0, blocks, [&](int t0, int t1) {
      for (int t = t0; t < t1; ++t)
        for (std::size_t i = 0; i < params_.size(); ++i) {
          float* g = params_[i]->grad.data();
          const std::size_t n = params_[i]->grad.size();
          const std::size_t lo = share(n, t, blocks), hi = share(n, t + 1, blocks);
          for (int c = 1; c < blocks; ++c)
            add_and_clear(g + lo, blocks_[static_cast<std::size_t>(c)]->grads[i].data() + lo,
                          hi - lo);
        }
    });
  }
  double loss = 0.0;
  for (int c = 0; c < blocks; ++c) {
    const Block& b = *blocks_[static_cast<std::size_t>(c)];
    loss += static_cast<double>(b.weight) * b.loss;
  }
  return static_cast<float>(loss);
}

}  // namespace hg
