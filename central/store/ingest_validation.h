// What central checks about one journaled record before it applies it: the
// record as the agent wrote it (after pseudonymisation and sealing), run
// through the same core validators the agent ran on the POS's request.
//
// A record that fails is not refused: central keeps it in quarantine with the
// reason and the store's ack still advances (one bad event never wedges the
// queue). Pure functions, thread-safe.
#ifndef STOREAGENT_CENTRAL_STORE_INGEST_VALIDATION_H_
#define STOREAGENT_CENTRAL_STORE_INGEST_VALIDATION_H_

#include <string>
#include <string_view>

#include "storeagent/v1/events.pb.h"

namespace storeagent::central {

// Empty when `record` may be applied, else why it is quarantined, e.g.
// "record: no body set" or the validator's "transaction.sale.lines: ...".
//
// The journaled form differs from what the POS sent in a few fields the
// agent sets itself, and those are checked for their journaled shape:
// loyalty members carry a 32-byte pseudonym (a card number is quarantined:
// it must never leave the store), an enrolment carries sealed_contact and no
// plaintext contact, a sale's member is a pseudonym (a card number is
// quarantined), a daily close carries the agent's totals and differences
// (not checked: the agent computed them), a count carries the central_seq the
// agent applied, a hold placed by the sync client may be from_escrow (and its
// expiry is not checked against when it was recorded), and an escrow change has
// 0..500 lines of a 1..64-character SKU and 0..1,000,000 units.
//
// `canonical`: the record's bytes (what the chain hash covers), when the
// caller holds them: its strings are then checked over the bytes
// (core::TextPassesOnTheWire), the same verdict faster.
std::string IngestProblem(const v1::JournalRecord& record,
                          std::string_view canonical = {});

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_INGEST_VALIDATION_H_
