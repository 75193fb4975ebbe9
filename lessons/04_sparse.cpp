// Lesson 04_sparse: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 04_sparse is not written yet\n");
  return 1;
}
