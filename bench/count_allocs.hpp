// count_allocs.hpp: counts every heap allocation of the program that
// includes it, by replacing the global operator new (and delete, to match).
//
//   const long before = hg::bench::heap_allocations();
//   ...;  // the code under test
//   const long allocs = hg::bench::heap_allocations() - before;
//
// Include it in exactly ONE source file of a program: the replacements are
// definitions. Tensor storage comes from the aligned operator new, so it is
// counted too. What it is not: a leak checker or a byte counter.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace hg::bench {
inline std::atomic<long> g_heap_allocations{0};
inline long heap_allocations() { return g_heap_allocations.load(std::memory_order_relaxed); }
}  // namespace hg::bench

// GCC cannot see that these deletes pair with the news below (both use
// malloc/free), and warns when it inlines one into the other.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  hg::bench::g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  hg::bench::g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

#pragma GCC diagnostic pop
