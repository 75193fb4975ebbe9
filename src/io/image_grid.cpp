// Laying tiles out on a canvas; see image_grid.hpp.
#include "hourglass/io/image_grid.hpp"

#include <algorithm>
#include <cmath>

#include "hourglass/error.hpp"

namespace hg {

namespace {

void check_tiles(const char* what, const Tensor& tiles, int tile_h,
                 int tile_w) {
  check(tile_h > 0 && tile_w > 0, what, ": tile size ", tile_h, " x ", tile_w,
        "; expected positive sizes");
  check(tiles.rank() >= 1 && tiles.cols() == tile_h * tile_w, what,
        ": tiles are ", tiles.shape(), "; expected (N, ", tile_h * tile_w,
        ") for ", tile_h, " x ", tile_w, " tiles");
}

// Copies `count` rows of `src`, starting at `from`, into rows of `dst`
// starting at `to`.
void copy_rows(Tensor& dst, int to, const Tensor& src, int from, int count) {
  const int n = src.cols();
  std::copy_n(src.data() + std::size_t(from) * n, std::size_t(count) * n,
              dst.data() + std::size_t(to) * n);
}

// Interleaves groups: for each block of `cols` images, a row from each
// source in turn (originals, then reconstructions, ...).
Tensor interleave(const char* what, const Tensor* const* sources, int k,
                  int tile_h, int tile_w, int count, int cols,
                  const GridOptions& opt) {
  check(cols > 0, what, ": cols = ", cols, "; expected at least 1");
  for (int s = 0; s < k; ++s) {
    check_tiles(what, *sources[s], tile_h, tile_w);
    check(sources[s]->shape() == sources[0]->shape(), what,
          ": inputs differ in shape: ", sources[0]->shape(), " vs ",
          sources[s]->shape());
  }
  check(count >= 1 && count <= sources[0]->rows(), what, ": count = ", count,
        "; expected 1..", sources[0]->rows(), " (the number of images)");
  const int groups = (count + cols - 1) / cols;
  // One grid row per (group, source); a short last group leaves blanks.
  Tensor tiles(Shape{groups * k * cols, tile_h * tile_w}, opt.background);
  for (int g = 0; g < groups; ++g) {
    const int n = std::min(cols, count - g * cols);
    for (int s = 0; s < k; ++s)
      copy_rows(tiles, (g * k + s) * cols, *sources[s], g * cols, n);
  }
  return image_grid(tiles, tile_h, tile_w, groups * k, cols, opt);
}

}  // namespace

Tensor image_grid(const Tensor& tiles, int tile_h, int tile_w, int rows,
                  int cols, const GridOptions& opt) {
  check_tiles("image_grid", tiles, tile_h, tile_w);
  check(rows > 0 && cols > 0, "image_grid: grid ", rows, " x ", cols,
        "; expected at least 1 x 1");
  check(opt.margin >= 0 && opt.scale >= 1, "image_grid: margin ", opt.margin,
        ", scale ", opt.scale, "; expected margin >= 0 and scale >= 1");
  check(tiles.rows() <= rows * cols, "image_grid: ", tiles.rows(),
        " tiles do not fit in ", rows, " x ", cols);
  const int m = opt.margin;
  const int H = rows * (tile_h + m) + m, W = cols * (tile_w + m) + m;
  Tensor canvas(Shape{H, W}, opt.background);
  for (int i = 0; i < tiles.rows(); ++i) {
    const int top = m + (i / cols) * (tile_h + m);
    const int left = m + (i % cols) * (tile_w + m);
    const float* tile = tiles.data() + std::size_t(i) * tile_h * tile_w;
    for (int y = 0; y < tile_h; ++y)
      for (int x = 0; x < tile_w; ++x) {
        const float v = tile[y * tile_w + x];
        check(std::isfinite(v), "image_grid: tile ", i, " pixel (", y, ", ",
              x, ") is ", v, "; expected a finite value");
        canvas[std::size_t(top + y) * W + std::size_t(left + x)] = v;
      }
  }
  return opt.scale == 1 ? canvas : upscale(canvas, opt.scale);
}

Tensor upscale(const Tensor& image, int factor) {
  check(image.rank() == 2, "upscale: image is ", image.shape(),
        "; expected (H, W)");
  check(factor >= 1 && factor <= 64, "upscale: factor ", factor,
        "; expected 1..64");
  const int H = image.dim(0), W = image.dim(1);
  Tensor out(Shape{H * factor, W * factor});
  for (int y = 0; y < H * factor; ++y)
    for (int x = 0; x < W * factor; ++x)
      out[std::size_t(y) * W * factor + std::size_t(x)] =
          image[std::size_t(y / factor) * W + std::size_t(x / factor)];
  return out;
}

Tensor pairs_grid(const Tensor& originals, const Tensor& reconstructions,
                  int tile_h, int tile_w, int count, int cols,
                  const GridOptions& opt) {
  const Tensor* sources[] = {&originals, &reconstructions};
  return interleave("pairs_grid", sources, 2, tile_h, tile_w, count, cols, opt);
}

Tensor triples_grid(const Tensor& clean, const Tensor& noisy,
                    const Tensor& denoised, int tile_h, int tile_w, int count,
                    int cols, const GridOptions& opt) {
  const Tensor* sources[] = {&clean, &noisy, &denoised};
  return interleave("triples_grid", sources, 3, tile_h, tile_w, count, cols,
                    opt);
}

Tensor filter_grid(const Tensor& W, int tile_h, int tile_w, int cols,
                   FilterScale scale, const GridOptions& opt) {
  check_tiles("filter_grid", W, tile_h, tile_w);
  check(cols > 0 && W.rows() > 0, "filter_grid: ", W.rows(),
        " filters in ", cols, " columns; expected at least one of each");
  Tensor tiles(Shape{W.rows(), tile_h * tile_w});
  const int n = W.cols();
  for (int r = 0; r < W.rows(); ++r) {
    const float* w = W.data() + std::size_t(r) * n;
    float* t = tiles.data() + std::size_t(r) * n;
    float lo = w[0], hi = w[0];
    for (int i = 0; i < n; ++i) {
      check(std::isfinite(w[i]), "filter_grid: filter ", r, " weight ", i,
            " is ", w[i], "; expected finite weights");
      lo = std::min(lo, w[i]);
      hi = std::max(hi, w[i]);
    }
    for (int i = 0; i < n; ++i) {
      if (scale == FilterScale::MinMax) {
        // (w - min) / (max - min); a constant filter is drawn mid-gray.
        t[i] = hi > lo ? (w[i] - lo) / (hi - lo) : 0.5f;
      } else {
        // 0.5 + 0.5 w / max|w|: the sign of a weight stays visible.
        const float a = std::max(std::abs(lo), std::abs(hi));
        t[i] = a > 0 ? 0.5f + 0.5f * w[i] / a : 0.5f;
      }
    }
  }
  const int rows = (W.rows() + cols - 1) / cols;
  return image_grid(tiles, tile_h, tile_w, rows, std::min(cols, W.rows()), opt);
}

Tensor samples_grid(const Tensor& samples, int tile_h, int tile_w, int cols,
                    const GridOptions& opt) {
  check_tiles("samples_grid", samples, tile_h, tile_w);
  check(cols > 0 && samples.rows() > 0, "samples_grid: ", samples.rows(),
        " samples in ", cols, " columns; expected at least one of each");
  const int rows = (samples.rows() + cols - 1) / cols;
  return image_grid(samples, tile_h, tile_w, rows,
                    std::min(cols, samples.rows()), opt);
}

}  // namespace hg
