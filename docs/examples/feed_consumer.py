#!/usr/bin/env python3
"""Reads storecentrald's change feed into SQLite, each event exactly once.

The worked example of docs/feed.md. It asks central's admin API
(CentralAdminService.StreamEvents) for every event after the cursor it
keeps, and stores the events AND the cursor past them in the same SQLite
transaction: if it is killed anywhere, the next run starts after the last
event it committed, so nothing is lost and nothing is stored twice.

Needs Python 3 with grpcio and grpcio-tools (Debian: python3-grpcio
python3-grpc-tools). The gRPC stubs are generated at start from the
contract's .proto files (--proto-dir) with grpc_tools.protoc.

  feed_consumer.py --admin 127.0.0.1:7444 --db feed.db [--follow]
                   [--store S]... [--kind K]... [--proto-dir DIR]

Plaintext, as central allows on a loopback admin listener; with admin.tls,
pass --ca, --cert and --key (an admin certificate of role reader).
"""

import argparse
import os
import queue
import sqlite3
import sys
import tempfile
import threading
import time

PROTOS = [
    "storeagent/v1/common.proto",
    "storeagent/v1/stock.proto",
    "storeagent/v1/events.proto",
    "storeagent/v1/price.proto",
    "storeagent/v1/availability.proto",
    "storeagent/v1/sync.proto",
]

# Events and cursor commit together every COMMIT_EVERY events, at every
# caught_up (following, central sends one after each pass that sent events),
# and COMMIT_AFTER seconds after the oldest uncommitted event, however few
# came since: fewer fsyncs, still exactly once, and no event (nor SQLite's
# write lock) held uncommitted for long.
COMMIT_EVERY = 500
COMMIT_AFTER = 1.0
TIMER = object()  # what the queue "returns" when COMMIT_AFTER has passed

SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_events (
  store_id    TEXT    NOT NULL,
  seq         INTEGER NOT NULL,  -- store event: journal seq; else 0
  central_seq INTEGER NOT NULL,  -- central event: central_seq; else 0
  kind        TEXT    NOT NULL,
  at_us       INTEGER NOT NULL,
  event       BLOB    NOT NULL,  -- the FeedEvent, serialized
  PRIMARY KEY (store_id, seq, central_seq)
);
CREATE TABLE IF NOT EXISTS feed_cursor (
  store_id    TEXT PRIMARY KEY,
  seq         INTEGER NOT NULL,
  central_seq INTEGER NOT NULL
);
"""


def load_stubs(proto_dir):
    """Generates the Python stubs into a temporary directory and imports
    them."""
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="storeagent-stubs-")
    args = ["protoc", "-I" + proto_dir, "--python_out=" + out,
            "--grpc_python_out=" + out] + PROTOS
    if protoc.main(args) != 0:
        sys.exit("feed_consumer: protoc failed on " + proto_dir)
    sys.path.insert(0, out)
    from storeagent.v1 import sync_pb2, sync_pb2_grpc
    return sync_pb2, sync_pb2_grpc


def open_db(path):
    db = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


def read_cursor(db, sync_pb2):
    """The positions committed so far, as StreamEventsRequest.after."""
    rows = db.execute("SELECT store_id, seq, central_seq FROM feed_cursor")
    return [sync_pb2.FeedPosition(store_id=s, seq=q, central_seq=c)
            for s, q, c in rows]


def keep(db, event):
    """Stores one event and moves the cursor past it (inside the caller's
    transaction)."""
    db.execute(
        "INSERT INTO feed_events (store_id, seq, central_seq, kind, at_us, "
        "event) VALUES (?, ?, ?, ?, ?, ?)",
        (event.store_id, event.seq, event.central_seq, event.kind,
         event.at_us, event.SerializeToString()))
    db.execute(
        "INSERT INTO feed_cursor (store_id, seq, central_seq) "
        "VALUES (?, ?, ?) ON CONFLICT (store_id) DO UPDATE SET "
        "seq = MAX(seq, excluded.seq), "
        "central_seq = MAX(central_seq, excluded.central_seq)",
        (event.store_id, event.seq, event.central_seq))


def channel(args):
    import grpc

    if not args.cert:
        return grpc.insecure_channel(args.admin)
    with open(args.ca, "rb") as ca, open(args.cert, "rb") as cert, \
            open(args.key, "rb") as key:
        creds = grpc.ssl_channel_credentials(ca.read(), key.read(),
                                             cert.read())
    return grpc.secure_channel(args.admin, creds)


def pump(call, out):
    """Reads the stream on its own thread into `out` (bounded, so a slow
    database slows the stream down); then None, or the gRPC error."""
    try:
        for response in call:
            out.put(response)
        out.put(None)
    except Exception as e:  # grpc.RpcError, or the call cancelled
        out.put(e)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--admin", default="127.0.0.1:7444",
                   help="storecentrald's admin.listen")
    p.add_argument("--db", required=True, help="SQLite file to fill")
    p.add_argument("--proto-dir",
                   default=os.path.join(here, "..", "..", "proto"),
                   help="directory holding storeagent/v1/*.proto")
    p.add_argument("--store", action="append", default=[],
                   help="only this store (repeatable)")
    p.add_argument("--kind", action="append", default=[],
                   help="only this kind, e.g. sale (repeatable)")
    p.add_argument("--follow", action="store_true",
                   help="keep reading new events after caught up")
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()

    sync_pb2, sync_pb2_grpc = load_stubs(args.proto_dir)
    db = open_db(args.db)
    stub = sync_pb2_grpc.CentralAdminServiceStub(channel(args))
    request = sync_pb2.StreamEventsRequest(
        after=read_cursor(db, sync_pb2), store_ids=args.store,
        kinds=args.kind, follow=args.follow)

    # The stream is read on a thread so that the timer below can commit
    # while no event arrives; only this thread touches the database.
    call = stub.StreamEvents(request)
    responses = queue.Queue(maxsize=COMMIT_EVERY)
    threading.Thread(target=pump, args=(call, responses), daemon=True).start()

    pending = 0
    oldest = 0.0  # when the oldest uncommitted event arrived
    db.execute("BEGIN")
    while True:
        try:
            wait = (None if pending == 0
                    else max(0.0, oldest + COMMIT_AFTER - time.monotonic()))
            response = responses.get(timeout=wait)
        except queue.Empty:  # COMMIT_AFTER passed: commit what we have
            response = TIMER
        if response is None or isinstance(response, Exception):
            db.execute("COMMIT")  # what came before the end is kept
            if response is not None:
                raise response
            return 0
        if response is TIMER:
            pass
        elif response.WhichOneof("kind") == "event":
            keep(db, response.event)
            if pending == 0:
                oldest = time.monotonic()
            pending += 1
            if pending < COMMIT_EVERY:
                continue
        else:  # caught_up: commit what we have, and say so
            print("caught up: %d events sent on this stream"
                  % response.caught_up.events_sent, file=sys.stderr,
                  flush=True)
        db.execute("COMMIT")
        db.execute("BEGIN")
        pending = 0


if __name__ == "__main__":
    sys.exit(main())
