// Lesson 6 — the variational autoencoder
// ======================================
//
// What you will build
//   An autoencoder whose code is a distribution and whose decoder is a
//   generator: decode a random code, get a garment never in the data
//   (Kingma & Welling, https://arxiv.org/abs/1312.6114): 784 → 400 → 20.
//
//       h      = relu(W₁ x + b₁)                     784 → 400
//       μ      = W_μ h + b_μ,  log σ² = W_σ h + b_σ   400 → 20 and 20
//       z      = μ + σ ⊙ ε,    ε ~ N(0, I)            the reparameterisation
//       logits = W₄ relu(W₃ z + b₃) + b₄              20 → 400 → 784
//       −ELBO(x) = BCE(logits, x) + ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1)
//
// What is new
//   Each image's code is a Gaussian cloud q(z|x) = N(μ, diag σ²); the loss
//   asks that any point of it decode back into the image and that every
//   cloud stay near N(0, I). That buys samples from the prior (the plain
//   autoencoder, the control, fails) and attribute vectors between classes.
//
// How to run it
//   scripts/lesson 06_variational [--quick | --step | --resume | --help]
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/nn/log_sum_exp.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model. Two heads give μ and log σ² (not σ: any real output is allowed,
// σ = e^{½ log σ²} > 0, and the KL wants log σ²). Step 4's plain autoencoder
// is this network with μ as its code, no noise and no KL.
struct VAE {
  hg::Linear hidden, to_mu, to_logvar, dec_hidden, dec_out;
  VAE(int pixels, int hidden_units, int latent, hg::Rng& rng)
      : hidden(pixels, hidden_units, rng, hg::Init::He, "enc"),
        to_mu(hidden_units, latent, rng, hg::Init::Xavier, "mu"),
        to_logvar(hidden_units, latent, rng, hg::Init::Xavier, "logvar"),
        dec_hidden(latent, hidden_units, rng, hg::Init::He, "dec1"),
        dec_out(hidden_units, pixels, rng, hg::Init::Xavier, "dec2") {}
  VAE(const VAE&) = delete;  // an optimizer will point at the layers

  int latent() const { return to_mu.out_features(); }
  Var mu(Var x) { return to_mu(relu(hidden(x))); }
  Var logvar(Var x) { return to_logvar(relu(hidden(x))); }
  Var decode_logits(Var z) { return dec_out(relu(dec_hidden(z))); }
};

// z = μ + σ ⊙ ε with ε ~ N(0, I) put on the tape as a constant: the
// randomness sits in ε, which has no parameters, so z is differentiable in
// μ and log σ² (∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε). "Draw a number" is not.
Var reparameterise(Var mu, Var logvar, hg::Rng& rng) {
  hg::Tensor eps(mu.shape());
  rng.fill_normal(eps, 0.0f, 1.0f);
  return mu + exp(0.5f * logvar) * mu.tape().input(eps);
}

// The loss per image (summed over pixels and units, batch mean), in its two
// parts. One draw of z per image: the batch averages the noise.
struct NegElbo { Var rec, kl; Var total() const { return rec + kl; } };
NegElbo negative_elbo(VAE& vae, Var x, hg::Rng& rng) {
  Var h = relu(vae.hidden(x));
  Var mu = vae.to_mu(h), logvar = vae.to_logvar(h);
  Var z = reparameterise(mu, logvar, rng);
  return {bce_with_logits(vae.decode_logits(z), x),  // −log p(x|z)
          gaussian_kl(mu, logvar)};                  // KL(q(z|x) ‖ N(0, I))
}

// ---------------------------------------------------------------------------
struct Parts { double rec = 0, kl = 0; double total() const { return rec + kl; } };

// The −ELBO over a set, ε from a fixed seed: two calls see the same noise.
Parts evaluate(VAE& vae, const hg::Dataset& data, std::uint64_t seed) {
  hg::Rng noise(seed);
  hg::Tape tape;
  Parts sum;
  for (const hg::Batch& batch : hg::Batches(data, 500)) {
    tape.clear();
    const NegElbo l = negative_elbo(vae, tape.input(batch.images), noise);
    sum.rec += l.rec.item() * batch.size(), sum.kl += l.kl.item() * batch.size();
  }
  return {sum.rec / data.size(), sum.kl / data.size()};
}

hg::Tensor encode_mu(VAE& vae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return vae.mu(x); });
}
hg::Tensor encode_logvar(VAE& vae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return vae.logvar(x); });
}
hg::Tensor decode(VAE& vae, const hg::Tensor& z) {  // σ(decode(z)): the generator
  return lessons::forward_all(z, [&](Var c) { return sigmoid(vae.decode_logits(c)); });
}

// ---------------------------------------------------------------------------
struct Settings {
  int latent = 20, hidden = 400, ae_epochs = 5, iw_samples = 100, iw_images = 1000;
};

// Adam through the harness. ε comes from the run's Rng, which the checkpoint
// keeps: a resumed run draws the noise an unbroken one would have drawn.
lessons::Curves fit(hg::Lesson& lesson, const std::string& name, hg::ParameterList params,
                    const hg::Dataset& train, int epochs, std::uint64_t seed,
                    const std::function<Var(Var x, hg::Rng& noise)>& loss,
                    const std::function<double()>& validate = nullptr) {
  hg::Adam adam(std::move(params), {.lr = lesson.options().lr});
  lessons::Run run{.name = name, .opt = adam, .batch_size = lesson.options().batch_size,
                   .rng = hg::Rng(seed), .checkpoint = true, .loss = {}};
  std::ostringstream shapes;  // what a resumed run must match
  for (const hg::Parameter* p : adam.parameters()) shapes << p->value.shape() << ' ';
  run.settings = {{"shapes", shapes.str()}};
  run.loss = [&](hg::Tape& t, const hg::Batch& b) { return loss(t.input(b.images), run.rng); };
  return lessons::train(lesson, run, train, epochs, validate);
}

hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng, double& mean_bce) {
  lesson.step(1, "Load Fashion-MNIST, and the loss of learning nothing",
              "Gray levels are read as probabilities of ink; the decoder is scored by "
              "BCE summed over the pixels, in nats per image (a score, not a true "
              "probability). The level to beat: the mean training image.");
  hg::LessonData data = lessons::load_data(lesson, rng);
  // The −ELBO of a VAE whose code carries nothing (μ = 0, σ = 1: KL = 0)
  // and whose decoder answers every image with the mean training image.
  mean_bce = lessons::mean_image_bce(data.train, data.test);
  std::printf("mean image: %.1f nats per test image\n", mean_bce);
  lesson.result("mean_image_bce", "mean image: BCE per test image", mean_bce);
  return data;
}

void train_vae(hg::Lesson& lesson, VAE& vae, const hg::LessonData& data, double mean_bce) {
  lesson.step(2, "Train the VAE: why its code can be sampled",
              "Decoding a noisy z ~ q(z|x) gives each image a region that must "
              "decode alike, and the KL packs the regions around 0, so a z from "
              "N(0, I) lands where the decoder was trained. Watch the −ELBO fall.");
  const std::uint64_t eval_seed = lesson.options().seed + 100;
  const double untrained = evaluate(vae, data.test, eval_seed).total();
  std::printf("untrained VAE: −ELBO %.1f nats per test image\n", untrained);
  lesson.result("untrained_neg_elbo", "untrained VAE: test −ELBO", untrained);
  const lessons::Curves c = fit(
      lesson, "vae", hg::params(vae.hidden, vae.to_mu, vae.to_logvar, vae.dec_hidden, vae.dec_out),
      data.train, lesson.options().epochs, lesson.options().seed + 1,
      [&](Var x, hg::Rng& noise) { return negative_elbo(vae, x, noise).total(); },
      [&] {
        const Parts v = evaluate(vae, data.validation, eval_seed);
        std::printf("  validation −ELBO %.2f = reconstruction %.2f + KL %.2f\n",
                    v.total(), v.rec, v.kl);
        return v.total();
      });
  const double last = c.epoch.empty() ? 1 : c.epoch.back();
  hg::save_svg(lesson.out_path("elbo.svg"),
               hg::LinePlot{.title = "Lesson 6: negative ELBO per image",
                            .x_label = "epoch", .y_label = "−ELBO (nats per image)",
                            .series = {{"train (running mean)", c.epoch, c.train_loss},
                                       {"validation (fixed ε)", c.epoch, c.val_error},
                                       {"mean image", {1.0, last}, {mean_bce, mean_bce}}}});
  lesson.figure("elbo.svg", "−ELBO per image by epoch, training and validation "
                "close together, far below the mean image's level");
  const Parts test = evaluate(vae, data.test, eval_seed);
  lesson.result("train_neg_elbo", "VAE: last epoch's training −ELBO",
                c.train_loss.empty() ? NAN : c.train_loss.back());
  lesson.result("test_neg_elbo", "VAE: test −ELBO", test.total());
  lesson.result("test_rec", "  of which reconstruction (BCE)", test.rec);
  lesson.result("test_kl", "  of which KL(q(z|x) ‖ N(0, I))", test.kl);
  lessons::warn_if_diverged(lesson, "the VAE (−ELBO)", test.total() / data.test.pixels(),
                            "mean image", mean_bce / data.test.pixels());  // per pixel
}

void active_units(hg::Lesson& lesson, VAE& vae, const hg::Dataset& test) {
  lesson.step(3, "How many latent units does the model use?",
              "Each unit's KL, ½(μ_j² + σ_j² − log σ_j² − 1), averaged over the test "
              "images; above 0.01 nats counts as used. The KL charges each unit for "
              "what it carries, so the VAE switches off units it cannot afford.");
  const hg::Tensor mu = encode_mu(vae, test.images), lv = encode_logvar(vae, test.images);
  std::vector<double> kl(vae.latent(), 0.0);
  for (int n = 0; n < test.size(); ++n)
    for (int j = 0; j < vae.latent(); ++j)
      kl[j] += 0.5 * (mu.at(n, j) * mu.at(n, j) + std::exp(lv.at(n, j)) - lv.at(n, j) - 1) /
               test.size();
  std::vector<int> unit(vae.latent());  // the units, most KL first
  std::iota(unit.begin(), unit.end(), 0);
  std::sort(unit.begin(), unit.end(), [&](int a, int b) { return kl[a] > kl[b]; });
  int used = 0;
  std::printf("KL per unit, largest first (nats):");
  for (int j : unit) std::printf(" %.2f", kl[j]), used += kl[j] > 0.01;
  std::printf("\nused: %d of %d units\n", used, vae.latent());
  lesson.result("latent_units", "latent units", vae.latent());
  lesson.result("active_units", "  of which used (mean KL > 0.01 nats)", used);
  if (vae.latent() < 2) return;
  hg::ScatterPlot map{.title = "Lesson 6: the test images' μ on the two units with the most KL",
                      .x_label = "μ, unit " + std::to_string(unit[0]),
                      .y_label = "μ, unit " + std::to_string(unit[1]), .x = {}, .y = {},
                      .labels = {}, .class_names = test.class_names};
  for (int n = 0; n < std::min(3000, test.size()); ++n)
    map.x.push_back(mu.at(n, unit[0])), map.y.push_back(mu.at(n, unit[1])),
        map.labels.push_back(test.labels[std::size_t(n)]);
  hg::save_svg(lesson.out_path("codes_2d.svg"), map);
  lesson.figure("codes_2d.svg", "test μ on the two busiest units, by class (never shown "
                "to the model): overlapping clouds within a few units of 0, the prior's scale");
}

void sampling(hg::Lesson& lesson, VAE& vae, const hg::LessonData& data, const Settings& s,
              hg::Rng& rng, double mean_bce) {
  lesson.step(4, "New images from the prior, and the plain autoencoder's failure",
              "z ~ N(0, I), x = σ(decode(z)). The control, μ as code without noise or "
              "KL, draws each unit from a Gaussian with its validation mean and "
              "spread. Whole garments from the VAE, fragments from the control.");
  hg::Tensor z({32, s.latent});
  hg::Rng(lesson.options().seed + 2).fill_normal(z, 0.0f, 1.0f);
  const hg::Tensor vae_samples = decode(vae, z);
  VAE ae(data.train.pixels(), s.hidden, s.latent, rng);
  fit(lesson, "ae", hg::params(ae.hidden, ae.to_mu, ae.dec_hidden, ae.dec_out), data.train,
      s.ae_epochs, lesson.options().seed + 4,
      [&](Var x, hg::Rng&) { return bce_with_logits(ae.decode_logits(ae.mu(x)), x); });
  const hg::Tensor codes = encode_mu(ae, data.validation.images);
  hg::Tensor random(z.shape());
  for (int j = 0; j < s.latent; ++j) {
    double m = 0, m2 = 0;
    for (int i = 0; i < codes.rows(); ++i)
      m += codes.at(i, j) / codes.rows(), m2 += std::pow(codes.at(i, j), 2) / codes.rows();
    for (int i = 0; i < random.rows(); ++i)
      random.at(i, j) = float(m + std::sqrt(std::max(0.0, m2 - m * m)) * rng.normal());
  }
  hg::write_png(lesson.out_path("samples_vae_vs_ae.png"),
                hg::pairs_grid(vae_samples, decode(ae, random), data.test.height,
                               data.test.width, vae_samples.rows(), 8, {.scale = 2}));
  lesson.figure("samples_vae_vs_ae.png", "rows alternate: the VAE's samples from "
                "the prior, whole garments; the plain autoencoder's random codes, fragments");
  const hg::Tensor logits = lessons::forward_all(
      data.test.images, [&](Var x) { return ae.decode_logits(ae.mu(x)); });
  double bce = 0;
  for (int n = 0; n < data.test.size(); ++n)
    bce += hg::bce_of_image(logits.row(n), data.test.images.row(n)) / data.test.size();
  std::printf("plain autoencoder: test BCE %.2f nats per image\n", bce);
  lesson.result("ae_test_bce", "plain autoencoder: test BCE", bce);
  lessons::warn_if_diverged(lesson, "the plain autoencoder (BCE)", bce / data.test.pixels(),
                            "mean image", mean_bce / data.test.pixels());
}

// Per class, the mean of the rows of `m` (one row per image of `d`).
std::vector<std::vector<double>> class_means(const hg::Tensor& m, const hg::Dataset& d) {
  std::vector<std::vector<double>> mean(d.class_names.size(), std::vector<double>(m.cols()));
  const std::vector<int> count = hg::class_counts(d);
  for (int i = 0; i < d.size(); ++i) {
    const int c = d.labels[std::size_t(i)];
    for (int j = 0; j < m.cols(); ++j) mean[c][j] += m.at(i, j) / count[c];
  }
  return mean;
}

// The codes μ_n + α·shift for each row n of `mu` and each α in turn: row n·|α| + i has α_i.
hg::Tensor moved(const hg::Tensor& mu, const std::vector<double>& shift,
                 const std::vector<double>& alpha) {
  const int A = int(alpha.size());
  hg::Tensor z({mu.rows() * A, mu.cols()});
  for (int i = 0; i < z.rows(); ++i)
    for (int j = 0; j < z.cols(); ++j)
      z.at(i, j) = mu.at(i / A, j) + float(alpha[i % A] * shift[j]);
  return z;
}

// Step 5 for one pair, on up to 200 test images of `from`: the share of their decodings
// nearer the mean `to` image than the mean `from` one at μ, μ + v and μ + r (r: a random
// direction as long as v); and 4 of them at μ + α v, α = 0, ¼, …, 1½.
// What every pair is measured with: per class, the mean training μ and the mean training
// image; and every test image's μ.
struct Means { std::vector<std::vector<double>> codes, images; hg::Tensor mu_test; };
struct Attribute { double before, after, random; hg::Tensor strip; };
Attribute attribute(VAE& vae, const hg::Dataset& test, const Means& m, int from, int to,
                    hg::Rng& rng) {
  const auto& images = m.images;
  std::vector<double> v(vae.latent()), r(vae.latent());
  double v2 = 0, r2 = 0;
  for (int j = 0; j < vae.latent(); ++j)
    v[j] = m.codes[to][j] - m.codes[from][j], r[j] = rng.normal(),
    v2 += v[j] * v[j], r2 += r[j] * r[j];
  for (double& x : r) x *= std::sqrt(v2 / r2);
  std::vector<int> of_class;
  for (int i = 0; i < test.size() && of_class.size() < 200; ++i)
    if (test.labels[std::size_t(i)] == from) of_class.push_back(i);
  hg::check(!of_class.empty(), "attribute vector: no test image of class ", from);
  const hg::Tensor mu = hg::gather_rows(m.mu_test, of_class);
  auto share_nearer = [&](const hg::Tensor& z) {
    const hg::Tensor x = decode(vae, z);
    int nearer = 0;
    for (int n = 0; n < x.rows(); ++n) {
      double d = 0;  // ‖x − to‖² − ‖x − from‖²
      for (int p = 0; p < x.cols(); ++p)
        d += std::pow(x.at(n, p) - images[to][p], 2) - std::pow(x.at(n, p) - images[from][p], 2);
      nearer += d < 0;
    }
    return double(nearer) / x.rows();
  };
  const hg::Tensor some = hg::first_rows(mu, std::min(4, mu.rows()));
  return {share_nearer(mu), share_nearer(moved(mu, v, {1})), share_nearer(moved(mu, r, {1})),
          decode(vae, moved(some, v, {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5}))};
}

void attributes(hg::Lesson& lesson, VAE& vae, const hg::LessonData& data) {
  lesson.step(5, "Attribute vectors: arithmetic on codes",
              "v = (mean training μ of one class) − (that of another), added to test "
              "codes, should turn dresses into trousers, sneakers into ankle boots; "
              "a random direction as long is the control. Judged against mean images.");
  hg::Rng rng(lesson.options().seed + 6);
  const std::vector<std::string>& name = data.test.class_names;
  const Means means{class_means(encode_mu(vae, data.train.images), data.train),
                    class_means(data.train.images, data.train),
                    encode_mu(vae, data.test.images)};
  std::vector<float> tiles;
  std::vector<std::vector<std::string>> rows;
  for (const auto& [from, to] : {std::pair{3, 1}, std::pair{7, 9}}) {
    const Attribute a = attribute(vae, data.test, means, from, to, rng);
    const std::string what = name[from] + " → " + name[to],
        key = "attribute_" + std::to_string(from) + "_to_" + std::to_string(to);
    lesson.result(key + "_before", what + ": nearer the mean " + name[to] + ", at μ", a.before);
    lesson.result(key + "_after", what + ": nearer the mean " + name[to] + ", at μ + v", a.after);
    lesson.result(key + "_random", what + ": nearer, at μ + random (|v|)", a.random);
    rows.push_back({what, hg::cell("%.2f", a.before), hg::cell("%.2f", a.after),
                    hg::cell("%.2f", a.random)});
    tiles.insert(tiles.end(), a.strip.begin(), a.strip.end());
  }
  lesson.table("share of the decodings nearer the mean image of the class moved to",
               {"from → to", "at μ", "at μ + v", "at μ + random"}, std::move(rows));
  hg::Tensor all({int(tiles.size()) / data.test.pixels(), data.test.pixels()});
  std::copy(tiles.begin(), tiles.end(), all.begin());
  hg::write_png(lesson.out_path("attribute_vectors.png"),
                hg::samples_grid(all, data.test.height, data.test.width, 7, {.scale = 2}));
  lesson.figure("attribute_vectors.png", "four test dresses, then four sneakers, at "
                "μ + α v for α = 0, ¼, …, 1½: dresses become trousers, sneakers ankle boots");
}

// ---------------------------------------------------------------------------
// The importance-weighted bound (Burda, Grosse & Salakhutdinov,
// https://arxiv.org/abs/1509.00519). With k draws z_s = μ + σ ⊙ ε_s from
// q(z|x) and w_s = p(x|z_s) p(z_s) / q(z_s|x) (the ½ log 2π terms cancel):
//   log w_s = −BCE(decode(z_s), x) − ½ Σ_j z_sj² + ½ Σ_j (ε_sj² + log σ_j²)
//   L_k = log (1/k) Σ_s w_s     and    ELBO ≈ (1/k) Σ_s log w_s.
// E[L_k] ≤ log p(x), rising towards it as k grows, and L_k ≥ the ELBO from
// the same draws. Both negated, nats per image: above −log p(x).
void iw_bound(hg::Lesson& lesson, VAE& vae, const hg::LessonData& data, const Settings& s) {
  lesson.step(6, "How loose is the ELBO? The importance-weighted bound",
              "k draws from q(z|x) per image tighten the bound towards log p(x). "
              "−L_k lies below the −ELBO and above −log p(x): the gap is part of "
              "what q(z|x) not being the true posterior costs.");
  hg::Rng rng(lesson.options().seed + 5);
  const hg::Dataset some = hg::take(data.test, s.iw_images);
  const int N = some.size(), k = s.iw_samples;
  const hg::Tensor mu = encode_mu(vae, some.images), logvar = encode_logvar(vae, some.images);
  std::vector<std::vector<double>> logw(N);  // each image's log w_s
  hg::Tensor eps(mu.shape()), z(mu.shape());
  for (int draw = 0; draw < k; ++draw) {
    rng.fill_normal(eps, 0.0f, 1.0f);
    for (std::size_t i = 0; i < z.size(); ++i) z[i] = mu[i] + std::exp(0.5f * logvar[i]) * eps[i];
    const hg::Tensor logits = lessons::forward_all(z, [&](Var c) { return vae.decode_logits(c); });
    for (int n = 0; n < N; ++n) {
      double log_prior_over_q = 0;
      for (int j = 0; j < mu.cols(); ++j)
        log_prior_over_q += 0.5 * (double(eps.at(n, j)) * eps.at(n, j) +
                                   logvar.at(n, j) - double(z.at(n, j)) * z.at(n, j));
      logw[n].push_back(log_prior_over_q - hg::bce_of_image(logits.row(n), some.images.row(n)));
    }
  }
  double neg_elbo = 0, neg_iw = 0;
  for (const std::vector<double>& w : logw) {
    for (double v : w) neg_elbo -= v / k;
    neg_iw -= hg::log_mean_exp(w);
  }
  std::printf("on %d test images, k = %d: −ELBO %.2f, −L_k %.2f nats\n", N, k, neg_elbo / N,
              neg_iw / N);
  lesson.result("iw_samples", "k, draws per image of the bound", k);
  lesson.result("iw_neg_elbo", "−ELBO on the bound's test images", neg_elbo / N);
  lesson.result("iw_neg_bound", "−L_k, the importance-weighted bound (≥ −log p(x))", neg_iw / N);
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "06_variational",
      .summary = "the variational autoencoder: z = μ + σ ⊙ ε, loss = BCE + KL",
      .look_for = "The −ELBO split into reconstruction and KL, and how many latent units carry "
                  "any KL at all; codes_2d.svg shows the two busiest. In samples_vae_vs_ae.png, "
                  "whole garments from the VAE's prior, fragments from the plain autoencoder's "
                  "random codes. In attribute_vectors.png, dresses turn into trousers and "
                  "sneakers into ankle boots; a random direction as long does not. The "
                  "importance-weighted bound lies below the −ELBO: the ELBO is loose.",
      .epochs = 10, .batch_size = 128, .lr = 1e-3f,
      .flags = {hg::flag("latent", &s.latent, "size of the latent code z", 1, 784),
                hg::flag("hidden", &s.hidden, "units of the hidden layers", 1, 4096),
                hg::flag("ae-epochs", &s.ae_epochs, "epochs of the plain autoencoder", 1, 1000),
                hg::flag("iw-samples", &s.iw_samples, "k, draws per image of the bound", 1, 100000),
                hg::flag("iw-images", &s.iw_images, "test images for that bound", 1, 10000)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    double mean_bce = 0;
    const hg::LessonData data = load(lesson, rng, mean_bce);
    VAE vae(data.train.pixels(), s.hidden, s.latent, rng);
    train_vae(lesson, vae, data, mean_bce);
    active_units(lesson, vae, data.test);
    sampling(lesson, vae, data, s, rng, mean_bce);
    attributes(lesson, vae, data);
    iw_bound(lesson, vae, data, s);
    lesson.step(7, "The numbers", "In nats per test image. The plain autoencoder "
                "reconstructs better than the VAE, which pays for a space it can sample.");
    lesson.try_this({
        {"--latent 50", "The same −ELBO: a dozen units carry most KL, the rest idle."},
        {"--latent 2", "codes_2d.svg is the whole code space; the random push works as well as v."},
        {"--resume --iw-samples 1000", "After a full run, only the bound: lower again, by less."},
    });
  });
}
