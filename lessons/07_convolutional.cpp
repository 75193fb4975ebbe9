// Lesson 7 — the convolutional autoencoder
// =========================================
//
// What you will build
//   An autoencoder that sees images as images. The dense networks of
//   lessons 01–02 flatten a 28×28 picture into 784 unrelated numbers: a
//   pixel has no neighbours, and a sleeve learned in the top-left corner
//   must be learned again in the top-right. Here every layer but the code
//   keeps the picture 2-D, (N, C, H, W):
//
//     encoder   x (1, 28, 28)
//               → conv 3×3, 8 filters, relu   → max-pool 2×2   (8, 14, 14)
//               → conv 3×3, 16 filters, relu  → max-pool 2×2   (16, 7, 7)
//               → linear → z, 32 numbers                       the code
//     decoder   z → linear, relu                               (16, 7, 7)
//               → transposed conv 4×4 stride 2, relu           (8, 14, 14)
//               → nearest upsampling ×2                        (8, 28, 28)
//               → conv 3×3, 1 filter, sigmoid                  x̂ (1, 28, 28)
//     loss      L = ‖x − x̂‖²
//
//   and compares it with the deep dense autoencoder of lesson 02
//   (784-256-64-32-64-256-784) at the same code size, 32.
//
// What is new
//   Convolution. A conv layer is a Linear layer that looks at a k×k patch
//   instead of the whole image and applies the same weights at every
//   position:   y[o, p] = b[o] + Σ_c Σ_{i,j} W[o, c, i, j] · x[c, p + (i, j)].
//   Weight sharing: 8 filters of 3×3 are 80 numbers, where a dense layer
//   from 784 pixels to 8·784 outputs would need 5 M. Translation
//   equivariance: shift the image and the feature maps shift with it.
//   Pooling (the largest of each 2×2 block) halves the size; upsampling
//   and the transposed convolution grow the picture back. And one
//   application: inpainting, filling in a square cut out of the image.
//
// How to run it
//   scripts/lesson 07_convolutional                the full run (--quick: seconds)
//   scripts/lesson 07_convolutional --step=batch   pause after steps and batches
//   scripts/lesson 07_convolutional --resume       continue an interrupted run
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.
// How the conv ops are made fast: docs/performance.md and bench/bench_conv.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"

using hg::Var;

constexpr int kSide = 28, kCode = 32;

// ---------------------------------------------------------------------------
// The convolutional autoencoder, c1 and 2·c1 channels (8 and 16 by
// default). A conv layer costs far more arithmetic per parameter than a
// dense one, since each weight is used at every position: channels stay few.
struct ConvAutoencoder {
  int c1, c2;
  hg::Conv2d conv1, conv2;            // 1 → c1 → c2 channels, 3×3, padding 1
  hg::Linear to_code, from_code;      // (c2·7·7) ⇄ 32
  hg::ConvTranspose2d up1;            // c2 → c1 channels, 7×7 → 14×14
  hg::Conv2d out;                     // c1 → 1 channel at 28×28

  ConvAutoencoder(int channels, hg::Rng& rng)
      : c1(channels), c2(2 * channels),
        conv1(1, c1, 3, 1, 1, rng, hg::Init::He, "conv1"),
        conv2(c1, c2, 3, 1, 1, rng, hg::Init::He, "conv2"),
        to_code(c2 * 7 * 7, kCode, rng, hg::Init::Xavier, "to_code"),
        from_code(kCode, c2 * 7 * 7, rng, hg::Init::He, "from_code"),
        up1(c2, c1, 4, 2, 1, rng, hg::Init::He, "up1"),
        out(c1, 1, 3, 1, 1, rng, hg::Init::Xavier, "out") {}

  // x (B, 784) → z (B, 32). Padding 1 keeps a 3×3 conv's output the size
  // of its input; each pooling halves it.
  Var encode(Var x) {
    const int B = x.shape()[0];
    Var h = reshape(x, hg::Shape{B, 1, kSide, kSide});
    h = max_pool2d(relu(conv1(h)));                 // (B, c1, 14, 14)
    h = max_pool2d(relu(conv2(h)));                 // (B, c2, 7, 7)
    return to_code(reshape(h, hg::Shape{B, c2 * 7 * 7}));  // z = W h + b
  }
  // z (B, 32) → x̂ (B, 784). The transposed conv (k 4, stride 2, padding 1)
  // maps 7 → (7 − 1)·2 − 2 + 4 = 14; upsampling doubles again and the last
  // conv smooths the 2×2 blocks it leaves.
  Var decode(Var z) {
    const int B = z.shape()[0];
    Var g = reshape(relu(from_code(z)), hg::Shape{B, c2, 7, 7});
    g = relu(up1(g));                               // (B, c1, 14, 14)
    g = out(upsample2d(g, 2));                      // (B, 1, 28, 28)
    return sigmoid(reshape(g, hg::Shape{B, kSide * kSide}));
  }
  Var reconstruct(Var x) { return decode(encode(x)); }
  hg::ParameterList params() { return hg::params(conv1, conv2, to_code, from_code, up1, out); }
};

// The deep dense autoencoder of lesson 02, 784-256-64-32-64-256-784: relu
// between the layers, a linear code, a sigmoid at the end.
struct DenseAutoencoder {
  hg::Linear e1, e2, e3, d1, d2, d3;
  explicit DenseAutoencoder(hg::Rng& rng)
      : e1(784, 256, rng, hg::Init::He, "e1"), e2(256, 64, rng, hg::Init::He, "e2"),
        e3(64, kCode, rng, hg::Init::Xavier, "e3"), d1(kCode, 64, rng, hg::Init::He, "d1"),
        d2(64, 256, rng, hg::Init::He, "d2"), d3(256, 784, rng, hg::Init::Xavier, "d3") {}
  Var reconstruct(Var x) {
    Var z = e3(relu(e2(relu(e1(x)))));
    return sigmoid(d3(relu(d2(relu(d1(z))))));
  }
  hg::ParameterList params() { return hg::params(e1, e2, e3, d1, d2, d3); }
};

// ---------------------------------------------------------------------------
std::size_t count_params(const hg::ParameterList& list) {
  std::size_t n = 0;
  for (const hg::Parameter* p : list) n += p->value.size();
  return n;
}

// Inpainting damage: a hole × hole square of each image set to 0, at a
// random place inside a 4-pixel border (where the clothes are). The same
// holes (an Rng of the same seed) cut into images of ones mark the holes.
void cut_holes(hg::Tensor& images, int hole, hg::Rng& rng) {
  const int span = kSide - 8 - hole + 1;
  for (int n = 0; n < images.rows(); ++n) {
    const int top = 4 + rng.below(span), left = 4 + rng.below(span);
    for (int i = top; i < top + hole; ++i)
      for (int j = left; j < left + hole; ++j) images.row(n)[i * kSide + j] = 0.0f;
  }
}

// The mean of (x − x̂)² over the pixels where kept = 0: the error in a hole.
double error_in_holes(const hg::Tensor& x, const hg::Tensor& x_hat, const hg::Tensor& kept) {
  double sum = 0, count = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = x[i] - x_hat[i];
    sum += (1 - kept[i]) * d * d;
    count += 1 - kept[i];
  }
  return sum / count;
}

template <class Model>
hg::Tensor reconstruct_all(Model& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.reconstruct(x); }, 250);
}

// What one training run gave: validation error per epoch, time per epoch.
struct Fit { std::vector<double> epoch, val; double epoch_seconds; };

// Trains `ae` with Adam at `lr`, checkpointed under `name`, on the loss
// ‖target − x̂‖² for the input x, averaged over the images. The target is x
// itself, except with hole > 0 (inpainting, step 6): every batch is damaged
// afresh (holes drawn by `seed`) and the target is the whole image.
template <class Model>
Fit fit(hg::Lesson& lesson, const std::string& name, Model& ae, const hg::LessonData& data,
        int epochs, float lr, int hole, std::uint64_t seed) {
  hg::Adam adam(ae.params(), {.lr = lr});
  hg::Rng hole_rng(seed + 1000);
  hg::Tensor damaged;
  lessons::Run run{
      .name = name, .opt = adam, .batch_size = lesson.options().batch_size,
      .rng = hg::Rng(seed), .checkpoint = true,
      .settings = {{"params", std::to_string(count_params(ae.params()))},
                   {"hole", std::to_string(hole)}},
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        Var x = tape.input(b.images);  // (B, 784)
        if (hole == 0) return mse(ae.reconstruct(x), x);
        damaged = b.images;
        cut_holes(damaged, hole, hole_rng);
        return mse(ae.reconstruct(tape.input(damaged)), x);
      }};
  const auto t0 = std::chrono::steady_clock::now();
  const lessons::Curves c = lessons::train(lesson, run, data.train, epochs, [&] {
    return lessons::error_per_pixel(data.validation, [&](Var x) { return ae.reconstruct(x); });
  });
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  // Under --resume the epochs trained before are not timed: divide by those run (none: NaN).
  return {c.epoch, c.val_error, c.trained > 0 ? took.count() / c.trained : NAN};
}

// ---------------------------------------------------------------------------
struct Settings { int hole = 10, inpaint_epochs = 2, channels = 8; float dense_lr = 1e-3f; };

// The bars to clear: the test errors of the mean training image `mean` (1, 784) and PCA.
struct Baselines { double mean_image, pca; hg::Tensor mean; };

Baselines load(hg::Lesson& lesson, hg::Rng& rng, hg::LessonData& data) {
  lesson.step(1, "Load Fashion-MNIST, and the baselines",
              "As in lesson 01: the mean training image (what a model that "
              "learned nothing scores) and PCA with as many components as the "
              "code (the best linear autoencoder) are the bars to clear.");
  data = lessons::load_data(lesson, rng);
  const hg::PCA pca = hg::fit_pca(data.train.images, kCode);
  const Baselines b{lessons::mean_image_error(data.train, data.test),
                    hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images)),
                    pca.mean};
  std::printf("test error per pixel: mean image %.5f, PCA (%d) %.5f\n",
              b.mean_image, kCode, b.pca);
  lesson.result("mean_image_error", "mean image: test error per pixel", b.mean_image);
  lesson.result("pca_test_error", "PCA (32): test error per pixel", b.pca);
  return b;
}

void layer_table(hg::Lesson& lesson, ConvAutoencoder& conv, DenseAutoencoder& dense) {
  lesson.step(2, "The model, layer by layer",
              "Counting weights shows weight sharing at work: the conv layers hold a few "
              "hundred or thousand numbers; most of the model sits in the two Linear layers "
              "around the code. Each conv runs as im2col + one matrix product (GEMM), on a few "
              "images at a time so the copied patches stay in the cache (docs/performance.md).");
  std::vector<std::vector<std::string>> rows;
  for (hg::Parameter* p : conv.params())
    rows.push_back({p->name, p->value.shape().str(), std::to_string(p->value.size())});
  lesson.table("the convolutional autoencoder's parameters",
               {"parameter", "shape", "numbers"}, std::move(rows));
  const std::size_t conv_n = count_params(conv.params()), dense_n = count_params(dense.params());
  std::printf("parameters: conv %zu, dense %zu\n", conv_n, dense_n);
  lesson.result("code_size", "code size", kCode);
  lesson.result("channels", "conv1 filters (conv2 has twice as many)", conv.c1);
  lesson.result("conv_params", "conv autoencoder: parameters", double(conv_n));
  lesson.result("dense_params", "dense autoencoder: parameters", double(dense_n));
}

struct Fits { Fit conv, dense; };

Fits train_both(hg::Lesson& lesson, const hg::LessonData& data, ConvAutoencoder& conv,
                DenseAutoencoder& dense, const Settings& s) {
  const hg::LessonOptions& o = lesson.options();
  lesson.step(3, "Train the convolutional autoencoder",
              "Adam on the squared error, as in lessons 01–02. Each weight "
              "is used at hundreds of positions, in small products, so an "
              "epoch takes longer than the dense model's.");
  Fit conv_fit = fit(lesson, "conv", conv, data, o.epochs, o.lr, 0, o.seed + 1);
  lesson.step(4, "Train the deep dense autoencoder of lesson 02",
              "Same code size, same epochs, same batches, same optimizer, at "
              "lesson 02's learning rate.");
  return {std::move(conv_fit), fit(lesson, "dense", dense, data, o.epochs, s.dense_lr, 0,
                                   o.seed + 1)};
}

// The figures of step 5: curves, reconstructions, filters, feature maps.
void pictures(hg::Lesson& lesson, const hg::LessonData& data, ConvAutoencoder& conv,
              const Fits& fits, const hg::Tensor& conv_images, const hg::Tensor& dense_images,
              double pca) {
  const hg::Tensor& test = data.test.images;
  if (!fits.conv.epoch.empty() && !fits.dense.epoch.empty())  // none after a full resume
    hg::save_svg(lesson.out_path("validation.svg"),
                 hg::LinePlot{.title = "Lesson 7: validation error per pixel, code 32",
                              .x_label = "epoch", .y_label = "mean (x - x̂)²",
                              .series = {{"convolutional", fits.conv.epoch, fits.conv.val},
                                         {"dense", fits.dense.epoch, fits.dense.val},
                                         {"PCA", {1.0, fits.conv.epoch.back()}, {pca, pca}}},
                              .log_y = true});
  lesson.figure("validation.svg", "validation error per epoch, conv and dense, "
                "PCA's as a line: both pass it");
  const int shown = std::min(12, data.test.size());
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(test, conv_images, dense_images, kSide, kSide,
                                 shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "test images, the conv autoencoder's "
                "reconstructions, the dense one's: alike, both blurred");
  hg::write_png(lesson.out_path("filters.png"),
                hg::filter_grid(conv.conv1.filters(), 3, 3, conv.c1,
                                hg::FilterScale::Symmetric, {.scale = 16}));
  lesson.figure("filters.png", "the first layer's 3×3 filters, 0 as mid-grey: "
                "light where a filter wants ink; edge and blob detectors");
  hg::Tape tape;  // relu(conv1(x)) for the first test image, one map per filter
  hg::Tensor maps = relu(conv.conv1(reshape(tape.input(hg::first_rows(test, 1)),
                                            hg::Shape{1, 1, kSide, kSide}))).value();
  maps.reshape(hg::Shape{conv.c1, kSide * kSide});
  hg::write_png(lesson.out_path("feature_maps.png"),
                hg::filter_grid(maps, kSide, kSide, conv.c1, hg::FilterScale::MinMax,
                                {.scale = 2}));
  lesson.figure("feature_maps.png", "what each filter finds in the first test "
                "image, each map on its own scale: outlines from one side, "
                "filled regions, dark background");
}

void compare(hg::Lesson& lesson, const hg::LessonData& data, ConvAutoencoder& conv,
             DenseAutoencoder& dense, const Fits& fits, const Baselines& base) {
  lesson.step(5, "Convolutional against dense",
              "Same test images, same yardstick. The conv model keeps up with "
              "far fewer weights because the structure of images (nearby "
              "pixels belong together, a pattern can appear anywhere) is built "
              "into it. Look at the parameters, the errors, the seconds.");
  const hg::Tensor& test = data.test.images;
  const hg::Tensor conv_images = reconstruct_all(conv, test);
  const hg::Tensor dense_images = reconstruct_all(dense, test);
  const double conv_error = hg::error_per_pixel(test, conv_images),
               dense_error = hg::error_per_pixel(test, dense_images);
  lesson.table("the three models on the test images",
               {"model (code 32)", "parameters", "test error", "s per epoch"},
               {{"convolutional", std::to_string(count_params(conv.params())),
                 hg::cell("%.5f", conv_error), hg::cell("%.2f", fits.conv.epoch_seconds)},
                {"dense 784-256-64-32", std::to_string(count_params(dense.params())),
                 hg::cell("%.5f", dense_error), hg::cell("%.2f", fits.dense.epoch_seconds)},
                {"PCA, 32 components", std::to_string(kCode * 784),
                 hg::cell("%.5f", base.pca), "-"}});
  lesson.result("conv_test_error", "conv autoencoder: test error per pixel", conv_error);
  lesson.result("dense_test_error", "dense autoencoder: test error per pixel", dense_error);
  lesson.result("conv_epoch_seconds", "conv: seconds per epoch", fits.conv.epoch_seconds);
  lesson.result("dense_epoch_seconds", "dense: seconds per epoch", fits.dense.epoch_seconds);
  for (const auto& [what, error] : {std::pair{"the conv autoencoder", conv_error},
                                    std::pair{"the dense autoencoder", dense_error}})
    lessons::warn_if_diverged(lesson, what, error, "mean image", base.mean_image);
  pictures(lesson, data, conv, fits, conv_images, dense_images, base.pca);
}

// Step 6's test: the same holes on every run, filled four ways, scored inside the holes.
void fill_holes(hg::Lesson& lesson, const hg::Tensor& test, ConvAutoencoder& conv,
                ConvAutoencoder& inpaint, const hg::Tensor& mean, int hole) {
  hg::Tensor damaged = test, kept(test.shape(), 1.0f);
  hg::Rng hole_rng(lesson.options().seed + 3), same_holes(lesson.options().seed + 3);
  cut_holes(damaged, hole, hole_rng);
  cut_holes(kept, hole, same_holes);
  const hg::Tensor mean_images = hg::gather_rows(mean, std::vector<int>(test.rows(), 0));
  const hg::Tensor plain_fill = reconstruct_all(conv, damaged);
  const hg::Tensor inpainted = reconstruct_all(inpaint, damaged);
  const double zero = error_in_holes(test, damaged, kept),
               mean_error = error_in_holes(test, mean_images, kept),
               plain = error_in_holes(test, plain_fill, kept),
               filled = error_in_holes(test, inpainted, kept);
  std::printf("error per pixel inside the %dx%d holes: left at 0 %.5f, mean "
              "image %.5f, plain autoencoder %.5f, inpainting network %.5f\n",
              hole, hole, zero, mean_error, plain, filled);
  lesson.result("hole", "side of the inpainting hole", hole);
  lesson.result("hole_zero_error", "hole left at 0: error in the hole", zero);
  lesson.result("hole_mean_error", "hole from the mean image: error in the hole", mean_error);
  lesson.result("hole_plain_error", "plain conv AE: error in the hole", plain);
  lesson.result("hole_inpaint_error", "inpainting net: error in the hole", filled);
  const int shown = std::min(12, test.rows());
  hg::write_png(lesson.out_path("inpainting.png"),
                hg::triples_grid(damaged, plain_fill, inpainted, kSide, kSide,
                                 shown, shown, {.scale = 2}));
  lesson.figure("inpainting.png", "damaged test images, the plain autoencoder "
                "(it keeps a dark blob where the hole was), the inpainting "
                "network (it continues the garment); the originals are the "
                "first rows of reconstructions.png");
}

void inpainting(hg::Lesson& lesson, const hg::LessonData& data, ConvAutoencoder& conv,
                const Baselines& base, const Settings& s) {
  lesson.step(6, "An application: inpainting a missing square",
              "Cut a square out of each image (set it to 0). The plain autoencoder learned to "
              "copy, so it copies the hole. A copy of it trained on damaged inputs with the "
              "WHOLE image as target (denoising, lesson 05, with the worst noise) must guess "
              "the missing pixels from what surrounds them. Look at the error inside the holes "
              "only, on the test set.");
  ConvAutoencoder inpaint = conv;  // start from the trained weights
  fit(lesson, "inpaint", inpaint, data, s.inpaint_epochs, lesson.options().lr / 2, s.hole,
      lesson.options().seed + 2);
  fill_holes(lesson, data.test.images, conv, inpaint, base.mean, s.hole);
  const double clean = hg::error_per_pixel(data.test.images,
                                           reconstruct_all(inpaint, data.test.images));
  lesson.result("inpaint_clean_error", "inpainting net on whole images: test error", clean);
  lessons::warn_if_diverged(lesson, "the inpainting network", clean, "mean image",
                            base.mean_image);
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "07_convolutional",
      .summary = "a convolutional autoencoder against a dense one; inpainting",
      .look_for = "Step 5: the conv autoencoder matches the dense one's test error with a "
                  "fraction of its parameters (counted in step 2), at more time per epoch. In "
                  "filters.png and feature_maps.png, edge and blob detectors, and what each "
                  "finds in one image. Step 6: inside the holes, the inpainting network's error "
                  "beside the plain autoencoder's (which copies the hole) and the mean image's.",
      .epochs = 5, .batch_size = 128, .lr = 2e-3f,
      .flags = {hg::flag("hole", &s.hole, "side of the square cut out for inpainting", 1, 20),
                hg::flag("channels", &s.channels, "filters of the first conv layer "
                         "(the second has twice as many)", 1, 64),
                hg::flag("dense-lr", &s.dense_lr, "Adam's rate for the dense model", 1e-6, 1),
                hg::flag("inpaint-epochs", &s.inpaint_epochs,
                         "epochs of inpainting training (step 6)", 0, 1000)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    hg::LessonData data;
    const Baselines base = load(lesson, rng, data);
    ConvAutoencoder conv(s.channels, rng);
    DenseAutoencoder dense(rng);
    layer_table(lesson, conv, dense);
    const Fits fits = train_both(lesson, data, conv, dense, s);
    compare(lesson, data, conv, dense, fits, base);
    inpainting(lesson, data, conv, base, s);
    lesson.step(7, "The numbers", "Every model measured on the test set.");
    lesson.try_this({
        {"--hole 16",
         "A hole a third of the image: its error stays near the smaller hole's; whole garments."},
        {"--channels 4", "Half the parameters: behind the dense model, still below PCA."},
    });
  });
}
