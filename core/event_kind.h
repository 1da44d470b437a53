// Short names of event kinds, as stored in the journal's `kind` column and
// used in logs and metrics: "sale", "return", "loyalty.enrolled", ...
#ifndef STOREAGENT_CORE_EVENT_KIND_H_
#define STOREAGENT_CORE_EVENT_KIND_H_

#include <string_view>

#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// "unknown" when no body is set.
std::string_view EventKind(const v1::JournalRecord& record);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_EVENT_KIND_H_
