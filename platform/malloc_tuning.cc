#include "platform/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace storeagent::platform {

bool TuneMalloc() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr) {
    const std::string_view t(tunables);
    if (t.find("malloc.trim_threshold") != std::string_view::npos ||
        t.find("malloc.mmap_threshold") != std::string_view::npos) {
      return true;  // the operator's own settings
    }
  }
  const bool trim =
      mallopt(M_TRIM_THRESHOLD, static_cast<int>(kTrimThresholdBytes)) == 1;
  const bool mmap =
      mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThresholdBytes)) == 1;
  return trim && mmap;
}

}  // namespace storeagent::platform
