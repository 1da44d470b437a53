// storecentralctl's price book commands (docs/pricing.md, "Importing"):
//   prices import FILE       every price list of a CSV file, published in
//                            file order after the whole file validated
//   promotions import FILE   the same for promotions
//   prices show [--store S [--sku X ...] [--at T]]
//                            what central holds (what applies to S), and
//                            the prices S would answer for the SKUs
#ifndef STOREAGENT_CENTRAL_CTL_PRICES_H_
#define STOREAGENT_CENTRAL_CTL_PRICES_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::central {

struct PriceCommands {
  CLI::App* prices_import = nullptr;
  CLI::App* prices_show = nullptr;
  CLI::App* promotions_import = nullptr;
  std::string file;
  std::string store;
  std::vector<std::string> skus;
  std::string at;  // "" or a time ParseFeedTime reads
};

// Adds `prices` (import, show) and `promotions` (import) to `app`.
void AddPriceCommands(CLI::App& app, PriceCommands* c);

// Runs the one that was given: the exit code (0 done, 1 refused or not
// reached, 2 a bad file or option); nullopt when none was given. With
// `json`, replies print as proto-JSON.
std::optional<int> RunPriceCommands(v1::CentralAdminService::Stub& stub,
                                    const PriceCommands& c, bool json);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_CTL_PRICES_H_
