// DataParallel: see data_parallel.hpp for what it does and the contract.
#include "hourglass/parallel/data_parallel.hpp"

#include <algorithm>
#include <cstdint>

#include "hourglass/autodiff/ops.hpp"
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
// Where share c of [0, n) split in `parts` begins: the cut of
// Optimizer::for_each_part, so that thread t sums and sends the very part
// of every parameter that its optimizer updates.
std::size_t share(std::size_t n, int c, int parts) {
  return kernels::part_begin(n, static_cast<std::size_t>(c),
                             static_cast<std::size_t>(parts));
}
// Runs body(i0, i1) over [0, n) in blocks of 64 floats (4 cache lines),
// first announcing the lines of each array in `written` four blocks ahead
// with a prefetch-for-write. The loops below write lines another core held
// last, which it must give up before this one can write them: announced
// early, those hand-overs overlap instead of stalling the stores one by one.
template <class Body, class... Written>
void with_lines_claimed_ahead(std::size_t n, const Body& body, Written*... written) {
  constexpr std::size_t kBlock = 64, kAhead = 4 * kBlock;
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    for (std::size_t l = 0; l < kBlock; l += 16)
      (__builtin_prefetch(written + i0 + kAhead + l, 1), ...);
    body(i0, i0 + kBlock < n ? i0 + kBlock : n);
  }
}
// g += from, then from = 0.
void add_and_clear(float* __restrict g, float* __restrict from, std::size_t n) {
  with_lines_claimed_ahead(n, [=](std::size_t i0, std::size_t i1) {
#pragma omp simd
    for (std::size_t k = i0; k < i1; ++k) {
      g[k] += from[k];
      from[k] = 0.0f;
    }
  }, g, from);
}
// to = box, then box = 0 (see "Copies of the weights" below).
void take_and_clear(float* __restrict to, float* __restrict box, std::size_t n) {
  with_lines_claimed_ahead(n, [=](std::size_t i0, std::size_t i1) {
#pragma omp simd
    for (std::size_t k = i0; k < i1; ++k) {
      to[k] = box[k];
      box[k] = 0.0f;
    }
  }, to, box);
}
// to = from, the lines of `to` claimed ahead.
void copy_claiming(const float* __restrict from, float* __restrict to, std::size_t n) {
  with_lines_claimed_ahead(n, [=](std::size_t i0, std::size_t i1) {
#pragma omp simd
    for (std::size_t k = i0; k < i1; ++k) to[k] = from[k];
  }, to);
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
    b->index = static_cast<int>(blocks_.size());
    if (!blocks_.empty()) {  // block 0 writes Parameter::grad itself
      b->grads.reserve(params_.size());
      for (Parameter* p : params_) b->grads.emplace_back(p->value.shape());
      bind_block(*b);
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
  copies_now_ = blocks > 1 && want_copies();
  use_copies(copies_now_);
  if (copies_now_) send_weights(blocks);
  return blocks;
}

// Which way is faster. The copies pay where a core must take back lines
// another core has read at a high price (two cores far apart, sharing no
// cache); where the cores share a cache, the two extra passes over the
// weights cost more than they save. A virtual machine's host may move its
// virtual CPUs between the two placements while a program runs
// (docs/performance.md). So by default the two ways are timed against each
// other every 200 steps (the time of a step, from one backward() call to
// the next, includes the optimizer's) and the faster is kept until the
// next trial.
bool DataParallel::want_copies() {
  const auto now = std::chrono::steady_clock::now();
  std::optional<double> last;
  if (last_start_) last = std::chrono::duration<double>(now - *last_start_).count();
  last_start_ = now;
  switch (copies_) {
    case WeightCopies::Always: return true;
    case WeightCopies::Never: return false;
    case WeightCopies::Auto: break;
  }
  return chooser_.begin_step(last) == 0;
}

namespace detail {
int FasterOfTwo::begin_step(std::optional<double> last) {
  if (last && last_pos_ >= 0 && last_pos_ < 2 * kTrial)
    times_[static_cast<std::size_t>(last_pos_ / kTrial)]
          [static_cast<std::size_t>(last_pos_ % kTrial)] = *last;
  if (pos_ == 2 * kTrial) {  // the trials are done: keep the faster way
    double median[2];
    for (int w = 0; w < 2; ++w) {
      auto& t = times_[static_cast<std::size_t>(w)];
      std::array<double, kTrial - 1> kept;
      std::copy(t.begin() + 1, t.end(), kept.begin());  // not the first, a switch
      std::nth_element(kept.begin(), kept.begin() + kept.size() / 2, kept.end());
      median[w] = kept[kept.size() / 2];
    }
    chosen_ = median[1] < median[0] ? 1 : 0;
  }
  const int way = pos_ < kTrial ? 0 : pos_ < 2 * kTrial ? 1 : chosen_;
  last_pos_ = pos_;
  pos_ = (pos_ + 1) % kRound;
  return way;
}
}  // namespace detail

// Copies of the weights. On one thread the tape reads Parameter::value. On
// several, each block's tape reads a copy of its own (Tape::bind),
// brought up to date at the start of every step, because of what a core
// pays to write a cache line that another core has READ: it must first
// take the line back from every reader, one at a time. Taking over a line
// that the other core has WRITTEN is a single hand-over, and cheaper
// (bench_peak, BM_write_after, times both). The optimizer's thread t writes part t of
// every weight; if the other blocks had read those lines straight from
// Parameter::value, every step would pay the dear kind. So the weights
// travel through inboxes: thread s copies part s of each weight into its
// own block's copy and into every other block's inbox; then each block
// moves the other parts from its inbox into its copy and clears the inbox.
// Clearing leaves the inbox's lines written by that block's core, so the
// next step's sender takes them over the cheap way, and no core reads the
// lines of Parameter::value that another core writes. It costs two passes
// over the weights per step and two copies of them per block; whether that
// pays depends on the machine (below).
void DataParallel::use_copies(bool copies) {
  for (int c = 0; c < used_; ++c) {
    Block& b = *blocks_[static_cast<std::size_t>(c)];
    if (b.reads_copies == copies) continue;
    if (copies && b.values.empty()) {  // first use only
      b.values.reserve(params_.size());
      b.inbox.reserve(params_.size());
      for (Parameter* p : params_) {
        b.values.emplace_back(p->value.shape());
        b.inbox.emplace_back(p->value.shape());
      }
    }
    b.reads_copies = copies;
    bind_block(b);
  }
}

// Where block b's tape reads each weight (its copy, or Parameter::value)
// and sends its gradient (its own buffer, or Parameter::grad for block 0).
void DataParallel::bind_block(Block& b) {
  for (std::size_t i = 0; i < params_.size(); ++i)
    b.tape.bind(*params_[i], b.reads_copies ? &b.values[i] : nullptr,
                b.grads.empty() ? nullptr : &b.grads[i]);
}

// Thread s: part s of every weight into its own block's copy, and into
// every other block's inbox.
void DataParallel::send_weights(int blocks) {
  kernels::parallel_for(0, blocks, [&](int s0, int s1) {
    for (int s = s0; s < s1; ++s)
      for (std::size_t i = 0; i < params_.size(); ++i) {
        const float* w = params_[i]->value.data();
        const std::size_t n = params_[i]->value.size();
        const std::size_t lo = share(n, s, blocks), hi = share(n, s + 1, blocks);
        // In pieces of 4 KB, each read once from memory and then from L1
        // for every block it goes to.
        constexpr std::size_t kPiece = 1024;
        for (std::size_t p0 = lo; p0 < hi; p0 += kPiece) {
          const std::size_t p1 = std::min(hi, p0 + kPiece);
          for (int c = 0; c < blocks; ++c) {
            Block& b = *blocks_[static_cast<std::size_t>(c)];
            Tensor& to = c == s ? b.values[i] : b.inbox[i];
            copy_claiming(w + p0, to.data() + p0, p1 - p0);
          }
        }
      }
  });
}

// Runs on the block's thread: the other threads' parts of the weights from
// its inbox into its copy; then its rows of the batch. (Its gradient
// buffers are already zero: made so, then emptied by each end_step.)
void DataParallel::prepare_block(Block& b, const Tensor& batch) {
  if (b.reads_copies)
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const std::size_t n = params_[i]->value.size();
      for (int s = 0; s < used_; ++s) {
        if (s == b.index) continue;
        const std::size_t lo = share(n, s, used_), hi = share(n, s + 1, used_);
        take_and_clear(b.values[i].data() + lo, b.inbox[i].data() + lo, hi - lo);
      }
    }
  const std::size_t row = batch.size() / static_cast<std::size_t>(batch.rows());
  b.rows.resize(with_rows(batch.shape(), b.hi - b.lo));
  std::copy(batch.data() + row * static_cast<std::size_t>(b.lo),
            batch.data() + row * static_cast<std::size_t>(b.hi), b.rows.data());
}

void DataParallel::finish_block(Block& b, Var loss) {
  check(loss.valid() && &loss.tape() == &b.tape,
        "DataParallel::backward: loss_fn must return a Var recorded on the tape it was given");
  b.loss = loss.item();
  b.tape.backward(b.weight * loss);  // (n_c / B) · L_c: its share of the mean
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
