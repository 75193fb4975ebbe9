// Lesson 3 — stacked autoencoders: greedy layer-wise pretraining
// ==============================================================
//
// What you will build
//   A deep autoencoder 784-256-64-32-64-256-784, trained in two ways, and
//   an honest comparison of the two:
//
//   1. Greedy, layer by layer. Train a shallow autoencoder 784-256-784 on
//      the images. Freeze its encoder and turn every image into its 256-unit
//      code h¹. Train a second shallow autoencoder 256-64-256 on those
//      codes, then a third 64-32-64 on the codes h² of the second. Each
//      floor only ever solves an easy, one-hidden-layer problem:
//          floor k:  h^k = f(W_k h^{k−1} + b_k),   ĥ^{k−1} = g(V_k h^k + c_k)
//                    L_k = ‖h^{k−1} − ĥ^{k−1}‖²,   with h^0 = x
//      (Hinton & Salakhutdinov 2006 built their floors from RBMs,
//      https://www.science.org/doi/10.1126/science.1127647; Bengio et al.
//      2007, https://papers.nips.cc/paper/3048, showed that shallow
//      autoencoders do the job as well.)
//   2. Stack the encoders, then the decoders in mirror order,
//          x → W_1 → W_2 → W_3 → z → V_3 → V_2 → V_1 → x̂
//      and fine-tune the whole network on L = ‖x − x̂‖² by backpropagation.
//   3. The same network trained end to end from a random start, for as many
//      epochs as steps 1 and 2 used together.
//
// What is new
//   Lesson 02 trained a deep autoencoder in one go. Here the depth is built
//   up a floor at a time, and the weights the floors learn alone become the
//   starting point of the deep network: pretraining as initialisation.
//   Optionally the decoder of each floor reuses its encoder's weights
//   transposed (tied weights, --tied).
//
// How to run it
//   scripts/lesson 03_stacked                      full run, about 30 s
//   scripts/lesson 03_stacked --quick              a few seconds
//   scripts/lesson 03_stacked --activation relu    the modern recipe
//   scripts/lesson 03_stacked --optimizer sgd      closer to the 2006 recipe
//   scripts/lesson 03_stacked --tied               decoder = encoderᵀ
//
// What to look for
//   - curves.svg: the greedy stack's error jumps up each time a floor is
//     added (a narrower code, and errors of the floors add up), then
//     fine-tuning brings it down in a few epochs.
//   - Pretrained-only, fine-tuned and from-scratch test errors side by side,
//     and PCA(32) as the linear bar. Which of the last two wins depends on
//     the recipe: read step 7 and try the flags.
//   - filters_pretrained.png against filters_scratch.png: 64 of the 256
//     first-layer filters. After pretraining nearly every one shows a
//     garment outline (shoulders, sleeves, trouser legs) under a speckle of
//     noise; in the deep sigmoid net trained from scratch a few are smooth
//     templates and many still look like plain noise. Yet the median change
//     of the filters, printed in step 6, is about as large for both: moving
//     is not learning. (Adam steps every weight by about η whatever the
//     size of its gradient, so even weights with weak, noisy gradients
//     travel far without settling on a feature.)
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"

using hg::Var;

enum class Activation { Sigmoid, Relu };

Var activate(Var t, Activation f) {
  return f == Activation::Sigmoid ? sigmoid(t) : relu(t);
}

// ---------------------------------------------------------------------------
// One floor: a shallow autoencoder in → out → in. It is trained alone during
// pretraining and becomes one encoder and one decoder layer of the stack.
//   encode:  h' = f(W h + b)          W: (out, in),  b: (1, out)
//   decode:  ĥ  = g(V h' + c)         V: (in, out),  c: (1, in)
// Tied weights: V = Wᵀ. The decoder then has no matrix of its own; the
// product h'·W (B, out)·(out, in) uses W as stored, and the tape adds the
// gradients of both uses into the one W:  dW = dW_encoder + dW_decoderᵀ.
// Half the weights, and encoder and decoder cannot drift apart.
struct Floor {
  hg::Linear enc;
  hg::Parameter V, c;  // V unused when tied
  bool tied;
  Activation f, g;     // g: sigmoid for the pixel floor, f otherwise

  Floor(int in, int out, bool tied_, Activation f_, Activation g_, hg::Rng& rng,
        const std::string& name)
      : enc(in, out, rng, f_ == Activation::Relu ? hg::Init::He : hg::Init::Xavier,
            name + ".enc"),
        V(name + ".dec.W", hg::Tensor({in, out})),
        c(name + ".dec.b", hg::Tensor({1, in})),
        tied(tied_), f(f_), g(g_) {
    hg::init_weights(V.value, f == Activation::Relu ? hg::Init::He : hg::Init::Xavier,
                     out, in, rng);
  }

  Var encode(Var h) { return activate(enc(h), f); }
  Var decode(Var z) {
    hg::Tape& tape = z.tape();
    Var pre = tied ? matmul(z, tape.param(enc.W())) + tape.param(c)  // z·W + c
                   : linear(z, tape.param(V), tape.param(c));        // z·Vᵀ + c
    return activate(pre, g);
  }
  Var reconstruct(Var h) { return decode(encode(h)); }

  hg::ParameterList params() {
    return tied ? hg::params(enc, c) : hg::params(enc, V, c);
  }
};

// The stack: floors 0..depth−1 encode in order and decode in mirror order.
// With depth < floors.size() it is the partial stack built so far.
struct StackedAutoencoder {
  std::vector<Floor> floors;

  StackedAutoencoder(const std::vector<int>& sizes, bool tied, Activation f,
                     hg::Rng& rng) {
    floors.reserve(sizes.size() - 1);  // never reallocate: optimizers point in
    for (std::size_t k = 0; k + 1 < sizes.size(); ++k)
      floors.emplace_back(sizes[k], sizes[k + 1], tied, f,
                          k == 0 ? Activation::Sigmoid : f, rng,
                          "floor" + std::to_string(k + 1));
  }

  Var reconstruct(Var x, std::size_t depth) {
    for (std::size_t k = 0; k < depth; ++k) x = floors[k].encode(x);
    for (std::size_t k = depth; k-- > 0;) x = floors[k].decode(x);
    return x;
  }
  Var reconstruct(Var x) { return reconstruct(x, floors.size()); }

  hg::ParameterList params() {
    hg::ParameterList all;
    for (Floor& fl : floors) all = hg::params(all, fl);
    return all;
  }
};

// ---------------------------------------------------------------------------
// Training, the same loop as lesson 01 for any model with reconstruct():
// forward on the tape, L = (1/B) Σ ‖h − ĥ‖², backward, one optimizer step.
template <class Model>
double train_epoch(Model& model, hg::Optimizer& opt, const hg::Dataset& train,
                   int batch_size, hg::Rng& rng, hg::Tape& tape, int epoch,
                   int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var h = tape.input(batch.images);
    Var loss = mse(model.reconstruct(h), h);
    opt.zero_grad();
    tape.backward(loss);
    opt.step();
    loss_sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  return loss_sum / seen;
}

// Runs `data` through `fn` (forward only) in batches of 500, in order, and
// returns the outputs stacked: (N, width of fn's output).
template <class Fn>
hg::Tensor forward_all(const hg::Dataset& data, hg::Tape& tape, Fn fn) {
  hg::Tensor out;
  std::size_t at = 0;
  hg::Batches eval(data, 500);
  for (const hg::Batch& batch : eval) {
    tape.clear();
    Var y = fn(tape.input(batch.images));
    if (out.empty()) out = hg::Tensor({data.size(), y.shape().cols()});
    std::copy(y.value().begin(), y.value().end(), out.begin() + at);
    at += y.value().size();
  }
  return out;
}

// The codes of a frozen floor, as a data set the next floor trains on.
hg::Dataset codes_of(Floor& floor, const hg::Dataset& in, hg::Tape& tape) {
  hg::Dataset codes = in;
  codes.images = forward_all(in, tape, [&](Var h) { return floor.encode(h); });
  codes.height = 1;
  codes.width = codes.images.cols();
  return codes;
}

// Test error per pixel as in lesson 01 (hg::error_per_pixel): mean over
// images and pixels of (x − x̂)².
hg::Tensor reconstruct_all(StackedAutoencoder& ae, const hg::Dataset& data,
                           hg::Tape& tape, std::size_t depth) {
  return forward_all(data, tape, [&](Var x) { return ae.reconstruct(x, depth); });
}
double stack_error(StackedAutoencoder& ae, const hg::Dataset& data,
                   hg::Tape& tape, std::size_t depth) {
  return hg::error_per_pixel(data.images, reconstruct_all(ae, data, tape, depth));
}

struct Recipe {
  std::string optimizer;  // "adam" or "sgd"
  float lr, sgd_lr;
};
std::unique_ptr<hg::Optimizer> make_optimizer(hg::ParameterList p,
                                              const Recipe& r) {
  if (r.optimizer == "sgd")
    return std::make_unique<hg::SGD>(p, hg::SGDOptions{.lr = r.sgd_lr, .momentum = 0.9f});
  return std::make_unique<hg::Adam>(p, hg::AdamOptions{.lr = r.lr});
}

// "256,64,32" → {784, 256, 64, 32}
std::vector<int> parse_sizes(int pixels, const std::string& text) {
  std::vector<int> sizes{pixels};
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    int n = 0;
    try {
      n = std::stoi(item);
    } catch (const std::exception&) {
      n = 0;
    }
    hg::check(n >= 1 && n <= 4096, "03_stacked: --layers expects sizes in "
              "[1, 4096] separated by commas, like 256,64,32; got \"", text, "\"");
    sizes.push_back(n);
  }
  hg::check(sizes.size() >= 2, "03_stacked: --layers needs at least one size, got \"",
            text, "\"");
  return sizes;
}

// The first `n` rows of a matrix: a few filters of a big layer.
hg::Tensor first_rows(const hg::Tensor& W, int n) {
  n = std::min(n, W.rows());
  hg::Tensor out({n, W.cols()});
  std::copy(W.begin(), W.begin() + out.size(), out.begin());
  return out;
}

// How far training moved a layer's filters from where they started: for
// each row (unit) j, ‖w_j − w⁰_j‖ / ‖w⁰_j‖, and the median over the units.
// The median, not the whole-matrix norm: a few filters that grew large
// would otherwise hide many that the gradient hardly reached (near 0).
double median_filter_change(const hg::Tensor& W, const hg::Tensor& W0) {
  std::vector<double> change;
  for (int j = 0; j < W.rows(); ++j) {
    double moved = 0, start = 0;
    for (int i = 0; i < W.cols(); ++i) {
      const double d = W.at(j, i) - W0.at(j, i);
      moved += d * d;
      start += double(W0.at(j, i)) * W0.at(j, i);
    }
    change.push_back(std::sqrt(moved / start));
  }
  std::nth_element(change.begin(), change.begin() + change.size() / 2, change.end());
  return change[change.size() / 2];
}

int main(int argc, char** argv) {
  std::string layers = "256,64,32", activation = "sigmoid", optimizer = "adam";
  int pretrain_epochs = 3;
  float sgd_lr = 0.01f;
  bool tied = false;
  hg::LessonInfo info{
      .name = "03_stacked",
      .summary = "greedy layer-wise pretraining, then fine-tuning, against "
                 "the same deep autoencoder trained from scratch",
      .epochs = 6,
      .batch_size = 128,
      .lr = 1e-3f,
      .flags = {hg::flag("layers", &layers, "encoder sizes after the 784 "
                         "pixels, the last is the code (default 256,64,32)"),
                hg::flag("activation", &activation,
                         "hidden units: sigmoid or relu (default sigmoid)"),
                hg::flag("optimizer", &optimizer,
                         "adam (uses --lr) or sgd with momentum 0.9 (uses --sgd-lr)"),
                hg::flag("sgd-lr", &sgd_lr, "learning rate of SGD", 1e-6, 100),
                hg::flag("pretrain-epochs", &pretrain_epochs,
                         "epochs per floor in greedy pretraining", 1, 1000),
                hg::flag("tied", &tied, "decoder weights = encoder weights transposed")}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::check(activation == "sigmoid" || activation == "relu",
              "03_stacked: --activation expects sigmoid or relu, got \"", activation, "\"");
    hg::check(optimizer == "adam" || optimizer == "sgd",
              "03_stacked: --optimizer expects adam or sgd, got \"", optimizer, "\"");
    const Activation f = activation == "relu" ? Activation::Relu : Activation::Sigmoid;
    const Recipe recipe{optimizer, opt.lr, sgd_lr};
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    // As in lesson 01: 55,000 training images, 5,000 for validation, and the
    // 10,000 test images kept for the end. Pixels in [0, 1].
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const std::vector<int> sizes = parse_sizes(data.train.pixels(), layers);
    const std::size_t depth = sizes.size() - 1;
    const int code_size = sizes.back();
    std::printf("train %d, validation %d, test %d images%s; network", data.train.size(),
                data.validation.size(), data.test.size(),
                data.synthetic ? " (synthetic shapes)" : "");
    for (int s : sizes) std::printf(" %d", s);
    for (std::size_t k = depth; k-- > 0;) std::printf(" %d", sizes[k]);
    std::printf(", %s units, %s%s\n", activation.c_str(), optimizer.c_str(),
                tied ? ", tied weights" : "");

    // -----------------------------------------------------------------------
    lesson.step(2, "Two bars to clear: the mean image and PCA");
    // Predicting the average training image for every input is what a
    // network that learned nothing about the individual image does; PCA with
    // as many components as the code is the best linear autoencoder
    // (lesson 01). A deep network is worth its depth only below PCA.
    hg::Tensor mean_image({data.test.size(), data.test.pixels()});
    {
      std::vector<double> mu(data.train.pixels(), 0.0);
      for (int i = 0; i < data.train.size(); ++i)
        for (int j = 0; j < data.train.pixels(); ++j)
          mu[j] += data.train.images.at(i, j) / data.train.size();
      for (int i = 0; i < data.test.size(); ++i)
        for (int j = 0; j < data.test.pixels(); ++j)
          mean_image.at(i, j) = static_cast<float>(mu[j]);
    }
    const double mean_error = hg::error_per_pixel(data.test.images, mean_image);
    hg::PCA pca = hg::fit_pca(data.train.images, code_size);
    const hg::Tensor pca_images = pca.reconstruct(data.test.images);
    const double pca_error = hg::error_per_pixel(data.test.images, pca_images);
    std::printf("test error per pixel: mean image %.5f, PCA(%d) %.5f\n",
                mean_error, code_size, pca_error);

    // -----------------------------------------------------------------------
    lesson.step(3, "Greedy pretraining, one floor at a time");
    // Floor k learns to reconstruct h^{k−1}, the codes the frozen floors
    // below it produce; its loss is ‖h^{k−1} − ĥ^{k−1}‖², summed over the
    // units. The upper floors' decoders use f too, since the codes they give
    // back are f's outputs (in (0, 1) for σ, ≥ 0 for relu); only floor 1's
    // decoder ends in σ, for pixels. Each problem is shallow, so its
    // gradients are strong: no signal has to travel through six layers of
    // sigmoids, each of which multiplies the gradient by σ'(t) ≤ 1/4. After
    // each epoch we also measure the partial stack (floors 1..k, encoders up
    // and decoders down) on the validation images, in pixels: the greedy
    // network as it grows.
    StackedAutoencoder stacked(sizes, tied, f, rng);
    const hg::Tensor W1_start = stacked.floors[0].enc.W().value;
    std::vector<hg::Series> floor_curves;
    hg::Series greedy{"greedy stack", {}, {}};
    hg::Dataset inputs = data.train;  // h^0 = x
    hg::Rng pre_rng(opt.seed + 1);
    double first_floor_error = 0;
    for (std::size_t k = 0; k < depth; ++k) {
      Floor& floor = stacked.floors[k];
      std::printf("floor %zu: %d-%d-%d on %s\n", k + 1, sizes[k], sizes[k + 1],
                  sizes[k], k == 0 ? "the images" : "the codes below");
      auto floor_opt = make_optimizer(floor.params(), recipe);
      hg::Series curve{"floor " + std::to_string(k + 1) + " (" +
                           std::to_string(sizes[k]) + "-" + std::to_string(sizes[k + 1]) + ")",
                       {}, {}};
      for (int e = 1; e <= pretrain_epochs; ++e) {
        const double loss = train_epoch(floor, *floor_opt, inputs, opt.batch_size,
                                        pre_rng, tape, e, pretrain_epochs);
        curve.x.push_back(e);
        curve.y.push_back(loss / sizes[k]);  // per unit of the floor's input
        greedy.x.push_back(double(k) * pretrain_epochs + e);
        greedy.y.push_back(stack_error(stacked, data.validation, tape, k + 1));
      }
      floor_curves.push_back(curve);
      if (k == 0) first_floor_error = stack_error(stacked, data.test, tape, 1);
      if (k + 1 < depth) inputs = codes_of(floor, inputs, tape);  // freeze, encode
    }
    hg::save_svg(lesson.out_path("pretraining.svg"),
                 hg::LinePlot{.title = "Lesson 3: each floor's own training loss",
                              .x_label = "epoch of that floor",
                              .y_label = "squared error per input unit",
                              .series = floor_curves,
                              .log_y = true});
    // Each row of W_1 is a 28×28 pattern, learned by the first floor alone.
    // Pixels that are 0 in nearly every image (the corners) give their
    // weights no gradient (dW = dyᵀ·x), so those keep their random start:
    // the speckle around each template.
    const hg::Tensor W1_pretrained = stacked.floors[0].enc.W().value;
    hg::write_png(lesson.out_path("filters_pretrained.png"),
                  hg::filter_grid(first_rows(stacked.floors[0].enc.W().value, 64),
                                  data.test.height, data.test.width, 16,
                                  hg::FilterScale::Symmetric, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(4, "Stack the floors: the deep autoencoder, before fine-tuning");
    // Encoders up, decoders down: x → h¹ → h² → z → ĥ² → ĥ¹ → x̂. No floor
    // was trained for this: the top decoder gives back an approximate ĥ²,
    // and each floor below decodes an input it never quite saw. Errors add
    // up on the way down, so the stack is worse than any floor alone.
    const hg::Tensor pretrained_images = reconstruct_all(stacked, data.test, tape, depth);
    const double pretrained_error = hg::error_per_pixel(data.test.images, pretrained_images);
    std::printf("test error per pixel: floor 1 alone %.5f, whole stack %.5f\n",
                first_floor_error, pretrained_error);

    // -----------------------------------------------------------------------
    lesson.step(5, "Fine-tune the whole stack end to end");
    // Now one loss, L = ‖x − x̂‖² in pixels, and backpropagation through all
    // 2·depth layers at once. The floors start where pretraining left them,
    // so the decoders quickly learn to undo the encoders as a whole.
    auto finetune_opt = make_optimizer(stacked.params(), recipe);
    const double pretrain_total = double(depth) * pretrain_epochs;
    hg::Series finetune{"fine-tuning", {pretrain_total}, {}};
    finetune.y.push_back(stack_error(stacked, data.validation, tape, depth));
    hg::Rng ft_rng(opt.seed + 2);
    for (int e = 1; e <= opt.epochs; ++e) {
      train_epoch(stacked, *finetune_opt, data.train, opt.batch_size, ft_rng,
                  tape, e, opt.epochs);
      finetune.x.push_back(pretrain_total + e);
      finetune.y.push_back(stack_error(stacked, data.validation, tape, depth));
    }
    const hg::Tensor finetuned_images = reconstruct_all(stacked, data.test, tape, depth);
    const double finetuned_error = hg::error_per_pixel(data.test.images, finetuned_images);
    const double w1_pretrain_change = median_filter_change(W1_pretrained, W1_start);
    const double w1_finetune_change =
        median_filter_change(stacked.floors[0].enc.W().value, W1_pretrained);
    hg::write_png(lesson.out_path("filters_finetuned.png"),
                  hg::filter_grid(first_rows(stacked.floors[0].enc.W().value, 64),
                                  data.test.height, data.test.width, 16,
                                  hg::FilterScale::Symmetric, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(6, "The same network from a random start, same number of epochs");
    // The fair comparison: the same sizes, activations and optimizer, trained
    // end to end from the first epoch for depth·pretrain + fine-tune epochs.
    // (An epoch of an upper floor is cheaper than an epoch of the whole
    // network, so this even gives the scratch network more computation.)
    const int scratch_epochs = static_cast<int>(pretrain_total) + opt.epochs;
    StackedAutoencoder scratch(sizes, tied, f, rng);
    const hg::Tensor W1_scratch_start = scratch.floors[0].enc.W().value;
    auto scratch_opt = make_optimizer(scratch.params(), recipe);
    hg::Series from_scratch{"from scratch", {}, {}};
    hg::Rng sc_rng(opt.seed + 3);
    for (int e = 1; e <= scratch_epochs; ++e) {
      train_epoch(scratch, *scratch_opt, data.train, opt.batch_size, sc_rng,
                  tape, e, scratch_epochs);
      from_scratch.x.push_back(e);
      from_scratch.y.push_back(stack_error(scratch, data.validation, tape, depth));
    }
    const hg::Tensor scratch_images = reconstruct_all(scratch, data.test, tape, depth);
    const double scratch_error = hg::error_per_pixel(data.test.images, scratch_images);
    const double w1_scratch_change =
        median_filter_change(scratch.floors[0].enc.W().value, W1_scratch_start);
    std::printf("first-layer filters moved (median ‖w − w⁰‖/‖w⁰‖): by "
                "pretraining %.3f, then by fine-tuning %.3f; from scratch %.3f\n",
                w1_pretrain_change, w1_finetune_change, w1_scratch_change);
    hg::write_png(lesson.out_path("filters_scratch.png"),
                  hg::filter_grid(first_rows(scratch.floors[0].enc.W().value, 64),
                                  data.test.height, data.test.width, 16,
                                  hg::FilterScale::Symmetric, {.scale = 2}));

    hg::save_svg(lesson.out_path("curves.svg"),
                 hg::LinePlot{.title = "Lesson 3: validation error per pixel",
                              .x_label = "epochs spent",
                              .y_label = "mean (x - x̂)²",
                              .series = {greedy, finetune, from_scratch,
                                         {"PCA (k = code size)",
                                          {1.0, double(scratch_epochs)},
                                          {pca_error, pca_error}}},
                              .log_y = true});
    // Five rows per group: originals, pretrained stack, fine-tuned stack,
    // from scratch, PCA; the first 12 test images.
    const int shown = std::min(12, data.test.size());
    const hg::Tensor* rows[] = {&data.test.images, &pretrained_images,
                                &finetuned_images, &scratch_images, &pca_images};
    const int px = data.test.pixels();
    hg::Tensor tiles({5 * shown, px});
    for (int r = 0; r < 5; ++r)
      std::copy(rows[r]->begin(), rows[r]->begin() + std::size_t(shown) * px,
                tiles.begin() + std::size_t(r) * shown * px);
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::image_grid(tiles, data.test.height, data.test.width, 5,
                                 shown, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(7, "The numbers, and which recipe wins");
    // Why pretraining was invented: in a deep sigmoid network trained by
    // plain gradient descent, the gradient reaching the first layers is a
    // product of many factors σ'(t) ≤ 1/4 and small weights, so those layers
    // barely move from a random start, and the net settles on a poor
    // solution (often close to the mean image). Pretraining hands every
    // layer weights that already describe its input, so fine-tuning starts
    // in a good basin. With ReLU units (gradient 1 where active), careful
    // initialisation (Xavier/He) and Adam (which rescales every weight's
    // step by its own gradient size), vanishing gradients are much less of
    // a problem, and end-to-end training for the same number of epochs
    // often catches up or wins: it spends every epoch on the loss that is
    // actually measured, while greedy pretraining spends most of them on
    // proxy losses. Run with --optimizer sgd, and with --activation relu, to
    // see both sides; the verdict below is computed, not assumed. On full
    // Fashion-MNIST (lessons/README.md) sigmoid units favour pretraining
    // with Adam and with SGD alike, while relu + Adam from scratch edges
    // ahead. One caution: with SGD at --sgd-lr 0.1 the floors pretrain well
    // but fine-tuning the deep stack diverges to the mean image, while the
    // scratch net trains fine: a step size has to suit the deep network,
    // not just each floor.
    // gain > 0: the pretrained net's error is that fraction below the
    // scratch net's; gain < 0: the scratch net's is that fraction below.
    const double gain = (scratch_error - finetuned_error) /
                        std::max(scratch_error, finetuned_error);
    std::printf("test error per pixel: pretrained only %.5f, fine-tuned %.5f, "
                "from scratch %.5f, PCA %.5f\n",
                pretrained_error, finetuned_error, scratch_error, pca_error);
    if (finetuned_error > pretrained_error)
      std::printf("note: fine-tuning made the stack WORSE than pretraining alone: "
                  "the step size that suits one shallow floor is too large for "
                  "the deep network (try a smaller --lr or --sgd-lr)\n");
    if (gain > 0.02)
      std::printf("verdict: pretraining + fine-tuning wins, %.0f%% lower test "
                  "error than from scratch\n", 100 * gain);
    else if (gain < -0.02)
      std::printf("verdict: training from scratch wins, %.0f%% lower test error "
                  "than pretraining + fine-tuning\n", -100 * gain);
    else
      std::printf("verdict: a draw (within 2%%) here\n");
    lesson.result("code_size", "code size", code_size);
    lesson.result("depth", "floors (encoder layers)", double(depth));
    lesson.result("relu", "relu units (0 = sigmoid)", f == Activation::Relu);
    lesson.result("tied", "tied weights (0 = untied)", tied);
    lesson.result("pretrain_epochs", "pretraining epochs per floor", pretrain_epochs);
    lesson.result("finetune_epochs", "fine-tuning epochs", opt.epochs);
    lesson.result("scratch_epochs", "from-scratch epochs", scratch_epochs);
    lesson.result("mean_test_error", "mean image: test error per pixel", mean_error);
    lesson.result("pca_test_error", "PCA: test error per pixel", pca_error);
    lesson.result("floor1_test_error", "floor 1 alone: test error per pixel",
                  first_floor_error);
    lesson.result("pretrained_test_error", "stack, pretrained only: test error",
                  pretrained_error);
    lesson.result("finetuned_test_error", "stack, fine-tuned: test error",
                  finetuned_error);
    lesson.result("scratch_test_error", "from scratch: test error", scratch_error);
    lesson.result("w1_pretrain_change", "W_1 filters moved by pretraining (median)",
                  w1_pretrain_change);
    lesson.result("w1_finetune_change", "W_1 filters moved by fine-tuning (median)",
                  w1_finetune_change);
    lesson.result("w1_scratch_change", "W_1 filters moved from scratch (median)",
                  w1_scratch_change);
    lesson.result("pretraining_gain", "(scratch − fine-tuned) / larger of the two", gain);
  });
}
