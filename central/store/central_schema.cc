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
    // v6: head office's KPIs (docs/kpis.md): a store's region, the
    // per-(store, ISO week) counters and the indexes of sales, returns and
    // holds the ingest keeps to compute them.
    R"sql(
ALTER TABLE stores ADD COLUMN region TEXT NOT NULL DEFAULT '';
CREATE TABLE kpi_counters (
  store_id TEXT   NOT NULL,
  week     TEXT   NOT NULL,
  name     TEXT   NOT NULL,
  value    INTEGER NOT NULL,
  PRIMARY KEY (store_id, week, name)
) WITHOUT ROWID;
CREATE INDEX kpi_counters_by_week ON kpi_counters (week, store_id);
CREATE TABLE kpi_sales (
  store_id       TEXT   NOT NULL,
  terminal_id    TEXT   NOT NULL,
  client_txn_id  TEXT   NOT NULL,
  seq            INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  receipt_number TEXT   NOT NULL,
  order_ref      TEXT   NOT NULL,
  channel        TEXT   NOT NULL,
  business_day   TEXT   NOT NULL,
  total_minor    INTEGER NOT NULL,
  lines          INTEGER NOT NULL,
  member         INTEGER NOT NULL,
  voided         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, terminal_id, client_txn_id)
) WITHOUT ROWID;
CREATE INDEX kpi_sales_receipt ON kpi_sales (store_id, receipt_number)
  WHERE receipt_number <> '';
CREATE INDEX kpi_sales_order ON kpi_sales (order_ref) WHERE order_ref <> '';
CREATE TABLE kpi_returns (
  store_id          TEXT   NOT NULL,
  seq               INTEGER NOT NULL,
  terminal_id       TEXT   NOT NULL,
  client_txn_id     TEXT   NOT NULL,
  recorded_at_us    INTEGER NOT NULL,
  total_minor       INTEGER NOT NULL,
  voided            INTEGER NOT NULL DEFAULT 0,
  orig_store        TEXT   NOT NULL,
  orig_terminal     TEXT   NOT NULL,
  orig_txn          TEXT   NOT NULL,
  orig_reference    TEXT   NOT NULL,
  orig_channel      TEXT   NOT NULL,
  orig_business_day TEXT   NOT NULL,
  orig_sold_at_us   INTEGER NOT NULL,
  resolved          INTEGER NOT NULL,
  res_store         TEXT   NOT NULL,
  res_seq           INTEGER NOT NULL,
  res_order_ref     TEXT   NOT NULL,
  res_sold_at_us    INTEGER NOT NULL,
  res_channel       TEXT   NOT NULL,
  res_business_day  TEXT   NOT NULL,
  cycle_bucket      INTEGER NOT NULL,
  PRIMARY KEY (store_id, seq)
) WITHOUT ROWID;
CREATE INDEX kpi_returns_client ON kpi_returns (store_id, terminal_id,
  client_txn_id);
CREATE INDEX kpi_returns_pending ON kpi_returns (orig_store)
  WHERE resolved = 0;
CREATE INDEX kpi_returns_pending_ref ON kpi_returns (orig_reference)
  WHERE resolved = 0;
CREATE TABLE kpi_holds (
  store_id       TEXT   NOT NULL,
  order_ref      TEXT   NOT NULL,
  placed_at_us   INTEGER NOT NULL,
  picked_at_us   INTEGER NOT NULL,
  state          TEXT   NOT NULL,
  finished_at_us INTEGER NOT NULL,
  PRIMARY KEY (store_id, order_ref)
) WITHOUT ROWID;
CREATE INDEX kpi_holds_order ON kpi_holds (order_ref);
)sql",
    // v7: escrow breaches that name the orders they leave uncovered
    // (docs/central.md, "Breaches and orders at risk").
    R"sql(
ALTER TABLE escrow_breaches ADD COLUMN at_risk INTEGER NOT NULL DEFAULT 0;
CREATE TABLE escrow_holds (
  store_id    TEXT    NOT NULL,
  order_ref   TEXT    NOT NULL,
  sku         TEXT    NOT NULL,
  central_seq INTEGER NOT NULL,
  quantity    INTEGER NOT NULL,
  placed_seq  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, order_ref, sku)
) WITHOUT ROWID;
CREATE INDEX escrow_holds_by_sku ON escrow_holds (store_id, sku, central_seq);
CREATE TABLE escrow_breach_orders (
  store_id  TEXT    NOT NULL,
  seq       INTEGER NOT NULL,
  sku       TEXT    NOT NULL,
  pos       INTEGER NOT NULL,
  order_ref TEXT    NOT NULL,
  quantity  INTEGER NOT NULL,
  PRIMARY KEY (store_id, seq, sku, pos)
) WITHOUT ROWID;
CREATE TABLE at_risk_orders (
  store_id       TEXT    NOT NULL,
  order_ref      TEXT    NOT NULL,
  breach_seq     INTEGER NOT NULL,
  since_us       INTEGER NOT NULL,
  resolution     TEXT    NOT NULL DEFAULT '',
  resolved_seq   INTEGER NOT NULL DEFAULT 0,
  resolved_at_us INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, order_ref)
) WITHOUT ROWID;
CREATE INDEX at_risk_orders_by_time ON at_risk_orders (since_us);
CREATE TABLE at_risk_skus (
  store_id  TEXT    NOT NULL,
  order_ref TEXT    NOT NULL,
  sku       TEXT    NOT NULL,
  short     INTEGER NOT NULL,
  PRIMARY KEY (store_id, order_ref, sku)
) WITHOUT ROWID;
)sql",
    // v8: a sale's KPI index row is keyed by its seq too, so a batch's
    // sales go in with a plain INSERT (no conflict check; seqs are new)
    // and a client key sent twice keeps both sales (docs/kpis.md).
    // SQLite cannot change a primary key: the table is copied over.
    R"sql(
CREATE TABLE kpi_sales_v8 (
  store_id       TEXT   NOT NULL,
  terminal_id    TEXT   NOT NULL,
  client_txn_id  TEXT   NOT NULL,
  seq            INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  receipt_number TEXT   NOT NULL,
  order_ref      TEXT   NOT NULL,
  channel        TEXT   NOT NULL,
  business_day   TEXT   NOT NULL,
  total_minor    INTEGER NOT NULL,
  lines          INTEGER NOT NULL,
  member         INTEGER NOT NULL,
  voided         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, terminal_id, client_txn_id, seq)
) WITHOUT ROWID;
INSERT INTO kpi_sales_v8 (store_id, terminal_id, client_txn_id, seq,
  recorded_at_us, receipt_number, order_ref, channel, business_day,
  total_minor, lines, member, voided)
  SELECT store_id, terminal_id, client_txn_id, seq, recorded_at_us,
         receipt_number, order_ref, channel, business_day, total_minor,
         lines, member, voided FROM kpi_sales;
DROP TABLE kpi_sales;
ALTER TABLE kpi_sales_v8 RENAME TO kpi_sales;
CREATE INDEX kpi_sales_receipt ON kpi_sales (store_id, receipt_number)
  WHERE receipt_number <> '';
CREATE INDEX kpi_sales_order ON kpi_sales (order_ref) WHERE order_ref <> '';
)sql",
    // v9: head office's price book (docs/central.md, "The price book"):
    // the latest version of every price list and promotion, the stores a
    // scope names, and which version was queued to which store.
    R"sql(
CREATE TABLE price_book (
  kind            TEXT    NOT NULL,
  item_id         TEXT    NOT NULL,
  version         INTEGER NOT NULL,
  scope_all       INTEGER NOT NULL,
  scope_region    TEXT    NOT NULL,
  body            BLOB    NOT NULL,
  summary         BLOB    NOT NULL,
  published_at_us INTEGER NOT NULL,
  PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
CREATE TABLE price_book_stores (
  store_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  item_id  TEXT NOT NULL,
  PRIMARY KEY (store_id, kind, item_id)
) WITHOUT ROWID;
CREATE INDEX price_book_stores_by_item ON price_book_stores (kind, item_id);
CREATE TABLE price_book_sent (
  store_id     TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  item_id      TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  central_seq  INTEGER NOT NULL,
  queued_at_us INTEGER NOT NULL,
  PRIMARY KEY (store_id, kind, item_id, version)
) WITHOUT ROWID;
CREATE INDEX price_book_sent_by_item ON price_book_sent (kind, item_id);
)sql",
    // v10: sale lines charged other than the price book (docs/central.md,
    // "Price deviations"): one row per deviating line of a checked sale,
    // keyed by the sale's store and seq; the lines checked and deviating
    // are kpi_counters rows (price_lines.*), found by a partial index.
    R"sql(
CREATE TABLE price_deviations (
  store_id            TEXT    NOT NULL,
  seq                 INTEGER NOT NULL,
  line                INTEGER NOT NULL,
  recorded_at_us      INTEGER NOT NULL,
  terminal_id         TEXT    NOT NULL,
  client_txn_id       TEXT    NOT NULL,
  receipt_number      TEXT    NOT NULL,
  operator_id         TEXT    NOT NULL,
  sku                 TEXT    NOT NULL,
  kind                TEXT    NOT NULL,
  reason              TEXT    NOT NULL,
  expected_unit_price INTEGER NOT NULL,
  expected_net        INTEGER NOT NULL,
  charged_unit_price  INTEGER NOT NULL,
  charged_net         INTEGER NOT NULL,
  difference          INTEGER NOT NULL,
  price_list_id       TEXT    NOT NULL,
  price_list_version  INTEGER NOT NULL,
  PRIMARY KEY (store_id, seq, line)
) WITHOUT ROWID;
CREATE INDEX price_deviations_by_time ON price_deviations (recorded_at_us);
CREATE INDEX price_deviations_by_store ON price_deviations (store_id,
  recorded_at_us);
CREATE INDEX price_deviations_by_sku ON price_deviations (sku,
  recorded_at_us);
CREATE INDEX kpi_counters_price_lines ON kpi_counters (name, store_id)
  WHERE name IN ('price_lines.checked', 'price_lines.deviating');
)sql",
    // v11: the stores' checkpoint keys (docs/security.md, "Signed
    // checkpoints"): every Ed25519 public key a store presented and central
    // registered; the store's current one, the last checkpoint verified and
    // the last signature problem on its row.
    R"sql(
CREATE TABLE store_signing_keys (
  store_id         TEXT    NOT NULL,
  key_id           TEXT    NOT NULL,
  public_key       BLOB    NOT NULL,
  registered_at_us INTEGER NOT NULL,
  from_seq         INTEGER NOT NULL,
  PRIMARY KEY (store_id, key_id)
) WITHOUT ROWID;
ALTER TABLE stores ADD COLUMN signing_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN last_checkpoint_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN signature_problem TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN signature_problem_at_us INTEGER NOT NULL
  DEFAULT 0;
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
    // v6: head office's KPIs (docs/kpis.md). Their text keys but store_id
    // (joined with stores) compare bytewise (COLLATE "C"): cheaper index
    // inserts, and "2026-W09" < "2026-W10" is all the order a week needs.
    R"sql(
ALTER TABLE stores ADD COLUMN region TEXT NOT NULL DEFAULT '';
CREATE TABLE kpi_counters (
  store_id TEXT   NOT NULL,
  week     TEXT COLLATE "C" NOT NULL,
  name     TEXT COLLATE "C" NOT NULL,
  value    BIGINT  NOT NULL,
  PRIMARY KEY (store_id, week, name)
);
CREATE INDEX kpi_counters_by_week ON kpi_counters (week, store_id);
CREATE TABLE kpi_sales (
  store_id       TEXT   NOT NULL,
  terminal_id    TEXT COLLATE "C" NOT NULL,
  client_txn_id  TEXT COLLATE "C" NOT NULL,
  seq            BIGINT  NOT NULL,
  recorded_at_us BIGINT  NOT NULL,
  receipt_number TEXT COLLATE "C" NOT NULL,
  order_ref      TEXT COLLATE "C" NOT NULL,
  channel        TEXT   NOT NULL,
  business_day   TEXT   NOT NULL,
  total_minor    BIGINT  NOT NULL,
  lines          BIGINT  NOT NULL,
  member         BIGINT  NOT NULL,
  voided         BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, terminal_id, client_txn_id)
);
CREATE INDEX kpi_sales_receipt ON kpi_sales (store_id, receipt_number)
  WHERE receipt_number <> '';
CREATE INDEX kpi_sales_order ON kpi_sales (order_ref) WHERE order_ref <> '';
CREATE TABLE kpi_returns (
  store_id          TEXT   NOT NULL,
  seq               BIGINT  NOT NULL,
  terminal_id       TEXT COLLATE "C" NOT NULL,
  client_txn_id     TEXT COLLATE "C" NOT NULL,
  recorded_at_us    BIGINT  NOT NULL,
  total_minor       BIGINT  NOT NULL,
  voided            BIGINT  NOT NULL DEFAULT 0,
  orig_store        TEXT   NOT NULL,
  orig_terminal     TEXT   NOT NULL,
  orig_txn          TEXT   NOT NULL,
  orig_reference    TEXT COLLATE "C" NOT NULL,
  orig_channel      TEXT   NOT NULL,
  orig_business_day TEXT   NOT NULL,
  orig_sold_at_us   BIGINT  NOT NULL,
  resolved          BIGINT  NOT NULL,
  res_store         TEXT   NOT NULL,
  res_seq           BIGINT  NOT NULL,
  res_order_ref     TEXT   NOT NULL,
  res_sold_at_us    BIGINT  NOT NULL,
  res_channel       TEXT   NOT NULL,
  res_business_day  TEXT   NOT NULL,
  cycle_bucket      BIGINT  NOT NULL,
  PRIMARY KEY (store_id, seq)
);
CREATE INDEX kpi_returns_client ON kpi_returns (store_id, terminal_id,
  client_txn_id);
CREATE INDEX kpi_returns_pending ON kpi_returns (orig_store)
  WHERE resolved = 0;
CREATE INDEX kpi_returns_pending_ref ON kpi_returns (orig_reference)
  WHERE resolved = 0;
CREATE TABLE kpi_holds (
  store_id       TEXT   NOT NULL,
  order_ref      TEXT COLLATE "C" NOT NULL,
  placed_at_us   BIGINT  NOT NULL,
  picked_at_us   BIGINT  NOT NULL,
  state          TEXT   NOT NULL,
  finished_at_us BIGINT  NOT NULL,
  PRIMARY KEY (store_id, order_ref)
);
CREATE INDEX kpi_holds_order ON kpi_holds (order_ref);
-- Views for BI tools (docs/kpis.md, "SQL views").
CREATE VIEW kpi_weekly_counts AS
SELECT k.store_id, s.region, k.week,
  SUM(CASE WHEN k.name = 'sales.count' THEN k.value ELSE 0 END)
    AS sales,
  SUM(CASE WHEN k.name = 'sales.value' THEN k.value ELSE 0 END)
    AS sales_value,
  SUM(CASE WHEN k.name = 'sales.lines' THEN k.value ELSE 0 END)
    AS sales_lines,
  SUM(CASE WHEN k.name = 'sales.member' THEN k.value ELSE 0 END)
    AS sales_with_member,
  SUM(CASE WHEN k.name = 'sales.value.store' THEN k.value ELSE 0 END)
    AS sales_value_store,
  SUM(CASE WHEN k.name = 'sales.value.click_and_collect' THEN k.value ELSE 0 END)
    AS sales_value_click_and_collect,
  SUM(CASE WHEN k.name = 'sales.value.ship_from_store' THEN k.value ELSE 0 END)
    AS sales_value_ship_from_store,
  SUM(CASE WHEN k.name = 'sales.value.endless_aisle' THEN k.value ELSE 0 END)
    AS sales_value_endless_aisle,
  SUM(CASE WHEN k.name = 'returns.count' THEN k.value ELSE 0 END)
    AS returns,
  SUM(CASE WHEN k.name = 'returns.value' THEN k.value ELSE 0 END)
    AS returns_value,
  SUM(CASE WHEN k.name = 'enrolments' THEN k.value ELSE 0 END)
    AS enrolments,
  SUM(CASE WHEN k.name = 'orders.finished' THEN k.value ELSE 0 END)
    AS orders_finished,
  SUM(CASE WHEN k.name = 'orders.complete' THEN k.value ELSE 0 END)
    AS orders_complete,
  SUM(CASE WHEN k.name = 'closes' THEN k.value ELSE 0 END)
    AS closes,
  SUM(CASE WHEN k.name = 'closes.discrepant' THEN k.value ELSE 0 END)
    AS closes_discrepant,
  SUM(CASE WHEN k.name = 'drift' THEN k.value ELSE 0 END)
    AS stock_drift
FROM kpi_counters k JOIN stores s ON s.store_id = k.store_id
GROUP BY k.store_id, s.region, k.week;
CREATE VIEW kpi_weekly AS
SELECT c.*,
  c.orders_complete::float8 / NULLIF(c.orders_finished, 0) AS order_accuracy,
  c.returns_value::float8 / NULLIF(c.sales_value, 0) AS return_rate,
  c.sales_with_member::float8 / NULLIF(c.sales, 0) AS loyalty_adoption,
  c.sales_value::float8 / NULLIF(c.sales, 0) AS basket_value_avg,
  c.sales_lines::float8 / NULLIF(c.sales, 0) AS basket_lines_avg
FROM kpi_weekly_counts c;
CREATE VIEW kpi_histograms AS
SELECT k.store_id, s.region, k.week,
  split_part(k.name, ':', 1) AS histogram,
  b.bucket, b.upper_bound_s, k.value AS samples
FROM kpi_counters k JOIN stores s ON s.store_id = k.store_id
JOIN (VALUES
  (0, 0.1), (1, 0.25), (2, 0.5), (3, 1), (4, 2), (5, 5), (6, 10), (7, 30),
  (8, 60), (9, 120), (10, 300), (11, 600), (12, 1800), (13, 3600), (14,
  7200), (15, 14400), (16, 43200), (17, 86400), (18, 172800), (19,
  345600), (20, 604800), (21, 1209600), (22, 2592000), (23, 7776000), (24,
  31536000), (25, 31536000))
  AS b(bucket, upper_bound_s)
  ON b.bucket::text = split_part(k.name, ':', 2)
WHERE k.name LIKE '%:%';
CREATE VIEW sales_facts AS
SELECT x.store_id, s.region, x.seq, x.terminal_id, x.client_txn_id,
  to_timestamp(x.recorded_at_us / 1e6) AS sold_at, x.business_day,
  x.receipt_number, x.order_ref, x.channel, x.total_minor, x.lines,
  x.member <> 0 AS with_member, x.voided <> 0 AS voided
FROM kpi_sales x JOIN stores s ON s.store_id = x.store_id;
CREATE VIEW return_facts AS
SELECT x.store_id, s.region, x.seq, x.terminal_id, x.client_txn_id,
  to_timestamp(x.recorded_at_us / 1e6) AS returned_at, x.total_minor,
  x.voided <> 0 AS voided, x.resolved <> 0 AS original_found,
  CASE WHEN x.resolved <> 0 THEN x.res_store ELSE x.orig_store END
    AS original_store_id,
  NULLIF(x.res_seq, 0) AS original_seq,
  CASE WHEN x.resolved <> 0 THEN x.res_channel ELSE x.orig_channel END
    AS original_channel,
  to_timestamp(NULLIF(CASE WHEN x.resolved <> 0 THEN x.res_sold_at_us
    ELSE x.orig_sold_at_us END, 0) / 1e6) AS original_sold_at
FROM kpi_returns x JOIN stores s ON s.store_id = x.store_id;
)sql",
    // v7: escrow breaches that name the orders they leave uncovered.
    R"sql(
ALTER TABLE escrow_breaches ADD COLUMN at_risk BIGINT NOT NULL DEFAULT 0;
CREATE TABLE escrow_holds (
  store_id    TEXT   NOT NULL,
  order_ref   TEXT COLLATE "C" NOT NULL,
  sku         TEXT COLLATE "C" NOT NULL,
  central_seq BIGINT NOT NULL,
  quantity    BIGINT NOT NULL,
  placed_seq  BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, order_ref, sku)
);
CREATE INDEX escrow_holds_by_sku ON escrow_holds (store_id, sku, central_seq);
CREATE TABLE escrow_breach_orders (
  store_id  TEXT   NOT NULL,
  seq       BIGINT NOT NULL,
  sku       TEXT COLLATE "C" NOT NULL,
  pos       BIGINT NOT NULL,
  order_ref TEXT COLLATE "C" NOT NULL,
  quantity  BIGINT NOT NULL,
  PRIMARY KEY (store_id, seq, sku, pos)
);
CREATE TABLE at_risk_orders (
  store_id       TEXT   NOT NULL,
  order_ref      TEXT COLLATE "C" NOT NULL,
  breach_seq     BIGINT NOT NULL,
  since_us       BIGINT NOT NULL,
  resolution     TEXT   NOT NULL DEFAULT '',
  resolved_seq   BIGINT NOT NULL DEFAULT 0,
  resolved_at_us BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, order_ref)
);
CREATE INDEX at_risk_orders_by_time ON at_risk_orders (since_us);
CREATE TABLE at_risk_skus (
  store_id  TEXT   NOT NULL,
  order_ref TEXT COLLATE "C" NOT NULL,
  sku       TEXT COLLATE "C" NOT NULL,
  short     BIGINT NOT NULL,
  PRIMARY KEY (store_id, order_ref, sku)
);
)sql",
    // v8: a sale's KPI index row is keyed by its seq too (plain INSERT, a
    // client key sent twice keeps both sales; docs/kpis.md).
    R"sql(
ALTER TABLE kpi_sales DROP CONSTRAINT kpi_sales_pkey;
ALTER TABLE kpi_sales
  ADD PRIMARY KEY (store_id, terminal_id, client_txn_id, seq);
)sql",
    // v9: head office's price book. price_book is fleet-wide (a few
    // thousand rows, keyed by its own id like admin_audit); the two tables
    // that grow with the fleet are keyed by store_id first.
    R"sql(
CREATE TABLE price_book (
  kind            TEXT   NOT NULL,
  item_id         TEXT COLLATE "C" NOT NULL,
  version         BIGINT NOT NULL,
  scope_all       BIGINT NOT NULL,
  scope_region    TEXT   NOT NULL,
  body            BYTEA  NOT NULL,
  summary         BYTEA  NOT NULL,
  published_at_us BIGINT NOT NULL,
  PRIMARY KEY (kind, item_id)
);
CREATE TABLE price_book_stores (
  store_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  item_id  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (store_id, kind, item_id)
);
CREATE INDEX price_book_stores_by_item ON price_book_stores (kind, item_id);
CREATE TABLE price_book_sent (
  store_id     TEXT   NOT NULL,
  kind         TEXT   NOT NULL,
  item_id      TEXT COLLATE "C" NOT NULL,
  version      BIGINT NOT NULL,
  central_seq  BIGINT NOT NULL,
  queued_at_us BIGINT NOT NULL,
  PRIMARY KEY (store_id, kind, item_id, version)
);
CREATE INDEX price_book_sent_by_item ON price_book_sent (kind, item_id);
)sql",
    // v10: price deviations (as SQLite's v10), and the KPI views gain the
    // price lines checked and deviating (kpi_weekly: the rate).
    R"sql(
CREATE TABLE price_deviations (
  store_id            TEXT   NOT NULL,
  seq                 BIGINT NOT NULL,
  line                BIGINT NOT NULL,
  recorded_at_us      BIGINT NOT NULL,
  terminal_id         TEXT   NOT NULL,
  client_txn_id       TEXT   NOT NULL,
  receipt_number      TEXT   NOT NULL,
  operator_id         TEXT   NOT NULL,
  sku                 TEXT COLLATE "C" NOT NULL,
  kind                TEXT   NOT NULL,
  reason              TEXT   NOT NULL,
  expected_unit_price BIGINT NOT NULL,
  expected_net        BIGINT NOT NULL,
  charged_unit_price  BIGINT NOT NULL,
  charged_net         BIGINT NOT NULL,
  difference          BIGINT NOT NULL,
  price_list_id       TEXT   NOT NULL,
  price_list_version  BIGINT NOT NULL,
  PRIMARY KEY (store_id, seq, line)
);
CREATE INDEX price_deviations_by_time ON price_deviations (recorded_at_us);
CREATE INDEX price_deviations_by_store ON price_deviations (store_id,
  recorded_at_us);
CREATE INDEX price_deviations_by_sku ON price_deviations (sku,
  recorded_at_us);
CREATE INDEX kpi_counters_price_lines ON kpi_counters (name, store_id)
  WHERE name IN ('price_lines.checked', 'price_lines.deviating');
DROP VIEW kpi_weekly;
DROP VIEW kpi_weekly_counts;
CREATE VIEW kpi_weekly_counts AS
SELECT k.store_id, s.region, k.week,
  SUM(CASE WHEN k.name = 'sales.count' THEN k.value ELSE 0 END)
    AS sales,
  SUM(CASE WHEN k.name = 'sales.value' THEN k.value ELSE 0 END)
    AS sales_value,
  SUM(CASE WHEN k.name = 'sales.lines' THEN k.value ELSE 0 END)
    AS sales_lines,
  SUM(CASE WHEN k.name = 'sales.member' THEN k.value ELSE 0 END)
    AS sales_with_member,
  SUM(CASE WHEN k.name = 'sales.value.store' THEN k.value ELSE 0 END)
    AS sales_value_store,
  SUM(CASE WHEN k.name = 'sales.value.click_and_collect' THEN k.value ELSE 0 END)
    AS sales_value_click_and_collect,
  SUM(CASE WHEN k.name = 'sales.value.ship_from_store' THEN k.value ELSE 0 END)
    AS sales_value_ship_from_store,
  SUM(CASE WHEN k.name = 'sales.value.endless_aisle' THEN k.value ELSE 0 END)
    AS sales_value_endless_aisle,
  SUM(CASE WHEN k.name = 'returns.count' THEN k.value ELSE 0 END)
    AS returns,
  SUM(CASE WHEN k.name = 'returns.value' THEN k.value ELSE 0 END)
    AS returns_value,
  SUM(CASE WHEN k.name = 'enrolments' THEN k.value ELSE 0 END)
    AS enrolments,
  SUM(CASE WHEN k.name = 'orders.finished' THEN k.value ELSE 0 END)
    AS orders_finished,
  SUM(CASE WHEN k.name = 'orders.complete' THEN k.value ELSE 0 END)
    AS orders_complete,
  SUM(CASE WHEN k.name = 'closes' THEN k.value ELSE 0 END)
    AS closes,
  SUM(CASE WHEN k.name = 'closes.discrepant' THEN k.value ELSE 0 END)
    AS closes_discrepant,
  SUM(CASE WHEN k.name = 'drift' THEN k.value ELSE 0 END)
    AS stock_drift,
  SUM(CASE WHEN k.name = 'price_lines.checked' THEN k.value ELSE 0 END)
    AS price_lines_checked,
  SUM(CASE WHEN k.name = 'price_lines.deviating' THEN k.value ELSE 0 END)
    AS price_lines_deviating
FROM kpi_counters k JOIN stores s ON s.store_id = k.store_id
GROUP BY k.store_id, s.region, k.week;
CREATE VIEW kpi_weekly AS
SELECT c.*,
  c.orders_complete::float8 / NULLIF(c.orders_finished, 0) AS order_accuracy,
  c.returns_value::float8 / NULLIF(c.sales_value, 0) AS return_rate,
  c.sales_with_member::float8 / NULLIF(c.sales, 0) AS loyalty_adoption,
  c.sales_value::float8 / NULLIF(c.sales, 0) AS basket_value_avg,
  c.sales_lines::float8 / NULLIF(c.sales, 0) AS basket_lines_avg,
  c.price_lines_deviating::float8 / NULLIF(c.price_lines_checked, 0)
    AS price_deviation_rate
FROM kpi_weekly_counts c;
CREATE VIEW price_deviation_facts AS
SELECT x.store_id, s.region, x.seq, x.line,
  to_timestamp(x.recorded_at_us / 1e6) AS sold_at, x.terminal_id,
  x.client_txn_id, x.receipt_number, x.operator_id, x.sku, x.kind,
  x.reason, x.expected_unit_price, x.expected_net, x.charged_unit_price,
  x.charged_net, x.difference, x.price_list_id, x.price_list_version
FROM price_deviations x JOIN stores s ON s.store_id = x.store_id;
)sql",
    // v11: checkpoint keys (as SQLite's v11).
    R"sql(
CREATE TABLE store_signing_keys (
  store_id         TEXT   NOT NULL,
  key_id           TEXT   NOT NULL,
  public_key       BYTEA  NOT NULL,
  registered_at_us BIGINT NOT NULL,
  from_seq         BIGINT NOT NULL,
  PRIMARY KEY (store_id, key_id)
);
ALTER TABLE stores ADD COLUMN signing_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN last_checkpoint_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN signature_problem TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN signature_problem_at_us BIGINT NOT NULL
  DEFAULT 0;
)sql",
};

static_assert(kPgEventPartitions == 16,
              "kPgSchema v3 creates 16 partitions: change both together");

}  // namespace storeagent::central
