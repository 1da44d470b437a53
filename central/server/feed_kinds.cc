#include "central/server/feed_kinds.h"

#include <google/protobuf/descriptor.h>

#include "core/event_kind.h"

namespace storeagent::central {
namespace {

namespace pb = google::protobuf;

constexpr char kCentralPrefix[] = "central.";

// Every store kind: each body of JournalRecord's oneof, and each kind of
// that body's own oneof (or the body itself when it has none: a
// checkpoint), set in turn and named by core::EventKind.
void AddStoreKinds(std::set<std::string>& out) {
  const pb::Descriptor* d = v1::JournalRecord::descriptor();
  const pb::OneofDescriptor* body = d->FindOneofByName("body");
  for (int i = 0; i < body->field_count(); ++i) {
    const pb::FieldDescriptor* f = body->field(i);
    if (f->message_type() == nullptr) continue;
    if (f->message_type()->oneof_decl_count() == 0) {
      v1::JournalRecord r;
      r.GetReflection()->MutableMessage(&r, f);
      const std::string name(core::EventKind(r));
      if (name != "unknown") out.insert(name);
      continue;
    }
    for (int o = 0; o < f->message_type()->oneof_decl_count(); ++o) {
      const pb::OneofDescriptor* kinds = f->message_type()->oneof_decl(o);
      for (int k = 0; k < kinds->field_count(); ++k) {
        const pb::FieldDescriptor* kind = kinds->field(k);
        if (kind->message_type() == nullptr) continue;
        v1::JournalRecord r;
        pb::Message* inner = r.GetReflection()->MutableMessage(&r, f);
        inner->GetReflection()->MutableMessage(inner, kind);
        const std::string name(core::EventKind(r));
        if (name != "unknown") out.insert(name);
      }
    }
  }
}

}  // namespace

std::string CentralFeedKind(const v1::CentralEvent& event) {
  const pb::FieldDescriptor* f =
      event.GetDescriptor()->FindFieldByNumber(event.kind_case());
  return kCentralPrefix + (f == nullptr ? std::string("unknown") : f->name());
}

const std::set<std::string>& FeedKinds() {
  static const std::set<std::string>* const kinds = [] {
    auto* out = new std::set<std::string>();
    AddStoreKinds(*out);
    const pb::OneofDescriptor* kind =
        v1::CentralEvent::descriptor()->FindOneofByName("kind");
    for (int i = 0; i < kind->field_count(); ++i) {
      out->insert(kCentralPrefix + kind->field(i)->name());
    }
    return out;
  }();
  return *kinds;
}

}  // namespace storeagent::central
