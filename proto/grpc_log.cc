#include "proto/grpc_log.h"

#include <google/protobuf/stubs/logging.h>
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

// libprotobuf's (a parse that fails on invalid UTF-8 logs an ERROR line of
// its own on stderr otherwise, breaking log.format = "json").
void ProtobufToProductLog(google::protobuf::LogLevel severity, const char* file,
                          int line, const std::string& message) {
  LogLevel level = LogLevel::kError;
  if (severity == google::protobuf::LOGLEVEL_INFO) level = LogLevel::kInfo;
  if (severity == google::protobuf::LOGLEVEL_WARNING) level = LogLevel::kWarn;
  std::string where = file != nullptr ? file : "";
  if (const size_t slash = where.rfind('/'); slash != std::string::npos) {
    where = where.substr(slash + 1);
  }
  Log(level, "protobuf.log",
      {{"message", message}, {"at", where + ":" + std::to_string(line)}});
}

}  // namespace

void RouteGrpcLogs() {
  gpr_set_log_function(ToProductLog);
  google::protobuf::SetLogHandler(ProtobufToProductLog);
}

}  // namespace storeagent::rpc
