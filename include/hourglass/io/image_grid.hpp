// Image grids: many small H x W images (tiles) laid out in rows and columns
// with a margin between them, as one grayscale picture.
//
// Tiles come as the rows of a matrix, e.g. a batch of images (N, 784) for
// 28 x 28 tiles, or a weight matrix (OUT, 784) whose rows are filters. The
// helpers below build the pictures the lessons show: originals over their
// reconstructions, clean / noisy / denoised triples, learned filters,
// generated samples. What this is not: a plotting library or a colour
// image tool; grids are gray, values in [0, 1] (the PNG writer clamps).
#pragma once

#include <string>

#include "hourglass/tensor.hpp"

namespace hg {

struct GridOptions {
  int margin = 2;            // pixels between tiles and around the border
  float background = 0.5f;   // margin gray: mid-gray frames dark and light tiles
  int scale = 1;             // nearest-neighbour upscaling, e.g. 2 or 3
};

// tiles: (N, tile_h * tile_w) (any shape with N rows of that many values).
// Tile i goes to grid row i / cols, column i % cols; with rows * cols > N
// the last cells stay background. Result: (H, W) gray. A NaN or infinite
// pixel throws hg::Error naming the tile and the pixel.
Tensor image_grid(const Tensor& tiles, int tile_h, int tile_w, int rows,
                  int cols, const GridOptions& opt = {});

// Nearest-neighbour upscaling of an (H, W) image: every pixel becomes a
// factor x factor block, so 28-pixel tiles are big enough to see.
Tensor upscale(const Tensor& image, int factor);

// Rows of `cols` originals, each followed by a row of their reconstructions
// (pairs of rows). originals, reconstructions: (N, h*w), same shape; shows
// the first `count` of them (count <= N).
Tensor pairs_grid(const Tensor& originals, const Tensor& reconstructions,
                  int tile_h, int tile_w, int count, int cols,
                  const GridOptions& opt = {});

// Like pairs_grid with three rows per group: clean, noisy, denoised.
Tensor triples_grid(const Tensor& clean, const Tensor& noisy,
                    const Tensor& denoised, int tile_h, int tile_w, int count,
                    int cols, const GridOptions& opt = {});

// How a filter's weights become grays.
enum class FilterScale {
  MinMax,     // its own min -> black, max -> white
  Symmetric,  // 0 -> mid-gray, ±max|w| -> white / black: shows the sign
};

// Each row of W (OUT, tile_h * tile_w) as a tile, scaled on its own.
Tensor filter_grid(const Tensor& W, int tile_h, int tile_w, int cols,
                   FilterScale scale = FilterScale::Symmetric,
                   const GridOptions& opt = {});

// All rows of `samples` (N, h*w) in ceil(N / cols) rows.
Tensor samples_grid(const Tensor& samples, int tile_h, int tile_w, int cols,
                    const GridOptions& opt = {});

}  // namespace hg
