#define _GNU_SOURCE
#include "CLink.h"

#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <unistd.h>

struct chx_walk {
  chx_range_fn fn;
  void *context;
  uintptr_t page;
};

// Whether the dynamic section asks the loader to write into the object's code.
static int chx_has_text_relocations(const ElfW(Dyn) *dynamic) {
  for (const ElfW(Dyn) *entry = dynamic; entry->d_tag != DT_NULL; entry++) {
    if (entry->d_tag == DT_TEXTREL) {
      return 1;
    }
    if (entry->d_tag == DT_FLAGS && (entry->d_un.d_val & DF_TEXTREL) != 0) {
      return 1;
    }
  }
  return 0;
}

static int chx_visit(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct chx_walk *walk = data;
  const uintptr_t page = walk->page;
  if (info->dlpi_name == NULL || info->dlpi_name[0] != '/' || info->dlpi_phdr == NULL) {
    return 0;
  }
  uintptr_t relro_start = 0, relro_end = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *header = &info->dlpi_phdr[i];
    if (header->p_type == PT_DYNAMIC &&
        chx_has_text_relocations((const ElfW(Dyn) *)(info->dlpi_addr + header->p_vaddr))) {
      return 0;
    }
    if (header->p_type == PT_GNU_RELRO) {
      relro_start = (info->dlpi_addr + header->p_vaddr) / page * page;
      relro_end = (info->dlpi_addr + header->p_vaddr + header->p_memsz + page - 1) / page * page;
    }
  }
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *header = &info->dlpi_phdr[i];
    if (header->p_type != PT_LOAD || (header->p_flags & PF_W) != 0) {
      continue;
    }
    const uintptr_t start = (info->dlpi_addr + header->p_vaddr + page - 1) / page * page;
    const uintptr_t end = (info->dlpi_addr + header->p_vaddr + header->p_memsz) / page * page;
    if (start >= end || (start < relro_end && relro_start < end)) {
      continue;
    }
    walk->fn(walk->context, start, end);
  }
  return 0;
}

void chx_each_unwritten_library_segment(chx_range_fn fn, void *context) {
  long page = sysconf(_SC_PAGESIZE);
  struct chx_walk walk = {fn, context, page > 0 ? (uintptr_t)page : 4096};
  dl_iterate_phdr(chx_visit, &walk);
}
