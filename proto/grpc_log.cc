#include "proto/grpc_log.h"

#include <grpc/support/log.h>

#include <string>

#include "platform/log.h"

namespace storeagent::rpc {
namespace {

void ToProductLog(gpr_log_func_args* args) {
  LogLevel level = LogLevel::kError;
  switch (args->severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      level = LogLevel::kDebug;
      break;
    case GPR_LOG_SEVERITY_INFO:
      level = LogLevel::kInfo;
      break;
    case GPR_LOG_SEVERITY_ERROR:
      level = LogLevel::kError;
      break;
  }
  std::string where = args->file != nullptr ? args->file : "";
  if (const size_t slash = where.rfind('/'); slash != std::string::npos) {
    where = where.substr(slash + 1);
  }
  Log(level, "grpc.log",
      {{"message", args->message != nullptr ? args->message : ""},
       {"at", where + ":" + std::to_string(args->line)}});
}

}  // namespace

void RouteGrpcLogs() { gpr_set_log_function(ToProductLog); }

}  // namespace storeagent::rpc
