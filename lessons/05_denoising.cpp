// Lesson 5 — the denoising autoencoder
// ====================================
//
// What you will build
//   An autoencoder that is shown a damaged image and asked for the clean
//   one. Four kinds of damage, one denoiser trained for each:
//
//       x̃  = corrupt(x)                   noise drawn afresh for every batch
//       h  = σ(W_e x̃ + b_e)              encoder: 784 → 256
//       x̂ = σ(W_d h + b_d)               decoder: 256 → 784
//       L  = ‖x − x̂‖²                     compared with the CLEAN x
//
// What is new
//   The input and the target are no longer the same image. Corruptions
//   (data/noise.hpp): Gaussian noise, masking noise, salt-and-pepper, and a
//   watermark-like stamp at a random place; PSNR as the measure of image
//   quality; and a plain autoencoder of the same size, trained on clean
//   images, to show that denoising is learned, not a side effect of
//   compression.
//
// How to run it
//   scripts/lesson 05_denoising                   all four noises, ~30 s
//   scripts/lesson 05_denoising --quick           a few seconds
//   scripts/lesson 05_denoising --noise stamp     one kind only
//   scripts/lesson 05_denoising --sigma 0.5       stronger Gaussian noise
//
// What to look for
//   - denoise_<kind>.png: rows of clean, noisy, denoised, and the plain
//     autoencoder's answer to the same noisy images. The stamp vanishes
//     under the denoiser and shows through the plain autoencoder.
//   - The PSNR table: the denoiser gains several dB over the noisy input
//     (about +4 dB for the stamp, +7.5 to +8.5 dB for the other three in
//     the default run), and ends about 2 to 6.5 dB above the plain autoencoder.
//     Masking noise is where the plain one fails most: it has never seen
//     a garment with half its pixels missing.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/data/noise.hpp"
#include "hourglass/hourglass.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model: lesson 01's autoencoder with a 256-unit code. What makes it a
// denoiser is only what it is trained on (below), not its shape.
struct Autoencoder {
  hg::Linear encoder, decoder;

  Autoencoder(int pixels, int hidden, hg::Rng& rng)
      : encoder(pixels, hidden, rng, hg::Init::Xavier, "enc"),
        decoder(hidden, pixels, rng, hg::Init::Xavier, "dec") {}

  Var encode(Var x) { return sigmoid(encoder(x)); }  // h = σ(W_e x̃ + b_e)
  Var decode(Var h) { return sigmoid(decoder(h)); }  // x̂ = σ(W_d h + b_d)
  Var reconstruct(Var x) { return decode(encode(x)); }

  hg::ParameterList params() { return hg::params(encoder, decoder); }
};

// One kind of damage and how much of it.
struct Noise {
  hg::NoiseKind kind;
  float level;  // σ, the fraction of pixels, or the stamp's opacity
};

// One epoch. With a Noise, every batch is corrupted afresh (a new draw each
// time an image comes round, so the network never sees the same damage
// twice and cannot learn it by heart); the loss always compares with the
// clean batch. Without one (nullptr), this is lesson 01's training.
double train_epoch(Autoencoder& ae, hg::Optimizer& opt, const hg::Dataset& train,
                   int batch_size, hg::Rng& rng, hg::Tape& tape,
                   const Noise* noise, int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0;
  int seen = 0;
  hg::Tensor noisy;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var x = tape.input(batch.images);  // the clean target
    Var x_in = x;
    if (noise) {
      noisy = hg::corrupt(batch.images, noise->kind, noise->level, train.height,
                          train.width, rng);
      x_in = tape.input(noisy);  // x̃: a constant, no gradient flows into it
    }
    Var loss = mse(ae.reconstruct(x_in), x);  // ‖x − x̂(x̃)‖²
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

// x̂ for every row of `images` (N, 784), forward only.
hg::Tensor reconstruct_all(Autoencoder& ae, const hg::Tensor& images,
                           hg::Tape& tape) {
  hg::Tensor out(images.shape());
  const int N = images.rows(), P = images.cols();
  hg::Tensor chunk;
  for (int start = 0; start < N; start += 500) {
    const int B = std::min(500, N - start);
    chunk.resize(hg::Shape{B, P});
    std::copy_n(images.data() + static_cast<std::size_t>(start) * P,
                chunk.size(), chunk.data());
    tape.clear();
    Var xh = ae.reconstruct(tape.input(chunk));
    std::copy(xh.value().begin(), xh.value().end(),
              out.data() + static_cast<std::size_t>(start) * P);
  }
  return out;
}

// The first `count` rows of each of `groups`, stacked: a grid whose grid
// rows are clean / noisy / denoised / plain, one column per image.
hg::Tensor stack_rows(const std::vector<const hg::Tensor*>& groups, int count) {
  const int P = groups[0]->cols();
  hg::Tensor tiles(hg::Shape{static_cast<int>(groups.size()) * count, P});
  float* at = tiles.data();
  for (const hg::Tensor* g : groups) {
    std::copy_n(g->data(), static_cast<std::size_t>(count) * P, at);
    at += static_cast<std::size_t>(count) * P;
  }
  return tiles;
}

int main(int argc, char** argv) {
  int hidden = 256;
  std::string which = "all";
  float sigma = 0.4f, mask = 0.5f, salt_pepper = 0.25f, stamp = 0.9f;
  hg::LessonInfo info{
      .name = "05_denoising",
      .summary = "the denoising autoencoder: x̂ = f(corrupt(x)), L = ‖x − x̂‖²",
      .epochs = 4,
      .batch_size = 128,
      .lr = 2e-3f,
      .flags = {hg::flag("hidden", &hidden, "units in the code h", 1, 4096),
                hg::flag("noise", &which,
                         "all, gaussian, mask, salt-pepper or stamp"),
                hg::flag("sigma", &sigma, "Gaussian noise: standard deviation σ", 0, 10),
                hg::flag("mask", &mask, "masking noise: fraction of pixels set to 0", 0, 1),
                hg::flag("salt-pepper", &salt_pepper,
                         "salt-and-pepper: fraction of pixels set to 0 or 1", 0, 1),
                hg::flag("stamp", &stamp, "stamp: opacity α of the mark", 0, 1)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST and choose the noises");
    // The --noise flag first, so a typo fails before the data is read.
    std::vector<Noise> noises;
    const std::vector<Noise> every = {{hg::NoiseKind::Gaussian, sigma},
                                      {hg::NoiseKind::Mask, mask},
                                      {hg::NoiseKind::SaltPepper, salt_pepper},
                                      {hg::NoiseKind::Stamp, stamp}};
    for (const Noise& n : every)
      if (which == "all" || hg::parse_noise_kind(which) == n.kind)
        noises.push_back(n);
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    const int H = data.test.height, W = data.test.width;
    std::printf("train %d, test %d images%s; noises:", data.train.size(),
                data.test.size(), data.synthetic ? " (synthetic shapes)" : "");
    for (const Noise& n : noises)
      std::printf(" %s (%g)", hg::noise_name(n.kind), n.level);
    std::printf("\n");

    // -----------------------------------------------------------------------
    lesson.step(2, "The plain autoencoder, trained on clean images");
    // The comparison: the same network trained to copy clean images, as in
    // lesson 01. Its code is 256 numbers, so it cannot copy every pixel
    // either; whatever noise it removes, it removes by accident (noise does
    // not fit the patterns it learned). Whatever it does not, it passes on.
    Autoencoder plain(pixels, hidden, rng);
    const Autoencoder start = plain;  // every denoiser starts here too
    {
      hg::Adam adam(plain.params(), {.lr = opt.lr});
      hg::Rng batch_rng(opt.seed + 1);
      for (int e = 1; e <= opt.epochs; ++e)
        train_epoch(plain, adam, data.train, opt.batch_size, batch_rng, tape,
                    nullptr, e, opt.epochs);
    }

    // -----------------------------------------------------------------------
    lesson.step(3, "One denoiser per kind of noise");
    // Why does noise help? A network asked to give back its input can get
    // away with the identity, or any map that is the identity on the
    // training images. Asked to give back x from x̃, it cannot: the damaged
    // pixels carry no trace of what was under them, so the only way to fill
    // them in is from the rest of the image, through what clothes look like
    // (a sleeve continues, a shoe has a sole). The denoiser learns to map
    // every point near the data back onto the data: its features have to
    // capture how pixels depend on one another, the structure of the data,
    // rather than the pixels one by one. (Vincent et al., "Extracting and
    // composing robust features with denoising autoencoders", ICML 2008.)
    //
    // The four corruptions damage differently:
    //   gaussian    x̃ = clamp(x + σε): every pixel a little wrong
    //   mask        a fraction of pixels set to 0: some pixels missing
    //   salt-pepper a fraction set to 0 or 1: a few pixels badly wrong
    //   stamp       a boxed "HG" blended in at a random place: a watermark.
    //               Removing it is the theory's watermark-removal use, in
    //               miniature: the network must know what is garment and
    //               what is mark, and it only can because it has seen the
    //               mark land everywhere.
    struct Trained {
      Noise noise;
      Autoencoder ae;
    };
    std::vector<Trained> denoisers;
    for (const Noise& n : noises) {
      std::printf("-- %s --\n", hg::noise_name(n.kind));
      denoisers.push_back({n, start});
      Autoencoder& ae = denoisers.back().ae;
      hg::Adam adam(ae.params(), {.lr = opt.lr});
      hg::Rng batch_rng(opt.seed + 1);  // same batches as the plain one
      for (int e = 1; e <= opt.epochs; ++e)
        train_epoch(ae, adam, data.train, opt.batch_size, batch_rng, tape, &n, e,
                    opt.epochs);
    }

    // -----------------------------------------------------------------------
    lesson.step(4, "PSNR on the test set");
    // Peak signal-to-noise ratio, 10·log10(1/MSE) for pixels in [0, 1]: a
    // log scale for the squared error, in decibels. +10 dB is ten times
    // less squared error, +3 dB about half. We compare three images with
    // the clean one: the noisy input, the denoiser's output, and the plain
    // autoencoder's output from the same noisy input. The test noise is
    // drawn once, from its own seed, so every model sees the same damage.
    const hg::Tensor plain_clean = reconstruct_all(plain, data.test.images, tape);
    const double plain_clean_psnr = hg::psnr(data.test.images, plain_clean);
    // The laziest answer, the average training image for every input, as
    // the floor: a model that learned nothing scores about this.
    hg::Tensor mean_images(data.test.images.shape());
    for (int i = 0; i < data.train.size(); ++i)
      for (int p = 0; p < pixels; ++p)
        mean_images[p] += data.train.images.at(i, p) / data.train.size();
    for (int i = 1; i < data.test.size(); ++i)
      std::copy_n(mean_images.data(), pixels,
                  mean_images.data() + static_cast<std::size_t>(i) * pixels);
    const double mean_image_psnr = hg::psnr(data.test.images, mean_images);
    std::printf("on clean test images: plain autoencoder %.2f dB, the mean "
                "image %.2f dB\n",
                plain_clean_psnr, mean_image_psnr);
    std::printf("%-12s %10s %10s %10s %10s\n", "noise", "noisy", "denoised",
                "plain AE", "gain");
    const int shown = std::min(12, data.test.size());
    for (Trained& d : denoisers) {
      const char* name = hg::noise_name(d.noise.kind);
      hg::Rng test_rng(opt.seed + 100 + static_cast<int>(d.noise.kind));
      const hg::Tensor noisy = hg::corrupt(data.test.images, d.noise.kind,
                                           d.noise.level, H, W, test_rng);
      const hg::Tensor denoised = reconstruct_all(d.ae, noisy, tape);
      const hg::Tensor plain_out = reconstruct_all(plain, noisy, tape);
      const double p_noisy = hg::psnr(data.test.images, noisy);
      const double p_denoised = hg::psnr(data.test.images, denoised);
      const double p_plain = hg::psnr(data.test.images, plain_out);
      std::printf("%-12s %7.2f dB %7.2f dB %7.2f dB %+7.2f dB\n", name, p_noisy,
                  p_denoised, p_plain, p_denoised - p_noisy);
      const std::string key(name);
      lesson.result(key + "_noisy_psnr", key + ": noisy vs clean, PSNR dB", p_noisy);
      lesson.result(key + "_denoised_psnr", key + ": denoised vs clean, PSNR dB",
                    p_denoised);
      lesson.result(key + "_plain_psnr", key + ": plain AE on noisy, PSNR dB",
                    p_plain);
      lesson.result(key + "_gain_db", key + ": denoiser's gain, dB",
                    p_denoised - p_noisy);
      // Four rows: clean, noisy, denoised, plain autoencoder.
      hg::write_png(lesson.out_path(std::string("denoise_") + name + ".png"),
                    hg::image_grid(stack_rows({&data.test.images, &noisy,
                                               &denoised, &plain_out},
                                              shown),
                                   H, W, 4, shown, {.scale = 2}));
    }

    // -----------------------------------------------------------------------
    lesson.step(5, "What stacking would add");
    // A denoising autoencoder's code h is itself a good input for another
    // one: corrupt h, train a second autoencoder to restore it, and so on —
    // the greedy layer-wise recipe of lesson 03, with noise at each layer
    // ("stacked denoising autoencoders", Vincent et al., JMLR 2010). Each
    // level learns structure in the features of the level below (strokes,
    // then parts, then garments); fine-tuning the whole stack end to end
    // follows as before. We stop at one layer: the point here is the noise.
    lesson.result("hidden", "code size", hidden);
    lesson.result("mean_image_psnr", "the mean image, PSNR dB", mean_image_psnr);
    lesson.result("plain_clean_psnr", "plain AE on clean test images, PSNR dB",
                  plain_clean_psnr);
  });
}
