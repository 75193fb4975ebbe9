// Lesson 6 — the variational autoencoder
// ======================================
//
// What you will build
//   An autoencoder whose code is a probability distribution, and whose
//   decoder is a generator: draw a random code, decode it, get a new piece of
//   clothing that was never in the data. The architecture is the classic one
//   (Kingma & Welling, "Auto-Encoding Variational Bayes", 2013,
//   https://arxiv.org/abs/1312.6114): 784 → 400 → 20 and back, ReLU, Adam
//   with η = 1e-3, batches of 128.
//
//       h      = relu(W₁ x + b₁)                     784 → 400
//       μ      = W_μ h + b_μ,  log σ² = W_σ h + b_σ   400 → 20 and 20
//       z      = μ + σ ⊙ ε,    ε ~ N(0, I)            the reparameterisation
//       logits = W₄ relu(W₃ z + b₃) + b₄              20 → 400 → 784
//       p(x|z) = Π_pixels Bernoulli(σ(logits))
//
//       −ELBO(x) = −log p(x|z)  +  KL( q(z|x) ‖ N(0, I) )
//                = BCE(logits, x) + ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1)
//
// What is new
//   Every earlier encoder gave one code per image. This one gives a small
//   Gaussian cloud q(z|x) = N(μ(x), diag σ²(x)) per image, and the loss asks
//   two things at once: decode any point of the cloud back into the image
//   (reconstruction), and keep every cloud close to the standard normal
//   N(0, I) (the KL term). Step 2 says why that makes the code space
//   something you can sample from; step 6 shows a plain autoencoder failing
//   at exactly that.
//
// How to run it
//   scripts/lesson 06_variational             full run, about 30 s (50 s of CPU)
//   scripts/lesson 06_variational --quick     a few seconds, fewer samples
//   scripts/lesson 06_variational --step      pause between the steps
//   scripts/lesson 06_variational --help      every flag
//
// What to look for
//   - elbo.svg: the negative ELBO per image, in nats, falling from the
//     "mean image" level, train and test close together.
//   - The split of the loss: most nats go to reconstruction, about 18 to
//     the KL, the price of a code you can sample.
//   - samples_vae_vs_ae.png: left, VAE decodings of codes drawn from
//     N(0, I), blurry but whole garments; right, a plain autoencoder
//     decoding random codes, speckled fragments of garments.
//   - interpolations.png: one garment morphing into another, every step a
//     plausible garment.
//   - codes_2d.svg and manifold_2d.png: with a 2-D code, the test images
//     lie within about ±2.5 of 0, clothes on one side, footwear on the
//     other, bags between, and the decoded grid is a map of the
//     whole catalogue (dim blends along the seam between the two halves).
//   - The importance-weighted estimate of −log p(x) (step 7) a few nats
//     below the negative ELBO: the ELBO really is a lower bound.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/nn/log_sum_exp.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model. Five Linear layers; `encode` gives the two vectors of the
// approximate posterior q(z|x), `decode_logits` the Bernoulli logits of
// p(x|z). Two separate heads for μ and log σ² read more plainly than one
// layer of 2·latent outputs cut in half (which would be the same model).
//
// Why log σ² and not σ: the network's output can be any real number, and
// σ = e^{½ log σ²} is then positive automatically; the KL needs log σ²
// anyway, and an output near 0 means σ near 1, the prior's width.
struct VAE {
  hg::Linear hidden, to_mu, to_logvar, dec_hidden, dec_out;

  VAE(int pixels, int hidden_units, int latent, hg::Rng& rng)
      : hidden(pixels, hidden_units, rng, hg::Init::He, "enc"),
        to_mu(hidden_units, latent, rng, hg::Init::Xavier, "mu"),
        to_logvar(hidden_units, latent, rng, hg::Init::Xavier, "logvar"),
        dec_hidden(latent, hidden_units, rng, hg::Init::He, "dec1"),
        dec_out(hidden_units, pixels, rng, hg::Init::Xavier, "dec2") {}
  VAE(const VAE&) = delete;  // an optimizer will point at the layers
  VAE& operator=(const VAE&) = delete;

  int latent() const { return to_mu.out_features(); }

  struct Posterior {
    Var mu, logvar;  // (B, latent) each
  };
  Posterior encode(Var x) {
    Var h = relu(hidden(x));            // h = relu(W₁x + b₁)
    return {to_mu(h), to_logvar(h)};    // μ = W_μh + b_μ, log σ² = W_σh + b_σ
  }
  Var decode_logits(Var z) { return dec_out(relu(dec_hidden(z))); }

  hg::ParameterList params() {
    return hg::params(hidden, to_mu, to_logvar, dec_hidden, dec_out);
  }
};

// The reparameterisation trick: z = μ + σ ⊙ ε with ε ~ N(0, I) drawn from
// our seeded Rng and put on the tape as a constant input. The randomness
// sits in ε, which has no parameters, so z is an ordinary differentiable
// function of μ and log σ²:  ∂z/∂μ = 1,  ∂z/∂log σ² = ½ σ ε.
// (Sampling z ~ N(μ, σ²) directly would give the tape nothing to
// differentiate: "draw a number" has no derivative.)
Var reparameterise(Var mu, Var logvar, hg::Rng& rng) {
  hg::Tensor eps(mu.shape());
  rng.fill_normal(eps, 0.0f, 1.0f);
  return mu + exp(0.5f * logvar) * mu.tape().input(eps);
}

// The loss, per image (summed over pixels and latent units, averaged over
// the batch), in its two parts. One sample of z per image is enough: the
// batch averages the noise out over many images.
struct NegElbo {
  Var rec, kl, total;
};
NegElbo negative_elbo(VAE& vae, Var x, hg::Rng& rng) {
  VAE::Posterior q = vae.encode(x);
  Var z = reparameterise(q.mu, q.logvar, rng);
  Var rec = bce_with_logits(vae.decode_logits(z), x);  // −log p(x|z)
  Var kl = gaussian_kl(q.mu, q.logvar);                // closed form
  return {rec, kl, rec + kl};
}

// One epoch of training; returns the mean reconstruction and KL per image.
struct Parts {
  double rec = 0, kl = 0;
  double total() const { return rec + kl; }
};
Parts train_epoch(VAE& vae, hg::Optimizer& opt, const hg::Dataset& train,
                  int batch_size, hg::Rng& rng, hg::Tape& tape, int epoch,
                  int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  Parts sum;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    NegElbo l = negative_elbo(vae, tape.input(batch.images), rng);
    opt.zero_grad();
    tape.backward(l.total);
    opt.step();
    sum.rec += l.rec.item() * batch.size();
    sum.kl += l.kl.item() * batch.size();
    seen += batch.size();
    bar.update(seen, sum.total() / seen);
  }
  bar.finish(sum.total() / seen);
  return {sum.rec / seen, sum.kl / seen};
}

// The negative ELBO over a whole set, forward only. The noise comes from a
// fresh Rng with a fixed seed, so two evaluations see the same ε.
Parts evaluate(VAE& vae, const hg::Dataset& data, hg::Tape& tape,
               std::uint64_t seed) {
  hg::Rng noise(seed);
  Parts sum;
  hg::Batches eval(data, 500);
  for (const hg::Batch& batch : eval) {
    tape.clear();
    NegElbo l = negative_elbo(vae, tape.input(batch.images), noise);
    sum.rec += l.rec.item() * batch.size();
    sum.kl += l.kl.item() * batch.size();
  }
  return {sum.rec / data.size(), sum.kl / data.size()};
}

// μ and log σ² of every image, in order: (N, latent) each.
struct Codes {
  hg::Tensor mu, logvar;
};
Codes encode_all(VAE& vae, const hg::Dataset& data, hg::Tape& tape) {
  Codes c{hg::Tensor({data.size(), vae.latent()}),
          hg::Tensor({data.size(), vae.latent()})};
  std::size_t at = 0;
  hg::Batches eval(data, 500);
  for (const hg::Batch& batch : eval) {
    tape.clear();
    VAE::Posterior q = vae.encode(tape.input(batch.images));
    std::copy(q.mu.value().begin(), q.mu.value().end(), c.mu.begin() + at);
    std::copy(q.logvar.value().begin(), q.logvar.value().end(),
              c.logvar.begin() + at);
    at += q.mu.value().size();
  }
  return c;
}

// Images σ(decode(z)) for a batch of codes z (N, latent): the generator.
template <class Model>
hg::Tensor decode(Model& model, const hg::Tensor& z, hg::Tape& tape) {
  tape.clear();
  return sigmoid(model.decode_logits(tape.input(z))).value();
}

// ---------------------------------------------------------------------------
// The plain deep autoencoder of lesson 02, sized like the VAE (784-400-20,
// ReLU, a linear code), trained on the same cross-entropy without noise and
// without the KL: the control experiment for "can its codes be sampled?".
struct PlainAutoencoder {
  hg::Linear e1, e2, d1, d2;
  PlainAutoencoder(int pixels, int hidden_units, int code, hg::Rng& rng)
      : e1(pixels, hidden_units, rng, hg::Init::He, "ae.e1"),
        e2(hidden_units, code, rng, hg::Init::Xavier, "ae.e2"),
        d1(code, hidden_units, rng, hg::Init::He, "ae.d1"),
        d2(hidden_units, pixels, rng, hg::Init::Xavier, "ae.d2") {}
  PlainAutoencoder(const PlainAutoencoder&) = delete;
  PlainAutoencoder& operator=(const PlainAutoencoder&) = delete;

  Var encode(Var x) { return e2(relu(e1(x))); }
  Var decode_logits(Var z) { return d2(relu(d1(z))); }
  hg::ParameterList params() { return hg::params(e1, e2, d1, d2); }
};

double train_ae_epoch(PlainAutoencoder& ae, hg::Optimizer& opt,
                      const hg::Dataset& train, int batch_size, hg::Rng& rng,
                      hg::Tape& tape, int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var x = tape.input(batch.images);
    Var loss = bce_with_logits(ae.decode_logits(ae.encode(x)), x);
    opt.zero_grad();
    tape.backward(loss);
    opt.step();
    sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, sum / seen);
  }
  bar.finish(sum / seen);
  return sum / seen;
}

// ---------------------------------------------------------------------------
// Small numerical helpers of the lesson.

// −log p(x|z) of one image from its logits: Σ_pixels of the stable BCE
// max(l, 0) − x l + log(1 + e^−|l|).
double bce_row(const float* logits, const float* x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    const double l = logits[i];
    s += std::max(l, 0.0) - x[i] * l + std::log1p(std::exp(-std::fabs(l)));
  }
  return s;
}

// The BCE per image of answering every image with the mean training image,
// p = mean pixel: exactly the negative ELBO of a VAE whose code carries
// nothing (μ = 0, σ = 1 gives KL = 0; the best such decoder outputs the
// mean). Any VAE that uses its code must beat it.
double mean_image_bce(const hg::Dataset& train, const hg::Dataset& test) {
  const int P = train.pixels();
  std::vector<double> p(P, 0.0);
  for (int i = 0; i < train.size(); ++i)
    for (int j = 0; j < P; ++j) p[j] += train.images[std::size_t(i) * P + j];
  double s = 0;
  for (int j = 0; j < P; ++j) {
    const double pj = std::clamp(p[j] / train.size(), 1e-6, 1 - 1e-6);
    for (int i = 0; i < test.size(); ++i) {
      const double x = test.images[std::size_t(i) * P + j];
      s -= x * std::log(pj) + (1 - x) * std::log(1 - pj);
    }
  }
  return s / test.size();
}

// Φ⁻¹(p), the standard normal quantile, by bisection on Φ(t) = ½ erfc(−t/√2):
// slow but plainly right, and we need only a few dozen values.
double normal_quantile(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// Tiles side by side: `rows` rows, each `cols` tiles of `left`, one blank,
// `cols` tiles of `right`, as one tile matrix for samples_grid.
hg::Tensor beside(const hg::Tensor& left, const hg::Tensor& right, int rows,
                  int cols) {
  const int P = left.cols();
  hg::Tensor tiles({rows * (2 * cols + 1), P}, 0.5f);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const std::size_t src = std::size_t(r * cols + c) * P;
      std::copy_n(left.begin() + src, P,
                  tiles.begin() + std::size_t(r * (2 * cols + 1) + c) * P);
      std::copy_n(right.begin() + src, P,
                  tiles.begin() + std::size_t(r * (2 * cols + 1) + cols + 1 + c) * P);
    }
  return tiles;
}

// ---------------------------------------------------------------------------
// The importance-weighted estimate of log p(x) (Burda, Grosse &
// Salakhutdinov, https://arxiv.org/abs/1509.00519). With k samples
// z_s = μ + σ ⊙ ε_s from q(z|x) and the weights
//   w_s = p(x|z_s) p(z_s) / q(z_s|x),
//   log w_s = −BCE(decode(z_s), x) − ½ Σ_j z_sj² + ½ Σ_j (ε_sj² + log σ_j²)
// (the ½ log 2π of each Gaussian density cancels between p(z) and q(z|x)),
//   log p(x) ≈ log (1/k) Σ_s w_s        = log_mean_exp(log w)  (IWAE bound)
//   ELBO     ≈     (1/k) Σ_s log w_s                            (its k = 1 form)
// Both are lower bounds on log p(x); by Jensen's inequality the first is
// the tighter, and it tends to log p(x) as k grows. Returned as −log p(x)
// per image, in nats: the number papers report.
struct Likelihood {
  double elbo_nll = 0, iw_nll = 0;
};
Likelihood importance_weighted(VAE& vae, const hg::Dataset& data, int k,
                               hg::Tape& tape, hg::Rng& rng) {
  const int L = vae.latent(), P = data.pixels();
  Likelihood sum;
  hg::Batches eval(data, 250);
  for (const hg::Batch& batch : eval) {
    const int B = batch.size();
    tape.clear();
    VAE::Posterior q = vae.encode(tape.input(batch.images));
    const hg::Tensor mu = q.mu.value(), logvar = q.logvar.value();  // copies
    std::vector<double> logw(std::size_t(B) * k);  // (B, k)
    hg::Tensor eps({B, L}), z({B, L});
    for (int s = 0; s < k; ++s) {
      rng.fill_normal(eps, 0.0f, 1.0f);
      for (std::size_t i = 0; i < z.size(); ++i)
        z[i] = mu[i] + std::exp(0.5f * logvar[i]) * eps[i];
      tape.clear();
      const hg::Tensor& logits = vae.decode_logits(tape.input(z)).value();
      for (int b = 0; b < B; ++b) {
        double log_prior_over_q = 0;
        for (int j = 0; j < L; ++j) {
          const std::size_t at = std::size_t(b) * L + j;
          log_prior_over_q += 0.5 * (double(eps[at]) * eps[at] + logvar[at] -
                                     double(z[at]) * z[at]);
        }
        logw[std::size_t(b) * k + s] =
            -bce_row(logits.data() + std::size_t(b) * P,
                     batch.images.data() + std::size_t(b) * P, P) +
            log_prior_over_q;
      }
    }
    for (int b = 0; b < B; ++b) {
      const std::span<const double> w(logw.data() + std::size_t(b) * k, k);
      double mean = 0;
      for (double v : w) mean += v / k;
      sum.elbo_nll -= mean;
      sum.iw_nll -= hg::log_mean_exp(w);
    }
  }
  return {sum.elbo_nll / data.size(), sum.iw_nll / data.size()};
}

int main(int argc, char** argv) {
  int latent = 20, hidden = 400;
  int epochs_2d = 5, ae_epochs = 5;
  int iw_samples = 100, iw_images = 1000;
  hg::LessonInfo info{
      .name = "06_variational",
      .summary = "the variational autoencoder: z = μ + σ ⊙ ε, loss = BCE + KL",
      .epochs = 10,
      .batch_size = 128,
      .lr = 1e-3f,
      .flags = {hg::flag("latent", &latent, "size of the latent code z", 1, 784),
                hg::flag("hidden", &hidden, "units of the hidden layers", 1, 4096),
                hg::flag("epochs-2d", &epochs_2d, "epochs of the 2-D model (step 5)", 1, 1000),
                hg::flag("ae-epochs", &ae_epochs,
                         "epochs of the plain autoencoder (step 6)", 1, 1000),
                hg::flag("iw-samples", &iw_samples,
                         "k, samples per image of the importance-weighted bound", 1, 100000),
                hg::flag("iw-images", &iw_images,
                         "test images for the importance-weighted bound", 1, 10000)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST, and the loss of learning nothing");
    // The pixels are gray levels in [0, 1]; we read each as the probability
    // of "ink" and score the decoder with the Bernoulli log-likelihood, i.e.
    // binary cross-entropy, summed over the 784 pixels: nats per image.
    // (Gray targets make this a convenient score rather than a true
    // probability of the image, so the nats below are not comparable with
    // papers' numbers on binarised MNIST; they compare our models.)
    // The level to beat: answer every image with the mean training image.
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    const int H = data.test.height, W = data.test.width;
    std::printf("train %d, validation %d, test %d images of %dx%d%s\n",
                data.train.size(), data.validation.size(), data.test.size(), H,
                W, data.synthetic ? " (synthetic shapes)" : "");
    const double mean_bce = mean_image_bce(data.train, data.test);
    std::printf("mean image: %.1f nats per test image\n", mean_bce);

    // -----------------------------------------------------------------------
    lesson.step(2, "Why a VAE's code can be sampled");
    // A plain autoencoder puts each training image at one point of code
    // space and is only ever asked to decode those points. Nothing is said
    // about the space between them: the codes may crowd on a thin, curved
    // sheet, with gaps and a scale of the encoder's choosing, and a random
    // point usually lands where the decoder was never trained.
    //
    // A VAE is a generative model p(x) = ∫ p(x|z) p(z) dz with the prior
    // p(z) = N(0, I). Training maximises a lower bound on log p(x), the
    // evidence lower bound (ELBO), for any distribution q(z|x):
    //   log p(x) >= E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)) = ELBO(x)
    // (the gap is KL(q(z|x) ‖ p(z|x)), zero when q is the true posterior).
    // Read the loss −ELBO in autoencoder words:
    //   - E_q[−log p(x|z)]: decode a *noisy* code z ~ q(z|x) back into x.
    //     Every image now owns a small region of code space, not a point,
    //     so the regions must fill the space and neighbours must decode to
    //     similar images: the space becomes smooth.
    //   - KL(q ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1) for a
    //     diagonal Gaussian q: it pulls every μ toward 0 and every σ toward
    //     1, so the regions pack around the origin at the prior's scale.
    // Together: the codes of the training set, blurred by their noise, cover
    // N(0, I); so a z drawn from N(0, I) lands where the decoder has been
    // trained, and decodes to something like the data. That is what makes
    // the decoder a generator, and straight lines between codes walkable.
    //
    // Training needs ∂/∂(encoder weights) of an expectation over z ~ q. The
    // reparameterisation z = μ + σ ⊙ ε moves the randomness into ε, so one
    // sample gives an unbiased estimate of the gradient, which is just the
    // tape's gradient through `reparameterise` above.
    VAE vae(pixels, hidden, latent, rng);
    const Parts untrained = evaluate(vae, data.test, tape, opt.seed + 100);
    std::printf("untrained VAE: −ELBO %.1f nats per test image\n",
                untrained.total());

    // -----------------------------------------------------------------------
    lesson.step(3, "Train the VAE: 784-400-20, Adam 1e-3, batch 128");
    // The training curve is the running mean over the epoch (the weights
    // move during it); the test curve is measured after the epoch with a
    // fixed draw of ε, so epochs are compared on the same noise.
    hg::Adam adam(vae.params(), {.lr = opt.lr});
    hg::Rng train_rng(opt.seed + 1);
    std::vector<double> ep, train_curve, test_curve;
    Parts last_train;
    for (int e = 1; e <= opt.epochs; ++e) {
      last_train = train_epoch(vae, adam, data.train, opt.batch_size, train_rng,
                               tape, e, opt.epochs);
      const Parts t = evaluate(vae, data.test, tape, opt.seed + 100);
      std::printf("  test −ELBO %.2f = reconstruction %.2f + KL %.2f nats\n",
                  t.total(), t.rec, t.kl);
      ep.push_back(e);
      train_curve.push_back(last_train.total());
      test_curve.push_back(t.total());
    }
    const Parts test = evaluate(vae, data.test, tape, opt.seed + 100);
    hg::save_svg(lesson.out_path("elbo.svg"),
                 hg::LinePlot{.title = "Lesson 6: negative ELBO per image",
                              .x_label = "epoch",
                              .y_label = "−ELBO (nats per image)",
                              .series = {{"train (running mean)", ep, train_curve},
                                         {"test", ep, test_curve},
                                         {"mean image", {1.0, double(opt.epochs)},
                                          {mean_bce, mean_bce}}}});

    // Originals over reconstructions σ(decode(μ)): the mean of q, no noise.
    const Codes test_codes = encode_all(vae, data.test, tape);
    const int shown = std::min(12, data.test.size());
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::pairs_grid(data.test.images, decode(vae, test_codes.mu, tape),
                                 H, W, shown, shown, {.scale = 2}));
    // How many of the latent units carry information? A unit whose μ does
    // not change from image to image (Var_x μ_j < 0.01, the "active units"
    // test of Burda et al.) has been left at the prior by the KL: it costs
    // nothing and says nothing. The KL makes every unit pay for what it
    // carries, so a VAE switches off the units it cannot afford; count them
    // with a wider code (--latent 50, say).
    int active = 0;
    for (int j = 0; j < latent; ++j) {
      double m = 0, m2 = 0;
      for (int i = 0; i < data.test.size(); ++i) {
        const double v = test_codes.mu.at(i, j);
        m += v;
        m2 += v * v;
      }
      m /= data.test.size();
      if (m2 / data.test.size() - m * m > 0.01) ++active;
    }
    std::printf("active latent units: %d of %d\n", active, latent);

    // -----------------------------------------------------------------------
    lesson.step(4, "New images from the prior, and walks between codes");
    // Generation is two lines: z ~ N(0, I), x = σ(decode(z)). We show the
    // Bernoulli means σ(logits) rather than coin-flipped pixels: smoother,
    // and what everyone shows.
    hg::Rng sample_rng(opt.seed + 2);
    hg::Tensor z_prior({64, latent});
    sample_rng.fill_normal(z_prior, 0.0f, 1.0f);
    const hg::Tensor vae_samples = decode(vae, z_prior, tape);
    hg::write_png(lesson.out_path("prior_samples.png"),
                  hg::samples_grid(vae_samples, H, W, 8, {.scale = 2}));
    // Interpolation: for test images a and b, decode the codes on the line
    // z_t = (1 − t) μ_a + t μ_b, t = 0 … 1. Each row: a, ten steps, b.
    const int pairs = std::min(8, data.test.size() / 2), steps = 10;
    hg::Tensor walk({pairs * (steps + 2), pixels});
    {
      hg::Tensor z({pairs * steps, latent});
      for (int p = 0; p < pairs; ++p)
        for (int s = 0; s < steps; ++s) {
          const float t = float(s) / (steps - 1);
          for (int j = 0; j < latent; ++j)
            z.at(p * steps + s, j) = (1 - t) * test_codes.mu.at(2 * p, j) +
                                     t * test_codes.mu.at(2 * p + 1, j);
        }
      const hg::Tensor path = decode(vae, z, tape);
      for (int p = 0; p < pairs; ++p) {
        auto row = [&](int c) { return walk.begin() + std::size_t(p * (steps + 2) + c) * pixels; };
        std::copy_n(data.test.images.begin() + std::size_t(2 * p) * pixels, pixels, row(0));
        std::copy_n(path.begin() + std::size_t(p * steps) * pixels, steps * pixels, row(1));
        std::copy_n(data.test.images.begin() + std::size_t(2 * p + 1) * pixels, pixels,
                    row(steps + 1));
      }
    }
    hg::write_png(lesson.out_path("interpolations.png"),
                  hg::samples_grid(walk, H, W, steps + 2, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "A VAE with a 2-D code: the whole space on one page");
    // With two latent units we can draw q's means for the test images (a
    // scatter coloured by class, never shown to the model) and decode a
    // whole grid of codes. The grid is regular in probability, not in z
    // (not a plain grid on [−3, 3]²):
    // z = (Φ⁻¹(u), Φ⁻¹(v)) for u, v = (i + ½)/n, so each cell holds an equal
    // share of the prior's mass and the edges reach about ±2 (n = 20),
    // where the prior, and so the training, thins out.
    VAE vae2(pixels, hidden, 2, rng);
    hg::Adam adam2(vae2.params(), {.lr = opt.lr});
    hg::Rng rng2(opt.seed + 3);
    for (int e = 1; e <= epochs_2d; ++e)
      train_epoch(vae2, adam2, data.train, opt.batch_size, rng2, tape, e, epochs_2d);
    const Parts test2 = evaluate(vae2, data.test, tape, opt.seed + 100);
    std::printf("2-D VAE: test −ELBO %.2f = reconstruction %.2f + KL %.2f nats\n",
                test2.total(), test2.rec, test2.kl);
    {
      const Codes c2 = encode_all(vae2, data.test, tape);
      std::vector<double> x1, x2;
      std::vector<int> labels;
      for (int i = 0; i < std::min(3000, data.test.size()); ++i) {
        x1.push_back(c2.mu.at(i, 0));
        x2.push_back(c2.mu.at(i, 1));
        labels.push_back(data.test.labels[std::size_t(i)]);
      }
      const hg::ScatterPlot scatter{
          .title = "Lesson 6: means μ(x) of the 2-D VAE, test images",
          .x_label = "μ₁", .y_label = "μ₂", .x = x1, .y = x2,
          .labels = labels, .class_names = data.test.class_names};
      hg::save_svg(lesson.out_path("codes_2d.svg"), scatter);
      const int n = 20;
      hg::Tensor grid({n * n, 2});
      for (int r = 0; r < n; ++r)      // rows: z₂ from high (top) to low
        for (int c = 0; c < n; ++c) {  // columns: z₁ from low to high
          grid.at(r * n + c, 0) = float(normal_quantile((c + 0.5) / n));
          grid.at(r * n + c, 1) = float(normal_quantile((n - r - 0.5) / n));
        }
      hg::write_png(lesson.out_path("manifold_2d.png"),
                    hg::samples_grid(decode(vae2, grid, tape), H, W, n, {.margin = 1}));
    }

    // -----------------------------------------------------------------------
    lesson.step(6, "Random codes through a plain autoencoder");
    // The same network without noise and without KL (lesson 02's deep
    // autoencoder at the VAE's size). To be fair to it we do not draw its
    // codes from N(0, I), which could be on the wrong scale entirely, but
    // from a Gaussian with each code unit's own mean and spread over the
    // validation images. Even so, most decodings come out as speckled
    // fragments: its codes fill a thin, irregular region, which an
    // independent Gaussian mostly misses. Left the VAE's prior samples,
    // right the autoencoder's.
    PlainAutoencoder ae(pixels, hidden, latent, rng);
    hg::Adam ae_opt(ae.params(), {.lr = opt.lr});
    hg::Rng ae_rng(opt.seed + 4);
    double ae_bce = 0;
    for (int e = 1; e <= ae_epochs; ++e)
      ae_bce = train_ae_epoch(ae, ae_opt, data.train, opt.batch_size, ae_rng, tape,
                              e, ae_epochs);
    hg::Tensor ae_random({64, latent});
    {
      tape.clear();
      const hg::Tensor codes = ae.encode(tape.input(data.validation.images)).value();
      for (int j = 0; j < latent; ++j) {
        double m = 0, m2 = 0;
        for (int i = 0; i < codes.rows(); ++i) m += codes.at(i, j), m2 += codes.at(i, j) * codes.at(i, j);
        m /= codes.rows();
        const double sd = std::sqrt(std::max(0.0, m2 / codes.rows() - m * m));
        for (int i = 0; i < 64; ++i)
          ae_random.at(i, j) = float(m + sd * sample_rng.normal());
      }
    }
    hg::write_png(lesson.out_path("samples_vae_vs_ae.png"),
                  hg::samples_grid(beside(vae_samples, decode(ae, ae_random, tape), 8, 8),
                                   H, W, 17, {.scale = 2}));
    // The autoencoder reconstructs better than the VAE (no noise, no KL to
    // pay): the VAE trades some reconstruction for a space it can sample.
    double ae_test_bce = 0;
    {
      hg::Batches eval(data.test, 500);
      for (const hg::Batch& batch : eval) {
        tape.clear();
        Var x = tape.input(batch.images);
        ae_test_bce += bce_with_logits(ae.decode_logits(ae.encode(x)), x).item() *
                       batch.size();
      }
      ae_test_bce /= data.test.size();
    }
    std::printf("plain autoencoder: test BCE %.2f nats (train %.2f); VAE "
                "reconstruction %.2f\n", ae_test_bce, ae_bce, test.rec);

    // -----------------------------------------------------------------------
    lesson.step(7, "How good is the model? The importance-weighted bound");
    // The ELBO is only a lower bound on log p(x); papers report an estimate
    // of log p(x) itself, from k samples of q per image (see
    // `importance_weighted` above). The gap between the two is what the
    // single-sample bound loses because q(z|x) is not the true posterior.
    const int n_iw = std::min(iw_images, data.test.size());
    hg::Rng iw_rng(opt.seed + 5);
    const Likelihood iw =
        importance_weighted(vae, hg::take(data.test, n_iw), iw_samples, tape, iw_rng);
    std::printf("on %d test images, k = %d: −ELBO %.2f, −log p(x) ≈ %.2f nats\n",
                n_iw, iw_samples, iw.elbo_nll, iw.iw_nll);

    // -----------------------------------------------------------------------
    lesson.step(8, "The numbers");
    lesson.result("mean_image_bce", "mean image: BCE per test image (nats)", mean_bce);
    lesson.result("untrained_neg_elbo", "untrained VAE: test −ELBO (nats)",
                  untrained.total());
    lesson.result("train_neg_elbo", "VAE: last epoch's training −ELBO (nats)",
                  last_train.total());
    lesson.result("test_neg_elbo", "VAE: test −ELBO per image (nats)", test.total());
    lesson.result("test_rec", "  of which reconstruction (BCE)", test.rec);
    lesson.result("test_kl", "  of which KL(q(z|x) ‖ N(0, I))", test.kl);
    lesson.result("active_units", "active latent units (Var μ_j > 0.01)", active);
    lesson.result("iw_elbo_nll", "−ELBO on the k-sample images (nats)", iw.elbo_nll);
    lesson.result("iw_nll", "importance-weighted −log p(x) (nats)", iw.iw_nll);
    lesson.result("iw_samples", "k, samples per image", iw_samples);
    lesson.result("vae2_test_neg_elbo", "2-D VAE: test −ELBO (nats)", test2.total());
    lesson.result("vae2_test_kl", "2-D VAE: test KL (nats)", test2.kl);
    lesson.result("ae_test_bce", "plain autoencoder: test BCE (nats)", ae_test_bce);
  });
}
