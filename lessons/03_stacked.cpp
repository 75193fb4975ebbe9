// Lesson 03_stacked: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 03_stacked is not written yet\n");
  return 1;
}
