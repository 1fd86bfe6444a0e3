// Counts heap allocations in-process for bench/transcoding: defines malloc, calloc, realloc, free and the
// aligned allocators in the executable, so that every caller in the process (the Swift runtime's
// swift_slowAlloc in libswiftCore.so included: the executable's definitions come first in symbol lookup)
// reaches them, and forwards each to glibc's own entry point (__libc_malloc, ...).
// `-Xlinker --wrap=malloc` would miss the allocations made inside shared libraries such as libswiftCore.
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static _Atomic long allocations;

/// Allocations (malloc, calloc, aligned, and realloc of a null pointer) since the process started.
long bench_allocation_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

static void count(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) {
    count();
    return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size) {
    count();
    return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size) {
    count();  // a reallocation is counted as an allocation: growing arrays pay for it like a fresh buffer
    return __libc_realloc(pointer, size);
}

void free(void *pointer) { __libc_free(pointer); }

void *memalign(size_t alignment, size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    count();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return 12;  // ENOMEM
    *result = pointer;
    return 0;
}
