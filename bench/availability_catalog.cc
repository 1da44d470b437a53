#include "bench/availability_catalog.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

// How long one import or one stock call may take before it counts as failed.
constexpr int64_t kImportDeadlineMs = 120'000;
constexpr int64_t kCallDeadlineMs = 60'000;
// GS1 prefix 200-299: restricted circulation (in-store numbers).
constexpr int64_t kInStoreGtinBase = 200'000'000'000;
constexpr int kDepartments = 12;
constexpr char kCurrency[] = "EUR";
constexpr int64_t kSaleVatRateBp = 2000;  // as SampleSale's lines

void SetDeadline(grpc::ClientContext& ctx, int64_t ms) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(ms));
}

Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  return Status(static_cast<StatusCode>(s.error_code()),
                what + ": " + s.error_message());
}

v1::Product MakeProduct(int i) {
  v1::Product p;
  p.set_sku(CatalogSku(i));
  p.add_gtins(Gtin13(kInStoreGtinBase + i));
  const bool weighed = i % 10 == 0;
  char name[64];
  std::snprintf(name, sizeof(name), "%s product %06d",
                weighed ? "Weighed" : "Boxed", i);
  p.set_name(name);
  p.set_department("Dept " + std::to_string(i % kDepartments));
  p.mutable_price()->set_currency(kCurrency);
  // 0.99 .. 49.99 EUR (per kg when weighed), spread over the catalog.
  p.mutable_price()->set_minor_units(99 + (int64_t{i} * 7919) % 4901);
  p.set_safety_stock(i % 5);
  p.set_unit(weighed ? "milli" : "each");
  return p;
}

// Product `i` (1-based) of `products`.
const v1::Product& ProductAt(const std::vector<v1::Product>& products, int i) {
  return products[static_cast<size_t>(i - 1)];
}

// Makes `line` sell `p` at its catalog price, keeping the line's quantity,
// unit and discounts; extended amount and included VAT recomputed.
void SellProduct(const v1::Product& p, v1::TransactionLine* line) {
  line->set_sku(p.sku());
  line->set_gtin(p.gtins(0));
  line->set_description(p.name());
  const int64_t price = p.price().minor_units();
  *line->mutable_unit_price() = p.price();
  const int64_t extended = line->unit() == v1::UNIT_OF_MEASURE_MILLI
                               ? (line->quantity() * price + 500) / 1000
                               : line->quantity() * price;
  line->mutable_extended_amount()->set_minor_units(extended);
  int64_t net = extended;
  for (const v1::Discount& d : line->discounts()) {
    net -= d.amount().minor_units();
  }
  line->mutable_tax()->mutable_amount()->set_minor_units(
      net * kSaleVatRateBp / (10000 + kSaleVatRateBp));
}

}  // namespace

std::string CatalogSku(int i) {
  char sku[16];
  std::snprintf(sku, sizeof(sku), "SKU-%06d", i);
  return sku;
}

std::string Gtin13(int64_t first12) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%012lld",
                static_cast<long long>(first12));
  // GS1 mod 10: weights 3, 1, 3, ... from the digit left of the check digit.
  int sum = 0;
  for (int k = 0; k < 12; ++k) {
    const int v = digits[11 - k] - '0';
    sum += k % 2 == 0 ? 3 * v : v;
  }
  std::string gtin(digits, 12);
  gtin += static_cast<char>('0' + (10 - sum % 10) % 10);
  return gtin;
}

std::vector<v1::Product> BuildCatalog(int n) {
  std::vector<v1::Product> products;
  products.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i) products.push_back(MakeProduct(i));
  return products;
}

int64_t ReceiptQuantity(int i) { return 1000 + i % 500; }

std::vector<v1::ImportCatalogRequest> CatalogChunks(
    const std::vector<v1::Product>& products) {
  std::vector<v1::ImportCatalogRequest> chunks;
  for (size_t start = 0; start < products.size();
       start += kCatalogChunkProducts) {
    v1::ImportCatalogRequest& c = chunks.emplace_back();
    c.set_first_row(static_cast<int64_t>(start) + 1);
    for (size_t i = start;
         i < products.size() && i < start + kCatalogChunkProducts; ++i) {
      *c.add_products() = products[i];
    }
  }
  return chunks;
}

Status ImportCatalog(v1::AvailabilityService::Stub& stub,
                     const std::vector<v1::ImportCatalogRequest>& chunks) {
  int64_t expected = 0;
  for (const v1::ImportCatalogRequest& c : chunks)
    expected += c.products_size();
  grpc::ClientContext ctx;
  SetDeadline(ctx, kImportDeadlineMs);
  v1::ImportCatalogResponse reply;
  std::unique_ptr<grpc::ClientWriter<v1::ImportCatalogRequest>> writer =
      stub.ImportCatalog(&ctx, &reply);
  for (const v1::ImportCatalogRequest& c : chunks) {
    if (!writer->Write(c)) break;  // the server ended the call: see Finish
  }
  writer->WritesDone();
  Status s = FromGrpc(writer->Finish(), "ImportCatalog");
  if (!s.ok()) return s;
  if (reply.products() != expected || reply.gtins() != expected) {
    return Internal("ImportCatalog: imported " +
                    std::to_string(reply.products()) + " products and " +
                    std::to_string(reply.gtins()) + " GTINs, sent " +
                    std::to_string(expected) + " of each");
  }
  return Status::Ok();
}

Status ReceiveStock(v1::AvailabilityService::Stub& stub,
                    const std::vector<v1::Product>& products, int count) {
  for (int first = 1; first <= count; first += kReceiptLines) {
    v1::RecordStockEventRequest req;
    req.mutable_client_key()->set_terminal_id("bench-goods-in");
    req.mutable_client_key()->set_client_txn_id("receipt-" +
                                                std::to_string(first));
    v1::StockMovement* m = req.mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    m->set_reference("DN-" + std::to_string(first));
    m->set_operator_id("op-7");
    for (int i = first; i <= count && i < first + kReceiptLines; ++i) {
      v1::StockDelta* d = m->add_lines();
      d->set_sku(ProductAt(products, i).sku());
      d->set_quantity(ReceiptQuantity(i));
    }
    grpc::ClientContext ctx;
    SetDeadline(ctx, kCallDeadlineMs);
    v1::RecordStockEventResponse reply;
    Status s = FromGrpc(stub.RecordStockEvent(&ctx, req, &reply),
                        "RecordStockEvent " + req.client_key().client_txn_id());
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status CheckStock(v1::AvailabilityService::Stub& stub,
                  const std::vector<v1::Product>& products, int count) {
  const int probes[] = {1, count / 2 + 1, count};
  v1::GetAvailabilityRequest req;
  for (int i : probes) req.add_skus(ProductAt(products, i).sku());
  grpc::ClientContext ctx;
  SetDeadline(ctx, kCallDeadlineMs);
  v1::GetAvailabilityResponse reply;
  Status s =
      FromGrpc(stub.GetAvailability(&ctx, req, &reply), "GetAvailability");
  if (!s.ok()) return s;
  if (reply.items_size() != req.skus_size()) {
    return Internal("GetAvailability: " + std::to_string(reply.items_size()) +
                    " items for " + std::to_string(req.skus_size()) + " SKUs");
  }
  for (int k = 0; k < reply.items_size(); ++k) {
    const v1::SkuAvailability& a = reply.items(k);
    const int i = probes[k];
    const v1::Product& p = ProductAt(products, i);
    if (a.sku() != p.sku() || !a.in_catalog() ||
        a.on_hand() != ReceiptQuantity(i) ||
        a.safety_stock() != p.safety_stock()) {
      return Internal("GetAvailability: " + p.sku() + " reads on_hand " +
                      std::to_string(a.on_hand()) + ", safety " +
                      std::to_string(a.safety_stock()) + ", in catalog " +
                      (a.in_catalog() ? "yes" : "no") + "; expected " +
                      std::to_string(ReceiptQuantity(i)) + ", " +
                      std::to_string(p.safety_stock()) + ", yes");
    }
  }
  return Status::Ok();
}

v1::RecordTransactionRequest CatalogSale(
    const std::vector<v1::Product>& products) {
  // SampleSale(5): lines 0-3 in pieces, line 4 weighed. Products 10, 20, ...
  // are weighed, the rest in pieces.
  constexpr int kLineProducts[] = {11, 23, 37, 59, 70};
  v1::RecordTransactionRequest r;
  *r.mutable_client_key() = test::SampleClientKey();
  v1::Transaction txn = test::SampleSale(5);
  v1::Sale* sale = txn.mutable_sale();
  for (int k = 0; k < sale->lines_size(); ++k) {
    SellProduct(ProductAt(products, kLineProducts[k]), sale->mutable_lines(k));
  }
  test::RecomputeTotals(&txn);
  *r.mutable_transaction() = std::move(txn);
  return r;
}

}  // namespace storeagent::bench
