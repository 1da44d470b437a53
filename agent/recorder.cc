#include "agent/recorder.h"

#include <memory>

#include "core/event_validation.h"
#include "core/journal_chain.h"
#include "core/price_deviation.h"
#include "core/pricing.h"
#include "platform/crypto.h"
#include "platform/seal.h"
#include "storage/day_close_store.h"
#include "storage/event_store.h"
#include "storage/journal_store.h"

namespace storeagent::agent {
namespace {

v1::LoyaltyMember* MutableMember(v1::LoyaltySignal* s) {
  switch (s->kind_case()) {
    case v1::LoyaltySignal::kIdentified:
      return s->mutable_identified()->mutable_member();
    case v1::LoyaltySignal::kEnrolled:
      return s->mutable_enrolled()->mutable_member();
    case v1::LoyaltySignal::kPointsEarned:
      return s->mutable_points_earned()->mutable_member();
    case v1::LoyaltySignal::kPointsRedeemed:
      return s->mutable_points_redeemed()->mutable_member();
    case v1::LoyaltySignal::kConsentChanged:
      return s->mutable_consent_changed()->mutable_member();
    case v1::LoyaltySignal::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

bool HasContact(const v1::ContactDetails& c) {
  return !c.name().empty() || !c.email().empty() || !c.phone().empty();
}

std::string Deterministic(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream raw(&out);
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  return out;
}

// A post-void must name a sale or return of this store's journal.
Status CheckVoidable(storage::WriteContext& ctx, const v1::ClientKey& key) {
  Result<std::optional<v1::JournalEntry>> orig =
      storage::JournalStore::ReadByKey(ctx.db(), key);
  if (!orig.ok()) return orig.status();
  const std::string name =
      "(" + key.terminal_id() + ", " + key.client_txn_id() + ")";
  if (!orig->has_value()) {
    return FailedPrecondition("transaction.post_void.original: no event " +
                              name + " in this store's journal");
  }
  const v1::JournalRecord& r = (*orig)->record();
  if (!r.has_transaction() ||
      !(r.transaction().has_sale() || r.transaction().has_return_())) {
    return FailedPrecondition("transaction.post_void.original: event " + name +
                              " is not a sale or a return");
  }
  return Status::Ok();
}

core::DeviationReason ReasonOf(v1::PriceReason r) {
  switch (r) {
    case v1::PRICE_REASON_MANUAL_OVERRIDE:
      return core::DeviationReason::kManualOverride;
    case v1::PRICE_REASON_PRICE_MATCH:
      return core::DeviationReason::kPriceMatch;
    case v1::PRICE_REASON_DAMAGED_GOODS:
      return core::DeviationReason::kDamagedGoods;
    case v1::PRICE_REASON_UNKNOWN_SKU:
      return core::DeviationReason::kUnknownSku;
    default:
      return core::DeviationReason::kNoneGiven;
  }
}

v1::PriceDeviationKind KindOf(core::DeviationKind k) {
  switch (k) {
    case core::DeviationKind::kNotInBook:
      return v1::PRICE_DEVIATION_KIND_NOT_IN_BOOK;
    case core::DeviationKind::kUnitMismatch:
      return v1::PRICE_DEVIATION_KIND_UNIT_MISMATCH;
    case core::DeviationKind::kCurrency:
      return v1::PRICE_DEVIATION_KIND_CURRENCY;
    case core::DeviationKind::kUnitPrice:
      return v1::PRICE_DEVIATION_KIND_UNIT_PRICE;
    case core::DeviationKind::kNetAmount:
      return v1::PRICE_DEVIATION_KIND_NET_AMOUNT;
  }
  return v1::PRICE_DEVIATION_KIND_UNSPECIFIED;
}

}  // namespace

void CheckPrices(const PriceBookSnapshot& book, int64_t now_us,
                 v1::Sale* sale) {
  if (book.stored.central_seq == 0) return;  // no book yet: nothing checked
  const std::string& sale_currency = sale->totals().total().currency();
  core::StoreContext store = book.store;
  if (store.currency.empty()) store.currency = sale_currency;
  Result<core::PricedBasket> priced =
      core::PriceBasket(book.stored.book, store,
                        core::BasketFromTransactionLines(sale->lines(), now_us,
                                                         sale->has_member()));
  if (!priced.ok()) return;  // validated lines always price; never refuse
  sale->set_price_book_central_seq(book.stored.central_seq);
  for (int i = 0; i < sale->lines_size(); ++i) {
    v1::TransactionLine* line = sale->mutable_lines(i);
    std::optional<core::PriceDeviation> d = core::CheckPriceDeviation(
        priced->lines[static_cast<size_t>(i)], line->unit(),
        core::ChargedFromTransactionLine(*line), store.currency,
        ReasonOf(line->price_reason()));
    if (!d) continue;
    v1::PriceDeviation* out = line->mutable_price_deviation();
    out->set_kind(KindOf(d->kind));
    out->set_reason(line->price_reason());
    out->set_expected_unit_price(d->expected_unit_price);
    out->set_expected_net(d->expected_net);
    out->set_price_list_id(d->price_list_id);
    out->set_price_list_version(
        d->price_list_id.empty()
            ? 0
            : priced->lines[static_cast<size_t>(i)].price_list_version);
    out->set_charged_unit_price(d->charged_unit_price);
    out->set_charged_net(d->charged_net);
    out->set_difference(d->difference);
  }
}

Recorder::Recorder(storage::AgentDatabase& db, RecorderOptions options)
    : db_(db), options_(std::move(options)) {}

void Recorder::RecordTransaction(const v1::RecordTransactionRequest& request,
                                 Done done) {
  Status s = core::ValidateCallerClientKey(request.client_key(), "client_key");
  if (s.ok()) s = core::ValidatePosTransaction(request.transaction());
  if (!s.ok()) {
    done(s);
    return;
  }
  v1::JournalRecord record;
  *record.mutable_client_key() = request.client_key();
  *record.mutable_transaction() = request.transaction();
  std::string pseudonym;
  if (record.transaction().has_sale() &&
      record.transaction().sale().member().has_card_number()) {
    if (options_.loyalty_key.empty()) {
      done(FailedPrecondition(
          "transaction.sale.member.card_number: loyalty.key_file is not "
          "configured on this agent, so the card number cannot be "
          "pseudonymised; send the sale without it or configure the key"));
      return;
    }
    v1::LoyaltyMember* member =
        record.mutable_transaction()->mutable_sale()->mutable_member();
    pseudonym = crypto::AsBytes(
        crypto::HmacSha256(options_.loyalty_key, member->card_number()));
    member->set_pseudonym(pseudonym);  // clears card_number (same oneof)
  } else if (record.transaction().has_sale() &&
             record.transaction().sale().member().has_pseudonym()) {
    pseudonym = record.transaction().sale().member().pseudonym();
  }
  std::function<Status(storage::WriteContext&)> precheck;
  if (request.transaction().has_post_void()) {
    precheck = [key = request.transaction().post_void().original()](
                   storage::WriteContext& ctx) {
      return CheckVoidable(ctx, key);
    };
  }
  AppendFn append;
  if (request.transaction().has_daily_close())
    append = storage::AppendDailyClose;
  if (record.transaction().has_sale() && options_.prices != nullptr &&
      options_.clock != nullptr) {
    CheckPrices(*options_.prices->Get(), options_.clock->NowMicros(),
                record.mutable_transaction()->mutable_sale());
  }
  Append(std::move(record), std::move(precheck), std::move(pseudonym),
         std::move(done), std::move(append));
}

void Recorder::RecordLoyaltySignal(
    const v1::RecordLoyaltySignalRequest& request, Done done) {
  Status s = core::ValidateCallerClientKey(request.client_key(), "client_key");
  if (s.ok()) s = core::ValidateLoyaltySignal(request.signal());
  if (s.ok() && options_.loyalty_key.empty()) {
    s = FailedPrecondition(
        "loyalty.key_file: not configured on this agent; loyalty signals "
        "cannot be pseudonymised");
  }
  if (!s.ok()) {
    done(s);
    return;
  }
  v1::JournalRecord record;
  *record.mutable_client_key() = request.client_key();
  v1::LoyaltySignal* signal = record.mutable_loyalty();
  *signal = request.signal();

  v1::LoyaltyMember* member = MutableMember(signal);
  if (member == nullptr) {  // ValidateLoyaltySignal requires a kind
    done(InvalidArgument("signal.kind: required"));
    return;
  }
  const std::string pseudonym(crypto::AsBytes(
      crypto::HmacSha256(options_.loyalty_key, member->card_number())));
  member->set_pseudonym(pseudonym);  // clears card_number (same oneof)

  if (signal->has_enrolled() && HasContact(signal->enrolled().contact())) {
    if (options_.contact_public_key.empty()) {
      done(FailedPrecondition(
          "signal.enrolled.contact: loyalty.contact_public_key_file is not "
          "configured, so contact details cannot be sealed; send the "
          "enrolment without contact details or configure the key"));
      return;
    }
    v1::MemberEnrolled* e = signal->mutable_enrolled();
    const std::string plain = Deterministic(e->contact());
    // A retry is compared on everything but the contact details
    // (core::ContentDigest): sealing is randomised.
    Result<std::string> sealed =
        crypto::Seal(options_.contact_public_key, plain, pseudonym);
    if (!sealed.ok()) {
      done(sealed.status());
      return;
    }
    e->clear_contact();
    e->set_sealed_contact(std::move(sealed).value());
  }
  Append(std::move(record), nullptr, pseudonym, std::move(done));
}

void Recorder::Append(v1::JournalRecord record,
                      std::function<Status(storage::WriteContext&)> precheck,
                      std::string pseudonym, Done done, AppendFn append) {
  if (options_.sync_gate != nullptr) {
    if (Status s = options_.sync_gate->Admit(); !s.ok()) return done(s);
  }
  if (options_.disk_guard != nullptr) {
    if (Status s = options_.disk_guard->Admit(); !s.ok()) return done(s);
  }
  auto result = std::make_shared<storage::AppendResult>();
  storage::JournalStore& journal = db_.journal();
  db_.writer().Submit(
      [&journal, result, record = std::move(record),
       precheck = std::move(precheck),
       append = std::move(append)](storage::WriteContext& ctx) mutable {
        if (precheck) STOREAGENT_RETURN_IF_ERROR(precheck(ctx));
        Result<storage::AppendResult> r =
            append ? append(ctx, journal, std::move(record))
                   : storage::AppendEvent(ctx, journal, std::move(record));
        if (!r.ok()) return r.status();
        *result = std::move(r).value();
        return Status::Ok();
      },
      [result, pseudonym = std::move(pseudonym),
       done = std::move(done)](const Status& s) {
        if (!s.ok()) {
          done(s);
          return;
        }
        v1::RecordTransactionResponse reply;
        reply.set_seq(result->seq);
        reply.set_hash(result->hash);
        reply.set_recorded_at_us(result->recorded_at_us);
        reply.set_replayed(result->replayed);
        if (!pseudonym.empty()) reply.set_member_pseudonym(pseudonym);
        done(std::move(reply));
      });
}

}  // namespace storeagent::agent
