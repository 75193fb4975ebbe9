// Synthetic shapes; see synthetic.hpp.
//
// Each shape is a signed distance function: sdf(x, y) < 0 inside, > 0
// outside, in pixels. A pixel's coverage is clamp(0.5 - sdf, 0, 1) at its
// centre, which gives edges one pixel wide instead of jagged steps. Strokes
// (bars, rings, lines) are "distance to a curve minus half the thickness".
#include "hourglass/data/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "hourglass/error.hpp"

namespace hg {

namespace {

constexpr int kSide = 28;

struct Point {
  float x, y;
};

// Distance from p to the segment a–b.
float segment_distance(Point p, Point a, Point b) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

// Signed distance to an axis-aligned square of half-side h at c (exact
// outside along the sides, a fine approximation at the corners).
float square_sdf(Point p, Point c, float h) {
  return std::max(std::abs(p.x - c.x), std::abs(p.y - c.y)) - h;
}

// Signed distance to a convex polygon given counter-clockwise, taken as the
// largest signed distance to its edge lines: exact inside and along edges.
template <std::size_t N>
float convex_sdf(Point p, const std::array<Point, N>& v) {
  float d = -1e9f;
  for (std::size_t i = 0; i < N; ++i) {
    const Point a = v[i], b = v[(i + 1) % N];
    const float ex = b.x - a.x, ey = b.y - a.y;
    const float len = std::hypot(ex, ey);
    // Outward normal of a counter-clockwise edge in y-down image space.
    d = std::max(d, ((p.x - a.x) * ey - (p.y - a.y) * ex) / len);
  }
  return d;
}

// One random shape of class `label`, as a signed distance function.
struct Figure {
  int label = 0;
  Point c{};         // centre
  float size = 0;    // half extent, in pixels
  float half_t = 0;  // half stroke thickness
  float angle = 0;   // for the diagonal
  std::array<Point, 6> dots{};
  int ndots = 0;

  float sdf(Point p) const {
    switch (label) {
      case 0:  // horizontal bar
        return segment_distance(p, {c.x - size, c.y}, {c.x + size, c.y}) -
               half_t;
      case 1:  // vertical bar
        return segment_distance(p, {c.x, c.y - size}, {c.x, c.y + size}) -
               half_t;
      case 2: {  // diagonal line at `angle`
        const Point d{size * std::cos(angle), size * std::sin(angle)};
        return segment_distance(p, {c.x - d.x, c.y - d.y},
                                {c.x + d.x, c.y + d.y}) -
               half_t;
      }
      case 3:  // ring: distance to a circle
        return std::abs(std::hypot(p.x - c.x, p.y - c.y) - size) - half_t;
      case 4:  // filled square
        return square_sdf(p, c, size * 0.75f);
      case 5:  // cross: the union (min) of two bars
        return std::min(
                   segment_distance(p, {c.x - size, c.y}, {c.x + size, c.y}),
                   segment_distance(p, {c.x, c.y - size}, {c.x, c.y + size})) -
               half_t;
      case 6: {  // filled triangle, apex up
        const std::array<Point, 3> v = {Point{c.x, c.y - size},
                                        Point{c.x + size, c.y + size * 0.8f},
                                        Point{c.x - size, c.y + size * 0.8f}};
        return convex_sdf(p, v);
      }
      case 7: {  // cluster of small discs
        float d = 1e9f;
        for (int i = 0; i < ndots; ++i)
          d = std::min(d, std::hypot(p.x - dots[i].x, p.y - dots[i].y));
        return d - std::max(1.4f, half_t * 1.4f);
      }
      case 8: {  // X: two diagonals
        const float s = size * 0.75f;
        return std::min(
                   segment_distance(p, {c.x - s, c.y - s}, {c.x + s, c.y + s}),
                   segment_distance(p, {c.x - s, c.y + s},
                                    {c.x + s, c.y - s})) -
               half_t;
      }
      default:  // 9, frame: the outline of a square
        return std::abs(square_sdf(p, c, size * 0.8f)) - half_t;
    }
  }
};

Figure random_shape(int label, Rng& rng) {
  Figure s;
  s.label = label;
  s.size = rng.uniform(6.0f, 10.5f);
  s.half_t = rng.uniform(0.8f, 1.8f);
  // Keep the shape inside the frame: the centre moves by what is left.
  const float room = std::max(0.0f, 13.0f - s.size - s.half_t - 1.0f);
  s.c = {14.0f + rng.uniform(-room, room), 14.0f + rng.uniform(-room, room)};
  // Between 20 and 70 degrees, mirrored half the time: "/" or "\".
  s.angle = rng.uniform(0.35f, 1.22f) * (rng.bernoulli(0.5f) ? 1.0f : -1.0f);
  s.ndots = 3 + rng.below(4);
  for (int i = 0; i < s.ndots; ++i)
    s.dots[i] = {s.c.x + rng.uniform(-0.7f, 0.7f) * s.size,
                 s.c.y + rng.uniform(-0.7f, 0.7f) * s.size};
  return s;
}

}  // namespace

const std::vector<std::string>& synthetic_shape_classes() {
  static const std::vector<std::string> names = {
      "horizontal bar", "vertical bar", "diagonal", "ring", "filled square",
      "cross",          "triangle",     "dots",     "X",    "frame"};
  return names;
}

Dataset synthetic_shapes(int n, Rng& rng) {
  check(n >= 0, "synthetic_shapes: n = ", n, " (expected n >= 0)");
  Dataset d;
  d.height = d.width = kSide;
  d.class_names = synthetic_shape_classes();
  d.images = Tensor(Shape{n, kSide * kSide});
  d.labels.resize(static_cast<std::size_t>(n));
  constexpr float kNoise = 0.04f;
  for (int i = 0; i < n; ++i) {
    const int label = i % 10;
    d.labels[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(label);
    const Figure s = random_shape(label, rng);
    const float intensity = rng.uniform(0.6f, 1.0f);
    float* img = d.images.data() + std::size_t(i) * kSide * kSide;
    for (int y = 0; y < kSide; ++y)
      for (int x = 0; x < kSide; ++x) {
        const float cover =
            std::clamp(0.5f - s.sdf({x + 0.5f, y + 0.5f}), 0.0f, 1.0f);
        const float v = intensity * cover + kNoise * rng.normal();
        img[y * kSide + x] = std::clamp(v, 0.0f, 1.0f);
      }
  }
  return d;
}

}  // namespace hg
