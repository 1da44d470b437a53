#!/usr/bin/env node
// PouchDB baseline for storeagent's sync benchmark.
//
// Starts express-pouchdb on 127.0.0.1 (port picked by the OS) backed by
// LevelDB in a temp dir, writes N sale documents (5 lines each, shaped like
// storeagent's Sale: sku, quantity, unit price, tenders, totals; money in
// integer minor units) into a local LevelDB PouchDB, then times ONE one-shot
// replication local -> server and checks that the server holds N documents.
//
// Prints, one figure a line:
//   pouchdb_replication_docs N
//   pouchdb_replication_seconds S
//   pouchdb_replication_docs_per_s VALUE docs/s
//
// Usage: node replicate.js [--docs N] [--batch-size B] [--batches-limit L]
// The batch defaults are PouchDB's own (100 docs a batch, 10 batches ahead).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const express = require('express');
const expressPouchDB = require('express-pouchdb');
const PouchDB = require('pouchdb');

const kMaxDocs = 10000000;
const kLinesPerSale = 5;
const kWriteChunk = 1000;  // docs per bulkDocs call while filling the source

function usage(msg) {
  if (msg) process.stderr.write(`replicate.js: ${msg}\n`);
  process.stderr.write(
      'usage: node replicate.js [--docs N] [--batch-size B] ' +
      '[--batches-limit L]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {docs: 10000, batchSize: 100, batchesLimit: 10};
  const names = {
    '--docs': 'docs',
    '--batch-size': 'batchSize',
    '--batches-limit': 'batchesLimit',
  };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') usage();
    const key = names[arg];
    if (!key) usage(`unknown argument "${arg}"`);
    const text = argv[++i];
    if (text === undefined) usage(`${arg}: needs a value`);
    if (!/^[0-9]+$/.test(text)) {
      usage(`${arg}: "${text}" is not a positive integer`);
    }
    const n = Number(text);
    if (n < 1 || n > kMaxDocs) usage(`${arg}: must be 1..${kMaxDocs}`);
    opts[key] = n;
  }
  return opts;
}

// A sale like the POS records one: 5 lines, one card tender, totals that add
// up. Deterministic in `i` so runs are comparable.
function saleDoc(i) {
  const lines = [];
  let subtotal = 0;
  let tax = 0;
  for (let l = 0; l < kLinesPerSale; ++l) {
    const quantity = 1 + ((i + l) % 3);
    const unitPrice = 199 + ((i * 7 + l * 13) % 5000);
    const extended = quantity * unitPrice;
    const lineTax = Math.floor(extended * 20 / 120);
    subtotal += extended;
    tax += lineTax;
    lines.push({
      sku: `SKU-${String((i * 31 + l * 101) % 100000).padStart(6, '0')}`,
      gtin: String(4006381333931 + ((i + l) % 1000)),
      unit: 'EACH',
      quantity,
      unit_price: {minor_units: unitPrice, currency: 'EUR'},
      extended_amount: {minor_units: extended, currency: 'EUR'},
      tax: {rate_bp: 2000, amount: {minor_units: lineTax, currency: 'EUR'}},
      description: `Article ${l} of sale ${i}`,
    });
  }
  return {
    _id: `sale:T01:${String(i).padStart(10, '0')}`,
    type: 'sale',
    client_key: {terminal_id: 'T01', client_txn_id: `txn-${i}`},
    recorded_at_us: 1700000000000000 + i * 1000,
    sale: {
      lines,
      tenders: [{
        kind: 'CARD',
        amount: {minor_units: subtotal, currency: 'EUR'},
        token: `tok_${i.toString(16).padStart(12, '0')}`,
        brand: 'VISA',
        last_four: String(1000 + (i % 9000)),
        auth_code: `A${i % 1000000}`,
      }],
      totals: {
        subtotal: {minor_units: subtotal, currency: 'EUR'},
        tax: {minor_units: tax, currency: 'EUR'},
        total: {minor_units: subtotal, currency: 'EUR'},
        tax_included: true,
        change_given: {minor_units: 0, currency: 'EUR'},
      },
      operator_id: 'op-7',
      receipt_number: `R${i}`,
      business_day: '2024-05-17',
    },
  };
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

async function fill(db, n) {
  for (let start = 0; start < n; start += kWriteChunk) {
    const docs = [];
    for (let i = start; i < Math.min(n, start + kWriteChunk); ++i) {
      docs.push(saleDoc(i));
    }
    const res = await db.bulkDocs(docs);
    const failed = res.filter((r) => r.error);
    if (failed.length > 0) {
      throw new Error(`bulkDocs: ${failed.length} docs refused, first: ` +
                      JSON.stringify(failed[0]));
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pouchdb-bench-'));
  let server = null;
  const dbs = [];
  try {
    fs.mkdirSync(path.join(tmp, 'server'));
    fs.mkdirSync(path.join(tmp, 'local'));
    const ServerPouch = PouchDB.defaults({prefix: path.join(tmp, 'server') + '/'});
    const app = express();
    app.use('/', expressPouchDB(ServerPouch, {
      mode: 'minimumForPouchDB',
      inMemoryConfig: true,
      logPath: path.join(tmp, 'log.txt'),
    }));
    server = await listen(app);
    const url = `http://127.0.0.1:${server.address().port}/sales`;

    const local = new PouchDB(path.join(tmp, 'local', 'sales'));
    dbs.push(local);
    await fill(local, opts.docs);
    const localInfo = await local.info();
    if (localInfo.doc_count !== opts.docs) {
      throw new Error(`local doc_count ${localInfo.doc_count} != ${opts.docs}`);
    }

    const remote = new PouchDB(url);
    dbs.push(remote);
    await remote.info();  // creates the server database before the clock starts

    const t0 = process.hrtime.bigint();
    const result = await PouchDB.replicate(local, remote, {
      batch_size: opts.batchSize,
      batches_limit: opts.batchesLimit,
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

    if (!result.ok || result.doc_write_failures !== 0) {
      throw new Error(`replication failed: ok=${result.ok} ` +
                      `doc_write_failures=${result.doc_write_failures}`);
    }
    const remoteInfo = await remote.info();
    if (remoteInfo.doc_count !== opts.docs) {
      throw new Error(`server doc_count ${remoteInfo.doc_count} != ${opts.docs}`);
    }

    process.stdout.write(`pouchdb_replication_docs ${opts.docs}\n`);
    process.stdout.write(`pouchdb_replication_seconds ${seconds.toFixed(3)}\n`);
    process.stdout.write(`pouchdb_replication_docs_per_s ` +
                         `${(opts.docs / seconds).toFixed(0)} docs/s\n`);
    process.stdout.write(`# batch_size ${opts.batchSize} batches_limit ` +
                         `${opts.batchesLimit}, ${kLinesPerSale} lines a sale, ` +
                         `node ${process.version}, pouchdb ${PouchDB.version}\n`);
  } finally {
    for (const db of dbs) await db.close().catch(() => {});
    if (server) await new Promise((resolve) => server.close(resolve));
    fs.rmSync(tmp, {recursive: true, force: true});
  }
}

main().catch((err) => {
  process.stderr.write(`replicate.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
