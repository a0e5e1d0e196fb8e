#ifndef CLINK_H
#define CLINK_H

// The dynamic loader's list of loaded objects (dl_iterate_phdr, a GNU extension the Glibc module does not export),
// reduced to what MemoryTrim needs. Everything here is prefixed `chx_`.

#include <stdint.h>

/// Receives one address range [start, end), page-aligned.
typedef void (*chx_range_fn)(void *context, uintptr_t start, uintptr_t end);

/// Calls `fn` for the whole pages of every loadable segment of the loaded shared libraries that the process never
/// writes: segments without write permission, outside the range made read-only after relocation (PT_GNU_RELRO),
/// in libraries without text relocations, loaded from a path (not the executable, not the vDSO). Runs under the
/// loader's lock (dl_iterate_phdr), so no library is unloaded while `fn` runs; `fn` must not load or unload one.
void chx_each_unwritten_library_segment(chx_range_fn fn, void *context);

#endif
