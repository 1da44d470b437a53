#include "storage/catalog_store.h"

namespace storeagent::storage {
namespace {

constexpr char kSelect[] =
    "SELECT sku, name, department, price_minor, currency, safety_stock, unit "
    "FROM catalog ";

Result<std::vector<v1::Product>> ProductRows(DbContext& ctx, Statement& s) {
  std::vector<v1::Product> out;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::Product p;
    p.set_sku(std::string(s.ColumnText(0)));
    p.set_name(std::string(s.ColumnText(1)));
    p.set_department(std::string(s.ColumnText(2)));
    p.mutable_price()->set_minor_units(s.ColumnInt(3));
    p.mutable_price()->set_currency(std::string(s.ColumnText(4)));
    p.set_safety_stock(s.ColumnInt(5));
    p.set_unit(std::string(s.ColumnText(6)));
    out.push_back(std::move(p));
  }
  Result<Statement*> g =
      ctx.Prepare("SELECT gtin FROM catalog_gtin WHERE sku = ?1 ORDER BY gtin");
  if (!g.ok()) return g.status();
  for (v1::Product& p : out) {
    (*g)->Reset();
    (*g)->BindText(1, p.sku());
    for (;;) {
      Result<bool> row = (*g)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      p.add_gtins(std::string((*g)->ColumnText(0)));
    }
  }
  return out;
}

}  // namespace

std::string FoldName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {

constexpr char kCentral[] = "central";
constexpr char kLocal[] = "local";

// Why `p` may not be the store's own: a SKU head office owns, or a GTIN of
// one of head office's products; "" when it may.
Result<std::string> HeadOfficeConflict(DbContext& ctx, const v1::Product& p) {
  Result<Statement*> owner =
      ctx.Prepare("SELECT owner FROM catalog WHERE sku = ?1");
  if (!owner.ok()) return owner.status();
  (*owner)->BindText(1, p.sku());
  Result<bool> row = (*owner)->Step();
  if (!row.ok()) return row.status();
  const bool central = *row && (*owner)->ColumnText(0) == kCentral;
  (*owner)->Reset();
  if (central) {
    return std::string(
        "sku: head office owns this product (pushed by central); change it "
        "there, or leave it out of the store's import");
  }
  Result<Statement*> gtin = ctx.Prepare(
      "SELECT c.sku FROM catalog_gtin g JOIN catalog c ON c.sku = g.sku "
      "WHERE g.gtin = ?1 AND c.owner = 'central' AND c.sku <> ?2");
  if (!gtin.ok()) return gtin.status();
  for (const std::string& g : p.gtins()) {
    (*gtin)->Reset();
    (*gtin)->BindText(1, g);
    (*gtin)->BindText(2, p.sku());
    Result<bool> hit = (*gtin)->Step();
    if (!hit.ok()) return hit.status();
    if (*hit) {
      const std::string other((*gtin)->ColumnText(0));
      (*gtin)->Reset();
      return "gtins: " + g + " is the barcode of head office's product " +
             other;
    }
  }
  (*gtin)->Reset();
  return std::string();
}

Status ClearLocal(DbContext& ctx) {
  for (const char* sql : {"DELETE FROM catalog_gtin WHERE sku IN "
                          "(SELECT sku FROM catalog WHERE owner = 'local')",
                          "DELETE FROM catalog WHERE owner = 'local'"}) {
    Result<Statement*> clear = ctx.Prepare(sql);
    if (!clear.ok()) return clear.status();
    STOREAGENT_RETURN_IF_ERROR((*clear)->Run());
  }
  return Status::Ok();
}

// Binds ?1..?8 of a catalog row (sku, name, name_fold, department,
// price_minor, currency, safety_stock, unit) from `p`.
void BindProductRow(Statement& s, const v1::Product& p) {
  s.BindText(1, p.sku());
  s.BindText(2, p.name());
  s.BindText(3, FoldName(p.name()));
  s.BindText(4, p.department());
  s.BindInt(5, p.price().minor_units());
  s.BindText(6, p.price().currency());
  s.BindInt(7, p.safety_stock());
  s.BindText(8, p.unit().empty() ? "each" : p.unit());
}

// Inserts `p` as the store's own, adding to `counts`.
Status InsertLocal(DbContext& ctx, const v1::Product& p,
                   CatalogCounts* counts) {
  Result<Statement*> ins = ctx.Prepare(
      "INSERT INTO catalog (sku, name, name_fold, department, price_minor, "
      "currency, safety_stock, unit, owner) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'local')");
  if (!ins.ok()) return ins.status();
  Result<Statement*> gtin =
      ctx.Prepare("INSERT INTO catalog_gtin (gtin, sku) VALUES (?1, ?2)");
  if (!gtin.ok()) return gtin.status();
  Statement& s = **ins;
  s.Reset();
  BindProductRow(s, p);
  Status st = s.Run();
  if (!st.ok())
    return Status(st.code(), "sku " + p.sku() + ": " + st.message());
  ++counts->products;
  for (const std::string& g : p.gtins()) {
    Statement& gs = **gtin;
    gs.Reset();
    gs.BindText(1, g);
    gs.BindText(2, p.sku());
    Status gst = gs.Run();
    if (!gst.ok()) {
      return Status(gst.code(), "gtin " + g + ": " + gst.message());
    }
    ++counts->gtins;
  }
  return Status::Ok();
}

}  // namespace

Result<CatalogCounts> CatalogStore::ReplaceLocal(
    DbContext& ctx, const std::vector<v1::Product>& products,
    int64_t first_row) {
  for (size_t i = 0; i < products.size(); ++i) {
    Result<std::string> why = HeadOfficeConflict(ctx, products[i]);
    if (!why.ok()) return why.status();
    if (!why->empty()) {
      return FailedPrecondition(
          "row " + std::to_string(first_row + static_cast<int64_t>(i)) +
          " (sku " + products[i].sku() + "): " + *why);
    }
  }
  STOREAGENT_RETURN_IF_ERROR(ClearLocal(ctx));
  CatalogCounts counts;
  for (const v1::Product& p : products) {
    STOREAGENT_RETURN_IF_ERROR(InsertLocal(ctx, p, &counts));
  }
  return counts;
}

Status CatalogStore::ApplyImported(DbContext& ctx,
                                   const v1::CatalogImported& part) {
  if (part.part() == 0) STOREAGENT_RETURN_IF_ERROR(ClearLocal(ctx));
  CatalogCounts counts;
  for (const v1::Product& p : part.products()) {
    Result<std::string> why = HeadOfficeConflict(ctx, p);
    if (!why.ok()) return why.status();
    if (!why->empty()) continue;  // head office's by now: theirs stays
    STOREAGENT_RETURN_IF_ERROR(InsertLocal(ctx, p, &counts));
  }
  return Status::Ok();
}

Status CatalogStore::Upsert(DbContext& ctx,
                            const std::vector<v1::Product>& products,
                            std::vector<std::string>* taken_over) {
  Result<Statement*> row = ctx.Prepare(
      "INSERT INTO catalog (sku, name, name_fold, department, price_minor, "
      "currency, safety_stock, unit, owner) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'central') "
      "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, "
      "name_fold = excluded.name_fold, department = excluded.department, "
      "price_minor = excluded.price_minor, currency = excluded.currency, "
      "safety_stock = excluded.safety_stock, unit = excluded.unit, "
      "owner = 'central'");
  if (!row.ok()) return row.status();
  Result<Statement*> owner =
      ctx.Prepare("SELECT owner FROM catalog WHERE sku = ?1");
  if (!owner.ok()) return owner.status();
  Result<Statement*> clear =
      ctx.Prepare("DELETE FROM catalog_gtin WHERE sku = ?1");
  if (!clear.ok()) return clear.status();
  Result<Statement*> gtin = ctx.Prepare(
      "INSERT INTO catalog_gtin (gtin, sku) VALUES (?1, ?2) "
      "ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku");
  if (!gtin.ok()) return gtin.status();
  for (const v1::Product& p : products) {
    if (taken_over != nullptr) {
      (*owner)->Reset();
      (*owner)->BindText(1, p.sku());
      Result<bool> held = (*owner)->Step();
      if (!held.ok()) return held.status();
      if (*held && (*owner)->ColumnText(0) == kLocal) {
        taken_over->push_back(p.sku());
      }
      (*owner)->Reset();
    }
    Statement& s = **row;
    s.Reset();
    BindProductRow(s, p);
    STOREAGENT_RETURN_IF_ERROR(s.Run());
    (*clear)->Reset();
    (*clear)->BindText(1, p.sku());
    STOREAGENT_RETURN_IF_ERROR((*clear)->Run());
    for (const std::string& g : p.gtins()) {
      Statement& gs = **gtin;
      gs.Reset();
      gs.BindText(1, g);
      gs.BindText(2, p.sku());
      STOREAGENT_RETURN_IF_ERROR(gs.Run());
    }
  }
  return Status::Ok();
}

Result<bool> CatalogStore::SetPrice(DbContext& ctx, const std::string& sku,
                                    int64_t minor_units,
                                    const std::string& currency) {
  Result<Statement*> s = ctx.Prepare(
      "UPDATE catalog SET price_minor = ?2, currency = ?3 WHERE sku = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, sku);
  (*s)->BindInt(2, minor_units);
  (*s)->BindText(3, currency);
  STOREAGENT_RETURN_IF_ERROR((*s)->Run());
  return sqlite3_changes(ctx.db()) > 0;
}

Result<std::optional<v1::Product>> CatalogStore::Get(DbContext& ctx,
                                                     const std::string& sku) {
  Result<Statement*> s = ctx.Prepare(std::string(kSelect) + "WHERE sku = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, sku);
  Result<std::vector<v1::Product>> rows = ProductRows(ctx, **s);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Product>();
  return std::optional<v1::Product>(std::move(rows->front()));
}

Result<std::vector<v1::Product>> CatalogStore::Search(DbContext& ctx,
                                                      const std::string& query,
                                                      int limit) {
  // Exact SKU or GTIN (a scanned barcode) wins.
  Result<Statement*> exact = ctx.Prepare(
      std::string(kSelect) +
      "WHERE sku = ?1 OR sku = (SELECT sku FROM catalog_gtin WHERE gtin = ?1)");
  if (!exact.ok()) return exact.status();
  (*exact)->BindText(1, query);
  Result<std::vector<v1::Product>> out = ProductRows(ctx, **exact);
  if (!out.ok()) return out.status();
  if (!out->empty()) return out;

  // Name prefix: [fold, fold + U+10FFFF) uses the index.
  const std::string lo = FoldName(query);
  const std::string hi = lo + "\xf4\x8f\xbf\xbf";
  Result<Statement*> prefix = ctx.Prepare(
      std::string(kSelect) +
      "WHERE name_fold >= ?1 AND name_fold < ?2 ORDER BY name_fold, sku "
      "LIMIT ?3");
  if (!prefix.ok()) return prefix.status();
  (*prefix)->BindText(1, lo);
  (*prefix)->BindText(2, hi);
  (*prefix)->BindInt(3, limit);
  return ProductRows(ctx, **prefix);
}

}  // namespace storeagent::storage
