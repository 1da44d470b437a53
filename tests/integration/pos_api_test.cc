// The POS API end to end in one process: AgentServer on a temporary Unix
// socket (and loopback TCP), called through real gRPC stubs.
//
// Covers invariants 1-3, 6 and 7 of the design as the POS sees them, the
// privacy rules of loyalty signals (section 6), and the health and reflection
// services (section 7).
#include <gmock/gmock.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpc/grpc.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_server.h"
#include "agent/config.h"
#include "core/text_checks.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/seal.h"
#include "storage/agent_database.h"
#include "storage/sync_store.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "storeagent/v1/price.grpc.pb.h"
#include "tests/support/grpc_health.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/price_samples.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::agent {
namespace {

using ::google::protobuf::UnknownFieldSet;
using ::google::protobuf::util::MessageDifferencer;
using test::SampleClientKey;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kStoreId[] = "store-0042";
constexpr char kCard[] = "6012345678";  // the card of every sample signal
constexpr int kMaxMessageBytes = 1 << 20;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

// A server of its own per test, on a fresh directory.
class PosApiTest : public ::testing::Test {
 protected:
  // Keeps gRPC initialised for the whole process. Otherwise destroying the
  // last server runs gRPC's full library shutdown, which in Debian's gRPC
  // 1.51 sometimes stalls for 10 s after a call was refused for its size.
  // That is a property of the library at process exit, not of the API under
  // test. (Deliberately never balanced by grpc_shutdown().)
  static void SetUpTestSuite() {
    static const bool kInitialised = [] {
      grpc_init();
      return true;
    }();
    (void)kInitialised;
  }

  void SetUp() override {
    Result<crypto::X25519KeyPair> pair = crypto::GenerateX25519KeyPair();
    ASSERT_TRUE(pair.ok());
    head_office_ = *pair;
    config_.store_id = kStoreId;
    config_.data_dir = dir_.File("data");
    config_.pos_socket = dir_.File("pos.sock");
    config_.loyalty_key = crypto::RandomBytes(32);
    config_.contact_public_key = head_office_.public_key;
  }

  void TearDown() override { StopServer(); }

  // Starts the server with config_ and connects a stub to its socket.
  void StartServer() {
    Result<std::unique_ptr<AgentServer>> s =
        AgentServer::Start(config_, clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    channel_ = grpc::CreateChannel("unix:" + config_.pos_socket,
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::PosService::NewStub(channel_);
  }

  void StopServer() {
    stub_.reset();
    channel_.reset();
    if (server_) server_->Shutdown();
    server_.reset();
  }

  grpc::Status Record(const v1::ClientKey& key, const v1::Transaction& txn,
                      v1::RecordTransactionResponse* reply) {
    v1::RecordTransactionRequest req;
    *req.mutable_client_key() = key;
    *req.mutable_transaction() = txn;
    return Send(req, reply);
  }

  grpc::Status Send(const v1::RecordTransactionRequest& req,
                    v1::RecordTransactionResponse* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    return stub_->RecordTransaction(&ctx, req, reply);
  }

  grpc::Status Signal(const v1::ClientKey& key, const v1::LoyaltySignal& sig,
                      v1::RecordLoyaltySignalResponse* reply) {
    v1::RecordLoyaltySignalRequest req;
    *req.mutable_client_key() = key;
    *req.mutable_signal() = sig;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    return stub_->RecordLoyaltySignal(&ctx, req, reply);
  }

  grpc::Status GetBySeq(uint64_t seq, v1::GetEventResponse* entry) {
    v1::GetEventRequest req;
    req.set_seq(seq);
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    return stub_->GetEvent(&ctx, req, entry);
  }

  grpc::Status GetByKey(const v1::ClientKey& key, v1::GetEventResponse* entry) {
    v1::GetEventRequest req;
    *req.mutable_client_key() = key;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    return stub_->GetEvent(&ctx, req, entry);
  }

  v1::GetJournalStatusResponse JournalStatus() {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::GetJournalStatusResponse st;
    grpc::Status s = stub_->GetJournalStatus(&ctx, {}, &st);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return st;
  }

  // The database file and its WAL, as bytes.
  std::string DatabaseBytes() const {
    return ReadBytes(config_.DatabasePath()) +
           ReadBytes(config_.DatabasePath() + "-wal");
  }

  // Expects `s` to be `code` with a message naming `field`.
  static void ExpectRefused(const grpc::Status& s, grpc::StatusCode code,
                            const std::string& field) {
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  }

  testing::TempDir dir_;
  FakeClock clock_;
  AgentConfig config_;
  crypto::X25519KeyPair head_office_;
  std::unique_ptr<AgentServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PosService::Stub> stub_;
};

// ---- Recording and reading back -------------------------------------------

TEST_F(PosApiTest, SaleIsRecordedAsSeqOneWithAHash) {
  StartServer();
  const v1::Transaction sale = test::SampleSale();
  v1::RecordTransactionResponse reply;
  grpc::Status s = Record(SampleClientKey("txn-0001"), sale, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 1u);
  EXPECT_EQ(reply.hash().size(), 32u);
  EXPECT_FALSE(reply.replayed());
  EXPECT_EQ(reply.recorded_at_us(), clock_.NowMicros());
  EXPECT_TRUE(reply.member_pseudonym().empty());

  v1::GetEventResponse by_seq;
  s = GetBySeq(1, &by_seq);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(by_seq.record().seq(), 1u);
  EXPECT_EQ(by_seq.hash(), reply.hash());
  EXPECT_EQ(by_seq.prev_hash(), std::string(32, '\0'));
  EXPECT_EQ(by_seq.record().recorded_at_us(), reply.recorded_at_us());
  EXPECT_TRUE(MessageDifferencer::Equals(by_seq.record().client_key(),
                                         SampleClientKey("txn-0001")));
  EXPECT_TRUE(MessageDifferencer::Equals(by_seq.record().transaction(), sale));

  v1::GetEventResponse by_key;
  s = GetByKey(SampleClientKey("txn-0001"), &by_key);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(MessageDifferencer::Equals(by_key, by_seq));

  // The chain continues from the first hash.
  s = Record(SampleClientKey("txn-0002"), test::SampleNoSale(), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 2u);
  v1::GetEventResponse second;
  ASSERT_TRUE(GetBySeq(2, &second).ok());
  EXPECT_EQ(second.prev_hash(), by_seq.hash());
  EXPECT_NE(second.hash(), by_seq.hash());
}

TEST_F(PosApiTest, EveryTransactionKindIsRecorded) {
  StartServer();
  const v1::Transaction kinds[] = {
      test::SampleSale(),   test::SampleCashSale(),   test::SampleReturn(),
      test::SampleNoSale(), test::SampleDailyClose(),
  };
  uint64_t seq = 0;
  for (const v1::Transaction& txn : kinds) {
    v1::RecordTransactionResponse reply;
    grpc::Status s =
        Record(SampleClientKey("k-" + std::to_string(seq)), txn, &reply);
    ASSERT_TRUE(s.ok()) << txn.kind_case() << ": " << s.error_message();
    EXPECT_EQ(reply.seq(), ++seq);
  }
}

TEST_F(PosApiTest, UnknownEventsAreNotFound) {
  StartServer();
  v1::GetEventResponse e;
  ExpectRefused(GetBySeq(1, &e), grpc::StatusCode::NOT_FOUND, "seq");
  ExpectRefused(GetByKey(SampleClientKey("nope"), &e),
                grpc::StatusCode::NOT_FOUND, "client_key");
  // Neither seq nor key, seq 0, and a bad key are refused.
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  ExpectRefused(stub_->GetEvent(&ctx, {}, &e),
                grpc::StatusCode::INVALID_ARGUMENT, "by");
  ExpectRefused(GetBySeq(0, &e), grpc::StatusCode::INVALID_ARGUMENT, "seq");
  v1::ClientKey bad = SampleClientKey("txn 1");
  ExpectRefused(GetByKey(bad, &e), grpc::StatusCode::INVALID_ARGUMENT,
                "client_key.client_txn_id");
}

// ---- Exactly once ---------------------------------------------------------

TEST_F(PosApiTest, RetryWithSameContentIsReplayed) {
  StartServer();
  v1::RecordTransactionResponse first;
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &first).ok());
  clock_.Advance(5'000'000);
  v1::RecordTransactionResponse again;
  grpc::Status s =
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.seq(), first.seq());
  EXPECT_EQ(again.hash(), first.hash());
  EXPECT_EQ(again.recorded_at_us(), first.recorded_at_us());
  EXPECT_EQ(JournalStatus().head_seq(), 1u);
}

// docs/pos-api.md shows client keys like "2026-11-22-000481"; one in ten of
// that shape passes the Luhn check once its groups are joined, and was
// refused as a card number. Identifiers are checked group by group.
TEST_F(PosApiTest, DocumentedKeyShapesAreNeverTakenForCardNumbers) {
  StartServer();
  // All pass the Luhn check when their digit groups are joined.
  const char* ids[] = {"2026-11-22-000486", "2026-11-22-000494",
                       "2026-11-22-000502"};
  uint64_t seq = 0;
  for (const char* id : ids) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(core::PassesLuhn(
        std::string(id).substr(0, 4) + std::string(id).substr(5, 2) +
        std::string(id).substr(8, 2) + std::string(id).substr(11)));
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->set_receipt_number(id);
    v1::RecordTransactionResponse reply;
    grpc::Status s = Record(SampleClientKey(id), txn, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(reply.seq(), ++seq);
  }
}

TEST_F(PosApiTest, SameKeyWithOtherContentIsAlreadyExists) {
  StartServer();
  v1::RecordTransactionResponse first;
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &first).ok());
  const v1::GetJournalStatusResponse before = JournalStatus();

  v1::RecordTransactionResponse reply;
  grpc::Status s =
      Record(SampleClientKey("txn-0001"), test::SampleSale(3), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << s.error_message();
  s = Record(SampleClientKey("txn-0001"), test::SampleNoSale(), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << s.error_message();

  const v1::GetJournalStatusResponse after = JournalStatus();
  EXPECT_EQ(after.head_seq(), before.head_seq());
  EXPECT_EQ(after.head_hash(), before.head_hash());
  v1::GetEventResponse e;
  ASSERT_TRUE(GetByKey(SampleClientKey("txn-0001"), &e).ok());
  EXPECT_TRUE(
      MessageDifferencer::Equals(e.record().transaction(), test::SampleSale()));
  // The next new key still gets the next seq: nothing was consumed.
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0002"), test::SampleNoSale(), &reply).ok());
  EXPECT_EQ(reply.seq(), 2u);
}

TEST_F(PosApiTest, ConcurrentCallersGetGaplessSeqs) {
  StartServer();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        v1::ClientKey key;
        key.set_terminal_id("till-" + std::to_string(t));
        key.set_client_txn_id("txn-" + std::to_string(i));
        v1::RecordTransactionResponse reply;
        grpc::Status s = Record(key, test::SampleSale(2), &reply);
        EXPECT_TRUE(s.ok()) << s.error_message();
        if (s.ok()) seqs[t].push_back(reply.seq());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : seqs) all.insert(v.begin(), v.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(JournalStatus().head_seq(),
            static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(PosApiTest, JournalSurvivesARestart) {
  StartServer();
  v1::RecordTransactionResponse first;
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &first).ok());
  StopServer();
  StartServer();
  v1::GetEventResponse e;
  ASSERT_TRUE(GetBySeq(1, &e).ok());
  EXPECT_EQ(e.hash(), first.hash());
  v1::RecordTransactionResponse reply;
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &reply).ok());
  EXPECT_TRUE(reply.replayed());
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0002"), test::SampleNoSale(), &reply).ok());
  EXPECT_EQ(reply.seq(), 2u);
  EXPECT_FALSE(reply.replayed());
}

// ---- Bad input ------------------------------------------------------------

TEST_F(PosApiTest, InvalidInputIsRefusedNamingTheFieldAndChangesNothing) {
  StartServer();
  struct Case {
    const char* what;
    v1::ClientKey key;
    v1::Transaction txn;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({"501 lines", SampleClientKey("c1"), test::SampleSale(501),
                   "transaction.sale.lines"});
  {
    v1::ClientKey key = SampleClientKey("c2");
    key.set_terminal_id("");
    cases.push_back(
        {"empty terminal", key, test::SampleSale(), "client_key.terminal_id"});
  }
  {
    v1::ClientKey key = SampleClientKey("");
    cases.push_back(
        {"empty txn id", key, test::SampleSale(), "client_key.client_txn_id"});
  }
  {
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->mutable_lines(0)->set_description(
        "paid with 4111 1111 1111 1111");
    cases.push_back({"PAN in description", SampleClientKey("c3"), txn,
                     "transaction.sale.lines[0].description"});
  }
  // What an independent POS client got stored in clear: other separators,
  // several in a row, no-break spaces, full-width digits.
  for (const char* pan :
       {"4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111",
        "4111  1111  1111  1111", "4111 - 1111 - 1111 - 1111",
        "4111\u00a01111\u00a01111\u00a01111",
        "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11"
        "\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11"}) {
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->mutable_lines(0)->set_description(
        std::string("paid with ") + pan);
    cases.push_back({"PAN written another way", SampleClientKey("c3"), txn,
                     "transaction.sale.lines[0].description"});
  }
  {
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->set_receipt_number("4111-1111-1111-1111");
    cases.push_back({"PAN as a receipt number", SampleClientKey("c3"), txn,
                     "transaction.sale.receipt_number"});
  }
  cases.push_back({"PAN as a client_txn_id",
                   SampleClientKey("4111111111111111"), test::SampleSale(),
                   "client_key.client_txn_id"});
  {
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->mutable_totals()->mutable_total()->set_currency("ZZZ");
    cases.push_back(
        {"unknown currency", SampleClientKey("c4"), txn, "currency"});
  }
  cases.push_back(
      {"no kind", SampleClientKey("c5"), v1::Transaction(), "transaction"});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::RecordTransactionResponse reply;
    grpc::Status s = Record(c.key, c.txn, &reply);
    ExpectRefused(s, grpc::StatusCode::INVALID_ARGUMENT, c.field);
    EXPECT_THAT(s.error_message(), Not(HasSubstr("4111")));
  }
  // The whole list of refusals left the journal empty.
  EXPECT_EQ(JournalStatus().head_seq(), 0u);
  v1::RecordTransactionResponse reply;
  ASSERT_TRUE(
      Record(SampleClientKey("c1"), test::SampleSale(500), &reply).ok());
  EXPECT_EQ(reply.seq(), 1u);
}

// What an independent POS client sent (grpc-js and Python alike): invalid
// UTF-8 in a string field, or bytes that are not protobuf at all. Both were
// answered UNIMPLEMENTED with an empty message; now INVALID_ARGUMENT names
// the field, and nothing is recorded.
TEST_F(PosApiTest, InvalidUtf8AndNonProtobufBytesAreRefusedNamingTheField) {
  StartServer();
  grpc::GenericStub generic(channel_);
  auto call = [&](const std::string& method, const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/storeagent.v1." + method, grpc::StubOptions(),
                      &in, &out, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = std::move(s);
                        done = true;
                        cv.notify_one();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return status;
  };
  // Invalid UTF-8 in a line's description, the client key, a loyalty
  // signal's string, a GetEvent key.
  auto spoil = [](const google::protobuf::Message& m) {
    std::string bytes = m.SerializeAsString();
    bytes.replace(bytes.find("MARKER"), 6, "\xc3\x28\xff\xfe\xa0\xa1");
    return bytes;
  };
  {
    v1::RecordTransactionRequest req;
    *req.mutable_client_key() = SampleClientKey("u1");
    *req.mutable_transaction() = test::SampleSale();
    req.mutable_transaction()
        ->mutable_sale()
        ->mutable_lines(2)
        ->set_description("MARKER");
    ExpectRefused(call("PosService/RecordTransaction", spoil(req)),
                  grpc::StatusCode::INVALID_ARGUMENT,
                  "transaction.sale.lines[2].description: not valid UTF-8");
    *req.mutable_client_key() = SampleClientKey("MARKER");
    ExpectRefused(call("PosService/RecordTransaction", spoil(req)),
                  grpc::StatusCode::INVALID_ARGUMENT,
                  "client_key.client_txn_id: not valid UTF-8");
  }
  {
    v1::GetEventRequest req;
    *req.mutable_client_key() = SampleClientKey("MARKER");
    ExpectRefused(call("PosService/GetEvent", spoil(req)),
                  grpc::StatusCode::INVALID_ARGUMENT,
                  "client_key.client_txn_id: not valid UTF-8");
  }
  for (const char* method :
       {"PosService/RecordTransaction", "PosService/RecordLoyaltySignal",
        "PosService/GetEvent", "PosService/GetJournalStatus", "PosService/Ping",
        "PosService/GetSyncStatus", "PosService/GetDayReport",
        "AvailabilityService/GetAvailability", "AvailabilityService/PlaceHold",
        "AvailabilityService/RecordStockEvent"}) {
    SCOPED_TRACE(method);
    grpc::Status s =
        call(std::string(method), "this is not a protocol buffer \xff\xff");
    ExpectRefused(s, grpc::StatusCode::INVALID_ARGUMENT,
                  "request: not a storeagent.v1.");
    EXPECT_THAT(s.error_message(), HasSubstr("protocol buffer message"));
  }
  {
    v1::GetAvailabilityRequest req;
    req.add_skus("100234");
    req.add_skus("MARKER");
    ExpectRefused(call("AvailabilityService/GetAvailability", spoil(req)),
                  grpc::StatusCode::INVALID_ARGUMENT,
                  "skus[1]: not valid UTF-8");
  }
  EXPECT_EQ(JournalStatus().head_seq(), 0u);
  // The raw path still answers a good request, through the typed stub.
  v1::RecordTransactionResponse reply;
  ASSERT_TRUE(
      Record(SampleClientKey("u2"), test::SampleSale(500), &reply).ok());
  EXPECT_EQ(reply.seq(), 1u);
}

// A request of `bytes` serialized bytes: a valid sale whose line
// description is padded (and so too long for validation).
v1::RecordTransactionRequest RequestOfSize(size_t bytes) {
  v1::RecordTransactionRequest req;
  *req.mutable_client_key() = SampleClientKey("big");
  *req.mutable_transaction() = test::SampleSale(1);
  v1::TransactionLine* line =
      req.mutable_transaction()->mutable_sale()->mutable_lines(0);
  line->set_description(std::string(bytes / 2, 'a'));
  const size_t size = req.ByteSizeLong();
  line->set_description(
      std::string(bytes / 2 + (bytes - size), 'a'));  // same length prefix
  return req;
}

TEST_F(PosApiTest, MessageSizeLimitIsEnforcedByGrpcAtTheEdge) {
  ASSERT_EQ(config_.max_message_bytes, kMaxMessageBytes);
  StartServer();
  // Exactly the limit: it reaches the server, whose validation refuses the
  // over-long description.
  v1::RecordTransactionRequest at_limit = RequestOfSize(kMaxMessageBytes);
  ASSERT_EQ(at_limit.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  v1::RecordTransactionResponse reply;
  grpc::Status s = Send(at_limit, &reply);
  ExpectRefused(s, grpc::StatusCode::INVALID_ARGUMENT,
                "transaction.sale.lines[0].description");

  // One byte more: gRPC refuses it before our code sees it.
  v1::RecordTransactionRequest over = RequestOfSize(kMaxMessageBytes + 1);
  ASSERT_EQ(over.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes + 1));
  s = Send(over, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();

  // The server is still fine and nothing was recorded.
  EXPECT_EQ(JournalStatus().head_seq(), 0u);
}

// ---- Post-void ------------------------------------------------------------

TEST_F(PosApiTest, PostVoidNeedsARecordedSaleOrReturn) {
  StartServer();
  v1::RecordTransactionResponse reply;
  // test::SamplePostVoid() voids "txn-0001", which is not recorded yet.
  grpc::Status s =
      Record(SampleClientKey("void-1"), test::SamplePostVoid(), &reply);
  ExpectRefused(s, grpc::StatusCode::FAILED_PRECONDITION,
                "transaction.post_void.original");
  EXPECT_EQ(JournalStatus().head_seq(), 0u);

  // A no-sale cannot be voided either.
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleNoSale(), &reply).ok());
  s = Record(SampleClientKey("void-1"), test::SamplePostVoid(), &reply);
  ExpectRefused(s, grpc::StatusCode::FAILED_PRECONDITION,
                "transaction.post_void.original");
  EXPECT_EQ(JournalStatus().head_seq(), 1u);

  // Once the sale is there, the void is recorded.
  v1::Transaction void_sale = test::SamplePostVoid();
  *void_sale.mutable_post_void()->mutable_original() =
      SampleClientKey("sale-1");
  ASSERT_TRUE(
      Record(SampleClientKey("sale-1"), test::SampleSale(), &reply).ok());
  s = Record(SampleClientKey("void-1"), void_sale, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 3u);
  // And its retry is a replay, not a second void.
  s = Record(SampleClientKey("void-1"), void_sale, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(reply.replayed());
  EXPECT_EQ(reply.seq(), 3u);
  // A second void of the same sale under another key is refused.
  s = Record(SampleClientKey("void-2"), void_sale, &reply);
  ExpectRefused(s, grpc::StatusCode::FAILED_PRECONDITION,
                "transaction.post_void.original");
  // A void of a void is refused too.
  v1::Transaction void_void = test::SamplePostVoid();
  *void_void.mutable_post_void()->mutable_original() =
      SampleClientKey("void-1");
  s = Record(SampleClientKey("void-3"), void_void, &reply);
  ExpectRefused(s, grpc::StatusCode::FAILED_PRECONDITION,
                "transaction.post_void.original");
  EXPECT_EQ(JournalStatus().head_seq(), 3u);
}

// ---- Loyalty --------------------------------------------------------------

TEST_F(PosApiTest, LoyaltySignalsArePseudonymised) {
  StartServer();
  const std::string expected(
      crypto::AsBytes(crypto::HmacSha256(config_.loyalty_key, kCard)));
  v1::RecordLoyaltySignalResponse identified;
  grpc::Status s =
      Signal(SampleClientKey("l-1"), test::SampleIdentified(), &identified);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(identified.seq(), 1u);
  EXPECT_EQ(identified.member_pseudonym().size(), 32u);
  EXPECT_EQ(identified.member_pseudonym(), expected);

  v1::RecordLoyaltySignalResponse points;
  s = Signal(SampleClientKey("l-2"), test::SamplePointsEarned(), &points);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(points.seq(), 2u);
  EXPECT_EQ(points.member_pseudonym(), expected);
  v1::RecordLoyaltySignalResponse redeemed;
  s = Signal(SampleClientKey("l-3"), test::SamplePointsRedeemed(), &redeemed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(redeemed.member_pseudonym(), expected);
  v1::RecordLoyaltySignalResponse consent;
  s = Signal(SampleClientKey("l-4"), test::SampleConsentChanged(), &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(consent.member_pseudonym(), expected);

  // The journal holds the pseudonym, not the card.
  v1::GetEventResponse e;
  ASSERT_TRUE(GetBySeq(1, &e).ok());
  ASSERT_TRUE(e.record().has_loyalty());
  const v1::LoyaltyMember& m = e.record().loyalty().identified().member();
  EXPECT_EQ(m.id_case(), v1::LoyaltyMember::kPseudonym);
  EXPECT_EQ(m.pseudonym(), expected);
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    ASSERT_TRUE(GetBySeq(seq, &e).ok());
    EXPECT_THAT(e.SerializeAsString(), Not(HasSubstr(kCard))) << seq;
    EXPECT_THAT(e.DebugString(), Not(HasSubstr(kCard))) << seq;
  }
  v1::RecordLoyaltySignalResponse replay;
  ASSERT_TRUE(
      Signal(SampleClientKey("l-1"), test::SampleIdentified(), &replay).ok());
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.seq(), 1u);
  EXPECT_EQ(replay.member_pseudonym(), expected);

  // Never in the database files: while running (WAL) and after shutdown.
  std::string bytes = DatabaseBytes();
  ASSERT_FALSE(bytes.empty());
  ASSERT_THAT(bytes, HasSubstr("till-01"));  // the search can find things
  EXPECT_THAT(bytes, Not(HasSubstr(kCard)));
  StopServer();
  bytes = DatabaseBytes();
  ASSERT_THAT(bytes, HasSubstr("till-01"));
  EXPECT_THAT(bytes, Not(HasSubstr(kCard)));
}

TEST_F(PosApiTest, EnrolmentContactIsSealedToHeadOffice) {
  StartServer();
  const v1::LoyaltySignal enrolment = test::SampleEnrolment();
  const v1::ContactDetails& contact = enrolment.enrolled().contact();
  ASSERT_FALSE(contact.email().empty());
  v1::RecordLoyaltySignalResponse reply;
  grpc::Status s = Signal(SampleClientKey("enrol-1"), enrolment, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string pseudonym(
      crypto::AsBytes(crypto::HmacSha256(config_.loyalty_key, kCard)));
  EXPECT_EQ(reply.member_pseudonym(), pseudonym);

  v1::GetEventResponse e;
  ASSERT_TRUE(GetBySeq(reply.seq(), &e).ok());
  const v1::MemberEnrolled& stored = e.record().loyalty().enrolled();
  EXPECT_FALSE(stored.has_contact());
  ASSERT_FALSE(stored.sealed_contact().empty());
  EXPECT_EQ(stored.member().pseudonym(), pseudonym);
  EXPECT_TRUE(MessageDifferencer::Equals(stored.consent(),
                                         enrolment.enrolled().consent()));
  const std::string entry_bytes = e.SerializeAsString();
  EXPECT_THAT(entry_bytes, Not(HasSubstr(contact.email())));
  EXPECT_THAT(entry_bytes, Not(HasSubstr(contact.name())));
  EXPECT_THAT(entry_bytes, Not(HasSubstr(kCard)));

  // Head office opens it with its private key, bound to the pseudonym.
  Result<std::string> plain = crypto::Unseal(
      head_office_.private_key, stored.sealed_contact(), pseudonym);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  v1::ContactDetails opened;
  ASSERT_TRUE(opened.ParseFromString(*plain));
  EXPECT_TRUE(MessageDifferencer::Equals(opened, contact))
      << opened.DebugString();
  // With another aad it does not open.
  EXPECT_FALSE(
      crypto::Unseal(head_office_.private_key, stored.sealed_contact(), "x")
          .ok());

  // A retry is a replay though sealing is randomised.
  v1::RecordLoyaltySignalResponse again;
  s = Signal(SampleClientKey("enrol-1"), enrolment, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.seq(), reply.seq());
  EXPECT_EQ(again.hash(), reply.hash());

  // Nothing deterministic about the contact details is stored (it would let
  // the box's holder test guesses), so a retry that changes only them is
  // still a replay, and the first sealed contact stays.
  v1::LoyaltySignal other = enrolment;
  other.mutable_enrolled()->mutable_contact()->set_email("bob@example.org");
  s = Signal(SampleClientKey("enrol-1"), other, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.seq(), reply.seq());
  EXPECT_EQ(JournalStatus().head_seq(), 1u);
  // Other content (the consent) with the same key is another event.
  v1::LoyaltySignal changed = enrolment;
  changed.mutable_enrolled()->mutable_consent()->set_marketing(
      !enrolment.enrolled().consent().marketing());
  s = Signal(SampleClientKey("enrol-1"), changed, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS)
      << s.error_message();
  EXPECT_EQ(JournalStatus().head_seq(), 1u);

  std::string bytes = DatabaseBytes();
  ASSERT_THAT(bytes, HasSubstr("enrol-1"));
  EXPECT_THAT(bytes, Not(HasSubstr(contact.email())));
  EXPECT_THAT(bytes, Not(HasSubstr(contact.name())));
  EXPECT_THAT(bytes, Not(HasSubstr(kCard)));
  StopServer();
  bytes = DatabaseBytes();
  EXPECT_THAT(bytes, Not(HasSubstr(contact.email())));
  EXPECT_THAT(bytes, Not(HasSubstr(kCard)));
}

TEST_F(PosApiTest, EnrolmentContactWithoutHeadOfficeKeyIsRefused) {
  config_.contact_public_key.clear();
  StartServer();
  v1::RecordLoyaltySignalResponse reply;
  grpc::Status s =
      Signal(SampleClientKey("enrol-1"), test::SampleEnrolment(), &reply);
  ExpectRefused(s, grpc::StatusCode::FAILED_PRECONDITION,
                "signal.enrolled.contact");
  EXPECT_EQ(JournalStatus().head_seq(), 0u);

  // Without contact details the enrolment is fine.
  v1::LoyaltySignal bare = test::SampleEnrolment();
  bare.mutable_enrolled()->clear_contact();
  s = Signal(SampleClientKey("enrol-1"), bare, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 1u);
  v1::GetEventResponse e;
  ASSERT_TRUE(GetBySeq(1, &e).ok());
  EXPECT_TRUE(e.record().loyalty().enrolled().sealed_contact().empty());
}

TEST_F(PosApiTest, LoyaltyWithoutLoyaltyKeyIsRefused) {
  config_.loyalty_key.clear();
  StartServer();
  v1::RecordLoyaltySignalResponse reply;
  ExpectRefused(
      Signal(SampleClientKey("l-1"), test::SampleIdentified(), &reply),
      grpc::StatusCode::FAILED_PRECONDITION, "loyalty.key_file");
  ExpectRefused(
      Signal(SampleClientKey("l-2"), test::SamplePointsEarned(), &reply),
      grpc::StatusCode::FAILED_PRECONDITION, "loyalty.key_file");
  EXPECT_EQ(JournalStatus().head_seq(), 0u);
  EXPECT_THAT(DatabaseBytes(), Not(HasSubstr(kCard)));
  // Transactions still work.
  v1::RecordTransactionResponse sale;
  ASSERT_TRUE(
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &sale).ok());
}

TEST_F(PosApiTest, InvalidLoyaltySignalNamesTheField) {
  StartServer();
  v1::LoyaltySignal sig = test::SampleIdentified();
  sig.mutable_identified()->mutable_member()->set_card_number("12345");
  v1::RecordLoyaltySignalResponse reply;
  ExpectRefused(Signal(SampleClientKey("l-1"), sig, &reply),
                grpc::StatusCode::INVALID_ARGUMENT,
                "signal.identified.member.card_number");
  // The POS may not send a pseudonym.
  sig.mutable_identified()->mutable_member()->set_pseudonym(
      std::string(32, 'p'));
  ExpectRefused(Signal(SampleClientKey("l-1"), sig, &reply),
                grpc::StatusCode::INVALID_ARGUMENT, "signal.identified.member");
  EXPECT_EQ(JournalStatus().head_seq(), 0u);
}

// ---- Status, TCP, health, reflection --------------------------------------

TEST_F(PosApiTest, JournalStatusDescribesTheJournal) {
  StartServer();
  v1::GetJournalStatusResponse empty = JournalStatus();
  EXPECT_EQ(empty.store_id(), kStoreId);
  EXPECT_EQ(empty.head_seq(), 0u);
  EXPECT_EQ(empty.first_seq(), 1u);
  EXPECT_GT(empty.db_bytes(), 0u);

  v1::RecordTransactionResponse last;
  for (int i = 1; i <= 3; ++i) {
    clock_.Advance(1000);
    ASSERT_TRUE(Record(SampleClientKey("txn-" + std::to_string(i)),
                       test::SampleSale(), &last)
                    .ok());
  }
  v1::GetJournalStatusResponse st = JournalStatus();
  EXPECT_EQ(st.store_id(), kStoreId);
  EXPECT_EQ(st.head_seq(), 3u);
  EXPECT_EQ(st.head_hash(), last.hash());
  EXPECT_EQ(st.head_recorded_at_us(), last.recorded_at_us());
  EXPECT_EQ(st.first_seq(), 1u);
  EXPECT_GT(st.db_bytes(), 0u);
  EXPECT_EQ(st.pending_writes(), 0u);
}

TEST_F(PosApiTest, LoopbackTcpListener) {
  config_.pos_socket.clear();
  config_.pos_tcp_listen = "127.0.0.1:0";
  Result<std::unique_ptr<AgentServer>> s = AgentServer::Start(config_, clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server_ = std::move(s).value();
  ASSERT_GT(server_->tcp_port(), 0);
  stub_ = v1::PosService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->tcp_port()),
                          grpc::InsecureChannelCredentials()));
  v1::RecordTransactionResponse reply;
  grpc::Status st =
      Record(SampleClientKey("txn-0001"), test::SampleSale(), &reply);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(reply.seq(), 1u);
  EXPECT_EQ(JournalStatus().head_seq(), 1u);
}

// grpc.health.v1.HealthCheckResponse.status of a raw response; -1 if absent.
int64_t HealthStatus(const std::string& raw) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(raw)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1 &&
        fields.field(i).type() == google::protobuf::UnknownField::TYPE_VARINT) {
      return static_cast<int64_t>(fields.field(i).varint());
    }
  }
  return 0;  // proto3 default: UNKNOWN
}

TEST_F(PosApiTest, HealthCheckReportsServing) {
  StartServer();
  constexpr int64_t kServing = 1;
  for (const std::string service : {"storeagent.v1.PosService", ""}) {
    SCOPED_TRACE(service);
    UnknownFieldSet req;
    req.AddLengthDelimited(1, service);
    std::string req_bytes;
    ASSERT_TRUE(req.SerializeToString(&req_bytes));
    std::string resp;
    grpc::Status s = testing::RawUnaryCall(
        channel_, "/grpc.health.v1.Health/Check", req_bytes, &resp);
    ASSERT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    EXPECT_EQ(HealthStatus(resp), kServing);
  }
  // A service that does not exist is NOT_FOUND.
  UnknownFieldSet req;
  req.AddLengthDelimited(1, "no.such.Service");
  std::string req_bytes;
  ASSERT_TRUE(req.SerializeToString(&req_bytes));
  std::string resp;
  grpc::Status s = testing::RawUnaryCall(
      channel_, "/grpc.health.v1.Health/Check", req_bytes, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PosApiTest, ReflectionListsThePosService) {
  StartServer();
  std::string error;
  const std::set<std::string> names =
      testing::ReflectedServices(channel_, &error);
  EXPECT_TRUE(names.count("storeagent.v1.PosService"))
      << "services: " << names.size() << " " << error;
  EXPECT_TRUE(names.count("grpc.health.v1.Health"));
}

// ---- Prices ----------------------------------------------------------------

// The store's price book as central sends it (price_list and promotion
// central events), written while the agent is stopped: it must be read at
// start, served by PriceService and used to check every sale.
void PushPriceBook(const std::string& db_path, const Clock& clock) {
  storage::DatabaseOptions o;
  o.path = db_path;
  o.store_id = kStoreId;
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(o, clock);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  v1::CentralBatch b;
  v1::CentralEvent* list = b.add_events();
  list->set_central_seq(1);
  *list->mutable_price_list() = test::MakeList(
      "fleet", 1, {{"SKU-00000", 199}, {"SKU-00001", 299}, {"SKU-00002", 349}});
  v1::CentralEvent* promo = b.add_events();
  promo->set_central_seq(2);
  *promo->mutable_promotion() = test::AmountOff("SPRING", {"SKU-00001"}, 25);
  ASSERT_TRUE((*db)
                  ->writer()
                  .Run([&](storage::WriteContext& ctx) {
                    return storage::SyncStore::ApplyCentralBatch(
                               ctx, (*db)->journal(), b, nullptr, 777)
                        .status();
                  })
                  .ok());
  (*db)->Close();
}

TEST_F(PosApiTest, PricesComeFromTheStoresBookAndEverySaleIsChecked) {
  StartServer();
  auto prices = v1::PriceService::NewStub(channel_);
  v1::GetPricesRequest req;
  req.add_skus("SKU-00001");
  req.add_skus("SKU-00009");
  v1::GetPricesResponse rep;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    ASSERT_TRUE(prices->GetPrices(&ctx, req, &rep).ok());
  }
  ASSERT_EQ(rep.prices_size(), 2);
  EXPECT_FALSE(rep.prices(0).found());  // no book yet
  EXPECT_EQ(rep.book_central_seq(), 0u);
  // Nothing to check against: the sale carries no check.
  v1::RecordTransactionResponse recorded;
  ASSERT_TRUE(
      Record(SampleClientKey("before"), test::SampleSale(3), &recorded).ok());
  v1::GetEventResponse entry;
  ASSERT_TRUE(GetBySeq(recorded.seq(), &entry).ok());
  EXPECT_EQ(entry.record().transaction().sale().price_book_central_seq(), 0u);
  {  // refused naming the field, like every POS call
    v1::GetPricesRequest bad;
    bad.add_skus("A");
    bad.add_skus("A");
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    ExpectRefused(prices->GetPrices(&ctx, bad, &rep),
                  grpc::StatusCode::INVALID_ARGUMENT, "skus[1]");
  }
  StopServer();

  PushPriceBook(config_.DatabasePath(), clock_);
  StartServer();
  prices = v1::PriceService::NewStub(channel_);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    ASSERT_TRUE(prices->GetPrices(&ctx, req, &rep).ok());
  }
  ASSERT_EQ(rep.prices_size(), 2);
  ASSERT_TRUE(rep.prices(0).found());
  EXPECT_EQ(rep.prices(0).unit_price().minor_units(), 299);
  EXPECT_EQ(rep.prices(0).price_list_id(), "fleet");
  ASSERT_EQ(rep.prices(0).promotions_size(), 1);
  EXPECT_EQ(rep.prices(0).promotions(0).id(), "SPRING");
  EXPECT_FALSE(rep.prices(1).found());
  EXPECT_EQ(rep.book_central_seq(), 2u);
  EXPECT_EQ(rep.book_applied_at_us(), 777);

  // The till charges 399 for SKU-00002 (the book says 349): recorded, with
  // the deviation on its line.
  v1::Transaction sale = test::SampleSale(3);
  sale.mutable_sale()->mutable_lines(2)->set_price_reason(
      v1::PRICE_REASON_PRICE_MATCH);
  ASSERT_TRUE(Record(SampleClientKey("after"), sale, &recorded).ok());
  ASSERT_TRUE(GetBySeq(recorded.seq(), &entry).ok());
  const v1::Sale& journaled = entry.record().transaction().sale();
  EXPECT_EQ(journaled.price_book_central_seq(), 2u);
  EXPECT_FALSE(journaled.lines(0).has_price_deviation());
  EXPECT_FALSE(journaled.lines(1).has_price_deviation());
  ASSERT_TRUE(journaled.lines(2).has_price_deviation());
  EXPECT_EQ(journaled.lines(2).price_deviation().kind(),
            v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
  EXPECT_EQ(journaled.lines(2).price_deviation().reason(),
            v1::PRICE_REASON_PRICE_MATCH);
  EXPECT_EQ(journaled.lines(2).price_deviation().difference(), 150);
}

}  // namespace
}  // namespace storeagent::agent
