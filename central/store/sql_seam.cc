#include "central/store/sql_seam.h"

namespace storeagent::central {

Status RetryOnAborted(
    int max_attempts,
    const std::function<Status(bool& engine_aborted)>& attempt) {
  for (int n = 1;; ++n) {
    bool engine_aborted = false;
    Status st = attempt(engine_aborted);
    if (st.ok() || st.code() != StatusCode::kAborted || !engine_aborted ||
        n >= max_attempts) {
      return st;
    }
  }
}

}  // namespace storeagent::central
