// Lesson 09_codes: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 09_codes is not written yet\n");
  return 1;
}
