// demo: a first look at Fashion-MNIST, and at what every lesson produces.
//
// What you will see: the data the autoencoders of the later lessons
// compress. Ten classes of 28 × 28 gray clothing pictures (pixel values in
// [0, 1], white object on black). The program
//   1. loads the 10,000 test images (or a synthetic stand-in with
//      --synthetic, which needs no download),
//   2. writes out/demo/classes.png: one row per class, labels 0..9 from top
//      to bottom, ten examples each, upscaled ×2 so they are easy to see,
//   3. writes out/demo/plot.svg: the mean pixel intensity of each class, a
//      first hint at what a model must reconstruct (trousers and sandals
//      are thin and dark on average, pullovers and coats bright and full),
//   4. prints the count and mean intensity per class.
// Run:   scripts/lesson demo            (or --help for the flags)
// Expect 1,000 test images of each class and a mean pixel near 0.29.
// It is not a lesson on its own: nothing is trained here.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <vector>

#include "hourglass/data/dataset.hpp"
#include "hourglass/data/synthetic.hpp"
#include "hourglass/io/image_grid.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/io/png.hpp"
#include "hourglass/io/svg_plot.hpp"
#include "hourglass/rng.hpp"

namespace {

constexpr int kPerClass = 10;

void run(hg::Lesson& lesson) {
  const hg::LessonOptions& opt = lesson.options();

  lesson.step(1, "Load the test images");
  // The test split only: the demo trains nothing, so it needs no train set.
  hg::Rng rng(opt.seed);
  hg::Dataset data = opt.synthetic
                         ? hg::synthetic_shapes(opt.quick ? 1000 : 10000, rng)
                         : hg::load_fashion_mnist(opt.data_dir, hg::Split::Test);
  if (opt.quick) data = hg::take(data, 1000);
  const int classes = int(data.class_names.size());
  const int P = data.pixels();
  std::cout << "loaded " << data.size() << " images of " << data.height
            << " x " << data.width << " pixels, " << classes << " classes\n";

  lesson.step(2, "One row of examples per class");
  // Walk the data once, taking the first kPerClass images of each label
  // into row `label` of the grid: tile index label * kPerClass + k.
  hg::Tensor tiles(hg::Shape{classes * kPerClass, P}, 0.0f);
  std::vector<int> taken(std::size_t(classes), 0);
  for (int i = 0; i < data.size(); ++i) {
    const int y = data.labels[std::size_t(i)];
    if (taken[std::size_t(y)] == kPerClass) continue;
    const float* src = data.images.data() + std::size_t(i) * P;
    std::copy(src, src + P,
              tiles.data() + std::size_t(y * kPerClass + taken[std::size_t(y)]) * P);
    ++taken[std::size_t(y)];
  }
  const hg::Tensor grid =
      hg::image_grid(tiles, data.height, data.width, classes, kPerClass,
                     {.margin = 2, .background = 0.5f, .scale = 2});
  const std::string png = lesson.out_path("classes.png");
  hg::write_png(png, grid);
  std::cout << "wrote " << png << " (" << grid.dim(1) << " x " << grid.dim(0)
            << " pixels; rows are classes 0.." << classes - 1 << ")\n";

  lesson.step(3, "Mean pixel intensity per class");
  // mean_c = (1 / (N_c · P)) Σ_{i: y_i = c} Σ_p x_ip
  std::vector<double> sum(std::size_t(classes), 0.0);
  const std::vector<int> counts = hg::class_counts(data);
  double total = 0;
  for (int i = 0; i < data.size(); ++i) {
    double s = 0;
    const float* x = data.images.data() + std::size_t(i) * P;
    for (int p = 0; p < P; ++p) s += x[p];
    sum[data.labels[std::size_t(i)]] += s;
    total += s;
  }
  hg::BarChart chart{opt.synthetic ? "Synthetic shapes: mean pixel per class"
                                    : "Fashion-MNIST test set: mean pixel per class",
                     "class",
                     "mean pixel intensity", {}, data.class_names, {}};
  std::printf("%-3s %-15s %6s %10s\n", "y", "class", "count", "mean pixel");
  for (int c = 0; c < classes; ++c) {
    const double mean =
        counts[std::size_t(c)] ? sum[std::size_t(c)] / (double(counts[std::size_t(c)]) * P) : 0.0;
    chart.heights.push_back(mean);
    std::printf("%-3d %-15s %6d %10.4f\n", c, data.class_names[std::size_t(c)].c_str(),
                counts[std::size_t(c)], mean);
  }
  std::printf("all %-15s %6d %10.4f\n", "", data.size(),
              total / (double(data.size()) * P));
  const std::string svg = lesson.out_path("plot.svg");
  hg::save_svg(svg, chart);
  std::cout << "wrote " << svg << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  const hg::LessonInfo info{
      .name = "demo",
      .summary = "Fashion-MNIST at a glance: examples and mean intensity per class",
      .epochs = 1, .batch_size = 128, .lr = 1e-3f};
  return hg::run_lesson(argc, argv, info, run);
}
