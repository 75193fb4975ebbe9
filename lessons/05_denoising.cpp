// Lesson 05_denoising: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 05_denoising is not written yet\n");
  return 1;
}
