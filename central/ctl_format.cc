#include "central/ctl_format.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/status.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/stock.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {
namespace {

// Columns padded to their widest cell, two spaces apart; the last column
// is not padded (free text goes there).
class Table {
 public:
  explicit Table(std::vector<std::string> header) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.size() == 1; }

  std::string Render() const { return RenderColumns(rows_); }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string N(int64_t v) { return std::to_string(v); }
std::string N(uint64_t v) { return std::to_string(v); }
std::string YesNo(bool b) { return b ? "yes" : "no"; }

// HOLD_STATE_HELD -> held.
std::string HoldStateName(v1::HoldState s) {
  std::string name = v1::HoldState_Name(s);
  const std::string prefix = "HOLD_STATE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return name.empty() ? "unknown" : name;
}

// The items separated by `sep`; "-" for none.
std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& v,
                   const std::string& sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out.empty() ? "-" : out;
}

std::string Lines(const v1::Hold& h) {
  std::string out;
  for (const v1::HoldLine& l : h.lines()) {
    out += (out.empty() ? "" : " ") + l.sku() + "=" + N(l.quantity());
  }
  return out;
}

// PushCentralEvent's and CancelHold's responses have the same fields.
template <typename PushResponse>
std::string FormatPush(const PushResponse& r) {
  return "central_seq " + N(r.central_seq()) +
         (r.replayed() ? " (replayed: recorded before under this key)\n"
                       : " (recorded)\n");
}

std::string Format(const v1::FindAvailabilityResponse& r) {
  Table t({"STORE", "SKU", "ON_HAND", "HELD", "UNAVAILABLE", "ESCROW",
           "STORE_SEQ", "CONNECTED", "AGE"});
  for (const v1::StoreAvailability& s : r.stores()) {
    for (int i = 0; i < s.figures_size(); ++i) {
      const v1::SkuFigure& f = s.figures(i);
      t.Add({s.store_id(), f.sku(), N(f.on_hand()), N(f.held()),
             N(f.unavailable()), i < s.escrow_size() ? N(s.escrow(i)) : "-",
             N(s.store_seq()), YesNo(s.connected()),
             N(s.replica_age_ms() / 1000) + "s"});
    }
  }
  return t.empty() ? "no store holds these SKUs\n" : t.Render();
}

std::string Format(const v1::ListDriftResponse& r) {
  Table t({"FOUND", "STORE", "SKU", "STORE_SEQ", "CENTRAL_SEQ",
           "STORE(on_hand/held/unavailable)",
           "CENTRAL(on_hand/held/unavailable)"});
  auto fig = [](const v1::SkuFigure& f) {
    return N(f.on_hand()) + "/" + N(f.held()) + "/" + N(f.unavailable());
  };
  for (const v1::Drift& d : r.drift()) {
    t.Add({FormatMicros(d.found_at_us()), d.store_id(), d.sku(),
           N(d.store_seq()), N(d.central_seq()), fig(d.store()),
           fig(d.central())});
  }
  return t.empty() ? "no drift\n" : t.Render();
}

std::string Format(const v1::GetStoreSyncStateResponse& s) {
  Table t({"store", s.store_id()});
  t.Add({"connected", YesNo(s.connected())});
  t.Add({"agent version", s.agent_version().empty() ? "-" : s.agent_version()});
  t.Add({"store seq held", N(s.store_seq_held())});
  t.Add({"central head seq", N(s.central_head_seq())});
  t.Add({"central seq acked", N(s.central_seq_acked())});
  t.Add({"last exchange", FormatMicros(s.last_exchange_us())});
  t.Add({"last digest", s.last_digest().empty()
                            ? "none yet"
                            : s.last_digest() + " at store seq " +
                                  N(s.last_digest_store_seq())});
  t.Add({"quarantined", N(s.quarantined())});
  t.Add({"escrow breaches", N(s.escrow_breaches())});
  t.Add({"signing key",
         s.signing_key_id().empty() ? "none yet" : s.signing_key_id()});
  t.Add({"last checkpoint", s.last_checkpoint_seq() == 0
                                ? "none yet"
                                : "store seq " + N(s.last_checkpoint_seq())});
  t.Add({"signature problem",
         s.signature_problem().empty()
             ? "none"
             : s.signature_problem() + " (at " +
                   FormatMicros(s.signature_problem_at_us()) + ")"});
  return t.Render();
}

std::string Format(const v1::ListQuarantineResponse& r) {
  Table q({"AT", "STORE", "SEQ", "REASON"});
  for (const v1::QuarantineEntry& e : r.quarantined()) {
    q.Add({FormatMicros(e.at_us()), e.store_id(), N(e.seq()), e.reason()});
  }
  Table b({"STORE", "SEQ", "SKU", "ESCROW", "AVAILABLE", "AT_RISK", "ORDERS"});
  for (const v1::EscrowBreachEntry& e : r.breaches()) {
    b.Add({e.store_id(), N(e.seq()), e.sku(), N(e.escrow()), N(e.available()),
           N(e.at_risk()), Joined(e.order_refs(), " ")});
  }
  return "quarantined events:\n" + (q.empty() ? "none\n" : q.Render()) +
         "\nescrow breaches:\n" + (b.empty() ? "none\n" : b.Render());
}

std::string Format(const v1::CentralAdminServicePlaceHoldResponse& r) {
  if (r.granted()) {
    const v1::Hold& h = r.hold();
    return "granted by " + r.granted_by() + ": order " + h.order_ref() + ", " +
           HoldStateName(h.state()) + ", expires " +
           FormatMicros(h.expires_at_us()) + ", lines " + Lines(h) + "\n";
  }
  std::string out = "not granted: " + r.reason() + "\n";
  if (r.shortfall_size() > 0) {
    Table t({"SKU", "AVAILABLE", "ON_HAND", "HELD", "UNAVAILABLE",
             "SAFETY_STOCK", "IN_CATALOG"});
    for (const v1::SkuAvailability& s : r.shortfall()) {
      t.Add({s.sku(), N(s.available()), N(s.on_hand()), N(s.held()),
             N(s.unavailable()), N(s.safety_stock()), YesNo(s.in_catalog())});
    }
    out += t.Render();
  }
  return out;
}

std::string Format(const v1::ListAdminAuditResponse& r) {
  Table t(
      {"ID", "AT", "CALLER", "METHOD", "STORE", "CODE", "DETAIL", "MESSAGE"});
  for (const v1::AdminAuditEntry& e : r.entries()) {
    t.Add({N(e.audit_id()), FormatMicros(e.at_us()), e.caller(), e.method(),
           e.store_id().empty() ? "-" : e.store_id(), e.code(),
           e.detail().empty() ? "-" : e.detail(), e.message()});
  }
  return t.empty() ? "no admin writes recorded\n" : t.Render();
}

std::string Format(const v1::ListAtRiskOrdersResponse& r) {
  Table t({"SINCE", "STORE", "ORDER", "SKUS", "BREACH_SEQ", "STATUS"});
  for (const v1::AtRiskOrder& o : r.orders()) {
    std::string status = "at risk";
    if (!o.resolution().empty()) {
      status = o.resolution() + " " + FormatMicros(o.resolved_at_us());
      if (o.resolved_seq() != 0) status += " (seq " + N(o.resolved_seq()) + ")";
    }
    t.Add({FormatMicros(o.since_us()), o.store_id(), o.order_ref(),
           Joined(o.skus(), ","), N(o.breach_seq()), status});
  }
  return t.empty() ? "no orders at risk\n" : t.Render();
}

// PRICE_DEVIATION_KIND_UNIT_PRICE -> unit_price; PRICE_REASON_UNSPECIFIED
// -> none_given (docs/pricing.md's names).
std::string EnumText(const std::string& name, const std::string& prefix) {
  std::string out =
      name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out.empty() ? "unknown" : out;
}

// "12.3 %" of a / b, or "-" when b is 0.
std::string Percent(int64_t a, int64_t b) {
  if (b == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%",
                100.0 * static_cast<double>(a) / static_cast<double>(b));
  return buf;
}

std::string Format(const v1::ListPriceDeviationsResponse& r) {
  Table t({"RECORDED", "STORE", "SEQ/LINE", "RECEIPT", "OPERATOR", "SKU",
           "KIND", "REASON", "EXPECTED NET", "CHARGED NET", "DIFFERENCE",
           "PRICE LIST"});
  for (const v1::PriceDeviationEntry& e : r.deviations()) {
    const v1::PriceDeviation& d = e.deviation();
    std::string reason =
        EnumText(v1::PriceReason_Name(d.reason()), "PRICE_REASON_");
    if (reason == "unspecified") reason = "none_given";
    const std::string list =
        d.price_list_id().empty()
            ? "-"
            : d.price_list_id() + " v" + N(d.price_list_version());
    t.Add({FormatMicros(e.recorded_at_us()), e.store_id(),
           N(e.seq()) + "/" + N(static_cast<uint64_t>(e.line())),
           e.receipt_number().empty() ? "-" : e.receipt_number(),
           e.operator_id().empty() ? "-" : e.operator_id(), e.sku(),
           EnumText(v1::PriceDeviationKind_Name(d.kind()),
                    "PRICE_DEVIATION_KIND_"),
           reason, N(d.expected_net()), N(d.charged_net()),
           (d.difference() > 0 ? "+" : "") + N(d.difference()), list});
  }
  const std::string counts = "lines checked " + N(r.lines_checked()) +
                             ", deviating " + N(r.lines_deviating()) + " (" +
                             Percent(r.lines_deviating(), r.lines_checked()) +
                             ")\n";
  return (t.empty() ? "no price deviations\n" : t.Render()) + counts;
}

template <typename T>
const T* As(const google::protobuf::Message& m) {
  return dynamic_cast<const T*>(&m);
}

}  // namespace

std::string RenderColumns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(width[i] - row[i].size() + 2, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string FormatMicros(int64_t us) {
  return us == 0 ? "-" : FormatUtcSeconds(us);
}

std::string FormatReplyJson(const google::protobuf::Message& reply) {
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.always_print_primitive_fields = true;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(reply, &json, o);
  return json;
}

std::string FormatReply(const google::protobuf::Message& reply) {
  if (auto* r = As<v1::PushCentralEventResponse>(reply)) return FormatPush(*r);
  if (auto* r = As<v1::CentralAdminServiceCancelHoldResponse>(reply)) {
    return FormatPush(*r);
  }
  if (auto* r = As<v1::FindAvailabilityResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::ListDriftResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::GetStoreSyncStateResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::ListQuarantineResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::CentralAdminServicePlaceHoldResponse>(reply))
    return Format(*r);
  if (auto* r = As<v1::ListAdminAuditResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::ListAtRiskOrdersResponse>(reply)) return Format(*r);
  if (auto* r = As<v1::ListPriceDeviationsResponse>(reply)) return Format(*r);
  return FormatReplyJson(reply);
}

std::string FormatStatus(const grpc::Status& status) {
  std::string out = std::string(StatusCodeName(
                        static_cast<StatusCode>(status.error_code()))) +
                    ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      out +=
          " (is storecentrald running? check --admin, and --ca/--cert/"
          "--key when admin.tls is on)";
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      out +=
          " (the admin API needs an admin certificate: --cert/--key "
          "issued by installer/dev-ca admin; writes need the operator "
          "role)";
      break;
    default:
      break;
  }
  return out;
}

}  // namespace storeagent::central
