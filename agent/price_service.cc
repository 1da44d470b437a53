#include "agent/price_service.h"

#include <memory>
#include <utility>

#include "agent/pos_service.h"
#include "core/price_answer.h"
#include "proto/raw_unary.h"

namespace storeagent::agent {

PriceServiceImpl::PriceServiceImpl(const PriceBookHolder& book,
                                   const SyncHealth* sync_health,
                                   const Clock& clock)
    : book_(book), sync_health_(sync_health), clock_(clock) {}

grpc::ServerUnaryReactor* PriceServiceImpl::GetPrices(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor = rpc::RawUnary<v1::GetPricesRequest, v1::GetPricesResponse,
                                /*kReplyOnArena=*/true>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const std::shared_ptr<const PriceBookSnapshot> book = book_.Get();
  v1::GetPricesResponse* reply = reactor->reply();
  const Status answered =
      core::AnswerGetPrices(book->stored.book, book->store, reactor->request(),
                            clock_.NowMicros(), reply);
  if (!answered.ok()) {
    reactor->Reply(ToGrpc(answered));
    return reactor;
  }
  reply->set_book_central_seq(book->stored.central_seq);
  reply->set_book_applied_at_us(book->stored.applied_at_us);
  if (sync_health_ != nullptr) {
    reply->set_synced_at_us(sync_health_->Get().last_exchange_us);
  }
  reactor->Reply(grpc::Status::OK);
  return reactor;
}

}  // namespace storeagent::agent
