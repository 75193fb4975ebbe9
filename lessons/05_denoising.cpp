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
//   watermark-like stamp; PSNR as the measure of image quality; a plain
//   autoencoder of the same size, trained on clean images, to show that
//   denoising is learned; a second denoising level trained on the first
//   one's codes (stacking); and how much noise to train with when the data
//   set is small.
//
// How to run it
//   scripts/lesson 05_denoising                   all four noises
//   scripts/lesson 05_denoising --quick           a few hundred images
//   scripts/lesson 05_denoising --noise stamp     one kind only
//   scripts/lesson 05_denoising --small-train 100 a smaller "small" set
//   scripts/lesson 05_denoising --step=batch      stop inside training
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "hourglass/data/noise.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/nn/classifier.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model: lesson 01's autoencoder, here with a 256-unit code. What makes
// it a denoiser is only what it is trained on, not its shape.
struct Autoencoder {
  hg::Linear encoder, decoder;
  Autoencoder(int inputs, int hidden, hg::Rng& rng)
      : encoder(inputs, hidden, rng, hg::Init::Xavier, "enc"),
        decoder(hidden, inputs, rng, hg::Init::Xavier, "dec") {}
  Var encode(Var x) { return sigmoid(encoder(x)); }  // h = σ(W_e x̃ + b_e)
  Var decode(Var h) { return sigmoid(decoder(h)); }  // x̂ = σ(W_d h + b_d)
  Var reconstruct(Var x) { return decode(encode(x)); }
};

// One kind of damage and how much of it (level 0: none).
struct Noise { hg::NoiseKind kind; float level; };  // level: σ, a fraction of pixels, an opacity

// L for one batch: ‖x − x̂(x̃)‖², with x̃ drawn afresh each time an image comes round, so
// the network never sees the same damage twice and cannot learn it by heart. x̃ is a
// constant on the tape: no gradient flows into the noise. Without noise: lesson 01's loss.
Var batch_loss(Autoencoder& ae, hg::Tape& tape, const hg::Tensor& x, Noise noise,
               int height, int width, hg::Rng& rng) {
  Var clean = tape.input(x);
  if (noise.level == 0) return mse(ae.reconstruct(clean), clean);
  Var noisy = tape.input(hg::corrupt(x, noise.kind, noise.level, height, width, rng));
  return mse(ae.reconstruct(noisy), clean);
}

// Why does noise help? Asked to give back its input, a network can get away with the
// identity on the training images. Asked to give back x from x̃, it cannot: the damaged
// pixels carry no trace of what was under them, so it must fill them in from the rest of
// the image, through what clothes look like. It learns to map points near the data back
// onto the data (Vincent et al., "Extracting and composing robust features with denoising
// autoencoders", ICML 2008).

// ---------------------------------------------------------------------------
// Training and measuring.
struct Setup { hg::Lesson& lesson; int epochs; std::uint64_t seed; };

// Trains `ae` on `train` under `noise` through the shared loop; every model
// sees the same batches (the batch order's seed is fixed).
void fit(const Setup& s, const std::string& name, Autoencoder& ae,
         const hg::Dataset& train, Noise noise) {
  const hg::LessonOptions& o = s.lesson.options();
  hg::Adam adam(hg::params(ae.encoder, ae.decoder), {.lr = o.lr});
  hg::Rng noise_rng(s.seed + 7);
  lessons::Run run{
      .name = name, .opt = adam, .batch_size = o.batch_size, .rng = hg::Rng(s.seed + 1),
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return batch_loss(ae, tape, b.images, noise, train.height, train.width, noise_rng);
      }};
  lessons::train(s.lesson, run, train, s.epochs);
}

hg::Tensor reconstruct_all(Autoencoder& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.reconstruct(x); });
}
hg::Tensor codes(Autoencoder& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.encode(x); });
}

// The test images under `noise`, drawn once from a seed of their own, so
// every model is measured on the same damage.
hg::Tensor noisy_test(const hg::Dataset& test, Noise noise, std::uint64_t seed) {
  hg::Rng rng(seed + 100 + int(noise.kind));
  return hg::corrupt(test.images, noise.kind, noise.level, test.height, test.width, rng);
}

// A picture of the first test images, one group a row: clean, noisy, answers.
void write_rows(hg::Lesson& lesson, const std::string& file, const hg::Dataset& test,
                const std::vector<const hg::Tensor*>& groups) {
  const int count = std::min(12, test.size()), P = groups[0]->cols();
  hg::Tensor tiles(hg::Shape{int(groups.size()) * count, P});
  float* at = tiles.data();
  for (const hg::Tensor* g : groups) at = std::copy_n(g->data(), std::size_t(count) * P, at);
  hg::write_png(lesson.out_path(file), hg::image_grid(tiles, test.height, test.width,
                                                      int(groups.size()), count, {.scale = 2}));
}

// ---------------------------------------------------------------------------
// The steps.
struct Settings {
  int hidden = 256, hidden2 = 128;  // the codes of the first and second (step 5) levels
  std::string which = "all";
  float sigma = 0.4f, mask = 0.5f, salt_pepper = 0.25f, stamp = 0.9f, code_mask = 0.25f;
  int small_train = 300, small_epochs = 150;  // step 6: a small set is gone through often
  float sweep_test_sigma = 0.2f;
};

std::vector<Noise> choose_noises(hg::Lesson& lesson, const Settings& s) {
  const Noise every[4] = {{hg::NoiseKind::Gaussian, s.sigma}, {hg::NoiseKind::Mask, s.mask},
                          {hg::NoiseKind::SaltPepper, s.salt_pepper},
                          {hg::NoiseKind::Stamp, s.stamp}};
  std::vector<Noise> noises;  // --noise checked before the data is read
  for (const Noise& n : every)
    if (s.which == "all" || hg::parse_noise_kind(s.which) == n.kind) noises.push_back(n);
  lesson.step(1, "Load Fashion-MNIST and choose the noises",
              "gaussian: x + σε, every pixel a little wrong; mask: a fraction of pixels set to "
              "0; salt-pepper: a fraction set to 0 or 1; stamp: a boxed \"HG\" blended in at a "
              "random place, a watermark in miniature.");
  return noises;
}

void train_plain(const Setup& s, const hg::LessonData& data, Autoencoder& plain,
                 const Settings& set, double mean_error) {
  s.lesson.step(2, "The plain autoencoder, trained on clean images",
                "The comparison: the same network trained to copy clean images. Its code of 256 "
                "cannot copy every pixel either; whatever noise it removes it removes by "
                "accident, the rest it passes on.");
  fit(s, "plain", plain, data.train, {hg::NoiseKind::Gaussian, 0.0f});
  const double plain_error = hg::error_per_pixel(data.test.images,
                                                 reconstruct_all(plain, data.test.images));
  s.lesson.result("hidden", "code size", set.hidden);
  s.lesson.result("mean_image_psnr", "the mean image, PSNR dB", -10 * std::log10(mean_error));
  s.lesson.result("plain_clean_psnr", "plain AE on clean test images, PSNR dB",
                  -10 * std::log10(plain_error));
  lessons::warn_if_diverged(s.lesson, "the plain model", plain_error, "mean image", mean_error);
}

struct Denoiser { Noise noise; Autoencoder ae; };

std::vector<Denoiser> train_denoisers(const Setup& s, const hg::Dataset& train,
                                      const std::vector<Noise>& noises, const Autoencoder& start) {
  s.lesson.step(3, "One denoiser per kind of noise",
                "The same start and batches as the plain model; only the input is damaged. The "
                "stamp's denoiser must tell garment from mark, which it can because it has seen "
                "the mark land everywhere.");
  std::vector<Denoiser> denoisers;
  for (const Noise& n : noises) {
    std::printf("-- %s --\n", hg::noise_name(n.kind));
    denoisers.push_back({n, start});
    fit(s, hg::noise_name(n.kind), denoisers.back().ae, train, n);
  }
  return denoisers;
}

void psnr_table(hg::Lesson& lesson, const hg::Dataset& test, Autoencoder& plain,
                std::vector<Denoiser>& denoisers, std::uint64_t seed, double mean_error) {
  lesson.step(4, "PSNR on the test set",
              "PSNR = 10·log10(1/MSE) for pixels in [0, 1], in decibels: +10 dB is ten times "
              "less squared error, +3 dB about half. Each row compares with the clean image: the "
              "noisy input, the denoiser's output, the plain autoencoder's output from the same "
              "input.");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, std::string>> pictures;  // file, caption
  for (Denoiser& d : denoisers) {
    const std::string name = hg::noise_name(d.noise.kind);
    const hg::Tensor noisy = noisy_test(test, d.noise, seed);
    const hg::Tensor denoised = reconstruct_all(d.ae, noisy);
    const hg::Tensor plain_out = reconstruct_all(plain, noisy);
    const double p_noisy = hg::psnr(test.images, noisy), p_plain = hg::psnr(test.images, plain_out),
                 p_denoised = hg::psnr(test.images, denoised);
    rows.push_back({name, hg::cell("%.2f", p_noisy), hg::cell("%.2f", p_denoised),
                    hg::cell("%.2f", p_plain), hg::cell("%+.2f", p_denoised - p_noisy)});
    lesson.result(name + "_noisy_psnr", name + ": noisy vs clean, PSNR dB", p_noisy);
    lesson.result(name + "_denoised_psnr", name + ": denoised vs clean, PSNR dB", p_denoised);
    lesson.result(name + "_plain_psnr", name + ": plain AE on noisy, PSNR dB", p_plain);
    lesson.result(name + "_gain_db", name + ": denoiser's gain, dB", p_denoised - p_noisy);
    lessons::warn_if_diverged(lesson, "the " + name + " denoiser", std::pow(10, -p_denoised / 10),
                              "mean image", mean_error);
    const std::string file = "denoise_" + name + ".png";
    write_rows(lesson, file, test, {&test.images, &noisy, &denoised, &plain_out});
    pictures.push_back({file, "rows: clean, " + name + ", denoised, the plain "
                              "autoencoder on the same noisy input"});
  }
  lesson.table("test PSNR, dB", {"noise", "noisy", "denoised", "plain AE", "gain"}, rows);
  for (const auto& [file, caption] : pictures) lesson.figure(file, caption);
}

// The second level: a denoiser whose data are the first level's codes h₁, some masked.
Autoencoder train_on_codes(const Setup& s, const hg::Tensor& h1, const hg::Dataset& train,
                           const Settings& set) {
  const hg::Dataset level1{.images = h1, .labels = train.labels, .height = 1,
                           .width = h1.cols(), .class_names = train.class_names};
  hg::Rng rng(s.seed + 5);
  Autoencoder second(h1.cols(), set.hidden2, rng);
  fit(s, "level2", second, level1, {hg::NoiseKind::Mask, set.code_mask});
  return second;
}

// A linear classifier's test accuracy on features: what of the classes a code keeps in reach.
double probe(const Setup& s, const hg::LessonData& data, const hg::Tensor& train_features,
             const hg::Tensor& test_features) {
  const hg::ClassifierOptions clf{.epochs = 3, .batch_size = s.lesson.options().batch_size};
  const int classes = int(data.train.class_names.size());
  hg::Rng rng(s.seed + 6);
  return hg::train_softmax_classifier(train_features, data.train.labels, test_features,
                                      data.test.labels, classes, rng, clf).test_accuracy;
}

void stack_second_level(const Setup& s, const hg::LessonData& data, Denoiser& first,
                        const Settings& set) {
  s.lesson.step(5, "Stacking: a second denoising level on the first one's codes",
                "The first denoiser's codes h₁ become the data of a second one, which masks some "
                "of them and learns to restore them: the greedy layer-wise recipe of lesson 03 "
                "with noise at each level (Vincent et al., JMLR 2010). Without lesson 03's "
                "fine-tuning, look whether the second code, half the size, keeps what the first "
                "knew: as features for a linear classifier, and the stack x̃ → h₁ → h₂ → ĥ₁ → x̂ "
                "as a denoiser.");
  const hg::Tensor h1_train = codes(first.ae, data.train.images);
  Autoencoder second = train_on_codes(s, h1_train, data.train, set);
  const hg::Tensor noisy = noisy_test(data.test, first.noise, s.seed);
  const hg::Tensor h1 = codes(first.ae, noisy);
  const hg::Tensor level1_out = lessons::forward_all(h1, [&](Var h) { return first.ae.decode(h); });
  const hg::Tensor stack_out = lessons::forward_all(
      h1, [&](Var h) { return first.ae.decode(second.reconstruct(h)); });
  const hg::Tensor h1_test = codes(first.ae, data.test.images);  // clean input
  const double psnr1 = hg::psnr(data.test.images, level1_out),
               psnr2 = hg::psnr(data.test.images, stack_out),
               acc1 = probe(s, data, h1_train, h1_test),
               acc2 = probe(s, data, codes(second, h1_train), codes(second, h1_test));
  const std::string noise = hg::noise_name(first.noise.kind);
  s.lesson.result("stacked_denoising_level1_psnr",
                  "stacked (" + noise + "): level 1 on noisy test, PSNR dB", psnr1);
  s.lesson.result("stacked_denoising_stack_psnr", "stacked: levels 1 + 2, PSNR dB", psnr2);
  s.lesson.result("stacked_denoising_level1_accuracy", "stacked: classifier on h1", acc1);
  s.lesson.result("stacked_denoising_level2_accuracy", "stacked: classifier on h2", acc2);
  s.lesson.table("", {"", "PSNR on noisy, dB", "classifier on clean, %"},
                 {{"level 1 (code h1)", hg::cell("%.2f", psnr1), hg::cell("%.2f", 100 * acc1)},
                  {"levels 1 + 2 (code h2)", hg::cell("%.2f", psnr2),
                   hg::cell("%.2f", 100 * acc2)}});
  write_rows(s.lesson, "stacked.png", data.test,
             {&data.test.images, &noisy, &level1_out, &stack_out});
  s.lesson.figure("stacked.png", "rows: clean, noisy, the first level's "
                  "answer, the two-level stack's answer");
}

// Step 6's PSNRs per σ: trained on the small or the full set; on clean or σ_test test images.
struct Sweep {
  std::vector<float> levels;
  std::vector<double> small_clean, full_clean, small_noisy, full_noisy;
};

// Step 6's table and results: a row per σ, and the σ that scores best in each column.
void show_sweep(hg::Lesson& lesson, const Sweep& r, const Settings& set, int small_size) {
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < r.levels.size(); ++i) {
    rows.push_back({hg::cell("%g", r.levels[i]), hg::cell("%.2f", r.small_clean[i]),
                    hg::cell("%.2f", r.full_clean[i]), hg::cell("%.2f", r.small_noisy[i]),
                    hg::cell("%.2f", r.full_noisy[i])});
    const std::string k = hg::cell("small_data_sigma_%g_", r.levels[i]),
                      l = hg::cell("trained at σ = %g: PSNR dB, ", r.levels[i]);
    lesson.result(k + "small_clean_psnr", l + "small set, clean", r.small_clean[i]);
    lesson.result(k + "full_clean_psnr", l + "full set, clean", r.full_clean[i]);
    lesson.result(k + "small_noisy_psnr", l + "small set, σ_test", r.small_noisy[i]);
    lesson.result(k + "full_noisy_psnr", l + "full set, σ_test", r.full_noisy[i]);
  }
  lesson.table("test PSNR, dB: on clean test images, and on test images under " +
                   hg::cell("σ_test = %g", set.sweep_test_sigma) + " noise",
               {"σ", "clean, small set", "clean, full set", "noisy, small set", "noisy, full set"},
               std::move(rows));
  lesson.result("small_data_train_size", "small set: training images", small_size);
  lesson.result("small_data_test_sigma", "σ_test", set.sweep_test_sigma);
  auto best = [&](const std::vector<double>& psnr) {
    return r.levels[std::max_element(psnr.begin(), psnr.end()) - psnr.begin()];
  };
  lesson.result("small_data_best_sigma_clean", "best σ, small set, clean", best(r.small_clean));
  lesson.result("full_data_best_sigma_clean", "best σ, full set, clean", best(r.full_clean));
  lesson.result("small_data_best_sigma_noisy", "best σ, small set, σ_test", best(r.small_noisy));
  lesson.result("full_data_best_sigma_noisy", "best σ, full set, σ_test", best(r.full_noisy));
}

void noise_for_small_data(const Setup& s, const hg::LessonData& data, Autoencoder& plain,
                          const Autoencoder& start, const std::vector<Denoiser>& denoisers,
                          const Settings& set) {
  s.lesson.step(6, "More noise for a small data set?",
                "Gaussian denoisers at several σ, trained on the first --small-train images for "
                "--small-epochs epochs and on the whole set as before; measured on clean test "
                "images and on test images under σ_test noise. \"Add more noise when the data "
                "set is small\" is a rule of thumb: look at which σ scores best at each size, "
                "and at what noise gains over σ = 0 at each.");
  const hg::Dataset small = hg::take(data.train, set.small_train);
  const hg::Tensor noisy =
      noisy_test(data.test, {hg::NoiseKind::Gaussian, set.sweep_test_sigma}, s.seed);
  Sweep r{{0.0f, 0.2f, 0.4f}, {}, {}, {}, {}};
  auto measure = [&](Autoencoder& ae, std::vector<double>& clean, std::vector<double>& on_noisy) {
    clean.push_back(hg::psnr(data.test.images, reconstruct_all(ae, data.test.images)));
    on_noisy.push_back(hg::psnr(data.test.images, reconstruct_all(ae, noisy)));
  };
  for (float level : r.levels) {
    const Noise noise{hg::NoiseKind::Gaussian, level};
    const std::string name = hg::cell("sigma %g", level);
    std::printf("-- %s, %d images --\n", name.c_str(), small.size());
    Autoencoder ae = start;
    fit({s.lesson, set.small_epochs, s.seed}, name, ae, small, noise);
    measure(ae, r.small_clean, r.small_noisy);
    // On the full set, a model step 2 or 3 already trained is reused.
    const Denoiser* done = nullptr;
    for (const Denoiser& d : denoisers)
      if (d.noise.kind == noise.kind && d.noise.level == level) done = &d;
    ae = level == 0 ? plain : done ? done->ae : start;
    if (level > 0 && !done) fit(s, name, ae, data.train, noise);
    measure(ae, r.full_clean, r.full_noisy);
  }
  show_sweep(s.lesson, r, set, small.size());
}

// ---------------------------------------------------------------------------
hg::LessonInfo lesson_info(Settings& set) {
  return {
      .name = "05_denoising",
      .summary = "the denoising autoencoder: x̂ = f(corrupt(x)), L = ‖x − x̂‖²",
      .look_for = "Each denoise_<kind>.png has rows of clean, noisy, denoised, "
                  "and the plain autoencoder's answer to the same noisy images; the stamp "
                  "vanishes under the denoiser and shows through the plain one. The PSNR table: "
                  "the denoiser's gain over its noisy input, and its lead over the plain "
                  "autoencoder, widest for masking noise (the plain one never saw a garment with "
                  "pixels missing). Steps 5 and 6: a second denoising level on the first one's "
                  "codes, and how much noise to train with when the data set is small.",
      .epochs = 4, .batch_size = 128, .lr = 2e-3f,
      .flags = {hg::flag("hidden", &set.hidden, "units in the code h", 1, 4096),
                hg::flag("noise", &set.which, "all, gaussian, mask, salt-pepper or stamp"),
                hg::flag("sigma", &set.sigma, "Gaussian noise: standard deviation σ", 0, 10),
                hg::flag("mask", &set.mask, "masking noise: fraction of pixels set to 0", 0, 1),
                hg::flag("salt-pepper", &set.salt_pepper,
                         "salt-and-pepper: fraction of pixels set to 0 or 1", 0, 1),
                hg::flag("stamp", &set.stamp, "stamp: opacity α of the mark", 0, 1),
                hg::flag("hidden2", &set.hidden2, "units in the second level's code", 1, 4096),
                hg::flag("code-mask", &set.code_mask,
                         "the second level's masking noise on the codes", 0, 1),
                hg::flag("small-train", &set.small_train,
                         "images in step 6's small training set", 1, 60000),
                hg::flag("small-epochs", &set.small_epochs,
                         "epochs on step 6's small training set", 1, 10000),
                hg::flag("sweep-test-sigma", &set.sweep_test_sigma,
                         "σ of step 6's noisy test images", 0, 10)}};
}

int main(int argc, char** argv) {
  Settings set;
  return hg::run_lesson(argc, argv, lesson_info(set), [&](hg::Lesson& lesson) {
    const hg::LessonOptions& o = lesson.options();
    const Setup s{lesson, o.epochs, o.seed};
    hg::Rng rng(o.seed);
    const std::vector<Noise> noises = choose_noises(lesson, set);
    const hg::LessonData data = lessons::load_data(lesson, rng);
    const double mean_error = lessons::mean_image_error(data.train, data.test);
    Autoencoder plain(data.train.pixels(), set.hidden, rng);
    const Autoencoder start = plain;  // every denoiser starts here too
    train_plain(s, data, plain, set, mean_error);
    std::vector<Denoiser> denoisers = train_denoisers(s, data.train, noises, start);
    psnr_table(lesson, data.test, plain, denoisers, o.seed, mean_error);
    stack_second_level(s, data, denoisers.front(), set);
    noise_for_small_data(s, data, plain, start, denoisers, set);
    lesson.step(7, "The numbers",
                "PSNR on the test set throughout. Where the course stops: colourisation (grey "
                "in, colour out) is denoising's sibling, but it needs colour images, and these "
                "are grey.");
    lesson.try_this({
        {"--noise stamp --stamp 0.5",
         "A faint mark: the denoiser gains little over its input, yet beats the plain model."},
        {"--noise gaussian --small-train 100 --small-epochs 450",
         "Fewer images: the same best σ, and noise helps more than with 300."},
    });
  });
}
