// ShardGroup and the collective ops: see shards.hpp for what they do.
#include "hourglass/parallel/shards.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "hourglass/error.hpp"
#include "hourglass/kernels/elementwise.hpp"

namespace hg {

namespace {
// Thrown in a shard that leaves a collective because another shard failed:
// not the error to report (run() rethrows the one that started it).
struct Aborted {};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}
}  // namespace

ShardGroup::ShardGroup(int shards) {
  check(shards >= 1 && shards <= 1024, "ShardGroup: ", shards,
        " shards asked for, expected 1 to 1024");
  for (int r = 0; r < shards; ++r) {
    auto s = std::make_unique<Shard>();
    s->rank_ = r;
    s->group_ = this;
    shards_.push_back(std::move(s));
  }
  posts_[0].resize(static_cast<std::size_t>(shards));
  posts_[1].resize(static_cast<std::size_t>(shards));
  calls_.resize(static_cast<std::size_t>(shards));
}

void ShardGroup::begin_run(Rng& rng) {
  check(kernels::num_threads() == size(), "ShardGroup::run: ", size(),
        " shards must run at once, one per thread, but the pool has ",
        kernels::num_threads(), " (expected kernels::set_num_threads(", size(),
        "), and not to be inside a parallel loop)");
  // Every thread has joined since the last run: a fresh meeting point even
  // if that run ended in an error halfway through a collective.
  arrived_.store(0);
  left_.store(0);
  failed_.store(false);
  first_error_ = nullptr;
  std::fill(calls_.begin(), calls_.end(), 0);
  for (auto& s : shards_) s->rng = rng;
}

void ShardGroup::leave(std::exception_ptr error) {
  if (!error) {
    left_.fetch_add(1, std::memory_order_acq_rel);
    return;
  }
  try {
    std::rethrow_exception(error);
  } catch (const Aborted&) {  // a consequence, not the cause
  } catch (...) {
    const std::lock_guard<std::mutex> lock(error_mutex_);
    if (!first_error_) first_error_ = error;
  }
  failed_.store(true, std::memory_order_release);
}

void ShardGroup::end_run(Rng& rng) {
  if (first_error_) {
    std::exception_ptr e = first_error_;
    first_error_ = nullptr;
    std::rethrow_exception(e);
  }
  rng = shard(0).rng;
}

// Where the shards meet. Each posts (op, shape, a pointer to its numbers)
// in the slot of its rank, then waits until every shard has posted: after
// that, every post is readable, and the numbers they point to stay put
// until the step ends (tape values and gradients are not written again
// once made). The slots alternate between two sets, call after call, so
// one wait per call is enough: a shard can only reuse a set after the
// next call's wait, which no shard passes before all have finished
// reading that set.
struct ShardMeeting {
  using Post = ShardGroup::Post;

  // `same_cols`: must every shard bring as many columns (all but gather)?
  static const std::vector<Post>& meet(Shard& s, Post mine, bool same_cols) {
    ShardGroup& g = *s.group_;
    const auto rank = static_cast<std::size_t>(s.rank_);
    std::vector<Post>& set = g.posts_[g.calls_[rank]++ & 1];
    set[rank] = mine;
    wait_for_all(g, s, mine.op);
    for (const Post& p : set)  // every shard at the same op, same shape
      check(std::strcmp(p.op, mine.op) == 0 && p.rows == mine.rows &&
                (!same_cols || p.cols == mine.cols),
            mine.op, ": shard ", s.rank_, " brings (", mine.rows, ", ",
            mine.cols, ") while shard ", &p - set.data(), " is in ", p.op,
            " with (", p.rows, ", ", p.cols,
            "); expected every shard to call the same collectives in the "
            "same order, with the same ",
            same_cols ? "shape" : "rows");
    return set;
  }

  // A barrier: the last shard to arrive starts the next generation.
  static void wait_for_all(ShardGroup& g, Shard& s, const char* op) {
    const unsigned gen = g.generation_.load(std::memory_order_acquire);
    if (g.arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == g.size()) {
      g.arrived_.store(0, std::memory_order_relaxed);
      g.generation_.store(gen + 1, std::memory_order_release);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    for (int spins = 0; g.generation_.load(std::memory_order_acquire) == gen;
         ++spins) {
      if (g.failed_.load(std::memory_order_acquire)) throw Aborted{};
      // A shard that has finished its step will never come. But it may
      // have been the last to arrive here and finished right after: then
      // the wait is over, which a second look at the generation tells
      // (the generation moved before `left_` did).
      if (g.left_.load(std::memory_order_acquire) != 0 &&
          g.generation_.load(std::memory_order_acquire) == gen)
        fail(op, ": shard ", s.rank_,
             " waits for the others, but one has already finished its step; "
             "expected every shard to call the same collectives");
      cpu_relax();
      // Past a short spin, offer the core to whichever thread wants it:
      // on a busy machine it may be the shard we wait for.
      if ((spins & 31) == 31 && std::chrono::steady_clock::now() - start >
                                    std::chrono::microseconds(20))
        std::this_thread::yield();
    }
  }
};

// ---- sum_over_shards: y = Σ_shards y_s; dy passes through ----------------

static void pass_backward(Tape& tape, Node& y) {
  if (float* dx = tape.grad_of(y, 0))
    kernels::axpy(1.0f, y.grad().data(), dx, y.value.size());
}

// out = Σ over the posts, in shard order (so that every shard gets the
// same bits), element by element; `stride`/`offset` pick a block of
// columns out of wider posts. Row by row, in pieces of up to 256 columns
// summed in a buffer on the stack: loops over contiguous floats, which the
// compiler vectorises.
static void add_posts(const std::vector<ShardGroup::Post>& posts, int rows,
                      int cols, int stride, int offset, float* out,
                      bool accumulate) {
  constexpr int kPiece = 256;
  float sum[kPiece];
  for (int r = 0; r < rows; ++r)
    for (int j0 = 0; j0 < cols; j0 += kPiece) {
      const int m = std::min(kPiece, cols - j0);
      const std::size_t at =
          static_cast<std::size_t>(r) * static_cast<std::size_t>(stride) +
          static_cast<std::size_t>(offset + j0);
      const float* first = posts[0].data + at;
      for (int j = 0; j < m; ++j) sum[j] = first[j];
      for (std::size_t p = 1; p < posts.size(); ++p) {
        const float* next = posts[p].data + at;
        for (int j = 0; j < m; ++j) sum[j] += next[j];
      }
      float* o = out +
                 static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                 static_cast<std::size_t>(j0);
      if (accumulate)
        for (int j = 0; j < m; ++j) o[j] += sum[j];
      else
        for (int j = 0; j < m; ++j) o[j] = sum[j];
    }
}

// The tape of a collective's input `v`, checked: shard s's, and (rows, cols).
static Tape& tape_of(const char* op, Shard& s, Var v) {
  Tape& tape = v.tape();
  check(&tape == &s.tape, op, ": the input belongs to another tape than shard ",
        s.rank(), "'s");
  check(v.shape().rank() == 2, op, ": the input has shape ", v.shape(),
        ", expected (rows, cols)");
  return tape;
}

Var sum_over_shards(Shard& s, Var y) {
  Tape& tape = tape_of("sum_over_shards", s, y);
  const Shape shape = y.shape();
  const float* mine = tape.node(y.index()).val().data();
  const auto& posts = ShardMeeting::meet(
      s, {mine, "sum_over_shards", shape[0], shape[1]}, true);
  Node& out = tape.push("sum_over_shards", shape, {y});
  out.backward = pass_backward;
  add_posts(posts, shape[0], shape[1], shape[1], 0, out.value.data(), false);
  return tape.last();
}

// ---- copy_to_shards: y = x; dx = Σ_shards dy_s ---------------------------

namespace {
struct OnShard {  // what a copy_to_shards node remembers: whose it is
  Shard* shard;
};
}  // namespace

static void copy_to_shards_backward(Tape& tape, Node& y) {
  Shard& s = *y.attrs<OnShard>().shard;
  const int rows = y.value.rows(), cols = y.value.cols();
  const auto& posts = ShardMeeting::meet(
      s, {y.grad().data(), "copy_to_shards (backward)", rows, cols}, true);
  if (float* dx = tape.grad_of(y, 0))
    add_posts(posts, rows, cols, cols, 0, dx, true);
}

Var copy_to_shards(Shard& s, Var x) {
  Tape& tape = tape_of("copy_to_shards", s, x);
  const Shape shape = x.shape();
  Node& y = tape.push("copy_to_shards", shape, {x});
  y.set_attrs(OnShard{&s});
  y.backward = copy_to_shards_backward;
  const Tensor& xv = tape.node(x.index()).val();
  std::copy(xv.begin(), xv.end(), y.value.begin());
  return tape.last();
}

// ---- gather_cols: y = [y₀ | y₁ | ...]; dy_t = dy[:, block t] --------------
// y is a value every shard holds, so its gradient is whole on every shard
// (shards.hpp): each takes its block, and nothing crosses.

namespace {
struct Block {  // where this shard's columns sit in a gather_cols output
  int offset, cols;
};
}  // namespace

static void gather_cols_backward(Tape& tape, Node& y) {
  float* dx = tape.grad_of(y, 0);
  if (!dx) return;
  const int rows = y.value.rows(), cols = y.value.cols();
  const auto [offset, own] = y.attrs<Block>();
  const float* dy = y.grad().data();
  for (int r = 0; r < rows; ++r)
    kernels::axpy(
        1.0f,
        dy + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
            static_cast<std::size_t>(offset),
        dx + static_cast<std::size_t>(r) * static_cast<std::size_t>(own), own);
}

Var gather_cols(Shard& s, Var y) {
  Tape& tape = tape_of("gather_cols", s, y);
  const Shape shape = y.shape();
  const float* mine = tape.node(y.index()).val().data();
  const auto& posts =
      ShardMeeting::meet(s, {mine, "gather_cols", shape[0], shape[1]}, false);
  int total = 0, offset = 0;
  for (const auto& p : posts) {
    if (&p - posts.data() == s.rank()) offset = total;
    total += p.cols;
  }
  const int rows = shape[0];
  Node& out = tape.push("gather_cols", Shape{rows, total}, {y});
  out.set_attrs(Block{offset, shape[1]});
  out.backward = gather_cols_backward;
  int at = 0;
  for (const auto& p : posts) {
    for (int r = 0; r < rows; ++r)
      std::copy_n(
          p.data +
              static_cast<std::size_t>(r) * static_cast<std::size_t>(p.cols),
          p.cols,
          out.value.data() +
              static_cast<std::size_t>(r) * static_cast<std::size_t>(total) +
              at);
    at += p.cols;
  }
  return tape.last();
}

// ---- input_cols: a leaf, columns [begin, end) of a tensor ------------------

Var input_cols(Tape& tape, const Tensor& value, int begin, int end) {
  check(value.rank() == 2 && 0 <= begin && begin <= end && end <= value.cols(),
        "input_cols: columns [", begin, ", ", end, ") of ", value.shape(),
        " asked for (expected a (rows, cols) tensor and 0 <= begin <= end <= cols)");
  const int rows = value.rows(), cols = value.cols(), m = end - begin;
  Node& n = tape.push("input", Shape{rows, m}, {});
  for (int r = 0; r < rows; ++r)
    std::copy_n(value.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                    static_cast<std::size_t>(begin),
                m, n.value.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(m));
  return tape.last();
}

}  // namespace hg
