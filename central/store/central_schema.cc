#include "central/store/central_schema.h"

namespace storeagent::central {

// Every table's primary key starts with store_id, so the PostgreSQL schema
// can be distributed by store. Store seqs and central seqs are BIGINT (the
// uint64 values never reach 2^63).
const std::string_view kSqliteSchema[kCentralSchemaVersion] = {
    R"sql(
CREATE TABLE stores (
  store_id              TEXT PRIMARY KEY,
  store_seq_held        INTEGER NOT NULL DEFAULT 0,
  store_hash_held       BLOB    NOT NULL,
  store_recorded_at_us  INTEGER NOT NULL DEFAULT 0,
  central_head_seq      INTEGER NOT NULL DEFAULT 0,
  central_seq_acked     INTEGER NOT NULL DEFAULT 0,
  last_exchange_us      INTEGER NOT NULL DEFAULT 0,
  agent_version         TEXT    NOT NULL DEFAULT '',
  last_digest           TEXT    NOT NULL DEFAULT '',
  last_digest_store_seq INTEGER NOT NULL DEFAULT 0,
  quarantined           INTEGER NOT NULL DEFAULT 0,
  escrow_breaches       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE store_events (
  store_id       TEXT    NOT NULL,
  seq            INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  kind           TEXT    NOT NULL,
  record         BLOB    NOT NULL,
  prev_hash      BLOB    NOT NULL,
  hash           BLOB    NOT NULL,
  quarantined    TEXT,
  ingested_at_us INTEGER NOT NULL,
  PRIMARY KEY (store_id, seq)
) WITHOUT ROWID;
CREATE INDEX store_events_quarantined ON store_events (store_id, seq)
  WHERE quarantined IS NOT NULL;
CREATE VIEW quarantine AS
  SELECT store_id, seq, quarantined AS reason, ingested_at_us AS at_us
  FROM store_events WHERE quarantined IS NOT NULL;
CREATE TABLE central_events (
  store_id      TEXT    NOT NULL,
  central_seq   INTEGER NOT NULL,
  request_key   TEXT    NOT NULL,
  created_at_us INTEGER NOT NULL,
  event         BLOB    NOT NULL,
  PRIMARY KEY (store_id, central_seq),
  UNIQUE (store_id, request_key)
) WITHOUT ROWID;
CREATE TABLE drift (
  store_id    TEXT    NOT NULL,
  drift_id    INTEGER NOT NULL,
  sku         TEXT    NOT NULL,
  found_at_us INTEGER NOT NULL,
  drift       BLOB    NOT NULL,
  PRIMARY KEY (store_id, drift_id)
) WITHOUT ROWID;
CREATE INDEX drift_by_time ON drift (found_at_us);
CREATE TABLE store_escrow (
  store_id TEXT    NOT NULL,
  sku      TEXT    NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (store_id, sku)
) WITHOUT ROWID;
CREATE TABLE escrow_breaches (
  store_id  TEXT    NOT NULL,
  seq       INTEGER NOT NULL,
  sku       TEXT    NOT NULL,
  escrow    INTEGER NOT NULL,
  available INTEGER NOT NULL,
  PRIMARY KEY (store_id, seq, sku)
) WITHOUT ROWID;
)sql",
    // v2: the audit trail of admin writes (docs/security.md). Fleet-wide,
    // so its key is its own id, not the store.
    R"sql(
CREATE TABLE admin_audit (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us    INTEGER NOT NULL,
  caller   TEXT    NOT NULL,
  method   TEXT    NOT NULL,
  store_id TEXT    NOT NULL,
  detail   TEXT    NOT NULL,
  code     TEXT    NOT NULL,
  message  TEXT    NOT NULL
);
CREATE INDEX admin_audit_by_store ON admin_audit (store_id, audit_id);
)sql",
    // v3: PostgreSQL only (its event tables become hash-partitioned).
    "-- v3: nothing changes in SQLite\n",
    // v4 (stream leases): PostgreSQL only; one SQLite process keeps its
    // streams' leases in memory (LocalStreamLeases).
    "-- v4 stream leases: nothing changes in SQLite\n",
    // v5: the replica cache's snapshots, one per store (docs/central.md,
    // "The replica cache"): a serialized ReplicaSnapshot at (store_seq,
    // central_seq).
    R"sql(
CREATE TABLE replica_snapshots (
  store_id    TEXT    PRIMARY KEY,
  store_seq   INTEGER NOT NULL,
  central_seq INTEGER NOT NULL,
  state       BLOB    NOT NULL,
  taken_at_us INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
};

const std::string_view kPgSchema[kCentralSchemaVersion] = {
    R"sql(
CREATE TABLE stores (
  store_id              TEXT PRIMARY KEY,
  store_seq_held        BIGINT NOT NULL DEFAULT 0,
  store_hash_held       BYTEA  NOT NULL,
  store_recorded_at_us  BIGINT NOT NULL DEFAULT 0,
  central_head_seq      BIGINT NOT NULL DEFAULT 0,
  central_seq_acked     BIGINT NOT NULL DEFAULT 0,
  last_exchange_us      BIGINT NOT NULL DEFAULT 0,
  agent_version         TEXT   NOT NULL DEFAULT '',
  last_digest           TEXT   NOT NULL DEFAULT '',
  last_digest_store_seq BIGINT NOT NULL DEFAULT 0,
  quarantined           BIGINT NOT NULL DEFAULT 0,
  escrow_breaches       BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE store_events (
  store_id       TEXT   NOT NULL,
  seq            BIGINT NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  kind           TEXT   NOT NULL,
  record         BYTEA  NOT NULL,
  prev_hash      BYTEA  NOT NULL,
  hash           BYTEA  NOT NULL,
  quarantined    TEXT,
  ingested_at_us BIGINT NOT NULL,
  PRIMARY KEY (store_id, seq)
);
CREATE INDEX store_events_quarantined ON store_events (store_id, seq)
  WHERE quarantined IS NOT NULL;
CREATE VIEW quarantine AS
  SELECT store_id, seq, quarantined AS reason, ingested_at_us AS at_us
  FROM store_events WHERE quarantined IS NOT NULL;
CREATE TABLE central_events (
  store_id      TEXT   NOT NULL,
  central_seq   BIGINT NOT NULL,
  request_key   TEXT   NOT NULL,
  created_at_us BIGINT NOT NULL,
  event         BYTEA  NOT NULL,
  PRIMARY KEY (store_id, central_seq),
  UNIQUE (store_id, request_key)
);
CREATE TABLE drift (
  store_id    TEXT   NOT NULL,
  drift_id    BIGINT GENERATED ALWAYS AS IDENTITY,
  sku         TEXT   NOT NULL,
  found_at_us BIGINT NOT NULL,
  drift       BYTEA  NOT NULL,
  PRIMARY KEY (store_id, drift_id)
);
CREATE INDEX drift_by_time ON drift (found_at_us);
CREATE TABLE store_escrow (
  store_id TEXT   NOT NULL,
  sku      TEXT   NOT NULL,
  quantity BIGINT NOT NULL,
  PRIMARY KEY (store_id, sku)
);
CREATE TABLE escrow_breaches (
  store_id  TEXT   NOT NULL,
  seq       BIGINT NOT NULL,
  sku       TEXT   NOT NULL,
  escrow    BIGINT NOT NULL,
  available BIGINT NOT NULL,
  PRIMARY KEY (store_id, seq, sku)
);
)sql",
    R"sql(
CREATE TABLE admin_audit (
  audit_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_us    BIGINT NOT NULL,
  caller   TEXT   NOT NULL,
  method   TEXT   NOT NULL,
  store_id TEXT   NOT NULL,
  detail   TEXT   NOT NULL,
  code     TEXT   NOT NULL,
  message  TEXT   NOT NULL
);
CREATE INDEX admin_audit_by_store ON admin_audit (store_id, audit_id);
)sql",
    // v3: the two event tables, the ones that grow with history, declared
    // partitioned by store_id (hash, kPgEventPartitions partitions): a
    // distributed PostgreSQL shards them by the same key, and a store's
    // rows stay in one partition. Rows already there are moved over.
    R"sql(
DROP VIEW quarantine;
ALTER TABLE store_events RENAME TO store_events_v2;
ALTER INDEX store_events_pkey RENAME TO store_events_v2_pkey;
ALTER INDEX store_events_quarantined RENAME TO store_events_v2_quarantined;
CREATE TABLE store_events (
  store_id       TEXT   NOT NULL,
  seq            BIGINT NOT NULL,
  recorded_at_us BIGINT NOT NULL,
  kind           TEXT   NOT NULL,
  record         BYTEA  NOT NULL,
  prev_hash      BYTEA  NOT NULL,
  hash           BYTEA  NOT NULL,
  quarantined    TEXT,
  ingested_at_us BIGINT NOT NULL,
  PRIMARY KEY (store_id, seq)
) PARTITION BY HASH (store_id);
ALTER TABLE central_events RENAME TO central_events_v2;
ALTER TABLE central_events_v2 RENAME CONSTRAINT central_events_pkey
  TO central_events_v2_pkey;
ALTER TABLE central_events_v2
  RENAME CONSTRAINT central_events_store_id_request_key_key
  TO central_events_v2_request_key;
CREATE TABLE central_events (
  store_id      TEXT   NOT NULL,
  central_seq   BIGINT NOT NULL,
  request_key   TEXT   NOT NULL,
  created_at_us BIGINT NOT NULL,
  event         BYTEA  NOT NULL,
  PRIMARY KEY (store_id, central_seq),
  UNIQUE (store_id, request_key)
) PARTITION BY HASH (store_id);
DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format('CREATE TABLE store_events_p%s PARTITION OF store_events '
                   'FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
                   lpad(i::text, 2, '0'), i);
    EXECUTE format('CREATE TABLE central_events_p%s PARTITION OF '
                   'central_events FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
                   lpad(i::text, 2, '0'), i);
  END LOOP;
END $$;
CREATE INDEX store_events_quarantined ON store_events (store_id, seq)
  WHERE quarantined IS NOT NULL;
INSERT INTO store_events (store_id, seq, recorded_at_us, kind, record,
  prev_hash, hash, quarantined, ingested_at_us)
  SELECT store_id, seq, recorded_at_us, kind, record, prev_hash, hash,
         quarantined, ingested_at_us FROM store_events_v2;
INSERT INTO central_events (store_id, central_seq, request_key,
  created_at_us, event)
  SELECT store_id, central_seq, request_key, created_at_us, event
  FROM central_events_v2;
DROP TABLE store_events_v2;
DROP TABLE central_events_v2;
ANALYZE store_events;
ANALYZE central_events;
CREATE VIEW quarantine AS
  SELECT store_id, seq, quarantined AS reason, ingested_at_us AS at_us
  FROM store_events WHERE quarantined IS NOT NULL;
)sql",
    // v4 (stream leases): which replica holds each store's sync stream
    // (central/store/pg_stream_leases.cc). Times are the database's clock
    // in microseconds, so replicas' clocks never disagree about expiry.
    R"sql(
CREATE TABLE stream_leases (
  store_id      TEXT   PRIMARY KEY,
  replica_id    TEXT   NOT NULL,
  channel       TEXT   NOT NULL,
  generation    BIGINT NOT NULL,
  taken_at_us   BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL
);
)sql",
    // v5: the replica cache's snapshots, one per store.
    R"sql(
CREATE TABLE replica_snapshots (
  store_id    TEXT   PRIMARY KEY,
  store_seq   BIGINT NOT NULL,
  central_seq BIGINT NOT NULL,
  state       BYTEA  NOT NULL,
  taken_at_us BIGINT NOT NULL
);
)sql",
};

static_assert(kPgEventPartitions == 16,
              "kPgSchema v3 creates 16 partitions: change both together");

}  // namespace storeagent::central
