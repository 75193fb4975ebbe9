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
//
//   and compares it with the deep dense autoencoder of lesson 02
//   (784-256-64-32-64-256-784) at the same code size, 32.
//
// What is new
//   Convolution. A conv layer is a Linear layer that looks at a k×k patch
//   instead of the whole image and applies the same weights at every
//   position:   y[o, p] = b[o] + Σ_c Σ_{i,j} W[o, c, i, j] · x[c, p + (i, j)].
//   Two things follow. Weight sharing: 8 filters of 3×3 are 80 numbers,
//   where a dense layer from 784 pixels to 8·784 outputs would need 5 M.
//   Translation equivariance: shift the image and the feature maps shift
//   with it, so a detector for an edge or a seam works everywhere at once.
//   Pooling (keep the largest of each 2×2 block) halves the size and makes
//   the features a little tolerant to small shifts; upsampling and the
//   transposed convolution grow the picture back.
//   And one application: inpainting, filling in a square cut out of the
//   image, by training the same network to map damaged images to whole ones.
//
// How to run it
//   scripts/lesson 07_convolutional                 full run, about a minute
//   scripts/lesson 07_convolutional --quick         a few seconds
//   scripts/lesson 07_convolutional --step          pause between the steps
//
// What to look for
//   - The table of step 6: the conv autoencoder matches the dense one's
//     test error (0.0120 against 0.0122 in a default run, both below PCA's
//     0.0151) with an eighth of its parameters, at several times the time
//     per epoch: each weight is used at hundreds of positions, in small,
//     irregular products that keep GEMM far from its peak.
//   - Step 3: the same layer as seven loops and as im2col + GEMM.
//   - filters.png: the first layer's 3×3 filters are edge and blob
//     detectors; feature_maps.png shows what each finds in one image.
//   - inpainting.png: the damaged image, the plain autoencoder's answer
//     (it reconstructs the hole as a dark blob), the inpainting network's
//     answer; inside the holes its error is about a tenth of the plain
//     model's and a quarter of the mean image's.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/kernels/im2col.hpp"  // the direct convolution of step 3

using hg::Var;

constexpr int kSide = 28, kCode = 32;
constexpr int kC1 = 8, kC2 = 16;  // channels after conv1 and conv2

// ---------------------------------------------------------------------------
// The convolutional autoencoder. Channel counts are small (8, 16): a conv
// layer costs far more arithmetic per parameter than a dense one, since
// each weight is used at every position of the image.
struct ConvAutoencoder {
  hg::Conv2d conv1, conv2;            // 1 → 8 → 16 channels, 3×3, padding 1
  hg::Linear to_code, from_code;      // (16·7·7) ⇄ 32
  hg::ConvTranspose2d up1;            // 16 → 8 channels, 7×7 → 14×14
  hg::Conv2d out;                     // 8 → 1 channel at 28×28

  explicit ConvAutoencoder(hg::Rng& rng)
      : conv1(1, kC1, 3, 1, 1, rng, hg::Init::He, "conv1"),
        conv2(kC1, kC2, 3, 1, 1, rng, hg::Init::He, "conv2"),
        to_code(kC2 * 7 * 7, kCode, rng, hg::Init::Xavier, "to_code"),
        from_code(kCode, kC2 * 7 * 7, rng, hg::Init::He, "from_code"),
        up1(kC2, kC1, 4, 2, 1, rng, hg::Init::He, "up1"),
        out(kC1, 1, 3, 1, 1, rng, hg::Init::Xavier, "out") {}

  // x (B, 784) → z (B, 32). Padding 1 keeps a 3×3 conv's output the size
  // of its input; each pooling halves it.
  Var encode(Var x) {
    const int B = x.shape()[0];
    Var h = reshape(x, hg::Shape{B, 1, kSide, kSide});
    h = max_pool2d(relu(conv1(h)));                 // (B, 8, 14, 14)
    h = max_pool2d(relu(conv2(h)));                 // (B, 16, 7, 7)
    return to_code(reshape(h, hg::Shape{B, kC2 * 7 * 7}));  // z = W h + b
  }
  // z (B, 32) → logits (B, 784). The transposed conv (k 4, stride 2,
  // padding 1) maps 7 → (7 − 1)·2 − 2 + 4 = 14; upsampling doubles again
  // and the last conv smooths the 2×2 blocks it leaves.
  Var decode_logits(Var z) {
    const int B = z.shape()[0];
    Var g = reshape(relu(from_code(z)), hg::Shape{B, kC2, 7, 7});
    g = relu(up1(g));                               // (B, 8, 14, 14)
    g = out(upsample2d(g, 2));                      // (B, 1, 28, 28)
    return reshape(g, hg::Shape{B, kSide * kSide});
  }
  Var reconstruct(Var x) { return sigmoid(decode_logits(encode(x))); }

  hg::ParameterList params() {
    return hg::params(conv1, conv2, to_code, from_code, up1, out);
  }
};

// The deep dense autoencoder of lesson 02, 784-256-64-32-64-256-784: relu
// between the layers, a linear code, a sigmoid at the end.
struct DenseAutoencoder {
  hg::Linear e1, e2, e3, d1, d2, d3;

  explicit DenseAutoencoder(hg::Rng& rng)
      : e1(784, 256, rng, hg::Init::He, "e1"), e2(256, 64, rng, hg::Init::He, "e2"),
        e3(64, kCode, rng, hg::Init::Xavier, "e3"),
        d1(kCode, 64, rng, hg::Init::He, "d1"), d2(64, 256, rng, hg::Init::He, "d2"),
        d3(256, 784, rng, hg::Init::Xavier, "d3") {}

  Var reconstruct(Var x) {
    Var z = e3(relu(e2(relu(e1(x)))));
    return sigmoid(d3(relu(d2(relu(d1(z))))));
  }
  hg::ParameterList params() { return hg::params(e1, e2, e3, d1, d2, d3); }
};

std::size_t count_params(const hg::ParameterList& list) {
  std::size_t n = 0;
  for (const hg::Parameter* p : list) n += p->value.size();
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---------------------------------------------------------------------------
// Inpainting damage: a hole × hole square of each image set to 0, at a
// random place inside a 4-pixel border (where the clothes are). `mask`
// (same shape) gets 1 inside the hole, 0 elsewhere, to score the hole alone.
void cut_holes(hg::Tensor& images, int hole, hg::Rng& rng, hg::Tensor* mask) {
  if (mask) {
    mask->resize(images.shape());
    mask->zero();
  }
  const int span = kSide - 8 - hole + 1;
  for (int n = 0; n < images.rows(); ++n) {
    const int top = 4 + rng.below(span), left = 4 + rng.below(span);
    for (int i = top; i < top + hole; ++i)
      for (int j = left; j < left + hole; ++j) {
        const std::size_t at = std::size_t(n) * kSide * kSide + i * kSide + j;
        images[at] = 0.0f;
        if (mask) (*mask)[at] = 1.0f;
      }
  }
}

// One epoch of Adam on L = (1/B) Σ ‖x − x̂‖². With hole > 0 the network sees
// a damaged copy of each batch and must still answer with the whole image.
template <class Model>
double train_epoch(Model& ae, hg::Optimizer& opt, const hg::Dataset& train,
                   int batch_size, int hole, hg::Rng& rng, hg::Tape& tape,
                   int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  hg::Tensor damaged;
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var x = tape.input(batch.images);
    Var input = x;
    if (hole > 0) {
      damaged = batch.images;
      cut_holes(damaged, hole, rng, nullptr);
      input = tape.input(damaged);
    }
    Var loss = mse(ae.reconstruct(input), x);
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

// Forward only, in order, 250 images at a time: (N, 784) reconstructions.
template <class Model>
hg::Tensor reconstruct_all(Model& ae, const hg::Tensor& images, hg::Tape& tape) {
  hg::Tensor out(images.shape());
  const int N = images.rows(), P = images.cols(), chunk = 250;
  hg::Tensor part;
  for (int at = 0; at < N; at += chunk) {
    const int B = std::min(chunk, N - at);
    part.resize(hg::Shape{B, P});
    std::copy(images.begin() + std::size_t(at) * P,
              images.begin() + std::size_t(at + B) * P, part.begin());
    tape.clear();
    Var xh = ae.reconstruct(tape.input(part));
    std::copy(xh.value().begin(), xh.value().end(),
              out.begin() + std::size_t(at) * P);
  }
  return out;
}

// hg::error_per_pixel (the mean of (x − x̂)² over images and pixels, as in
// lesson 01) over the pixels where mask = 1 only: the error inside a hole.
double masked_error_per_pixel(const hg::Tensor& x, const hg::Tensor& x_hat,
                              const hg::Tensor& mask) {
  double sum = 0, count = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = mask[i];
    const double d = x[i] - x_hat[i];
    sum += w * d * d;
    count += w;
  }
  return sum / count;
}

// Trains for `epochs` epochs; returns the validation error after each.
template <class Model>
std::vector<double> train(Model& ae, const hg::LessonData& data, int epochs,
                          int batch_size, float lr, int hole, hg::Rng& rng,
                          hg::Tape& tape) {
  hg::Adam opt(ae.params(), {.lr = lr});
  std::vector<double> val;
  for (int e = 1; e <= epochs; ++e) {
    train_epoch(ae, opt, data.train, batch_size, hole, rng, tape, e, epochs);
    val.push_back(hg::error_per_pixel(data.validation.images,
                                      reconstruct_all(ae, data.validation.images, tape)));
  }
  return val;
}

int main(int argc, char** argv) {
  int hole = 10, inpaint_epochs = 2;
  float dense_lr = 1e-3f;  // lesson 02's rate for the dense model
  hg::LessonInfo info{
      .name = "07_convolutional",
      .summary = "a convolutional autoencoder against a dense one; inpainting",
      .epochs = 5,
      .batch_size = 128,
      .lr = 2e-3f,
      .flags = {hg::flag("hole", &hole, "side of the square cut out for inpainting", 1, 20),
                hg::flag("dense-lr", &dense_lr, "Adam's rate for the dense model", 1e-6, 1),
                hg::flag("inpaint-epochs", &inpaint_epochs,
                         "epochs of inpainting training (step 7)", 0, 1000)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST, and the baselines");
    // As in lesson 01: the mean training image (a model that learned
    // nothing) and PCA with as many components as the code (the best linear
    // autoencoder) are the bars to clear.
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const hg::Tensor& test = data.test.images;
    std::printf("train %d, validation %d, test %d images of %dx%d%s\n",
                data.train.size(), data.validation.size(), data.test.size(),
                data.train.height, data.train.width,
                data.synthetic ? " (synthetic shapes)" : "");
    hg::PCA pca = hg::fit_pca(data.train.images, kCode);
    hg::Tensor mean_images(test.shape());
    for (int i = 0; i < test.rows(); ++i)
      std::copy(pca.mean.begin(), pca.mean.end(),
                mean_images.begin() + std::size_t(i) * test.cols());
    const double mean_error = hg::error_per_pixel(test, mean_images);
    const double pca_error = hg::error_per_pixel(test, pca.reconstruct(test));
    std::printf("test error per pixel: mean image %.5f, PCA (%d) %.5f\n",
                mean_error, kCode, pca_error);

    // -----------------------------------------------------------------------
    lesson.step(2, "The model, layer by layer");
    // Counting weights shows weight sharing at work: the two conv layers of
    // the encoder hold 80 and 1,168 numbers; most of the model sits in the
    // two Linear layers around the code.
    ConvAutoencoder conv_ae(rng);
    DenseAutoencoder dense_ae(rng);
    for (hg::Parameter* p : conv_ae.params())
      std::printf("  %-12s %-18s %7zu\n", p->name.c_str(),
                  p->value.shape().str().c_str(), p->value.size());
    const std::size_t conv_params = count_params(conv_ae.params());
    const std::size_t dense_params = count_params(dense_ae.params());
    std::printf("parameters: conv %zu, dense %zu\n", conv_params, dense_params);

    // -----------------------------------------------------------------------
    lesson.step(3, "Why a convolution is computed as one matrix product");
    // Written directly, a convolution is seven nested loops (image, output
    // channel, row, column, input channel, filter row, filter column) whose
    // innermost runs over 3 numbers: nothing for the vector units to chew
    // on. im2col instead copies the C·k·k values under the filter at every
    // output position into one column of a matrix, (C·k·k, H·W) per image;
    // the convolution is then   Y (C_out, N·H·W) = W (C_out, C·k·k) · cols,
    // ONE product handed to GEMM, the kernel tuned to run near the
    // machine's peak. The price is memory (each pixel copied k·k = 9 times):
    // for the decoder's last layer and a batch of 128, cols would be 29 MB,
    // so the op runs the same product on a few images at a time, a slice
    // of cols small enough to stay in the cache, each thread on its own
    // slices (src/autodiff/ops_conv.cpp).
    // Backward is two more products (dW = dY·colsᵀ, dcols = Wᵀ·dY) and
    // col2im, the adjoint of im2col, which adds each column entry back onto
    // the pixel it came from. Timing conv2 both ways on 64 images (the best
    // of 3 runs; the first GEMM run also sizes the im2col buffer):
    {
      const int B = std::min(64, data.train.size()), P = 14 * 14;
      hg::Tensor h(hg::Shape{B, kC1, 14, 14});
      rng.fill_uniform(h, 0.0f, 1.0f);
      const hg::kernels::ConvGeometry g{kC1, 14, 14, 3, 3, 1, 1};
      hg::Tensor y(hg::Shape{B, kC2, 14, 14});
      double direct = 1e30, gemm = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        for (int n = 0; n < B; ++n)  // the seven loops, one image at a time
          hg::kernels::conv2d_direct(h.data() + std::size_t(n) * kC1 * P,
                                     conv_ae.conv2.W().value.data(),
                                     conv_ae.conv2.b().value.data(), g, kC2,
                                     y.data() + std::size_t(n) * kC2 * P);
        direct = std::min(direct, seconds_since(t0));
        tape.clear();
        t0 = std::chrono::steady_clock::now();
        conv_ae.conv2(tape.input(h));  // im2col + one GEMM for the batch
        gemm = std::min(gemm, seconds_since(t0));
      }
      const hg::Tensor& fast = tape.last().value();
      double diff = 0;
      for (std::size_t i = 0; i < y.size(); ++i)
        diff = std::max(diff, double(std::abs(y[i] - fast[i])));
      const double flops = 2.0 * B * kC2 * P * kC1 * 9;
      std::printf("conv2 on %d images: direct loops %.2f ms (%.2f GFLOP/s), "
                  "im2col + GEMM %.2f ms (%.2f GFLOP/s), max difference %.1e\n",
                  B, 1e3 * direct, flops / direct * 1e-9, 1e3 * gemm,
                  flops / gemm * 1e-9, diff);
      lesson.result("direct_conv_gflops", "conv2 as seven loops: GFLOP/s",
                    flops / direct * 1e-9);
      lesson.result("gemm_conv_gflops", "conv2 as im2col + GEMM: GFLOP/s",
                    flops / gemm * 1e-9);
    }

    // -----------------------------------------------------------------------
    lesson.step(4, "Train the convolutional autoencoder");
    // Adam on the squared error, as in lessons 01–02. Each image costs about
    // 3 MFLOP forward and backward, about as much as the dense model, but in
    // smaller, less regular products, so an epoch takes longer.
    hg::Rng conv_rng(opt.seed + 1), dense_rng(opt.seed + 1);  // same batches
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<double> conv_val = train(conv_ae, data, opt.epochs,
        opt.batch_size, opt.lr, 0, conv_rng, tape);
    const double conv_seconds = seconds_since(t0) / opt.epochs;

    // -----------------------------------------------------------------------
    lesson.step(5, "Train the deep dense autoencoder of lesson 02");
    // Same code size, same epochs, same batches, same optimizer.
    t0 = std::chrono::steady_clock::now();
    const std::vector<double> dense_val = train(dense_ae, data, opt.epochs,
        opt.batch_size, dense_lr, 0, dense_rng, tape);
    const double dense_seconds = seconds_since(t0) / opt.epochs;

    // -----------------------------------------------------------------------
    lesson.step(6, "Convolutional against dense");
    // Same test images, same yardstick. The conv model keeps up with an
    // eighth of the weights because its first layers need not learn each
    // edge at each place: the structure of images (nearby pixels belong
    // together, the same pattern can appear anywhere) is built into it.
    // Most of its parameters sit in the two Linear layers around the code.
    const hg::Tensor conv_images = reconstruct_all(conv_ae, test, tape);
    const hg::Tensor dense_images = reconstruct_all(dense_ae, test, tape);
    const double conv_error = hg::error_per_pixel(test, conv_images);
    const double dense_error = hg::error_per_pixel(test, dense_images);
    std::printf("\n  %-22s %12s %12s %14s\n", "model (code 32)", "parameters",
                "test error", "s per epoch");
    std::printf("  %-22s %12zu %12.5f %14.2f\n", "convolutional", conv_params,
                conv_error, conv_seconds);
    std::printf("  %-22s %12zu %12.5f %14.2f\n", "dense 784-256-64-32", dense_params,
                dense_error, dense_seconds);
    std::printf("  %-22s %12d %12.5f %14s\n\n", "PCA, 32 components",
                kCode * 784, pca_error, "-");

    std::vector<double> epochs;
    for (int e = 1; e <= opt.epochs; ++e) epochs.push_back(e);
    hg::save_svg(lesson.out_path("validation.svg"),
                 hg::LinePlot{.title = "Lesson 7: validation error per pixel, code 32",
                              .x_label = "epoch",
                              .y_label = "mean (x - x̂)²",
                              .series = {{"convolutional", epochs, conv_val},
                                         {"dense", epochs, dense_val},
                                         {"PCA", {1.0, double(opt.epochs)},
                                          {pca_error, pca_error}}},
                              .log_y = true});
    const int shown = std::min(12, data.test.size());
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::triples_grid(test, conv_images, dense_images, kSide, kSide,
                                   shown, shown, {.scale = 2}));
    // The eight 3×3 filters of conv1, 0 as mid-gray: light where the
    // filter wants ink, dark where it wants none.
    hg::write_png(lesson.out_path("filters.png"),
                  hg::filter_grid(conv_ae.conv1.filters(), 3, 3, kC1,
                                  hg::FilterScale::Symmetric, {.scale = 16}));
    // What they find: relu(conv1(x)) for the first test image, one 28×28
    // map per filter, each scaled to its own range.
    tape.clear();
    hg::Tensor first(hg::Shape{1, 784});
    std::copy(test.begin(), test.begin() + 784, first.begin());
    Var maps = relu(conv_ae.conv1(reshape(tape.input(first), hg::Shape{1, 1, 28, 28})));
    hg::Tensor map_tiles = maps.value();
    map_tiles.reshape(hg::Shape{kC1, 784});
    hg::write_png(lesson.out_path("feature_maps.png"),
                  hg::filter_grid(map_tiles, kSide, kSide, kC1, hg::FilterScale::MinMax,
                                  {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(7, "An application: inpainting a missing square");
    // Cut a hole × hole square out of each image (set it to 0). The plain
    // autoencoder was trained to copy, so it faithfully copies the hole.
    // Train a copy of it on damaged inputs with the WHOLE image as target
    // (the idea of denoising, lesson 05, with the worst kind of noise) and
    // it must guess the missing pixels from what surrounds them: a sleeve
    // that stops, a collar cut in half. Convolutions help: the pixels around
    // the hole are read by the same local filters as anywhere else.
    // We score the error inside the holes only, on the test set.
    ConvAutoencoder inpaint_ae = conv_ae;  // start from the trained weights
    hg::Rng inpaint_rng(opt.seed + 2);
    train(inpaint_ae, data, inpaint_epochs, opt.batch_size, opt.lr / 2, hole,
          inpaint_rng, tape);
    hg::Tensor damaged = test, mask;
    hg::Rng hole_rng(opt.seed + 3);  // the same holes on every run
    cut_holes(damaged, hole, hole_rng, &mask);
    const hg::Tensor plain_fill = reconstruct_all(conv_ae, damaged, tape);
    const hg::Tensor inpainted = reconstruct_all(inpaint_ae, damaged, tape);
    const double hole_zero = masked_error_per_pixel(test, damaged, mask);
    const double hole_mean = masked_error_per_pixel(test, mean_images, mask);
    const double hole_plain = masked_error_per_pixel(test, plain_fill, mask);
    const double hole_inpaint = masked_error_per_pixel(test, inpainted, mask);
    const double inpaint_clean =
        hg::error_per_pixel(test, reconstruct_all(inpaint_ae, test, tape));
    std::printf("error per pixel inside the %dx%d holes: left at 0 %.5f, mean "
                "image %.5f, plain autoencoder %.5f, inpainting network %.5f\n",
                hole, hole, hole_zero, hole_mean, hole_plain, hole_inpaint);
    // Rows of three: damaged input, plain autoencoder, inpainting network;
    // the originals are the first rows of reconstructions.png.
    hg::write_png(lesson.out_path("inpainting.png"),
                  hg::triples_grid(damaged, plain_fill, inpainted, kSide, kSide,
                                   shown, shown, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(8, "The numbers");
    lesson.result("code_size", "code size", kCode);
    lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
    lesson.result("pca_test_error", "PCA (32): test error per pixel", pca_error);
    lesson.result("conv_test_error", "conv autoencoder: test error per pixel", conv_error);
    lesson.result("dense_test_error", "dense autoencoder: test error per pixel", dense_error);
    lesson.result("conv_params", "conv autoencoder: parameters", double(conv_params));
    lesson.result("dense_params", "dense autoencoder: parameters", double(dense_params));
    lesson.result("conv_epoch_seconds", "conv: seconds per epoch", conv_seconds);
    lesson.result("dense_epoch_seconds", "dense: seconds per epoch", dense_seconds);
    lesson.result("hole_zero_error", "hole left at 0: error in the hole", hole_zero);
    lesson.result("hole_mean_error", "hole from the mean image: error in the hole", hole_mean);
    lesson.result("hole_plain_error", "plain conv AE: error in the hole", hole_plain);
    lesson.result("hole_inpaint_error", "inpainting net: error in the hole", hole_inpaint);
    lesson.result("inpaint_clean_error", "inpainting net on whole images: test error",
                  inpaint_clean);
  });
}
