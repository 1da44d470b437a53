// storeagentctl catalog import.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "agent/catalog_file.h"
#include "agent/ctl/commands.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::ctl {
namespace {

// Products per ImportCatalogRequest (the agent's limit).
constexpr size_t kChunkProducts = 1000;

struct ImportOptions {
  std::string path;
  std::string format;
  int deadline_s = 120;
  bool dry_run = false;
};

int Import(Target& t, const ImportOptions& o) {
  Result<agent::CatalogFormat> format =
      agent::CatalogFormatFor(o.path, o.format);
  if (!format.ok()) return Fail(format.status().message());
  Result<agent::CatalogFile> file = agent::ReadCatalogFile(o.path, *format);
  if (!file.ok()) {
    return Fail(file.status().message() + "; nothing imported");
  }
  if (Status s = agent::CheckCatalogFile(*file); !s.ok()) {
    return Fail(o.path + ": " + s.message() + "; nothing imported");
  }
  int64_t gtins = 0;
  for (const v1::Product& p : file->products) gtins += p.gtins_size();
  if (o.dry_run) {
    std::printf("checked %zu products, %lld gtins: ok (nothing imported)\n",
                file->products.size(), static_cast<long long>(gtins));
    return kExitOk;
  }

  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t, o.deadline_s * 1000);
  v1::ImportCatalogResponse reply;
  std::unique_ptr<grpc::ClientWriter<v1::ImportCatalogRequest>> writer =
      stub->ImportCatalog(&ctx, &reply);
  const size_t n = file->products.size();
  for (size_t first = 0; first < n; first += kChunkProducts) {
    v1::ImportCatalogRequest chunk;
    // CSV: the line of products[0]; JSON: its index + 1 (rows are 1-based).
    chunk.set_first_row(file->format == agent::CatalogFormat::kCsv
                            ? file->rows[first]
                            : file->rows[first] + 1);
    const size_t end = std::min(n, first + kChunkProducts);
    chunk.mutable_products()->Reserve(static_cast<int>(end - first));
    for (size_t i = first; i < end; ++i) {
      *chunk.add_products() = std::move(file->products[i]);
    }
    if (!writer->Write(chunk)) break;  // the agent ended the call; see Finish
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    return Fail("catalog not imported, nothing changed: " + RpcError(s));
  }
  std::printf("imported %lld products, %lld gtins\n",
              static_cast<long long>(reply.products()),
              static_cast<long long>(reply.gtins()));
  return kExitOk;
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* catalog = app.add_subcommand("catalog", "the product catalog");
  catalog->require_subcommand(1);
  auto o = std::make_shared<ImportOptions>();
  CLI::App* import = catalog->add_subcommand(
      "import",
      "replace the store's own products with FILE, all or nothing (head "
      "office's products stay; a file naming one of them is refused). CSV "
      "needs a "
      "header row naming its columns: sku,name,gtins,department,price_minor,"
      "currency,safety_stock,unit (sku and name required; several GTINs "
      "separated by '|'; RFC 4180 quoting). JSON: an array of objects with "
      "those keys, or {\"products\": [...]}. Every row is checked before "
      "anything is sent; an error names the line (CSV) or index (JSON) and "
      "the column, and leaves the catalog unchanged");
  import->add_option("FILE", o->path, "catalog file (.csv or .json)")
      ->required()
      ->check(CLI::ExistingFile);
  import
      ->add_option("--format", o->format,
                   "csv or json (default: from FILE's extension)")
      ->check(CLI::IsMember({"csv", "json"}));
  import
      ->add_option("--deadline-s", o->deadline_s,
                   "deadline for the whole import, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  import->add_flag("--dry-run", o->dry_run,
                   "check the file only; send nothing to the agent");
  import->callback([&, o] { action = [&, o] { return Import(t, *o);
};
}  // namespace storeagent::ctl
);
}

}  // namespace storeagent::ctl
