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
//   σ is the logistic sigmoid 1 / (1 + e^−t), which squeezes any number into
//   (0, 1): the range of our pixels. Because the code is narrower than the
//   image, the network cannot simply copy: it has to find the 32 numbers
//   that say the most about a piece of clothing.
//
// What is new
//   Everything: data, a model, a loss, two optimizers, and a baseline. The
//   tape and the optimizers were taken apart in lesson 00; here they train.
//
// How to run it
//   scripts/lesson 01_vanilla                 full run, about 20 s
//   scripts/lesson 01_vanilla --quick         a few seconds, fewer samples
//   scripts/lesson 01_vanilla --step          pause between the steps
//   scripts/lesson 01_vanilla --resume        continue an interrupted run
//   scripts/lesson 01_vanilla --help          every flag
//
// What to look for
//   - Adam's loss falls far faster than plain SGD's from the same start.
//   - The autoencoder's test error per pixel beside PCA's with as many
//     components: one sigmoid layer each way is about as good as the best
//     linear map (lesson 02 goes deeper and beats it clearly).
//   - reconstructions.png: blurry but recognisable clothes from 32 numbers.
//   - Binary cross-entropy against squared error, and what happens when the
//     code is as wide as the image.
//   The figures of a full run are in lessons/README.md.

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/autodiff/guard.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/io/checkpoint.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model. Two Linear layers hold the parameters W_e (32×784), b_e, W_d
// (784×32), b_d; the three lines of `encode`/`decode` are the equations.
// The decoder returns logits (the value before the last σ): the squared
// error applies σ itself, and the cross-entropy of step 5 wants logits.
struct Autoencoder {
  hg::Linear encoder, decoder;

  Autoencoder(int pixels, int code_size, hg::Rng& rng)
      : encoder(pixels, code_size, rng, hg::Init::Xavier, "enc"),
        decoder(code_size, pixels, rng, hg::Init::Xavier, "dec") {}

  Var encode(Var x) { return sigmoid(encoder(x)); }         // z = σ(W_e x + b_e)
  Var decode_logits(Var z) { return decoder(z); }           // W_d z + b_d
  Var reconstruct(Var x) { return sigmoid(decode_logits(encode(x))); }  // x̂

  hg::ParameterList params() { return hg::params(encoder, decoder); }
};

enum class LossKind { SquaredError, CrossEntropy };

// The loss of one batch, as the tape will differentiate it.
//   squared error:  L = ‖x − σ(a)‖²  per image, a = W_d z + b_d
//   cross-entropy:  L = −Σ [x log σ(a) + (1 − x) log(1 − σ(a))]  per image
Var batch_loss(Autoencoder& ae, Var x, LossKind kind) {
  Var logits = ae.decode_logits(ae.encode(x));
  if (kind == LossKind::SquaredError) return mse(sigmoid(logits), x);
  return bce_with_logits(logits, x);
}

// One pass over the training set: for every mini-batch, record the forward
// pass on the tape, walk it backward for the gradients, let the optimizer
// move the weights. Returns the mean loss over the epoch.
double train_epoch(Autoencoder& ae, hg::Optimizer& opt, const hg::Dataset& train,
                   int batch_size, hg::Rng& rng, hg::Tape& tape, LossKind kind,
                   int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0;
  int seen = 0;
  long step = long(epoch - 1) * ((train.size() + batch_size - 1) / batch_size);
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();                      // reuse last step's memory
    Var x = tape.input(batch.images);  // (B, 784), pixels in [0, 1]
    Var loss = batch_loss(ae, x, kind);
    opt.zero_grad();                   // gradients accumulate: start at 0
    tape.backward(loss);               // dL/dW for every parameter
    // A NaN or Inf stops training here, naming the step, the op and the
    // tensor, before the optimizer can write it into the weights.
    hg::check_finite(tape, loss, ++step);
    opt.step();                        // W ← W − (the optimizer's step)
    loss_sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  return loss_sum / seen;
}

// Runs every image of `data` through the autoencoder (forward only) and
// returns the reconstructions, (N, 784).
hg::Tensor reconstruct_all(Autoencoder& ae, const hg::Dataset& data,
                           hg::Tape& tape) {
  hg::Tensor out(data.images.shape());
  std::size_t at = 0;
  hg::Batches eval(data, 500);  // no Rng: in order
  for (const hg::Batch& batch : eval) {
    tape.clear();
    Var xh = ae.reconstruct(tape.input(batch.images));
    std::copy(xh.value().begin(), xh.value().end(), out.begin() + at);
    at += xh.value().size();
  }
  return out;
}

// The error we compare models by, hg::error_per_pixel (nn/metrics.hpp):
// mean over images and pixels of (x − x̂)², i.e. the loss above divided by
// 784. Per pixel, so numbers stay readable.
double test_error(Autoencoder& ae, const hg::Dataset& data, hg::Tape& tape) {
  return hg::error_per_pixel(data.images, reconstruct_all(ae, data, tape));
}

// Trains `ae` for `epochs` epochs and returns the per-epoch curves
// (training loss per image, and validation error per pixel).
struct Curves {
  std::vector<double> epoch, train_loss, val_error;
};
Curves train(Autoencoder& ae, hg::Optimizer& opt, const hg::LessonData& data,
             int epochs, int batch_size, hg::Rng& rng, hg::Tape& tape,
             LossKind kind) {
  Curves c;
  for (int e = 1; e <= epochs; ++e) {
    c.epoch.push_back(e);
    c.train_loss.push_back(train_epoch(ae, opt, data.train, batch_size, rng,
                                       tape, kind, e, epochs));
    c.val_error.push_back(test_error(ae, data.validation, tape));
  }
  return c;
}

int main(int argc, char** argv) {
  int code_size = 32;
  float sgd_lr = 0.2f;
  int side_epochs = 3;
  hg::LessonInfo info{
      .name = "01_vanilla",
      .summary = "the vanilla autoencoder z = σ(W_e x + b_e), x̂ = σ(W_d z + b_d)",
      .epochs = 10,
      .batch_size = 128,
      .lr = 1e-2f,  // Adam's η; high for Adam, right for this small model
      .flags = {hg::flag("code-size", &code_size, "units in the code z", 1, 784),
                hg::flag("sgd-lr", &sgd_lr, "learning rate of plain SGD", 1e-6, 100),
                hg::flag("side-epochs", &side_epochs,
                         "epochs of the side experiments (steps 5, 6)", 1, 1000)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    // 70,000 grayscale 28×28 images of clothes, ten classes. We keep 5,000
    // training images aside for validation (to watch for overfitting) and
    // never touch the 10,000 test images until the end. Pixels are in [0, 1].
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    std::printf("train %d, validation %d, test %d images of %dx%d%s\n",
                data.train.size(), data.validation.size(), data.test.size(),
                data.train.height, data.train.width,
                data.synthetic ? " (synthetic shapes)" : "");

    // -----------------------------------------------------------------------
    lesson.step(2, "The baseline: PCA with as many components as the code");
    // PCA finds the k directions along which the images vary most and keeps
    // only the coordinates along them. It is the best any *linear* encoder
    // and decoder of size k can do on squared error, so it is the bar an
    // autoencoder has to clear to be worth its training.
    // An even simpler yardstick: ignore the input and answer with the mean
    // training image (PCA with 0 components). Anything that learned
    // something must beat it.
    hg::PCA pca = hg::fit_pca(data.train.images, code_size);
    hg::Tensor mean_images(data.test.images.shape());
    for (int i = 0; i < data.test.size(); ++i)
      std::copy(pca.mean.begin(), pca.mean.end(),
                mean_images.begin() + std::size_t(i) * pixels);
    const double mean_error = hg::error_per_pixel(data.test.images, mean_images);
    const double pca_error =
        hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images));
    double kept = 0;
    for (int i = 0; i < pca.k(); ++i) kept += pca.explained_variance_ratio(i);
    std::printf("mean image: test error per pixel %.5f\n", mean_error);
    std::printf("PCA, %d components: %.1f%% of the variance kept, "
                "test error per pixel %.5f\n",
                code_size, 100 * kept, pca_error);

    // -----------------------------------------------------------------------
    lesson.step(3, "Train the autoencoder with plain SGD");
    // Stochastic gradient descent: W ← W − η ∂L/∂W on each mini-batch of
    // 128 images. One learning rate η for every weight, whatever the scale
    // of its gradient. We keep a copy of the starting weights so Adam, in
    // step 4, starts from exactly the same point.
    Autoencoder sgd_ae(pixels, code_size, rng);
    Autoencoder adam_ae = sgd_ae;  // same initial weights
    hg::SGD sgd(sgd_ae.params(), {.lr = sgd_lr, .momentum = 0.0f});
    hg::Rng sgd_rng(opt.seed + 1), adam_rng(opt.seed + 1);  // same batches
    Curves sgd_curves = train(sgd_ae, sgd, data, opt.epochs, opt.batch_size,
                              sgd_rng, tape, LossKind::SquaredError);

    // -----------------------------------------------------------------------
    lesson.step(4, "The same model from the same start, with Adam");
    // Adam keeps, per weight, a running mean of the gradient (m, momentum)
    // and of its square (v), and steps by η·m̂/(√v̂ + ε): each weight gets a
    // step size scaled to its own gradient history. Here the decoder's
    // biases and the encoder's weights see gradients of very different
    // sizes, which is exactly where one global η struggles.
    hg::Adam adam(adam_ae.params(), {.lr = opt.lr});
    // After each epoch, everything the next epoch depends on (weights,
    // Adam's m, v and t, the batch order's Rng, the curves so far) goes into
    // a checkpoint, written to a temporary file and then renamed, so a crash
    // never leaves a torn one. With --resume, training continues from it and
    // ends with the same numbers as a run that never stopped.
    Curves adam_curves;
    const hg::OptimizerState adam_state = adam.state();
    hg::TrainingState checkpoint{
        .params = adam_ae.params(),
        .optimizer = adam_state.tensors,
        .optimizer_steps = adam_state.steps,
        .rng = &adam_rng,
        .series = {{"epoch", &adam_curves.epoch},
                   {"train_loss", &adam_curves.train_loss},
                   {"val_error", &adam_curves.val_error}},
        .tag = {{"lesson", info.name},
                {"seed", std::to_string(opt.seed)},
                {"code_size", std::to_string(code_size)},
                {"batch_size", std::to_string(opt.batch_size)},
                {"lr", std::to_string(opt.lr)},
                {"data", data.synthetic ? "synthetic" : opt.quick ? "quick" : "full"}}};
    const std::string checkpoint_path = lesson.out_path("adam_checkpoint.safetensors");
    if (opt.resume && hg::load_training(checkpoint_path, checkpoint))
      std::printf("resuming from %s after epoch %d\n", checkpoint_path.c_str(),
                  checkpoint.epoch);
    for (int e = checkpoint.epoch + 1; e <= opt.epochs; ++e) {
      adam_curves.epoch.push_back(e);
      adam_curves.train_loss.push_back(train_epoch(adam_ae, adam, data.train,
          opt.batch_size, adam_rng, tape, LossKind::SquaredError, e, opt.epochs));
      adam_curves.val_error.push_back(test_error(adam_ae, data.validation, tape));
      checkpoint.epoch = e;
      hg::save_training(checkpoint_path, checkpoint);
    }

    const double sgd_error = test_error(sgd_ae, data.test, tape);
    const double adam_error = test_error(adam_ae, data.test, tape);
    std::printf("test error per pixel: SGD %.5f, Adam %.5f, PCA %.5f\n",
                sgd_error, adam_error, pca_error);

    hg::save_svg(lesson.out_path("loss.svg"),
                 hg::LinePlot{.title = "Lesson 1: validation error per pixel",
                              .x_label = "epoch",
                              .y_label = "mean (x - x̂)²",
                              .series = {{"SGD", sgd_curves.epoch, sgd_curves.val_error},
                                         {"Adam", adam_curves.epoch, adam_curves.val_error},
                                         {"PCA (k = code size)",
                                          {1.0, double(opt.epochs)},
                                          {pca_error, pca_error}}},
                              .log_y = true});

    // Originals, then the autoencoder's reconstructions, then PCA's: the
    // first 12 test images.
    const int shown = std::min(12, data.test.size());
    const hg::Tensor ae_images = reconstruct_all(adam_ae, data.test, tape);
    const hg::Tensor pca_images = pca.reconstruct(data.test.images);
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::triples_grid(data.test.images, ae_images, pca_images,
                                   data.test.height, data.test.width, shown,
                                   shown, {.scale = 2}));
    // Each row of W_e is a 28×28 pattern the encoder matches the image
    // against: the "features" of the code.
    hg::write_png(lesson.out_path("encoder_filters.png"),
                  hg::filter_grid(adam_ae.encoder.W().value, data.test.height,
                                  data.test.width, 8, hg::FilterScale::Symmetric,
                                  {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "Squared error or cross-entropy?");
    // Pixels in [0, 1] can be read as probabilities of "ink", and then the
    // natural loss is binary cross-entropy. The difference shows in the
    // gradient with respect to the logit a (before the last σ):
    //   squared error:  ∂L/∂a = 2(x̂ − x) · x̂(1 − x̂)
    //   cross-entropy:  ∂L/∂a = x̂ − x
    // The factor x̂(1 − x̂) vanishes when the sigmoid saturates near 0 or 1,
    // just where a confidently wrong pixel most needs a push. Cross-entropy
    // has no such factor. We train the same model with it for a few epochs
    // and compare on the *same* yardstick: squared error per pixel.
    Autoencoder mse_ae(pixels, code_size, rng);
    Autoencoder bce_ae = mse_ae;
    hg::Adam mse_opt(mse_ae.params(), {.lr = opt.lr});
    hg::Adam bce_opt(bce_ae.params(), {.lr = opt.lr});
    hg::Rng r1(opt.seed + 2), r2(opt.seed + 2);
    train(mse_ae, mse_opt, data, side_epochs, opt.batch_size, r1, tape,
          LossKind::SquaredError);
    train(bce_ae, bce_opt, data, side_epochs, opt.batch_size, r2, tape,
          LossKind::CrossEntropy);
    const double mse_short = test_error(mse_ae, data.test, tape);
    const double bce_short = test_error(bce_ae, data.test, tape);
    std::printf("after %d epochs, test error per pixel: trained on squared "
                "error %.5f, on cross-entropy %.5f\n",
                side_epochs, mse_short, bce_short);

    // -----------------------------------------------------------------------
    lesson.step(6, "A code as wide as the image learns to copy");
    // Without a bottleneck nothing forces the network to learn what clothes
    // look like: a code of 784 units can pass every pixel straight through.
    // Its test error is low, but try it on images that look like no piece of
    // clothing — bars, rings and crosses from the synthetic set: the wide
    // network reproduces them too (it copies), the narrow one turns them
    // into something clothes-like (it only knows clothes). A useful code
    // must be forced to be selective: by its size here, by a penalty in
    // lesson 04, by noise in lesson 05.
    Autoencoder wide_ae(pixels, pixels, rng);
    hg::Adam wide_opt(wide_ae.params(), {.lr = opt.lr});
    hg::Rng r3(opt.seed + 3);
    train(wide_ae, wide_opt, data, side_epochs, opt.batch_size, r3, tape,
          LossKind::SquaredError);
    hg::Rng shapes_rng(opt.seed + 4);
    const hg::Dataset shapes = hg::synthetic_shapes(1000, shapes_rng);
    const double wide_test = test_error(wide_ae, data.test, tape);
    const double wide_shapes = test_error(wide_ae, shapes, tape);
    const double narrow_shapes = test_error(adam_ae, shapes, tape);
    std::printf("code %d: clothes %.5f, shapes %.5f | code %d: clothes %.5f, "
                "shapes %.5f\n",
                pixels, wide_test, wide_shapes, code_size, adam_error,
                narrow_shapes);
    hg::write_png(lesson.out_path("copying.png"),
                  hg::triples_grid(shapes.images,
                                   reconstruct_all(wide_ae, shapes, tape),
                                   reconstruct_all(adam_ae, shapes, tape),
                                   shapes.height, shapes.width, 12, 12,
                                   {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(7, "The numbers");
    // The code stores 32 floats where the image had 784: a compression ratio
    // of 784/32 = 24.5, at the price of the error above. (A real codec would
    // also quantise the code; we keep floats.)
    lesson.result("code_size", "code size", code_size);
    lesson.result("compression", "compression ratio (pixels / code)",
                  double(pixels) / code_size);
    lesson.result("mean_image_error", "mean image: test error per pixel",
                  mean_error);
    lesson.result("pca_test_error", "PCA test error per pixel", pca_error);
    lesson.result("sgd_test_error", "autoencoder (SGD) test error per pixel",
                  sgd_error);
    lesson.result("adam_test_error", "autoencoder (Adam) test error per pixel",
                  adam_error);
    lesson.result("mse_short_test_error",
                  "short run, squared-error loss: test error", mse_short);
    lesson.result("bce_short_test_error",
                  "short run, cross-entropy loss: test error", bce_short);
    lesson.result("wide_test_error", "code 784: test error", wide_test);
    lesson.result("wide_shapes_error", "code 784: error on synthetic shapes",
                  wide_shapes);
    lesson.result("narrow_shapes_error", "code 32: error on synthetic shapes",
                  narrow_shapes);
    lesson.result("adam_final_train_loss", "Adam: last epoch's training loss per image",
                  adam_curves.train_loss.back());
  });
}
