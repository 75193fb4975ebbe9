// bench_train_step: one whole training step (forward, backward, Adam) at
// batch 128 for the lesson models, on 1 thread and on 2.
//
//   vanilla  784-32-784           sigmoid code, sigmoid out, MSE
//   deep     784-256-64-256-784   ReLU inside, sigmoid out (as BCE on logits)
//   vae      784-400-(20, 20)-400-784, ReLU, Bernoulli decoder, −ELBO
//
// Counters:
//   samples/s   images trained per second
//   GFLOP/s     the GEMM work only, 2·B·in·out per Linear for the forward,
//               the same for dW, and again for dx except on the first layer
//               (its input needs no gradient); elementwise work not counted
//   pct_peak    GFLOP/s as a percentage of ONE core's measured FMA peak
//               (bench/peak.hpp), also for the 2-thread rows
//   allocs/step heap allocations per step after the warm-up steps, counted
//               by replacing the global operator new in this program
// Single-thread rows use CPU time; 2-thread rows the wall clock. The
// 2-thread rows come in three kinds: split_ops cuts each op (each GEMM,
// each big elementwise map) over the threads; split_batch gives each thread
// half the batch and its own tape (hg::DataParallel), and sums the
// gradients; split_model gives each thread half of every layer, its own
// tape and its own Adam (hg::ShardGroup), and the threads exchange
// activations, never weights.
// A third 2-thread row, apart_ceiling, is a yardstick, not training: each
// thread does its half of a split_batch step on memory of its own, sharing
// nothing (see Split::kApart).
// Before the table it prints one core's FMA peak and where the host has put
// the two threads (placement.hpp: one core, near or far), which decides
// the 2-thread rows. After it (in the console format) it prints each
// 2-thread row's speed-up: its samples/s over the 1-thread row's, from the
// medians when there are repetitions; then the placement again, as the
// host may move the threads during a run.
// What it is not: a convergence test (the data are random pixels in [0, 1]).
//
//   build/bench/bench_train_step --benchmark_repetitions=9
//       --benchmark_enable_random_interleaving=true --benchmark_min_time=0.3
//       --benchmark_report_aggregates_only=true   (one command line; the
//       interleaving spreads the drift of a shared machine over all rows)
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "count_allocs.hpp"
#include "peak.hpp"
#include "placement.hpp"

namespace {

using hg::Var;
constexpr int kBatch = 128;
double g_peak_gflops = 0.0;

// GEMM flops of one step through Linear layers of the given (in, out),
// in order; layer 0 reads the input, which needs no gradient.
double step_flops(const std::vector<std::pair<int, int>>& layers) {
  double f = 0.0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const double one = 2.0 * kBatch * layers[i].first * layers[i].second;
    f += one * (i == 0 ? 2 : 3);  // forward, dW, and dx unless first
  }
  return f;
}

struct Vanilla {
  using Shards = struct VanillaShards;
  hg::Linear enc, dec;
  explicit Vanilla(hg::Rng& rng) : enc(784, 32, rng), dec(32, 784, rng) {}
  hg::ParameterList params() { return hg::params(enc, dec); }
  Var loss(Var x, hg::Rng&) { return mse(sigmoid(dec(sigmoid(enc(x)))), x); }
  static double flops() { return step_flops({{784, 32}, {32, 784}}); }
};

struct Deep {
  using Shards = struct DeepShards;
  hg::Linear e1, e2, d1, d2;
  explicit Deep(hg::Rng& rng)
      : e1(784, 256, rng, hg::Init::He), e2(256, 64, rng, hg::Init::He),
        d1(64, 256, rng, hg::Init::He), d2(256, 784, rng) {}
  hg::ParameterList params() { return hg::params(e1, e2, d1, d2); }
  Var loss(Var x, hg::Rng&) {
    Var h = relu(e2(relu(e1(x))));
    return bce_with_logits(d2(relu(d1(h))), x);  // = BCE(σ(logits), x)
  }
  static double flops() {
    return step_flops({{784, 256}, {256, 64}, {64, 256}, {256, 784}});
  }
};

struct Vae {
  using Shards = struct VaeShards;
  hg::Linear hidden, to_mu, to_logvar, dec_hidden, dec_out;
  explicit Vae(hg::Rng& rng)
      : hidden(784, 400, rng, hg::Init::He), to_mu(400, 20, rng),
        to_logvar(400, 20, rng), dec_hidden(20, 400, rng, hg::Init::He),
        dec_out(400, 784, rng) {}
  hg::ParameterList params() {
    return hg::params(hidden, to_mu, to_logvar, dec_hidden, dec_out);
  }
  Var loss(Var x, hg::Rng& rng) {
    Var h = relu(hidden(x));
    Var mu = to_mu(h), logvar = to_logvar(h);
    thread_local hg::Tensor eps;  // one per thread (split_batch), kept: no allocation
    eps.resize(mu.shape());
    rng.fill_normal(eps, 0.0f, 1.0f);
    Var z = mu + exp(0.5f * logvar) * x.tape().input(eps);  // z = μ + σ ⊙ ε
    Var rec = bce_with_logits(dec_out(relu(dec_hidden(z))), x);
    return rec + gaussian_kl(mu, logvar);
  }
  static double flops() {
    return step_flops({{784, 400}, {400, 20}, {400, 20}, {20, 400}, {400, 784}});
  }
};

// The same three models with every weight split over the shards of a
// hg::ShardGroup (split_model): each thread holds part t of each layer's
// features (nn/linear_shards.hpp), cut from the whole model's layers.
// Where a layer's output is split, the next layer either splits its input
// the same way (its product summed over the shards: 20 to 64 numbers per
// image cross) or reads all of it (gathered: 128 to 200 per image cross).
// Each shard scores its own columns of the reconstruction: the losses sum
// over an image's pixels (nn/losses.hpp), so the shards' losses add up to
// the whole one.
struct VanillaShards {
  hg::LinearInputShard enc;
  hg::LinearOutputShard dec;
  VanillaShards(Vanilla& whole, int rank, int count)
      : enc(whole.enc, rank, count), dec(whole.dec, rank, count) {}
  hg::ParameterList params() { return hg::params(enc, dec); }
  Var loss(hg::Shard& s, const hg::Tensor& batch, hg::Rng&) {
    // Its pixels only: enc reads the very columns dec writes (784 is cut
    // the same way for both).
    Var x = s.tape.input_cols(batch, enc.lo(), enc.hi());
    Var code = sigmoid(enc(s, x));  // (B, 32) on every shard
    return sum_over_shards(s, mse(sigmoid(dec(s, code)), x));
  }
};

struct DeepShards {
  hg::LinearOutputShard e1;
  hg::LinearInputShard e2;
  hg::LinearOutputShard d1, d2;
  DeepShards(Deep& whole, int rank, int count)
      : e1(whole.e1, rank, count),
        e2(whole.e2, rank, count),
        d1(whole.d1, rank, count),
        d2(whole.d2, rank, count) {}
  hg::ParameterList params() { return hg::params(e1, e2, d1, d2); }
  Var loss(hg::Shard& s, const hg::Tensor& batch, hg::Rng&) {
    Var x = s.tape.input(batch);
    Var h = relu(e2(s, relu(e1(s, x))));        // (B, 64) on every shard
    Var wide = gather_cols(s, relu(d1(s, h)));  // (B, 256) on every shard
    Var own = bce_with_logits(d2(s, wide), slice_cols(x, d2.lo(), d2.hi()));
    return sum_over_shards(s, own);
  }
};

struct VaeShards {
  hg::LinearOutputShard hidden;
  hg::LinearInputShard to_mu, to_logvar;
  hg::LinearOutputShard dec_hidden, dec_out;
  VaeShards(Vae& whole, int rank, int count)
      : hidden(whole.hidden, rank, count),
        to_mu(whole.to_mu, rank, count),
        to_logvar(whole.to_logvar, rank, count),
        dec_hidden(whole.dec_hidden, rank, count),
        dec_out(whole.dec_out, rank, count) {}
  hg::ParameterList params() {
    return hg::params(hidden, to_mu, to_logvar, dec_hidden, dec_out);
  }
  Var loss(hg::Shard& s, const hg::Tensor& batch, hg::Rng& rng) {
    Var x = s.tape.input(batch);
    Var h = relu(hidden(s, x));                      // its 200 columns
    Var mu = to_mu(s, h), logvar = to_logvar(s, h);  // every shard: all 20
    thread_local hg::Tensor eps;
    eps.resize(mu.shape());
    rng.fill_normal(eps, 0.0f, 1.0f);  // the same on every shard
    Var z = mu + exp(0.5f * logvar) * x.tape().input(eps);
    Var wide =
        gather_cols(s, relu(dec_hidden(s, z)));  // (B, 400) on every shard
    Var own = bce_with_logits(dec_out(s, wide),
                              slice_cols(x, dec_out.lo(), dec_out.hi()));
    Var rec = sum_over_shards(s, own);
    return rec + gaussian_kl(mu, logvar);  // KL: on every shard alike
  }
};

// How a step uses the threads: kOps splits each op (gemm, the elementwise
// kernels) over the pool; kBatch splits the batch's rows (DataParallel), one
// tape per thread. On 1 thread both are the same plain tape. kApart is not
// a way to train: it does the work of a kBatch step, each thread its own
// share (the forward and backward of half the batch, Adam on half of every
// parameter), but on memory of its own (its own copy of the model, its own
// Adam over half-sized parameters), so nothing is shared or summed. It
// measures what two cores of this machine give when they share nothing:
// a ceiling for any way of splitting the batch.
// kModel splits every weight: one shard of the model per thread
// (hg::ShardGroup), each with its own tape and its own Adam.
enum class Split { kOps, kBatch, kApart, kModel };

// Times step() in the benchmark loop, after 3 warm-up steps (buffers reach
// their size), counting heap allocations; then reports the counters and
// puts the pool back to 1 thread.
template <class Step>
void measure(benchmark::State& state, double flops, const Step& step) {
  for (int i = 0; i < 3; ++i) step();
  const long allocs0 = hg::bench::heap_allocations();
  long steps = 0;
  for (auto _ : state) {
    step();
    ++steps;
  }
  const long allocs = hg::bench::heap_allocations() - allocs0;
  hg::kernels::set_num_threads(1);
  using C = benchmark::Counter;
  state.counters["samples/s"] = C(kBatch, C::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = C(flops * 1e-9, C::kIsIterationInvariantRate);
  state.counters["pct_peak"] =
      C(flops * 1e-9 * 100.0 / g_peak_gflops, C::kIsIterationInvariantRate);
  state.counters["allocs/step"] = C(steps ? double(allocs) / double(steps) : 0.0);
}

// kApart: `threads` copies of the model, each trained on its share of the
// batch's rows by its own thread; counted as one step of the whole batch.
template <class Model>
void apart_steps(benchmark::State& state, int threads) {
  hg::kernels::set_num_threads(threads);
  struct Copy {
    hg::Rng rng;
    Model model;
    hg::ParameterList whole;
    std::vector<hg::Parameter> part;  // 1/threads of each parameter, own memory
    hg::ParameterList part_list;
    std::unique_ptr<hg::Adam> opt;    // the update of this thread's share
    hg::Tensor rows;
    hg::Tape tape;
    Copy(std::uint64_t seed, int n, int threads) : rng(seed), model(rng), rows(hg::Shape{n, 784}) {
      rng.fill_uniform(rows, 0.0f, 1.0f);
      whole = model.params();
      part.reserve(whole.size());
      for (const hg::Parameter* p : whole) {
        const int size = static_cast<int>(p->value.size()) / threads + 1;
        part.emplace_back(p->name, hg::Tensor(hg::Shape{size}, 0.01f));
        part_list.push_back(&part.back());
      }
      opt = std::make_unique<hg::Adam>(part_list, hg::AdamOptions{.lr = 1e-3f});
    }
    void step() {  // inside a parallel_for chunk: every kernel runs serially
      for (hg::Parameter* p : whole) p->grad.zero();
      tape.clear();
      tape.backward(model.loss(tape.input(rows), rng));
      for (std::size_t i = 0; i < part.size(); ++i)  // in place of the sum: a copy
        std::copy_n(whole[i]->grad.data(), part[i].grad.size() - 1, part[i].grad.data());
      opt->step();
    }
  };
  std::vector<std::unique_ptr<Copy>> copies;
  for (int c = 0; c < threads; ++c)
    copies.push_back(std::make_unique<Copy>(
        1 + c, kBatch * (c + 1) / threads - kBatch * c / threads, threads));
  measure(state, Model::flops(), [&] {
    hg::kernels::parallel_for(0, threads, [&](int c0, int c1) {
      for (int c = c0; c < c1; ++c) copies[static_cast<std::size_t>(c)]->step();
    });
  });
}

// kModel: the model cut into `threads` shards, each trained by its thread
// on the whole batch (its own tape, its own Adam over its slices).
template <class Model>
void model_steps(benchmark::State& state, int threads) {
  using Shards = typename Model::Shards;
  hg::kernels::set_num_threads(threads);
  hg::Rng rng(1);
  Model whole(rng);
  hg::ShardGroup group(threads);
  std::vector<std::unique_ptr<Shards>> shards;
  std::vector<std::unique_ptr<hg::Adam>> opts;
  for (int t = 0; t < threads; ++t) {
    shards.push_back(std::make_unique<Shards>(whole, t, threads));
    opts.push_back(std::make_unique<hg::Adam>(shards.back()->params(),
                                              hg::AdamOptions{.lr = 1e-3f}));
  }
  hg::Tensor images(hg::Shape{kBatch, 784});
  rng.fill_uniform(images, 0.0f, 1.0f);
  measure(state, Model::flops(), [&] {
    group.run(rng, [&](hg::Shard& s) {
      const auto t = static_cast<std::size_t>(s.rank());
      opts[t]->zero_grad();
      s.tape.clear();
      s.tape.backward(shards[t]->loss(s, images, s.rng));
      opts[t]->step();
    });
  });
}

template <class Model>
void train_step(benchmark::State& state, int threads, Split split) {
  if (split == Split::kApart) return apart_steps<Model>(state, threads);
  if (split == Split::kModel) return model_steps<Model>(state, threads);
  hg::kernels::set_num_threads(threads);
  hg::Rng rng(1);
  Model model(rng);
  hg::Adam opt(model.params(), {.lr = 1e-3f});
  hg::Tensor images(hg::Shape{kBatch, 784});
  rng.fill_uniform(images, 0.0f, 1.0f);
  hg::Tape tape;
  hg::DataParallel dp(model.params());
  measure(state, Model::flops(), [&] {
    opt.zero_grad();
    if (split == Split::kOps) {
      tape.clear();
      Var loss = model.loss(tape.input(images), rng);
      tape.backward(loss);
    } else {
      dp.backward(images, rng, [&](hg::Tape& t, const hg::Tensor& rows, hg::Rng& r) {
        return model.loss(t.input(rows), r);
      });
    }
    opt.step();
  });
}

void register_model(const char* name, void (*fn)(benchmark::State&, int, Split)) {
  struct Row {
    int threads;
    Split split;
    const char* suffix;
  };
  for (const Row& r :
       {Row{1, Split::kOps, ""}, Row{2, Split::kOps, "/split_ops"},
        Row{2, Split::kBatch, "/split_batch"},
        Row{2, Split::kModel, "/split_model"},
        Row{2, Split::kApart, "/apart_ceiling"}}) {
    const std::string n = std::string("train_step/") + name + "/threads:" +
                          std::to_string(r.threads) + r.suffix;
    auto* b = benchmark::RegisterBenchmark(
        n.c_str(), [fn, r](benchmark::State& s) { fn(s, r.threads, r.split); });
    b->Unit(benchmark::kMicrosecond);
    if (r.threads > 1) b->UseRealTime();  // CPU time would miss the worker
  }
}

// The console output, then a table of speed-ups: for each model, every
// 2-thread row's samples/s over the 1-thread row's. A row's figure is its
// median aggregate if the run has repetitions, else its one result.
class SpeedupReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const auto it = r.counters.find("samples/s");
      if (r.error_occurred || it == r.counters.end()) continue;
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Aggregate && !median) continue;
      // "train_step/deep_784_256_64/threads:2/split_batch" → model, way
      const std::string name = r.run_name.function_name;
      const std::size_t a = name.find('/') + 1, b = name.find('/', a);
      const std::string model = name.substr(a, b - a), way = name.substr(b + 1);
      Figure& f = figures_[model][way];
      if (median || !f.from_median) f = Figure{double(it->second), median};
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    bool header = false;
    for (const auto& [model, ways] : figures_) {
      const auto one = ways.find("threads:1");
      if (one == ways.end() || one->second.samples <= 0.0 || ways.size() < 2)
        continue;  // nothing to compare
      if (!header)
        std::printf(
            "\nspeed-up over one thread (samples/s; medians if repeated):\n");
      header = true;
      std::printf("  %-18s", model.c_str());
      for (const char* split :
           {"split_ops", "split_batch", "split_model", "apart_ceiling"})
        for (const auto& [way, f] : ways)
          if (way.find(split) != std::string::npos)
            std::printf("  %s %.2f×", split, f.samples / one->second.samples);
      std::printf("\n");
    }
  }

 private:
  struct Figure {
    double samples = 0.0;
    bool from_median = false;
  };
  std::map<std::string, std::map<std::string, Figure>> figures_;
};

// True unless the command line asks for another output format than the
// console's (the table is for people, not for csv or json readers).
bool console_format(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--benchmark_format=", 19) == 0 &&
        std::strcmp(argv[i] + 19, "console") != 0)
      return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool console = console_format(argc, argv);
  // The notes go to stdout with the console table, to stderr when stdout
  // carries csv or json.
  FILE* notes = console ? stdout : stderr;
  g_peak_gflops = hg::bench::measure_peak_gflops();
  std::fprintf(notes, "single-core fp32 FMA peak: %.1f GFLOP/s\n",
               g_peak_gflops);
  // Where the host has put the two threads moves the 2-thread rows more
  // than anything in the code does (placement.hpp; docs/performance.md, "A
  // shared virtual machine"); and it may move them during the run, so look
  // again at the end.
  const hg::bench::Placement before = hg::bench::measure_placement();
  std::fprintf(notes, "two threads at the start: %s\n",
               before.describe().c_str());
  register_model("vanilla_784_32", train_step<Vanilla>);
  register_model("deep_784_256_64", train_step<Deep>);
  register_model("vae_784_400_20", train_step<Vae>);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (console) {
    SpeedupReporter reporter(isatty(fileno(stdout)) ? SpeedupReporter::OO_Color
                                                    : SpeedupReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  const hg::bench::Placement after = hg::bench::measure_placement();
  std::fprintf(notes, "\ntwo threads at the end: %s\n",
               after.describe().c_str());
  using Kind = hg::bench::Placement::Kind;
  const Kind first = before.kind(), last = after.kind();
  if (first == Kind::kBusy || last == Kind::kBusy)
    std::fprintf(notes,
                 "other programs ran beside this one: its rows include "
                 "their time\n");
  else if (first != last)
    std::fprintf(
        notes,
        "the host moved the two threads during the run: the 2-thread rows "
        "mix two placements\n");
  return 0;
}
