// Lesson 1 — the vanilla autoencoder
// ===================================
//
// What you will build
//   The smallest network that learns to compress: 784 pixels in, a code of
//   32 numbers in the middle, 784 pixels out. Nobody tells it what the code
//   should mean; it only learns to give back what it was given.
//
//       z  = σ(W_e x + b_e)        encoder: 784 → 32
//       x̂ = σ(W_d z + b_d)        decoder: 32 → 784
//       L  = ‖x − x̂‖²             squared error, summed over the pixels
//
// What is new
//   Everything: data, a model, a loss, two optimizers, and the baselines.
//   The tape and the optimizers were taken apart in lesson 00; here they
//   train, in the loop `train_epoch` below, which every later lesson reuses
//   (lessons/common.hpp holds the same loop).
//
// How to run it
//   scripts/lesson 01_vanilla                 the full run
//   scripts/lesson 01_vanilla --quick         a few hundred images, seconds
//   scripts/lesson 01_vanilla --step          pause after each step
//   scripts/lesson 01_vanilla --step=batch    ...and inside training
//   scripts/lesson 01_vanilla --resume        continue an interrupted run
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "common.hpp"
#include "hourglass/autodiff/guard.hpp"
#include "hourglass/hourglass.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model. Two Linear layers hold W_e (32×784), b_e, W_d (784×32), b_d.
// The decoder returns logits a = W_d z + b_d (the value before the last σ):
// the cross-entropy of step 6 wants them.
struct Autoencoder {
  hg::Linear encoder, decoder;
  Autoencoder(int pixels, int code_size, hg::Rng& rng)
      : encoder(pixels, code_size, rng, hg::Init::Xavier, "enc"),
        decoder(code_size, pixels, rng, hg::Init::Xavier, "dec") {}
  Var encode(Var x) { return sigmoid(encoder(x)); }         // z = σ(W_e x + b_e)
  Var decode_logits(Var z) { return decoder(z); }           // a = W_d z + b_d
  Var reconstruct(Var x) { return sigmoid(decode_logits(encode(x))); }  // x̂ = σ(a)
};

enum class LossKind { SquaredError, CrossEntropy, AbsoluteError };

// The loss of one batch, per image, as the tape will differentiate it:
//   squared error:   L = ‖x − σ(a)‖²
//   cross-entropy:   L = −Σ [x log σ(a) + (1 − x) log(1 − σ(a))]
//   absolute error:  L = ‖x − σ(a)‖₁
Var batch_loss(Autoencoder& ae, Var x, LossKind kind) {
  Var logits = ae.decode_logits(ae.encode(x));
  if (kind == LossKind::CrossEntropy) return bce_with_logits(logits, x);
  if (kind == LossKind::AbsoluteError) return mae(sigmoid(logits), x);
  return mse(sigmoid(logits), x);
}

// ---------------------------------------------------------------------------
// The training loop: one pass over the training set. For every mini-batch,
// record the forward pass on the tape, walk it backward for the gradients,
// let the optimizer move the weights. Returns the mean loss per image.
// (lessons::train_epoch in common.hpp is this loop; later lessons call it.)
double train_epoch(hg::Lesson& lesson, lessons::Run& run,
                   const hg::Dataset& train, int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  hg::Batches batches = hg::batches(train, run.batch_size, run.rng);
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : batches) {
    run.tape.clear();                          // reuse last step's memory
    Var loss = run.loss(run.tape, batch);      // forward: model and loss
    run.opt.zero_grad();                       // gradients accumulate: start at 0
    run.tape.backward(loss);                   // ∂L/∂w for every parameter
    // A NaN or Inf stops training here, naming the step, the op and the
    // tensor, before the optimizer can write it into the weights.
    hg::check_finite(run.tape, loss, ++run.steps);
    // --step=batch/epoch: keeps w (only then) to show ‖Δw‖/‖w‖ after the step.
    lessons::StepWatch watch(lesson, run, batch.index + 1 == batches.size());
    run.opt.step();                            // w ← w − (the optimizer's step)
    watch.after_step(loss.item(), epoch, batch.index + 1, batches.size());
    loss_sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  lessons::stop_after_epoch(lesson, run, epoch, epochs, loss_sum / seen);
  return loss_sum / seen;
}

// The yardstick every model is compared by: hg::error_per_pixel, the mean
// over images and pixels of (x − x̂)², i.e. the squared-error loss / 784.
double test_error(Autoencoder& ae, const hg::Dataset& data) {
  return lessons::error_per_pixel(data, [&](Var x) { return ae.reconstruct(x); });
}
hg::Tensor reconstruct_all(Autoencoder& ae, const hg::Dataset& data) {
  return lessons::forward_all(data.images, [&](Var x) { return ae.reconstruct(x); });
}

// Trains `ae` with `opt` on `kind` for `epochs` epochs through the loop
// above: SGD, Adam and the side runs all train here. Batches are shuffled by
// an Rng seeded with `seed`, so two runs with one seed see the same batches.
// A `checkpoint`ed run is saved after every epoch and resumes with --resume.
lessons::Curves fit(hg::Lesson& lesson, const std::string& name,
                    Autoencoder& ae, hg::Optimizer& opt,
                    const hg::LessonData& data, int epochs, LossKind kind,
                    std::uint64_t seed, bool checkpoint = false) {
  lessons::Run run{
      .name = name, .opt = opt, .batch_size = lesson.options().batch_size,
      .rng = hg::Rng(seed), .checkpoint = checkpoint,
      .settings = {{"code_size", std::to_string(ae.encoder.W().value.rows())}},
      .loss = [&](hg::Tape& tape, const hg::Batch& batch) {
        return batch_loss(ae, tape.input(batch.images), kind);  // x: (B, 784)
      }};
  return lessons::train(lesson, run, data.train, epochs,
                        [&] { return test_error(ae, data.validation); }, train_epoch);
}

// ---------------------------------------------------------------------------
// The steps. Each opens with what it does and what to look for.
struct Settings { int code_size = 32; float sgd_lr = 0.2f; int side_epochs = 3; };

hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng) {
  lesson.step(1, "Load Fashion-MNIST",
              "70,000 grayscale 28×28 images of clothes in ten classes, pixels "
              "in [0, 1]. 5,000 training images are kept aside for validation "
              "(to watch for overfitting); the test images are touched only "
              "to measure.");
  return lessons::load_data(lesson, rng);
}

struct Baselines { double mean_image, pca; hg::PCA fit; };

Baselines baselines(hg::Lesson& lesson, const hg::LessonData& data, int k) {
  lesson.step(2, "Two bars to clear: the mean image and PCA",
              "The mean image answers every input with the average training "
              "image: anything that learned something beats it. PCA keeps the "
              "k directions along which the images vary most: the best any "
              "linear encoder and decoder of size k can do on squared error. "
              "Look at how much of the variance k components keep.");
  const double mean_error = lessons::mean_image_error(data.train, data.test);
  hg::PCA pca = hg::fit_pca(data.train.images, k);
  const double pca_error =
      hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images));
  double kept = 0;
  for (int i = 0; i < pca.k(); ++i) kept += pca.explained_variance_ratio(i);
  std::printf("mean image: test error per pixel %.5f\n", mean_error);
  std::printf("PCA, %d components: %.1f%% of the variance kept, "
              "test error per pixel %.5f\n", k, 100 * kept, pca_error);
  lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
  lesson.result("pca_test_error", "PCA test error per pixel", pca_error);
  return {mean_error, pca_error, std::move(pca)};
}

// One step seen from inside: the tape of the first batch, forward and
// backward, listed and drawn (no update; training zeroes these gradients).
void show_tape(hg::Lesson& lesson, Autoencoder& ae, const hg::Dataset& train) {
  hg::Tape tape;
  hg::Batches in_order(train, lesson.options().batch_size);
  Var loss = batch_loss(ae, tape.input(in_order.load(0).images), LossKind::SquaredError);
  tape.backward(loss);
  std::printf("The tape of one step, on the first batch, after backward:\n");
  hg::print_tape(tape, std::cout, {.loss = loss, .gradients = true});
  hg::save_tape_svg(tape, lesson.out_path("tape.svg"), {.loss = loss, .gradients = true});
  lesson.figure("tape.svg", "one step's tape: x through the encoder's and the "
                "decoder's linear and sigmoid to the loss, which reads x "
                "again; every weight and bias gets its gradient back this way");
}

lessons::Curves train_sgd(hg::Lesson& lesson, const hg::LessonData& data,
                          Autoencoder& ae, const Settings& s, const Baselines& base) {
  lesson.step(3, "Train the autoencoder with plain SGD",
              "Stochastic gradient descent: w ← w − η ∂L/∂w on each mini-batch, "
              "one learning rate η for every weight whatever the size of its "
              "gradient. First, one step's tape, node by node; then watch "
              "the loss fall epoch by epoch; with "
              "--step=batch, watch each weight's gradient norm and how far "
              "one step moves it.");
  show_tape(lesson, ae, data.train);
  hg::SGD sgd(hg::params(ae.encoder, ae.decoder), {.lr = s.sgd_lr});
  lessons::Curves curves = fit(lesson, "sgd", ae, sgd, data, lesson.options().epochs,
                               LossKind::SquaredError, lesson.options().seed + 1, true);
  const double error = test_error(ae, data.test);
  lesson.result("sgd_test_error", "autoencoder (SGD) test error per pixel", error);
  lessons::warn_if_diverged(lesson, "SGD", error, "mean image", base.mean_image);
  return curves;
}

lessons::Curves train_adam(hg::Lesson& lesson, const hg::LessonData& data,
                           Autoencoder& ae, const Baselines& base) {
  lesson.step(4, "The same model from the same start, with Adam",
              "Adam keeps, per weight, a running mean of the gradient (m) and "
              "of its square (v), and steps by η·m̂/(√v̂ + ε): each weight gets "
              "a step scaled to its own gradient history. Same start, same "
              "batches as SGD: compare the two loss columns.");
  hg::Adam adam(hg::params(ae.encoder, ae.decoder), {.lr = lesson.options().lr});
  lessons::Curves curves = fit(lesson, "adam", ae, adam, data, lesson.options().epochs,
                               LossKind::SquaredError, lesson.options().seed + 1, true);
  const double error = test_error(ae, data.test);
  lesson.result("adam_test_error", "autoencoder (Adam) test error per pixel", error);
  lessons::warn_if_diverged(lesson, "Adam", error, "mean image", base.mean_image);
  lesson.result("adam_final_train_loss", "Adam: last epoch's loss per image",
                curves.train_loss.back());
  return curves;
}

void pictures(hg::Lesson& lesson, const hg::LessonData& data, Autoencoder& adam,
              const lessons::Curves& sgd_curves, const lessons::Curves& adam_curves,
              const Baselines& base) {
  lesson.step(5, "Look at what it learned",
              "Curves, reconstructions and the encoder's filters. Each row of "
              "W_e is a 28×28 pattern the encoder matches the image against: "
              "the features of the code.");
  const double epochs = lesson.options().epochs;
  hg::save_svg(lesson.out_path("loss.svg"),
               hg::LinePlot{.title = "Lesson 1: validation error per pixel",
                            .x_label = "epoch", .y_label = "mean (x - x̂)²",
                            .series = {{"SGD", sgd_curves.epoch, sgd_curves.val_error},
                                       {"Adam", adam_curves.epoch, adam_curves.val_error},
                                       {"PCA (k = code size)", {1.0, epochs},
                                        {base.pca, base.pca}}},
                            .log_y = true});
  lesson.figure("loss.svg", "validation error per epoch, SGD and Adam, with "
                "PCA's as a line: Adam's curve is below SGD's from the first "
                "epoch on and ends near the line");
  const hg::Dataset& test = data.test;
  const int shown = std::min(12, test.size());
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(test.images, reconstruct_all(adam, test),
                                 base.fit.reconstruct(test.images), test.height,
                                 test.width, shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "test images, the autoencoder's "
                "reconstructions (Adam), PCA's: both keep the shape and lose "
                "the fine print and the texture");
  hg::write_png(lesson.out_path("encoder_filters.png"),
                hg::filter_grid(adam.encoder.W().value, test.height, test.width,
                                8, hg::FilterScale::Symmetric, {.scale = 2}));
  lesson.figure("encoder_filters.png", "the rows of W_e as images: noisy "
                "patterns, some with the outline of a garment, several nearly "
                "flat (units with small weights)");
}

// ---------------------------------------------------------------------------
// Mean over images and pixels of |x − x̂|: the yardstick absolute error trains for.
double abs_error_per_pixel(const hg::Tensor& x, const hg::Tensor& x_hat) {
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += std::fabs(x[i] - x_hat[i]);
  return sum / double(x.size());
}

// Step 6's three side runs: the loss each trains on, its result key, its
// name in the table and in a warning, and whether |x − x̂| is reported.
struct SideRun { LossKind kind; std::string key, name, run; bool shows_abs; };
const SideRun side_runs[3] = {
    {LossKind::SquaredError, "mse", "squared error", "the squared-error side run", true},
    {LossKind::CrossEntropy, "bce", "cross-entropy", "the cross-entropy side run", false},
    {LossKind::AbsoluteError, "mae", "absolute error", "the absolute-error side run", true}};

void three_losses(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s,
                  const Baselines& base, hg::Rng& rng) {
  lesson.step(6, "Which loss? Squared error, cross-entropy, absolute error",
              "At the logit a, squared error pushes by 2(x̂ − x)·x̂(1 − x̂), which "
              "vanishes where the sigmoid saturates; cross-entropy by x̂ − x, "
              "which does not; absolute error by sign(x̂ − x)·x̂(1 − x̂), the same "
              "push for a small miss as a large one, so it aims at the median "
              "pixel, not the mean. Three short runs from one start, compared on "
              "squared and absolute error per pixel.");
  const Autoencoder start(data.train.pixels(), s.code_size, rng);
  const hg::Tensor& x = data.test.images;
  hg::Tensor out[3];  // their reconstructions of the test set
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 3; ++i) {
    const SideRun& side = side_runs[i];
    Autoencoder ae = start;  // one start, three losses
    hg::Adam adam(hg::params(ae.encoder, ae.decoder), {.lr = lesson.options().lr});
    fit(lesson, side.key, ae, adam, data, s.side_epochs, side.kind, lesson.options().seed + 2);
    out[i] = reconstruct_all(ae, data.test);
    const double error = hg::error_per_pixel(x, out[i]), mean_abs = abs_error_per_pixel(x, out[i]);
    const std::string key = side.key + "_short_test_", label = "short run, " + side.name;
    lesson.result(key + "error", label + ": test error", error);
    if (side.shows_abs) lesson.result(key + "abs_error", label + ": mean |x − x̂|", mean_abs);
    rows.push_back({side.name, hg::cell("%.5f", error),
                    side.shows_abs ? hg::cell("%.5f", mean_abs) : "—"});
    lessons::warn_if_diverged(lesson, side.run, error, "mean image", base.mean_image);
  }
  lesson.table(hg::cell("after %g epochs, on the test images", s.side_epochs),
               {"trained on", "squared error per pixel", "mean |x − x̂|"}, std::move(rows));
  const int shown = std::min(12, data.test.size());
  hg::write_png(lesson.out_path("losses.png"),
                hg::triples_grid(x, out[0], out[2], data.test.height, data.test.width,
                                 shown, shown, {.scale = 2}));
  lesson.figure("losses.png", "test images; trained on squared error; trained "
                "on absolute error: the median-seeking loss leaves cleaner "
                "backgrounds and drops the faint details");
}

void wide_code(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s,
               const Baselines& base, Autoencoder& narrow, hg::Rng& rng) {
  lesson.step(7, "A code as wide as the image learns to copy",
              "With 784 code units nothing forces the network to learn what "
              "clothes look like: it can pass every pixel through. Its test "
              "error is low, but on bars, rings and crosses it reproduces "
              "them too (it copies), while the narrow one turns them into "
              "something clothes-like (it only knows clothes).");
  const int pixels = data.train.pixels();
  Autoencoder wide(pixels, pixels, rng);
  hg::Adam adam(hg::params(wide.encoder, wide.decoder), {.lr = lesson.options().lr});
  fit(lesson, "wide", wide, adam, data, s.side_epochs, LossKind::SquaredError,
      lesson.options().seed + 3);
  hg::Rng shapes_rng(lesson.options().seed + 4);
  const hg::Dataset shapes = hg::synthetic_shapes(1000, shapes_rng);
  const double clothes = test_error(wide, data.test), on_shapes = test_error(wide, shapes),
               narrow_shapes = test_error(narrow, shapes);
  std::printf("code %d: clothes %.5f, shapes %.5f | code %d: shapes %.5f\n",
              pixels, clothes, on_shapes, s.code_size, narrow_shapes);
  lesson.result("wide_test_error", "code 784: test error", clothes);
  lesson.result("wide_shapes_error", "code 784: error on shapes", on_shapes);
  lesson.result("narrow_shapes_error", "narrow code: error on shapes", narrow_shapes);
  lessons::warn_if_diverged(lesson, "the 784-unit code", clothes, "mean image", base.mean_image);
  hg::write_png(lesson.out_path("copying.png"),
                hg::triples_grid(shapes.images, reconstruct_all(wide, shapes),
                                 reconstruct_all(narrow, shapes), shapes.height,
                                 shapes.width, 12, 12, {.scale = 2}));
  lesson.figure("copying.png", "shapes no garment looks like; the wide code's "
                "copies; the narrow code's clothes-like guesses");
}

// ---------------------------------------------------------------------------
void the_numbers(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s) {
  lesson.step(8, "The numbers",
              "The code stores code-size floats where the image had 784 "
              "pixels: that ratio is the compression, bought at the price of "
              "the errors below. Each model is measured on the test set.");
  lesson.result("code_size", "code size", s.code_size);
  lesson.result("compression", "compression ratio (pixels / code)",
                double(data.train.pixels()) / s.code_size);
}

void try_this(hg::Lesson& lesson) {
  lesson.try_this({
      {"--sgd-lr 1",
       "SGD at five times its rate: closer to Adam, still behind."},
      {"--code-size 64",
       "Every error falls, PCA's more: one sigmoid layer uses a wide code less well."},
      {"--lr 1",
       "Adam's rate ten times too large: worse than the mean image, with warnings."},
      {"--quick --step=batch",
       "‖Δw‖/‖w‖ large in the first batches, a small fraction by epoch's end."},
  });
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "01_vanilla",
      .summary = "the vanilla autoencoder z = σ(W_e x + b_e), x̂ = σ(W_d z + b_d)",
      .look_for = "Adam's loss falls much faster than plain SGD's from the "
                  "same start. The autoencoder's error lands beside PCA's with "
                  "as many components: one sigmoid layer each way is about as "
                  "good as the best linear map. In reconstructions.png, blurry "
                  "but recognisable clothes rebuilt from a short code. Three "
                  "losses compared on one yardstick, and a code as wide as the "
                  "image learning to copy.",
      .epochs = 10, .batch_size = 128,
      .lr = 1e-2f,  // Adam's η: high for Adam, right for this small model
      .flags = {hg::flag("code-size", &s.code_size, "units in the code z", 1, 784),
                hg::flag("sgd-lr", &s.sgd_lr, "learning rate of plain SGD", 1e-6, 100),
                hg::flag("side-epochs", &s.side_epochs,
                         "epochs of the side runs (steps 6, 7)", 1, 1000)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng);
    const Baselines base = baselines(lesson, data, s.code_size);
    Autoencoder sgd(data.train.pixels(), s.code_size, rng);
    Autoencoder adam = sgd;  // the same start for both optimizers
    const lessons::Curves sgd_curves = train_sgd(lesson, data, sgd, s, base);
    const lessons::Curves adam_curves = train_adam(lesson, data, adam, base);
    pictures(lesson, data, adam, sgd_curves, adam_curves, base);
    three_losses(lesson, data, s, base, rng);
    wide_code(lesson, data, s, base, adam, rng);
    the_numbers(lesson, data, s);
    try_this(lesson);
  });
}
