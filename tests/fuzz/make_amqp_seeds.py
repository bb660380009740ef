#!/usr/bin/env python3
"""tests/fuzz/make_amqp_seeds.py: writes the AMQP seeds in tests/fuzz/corpus/amqp: what a
RabbitMQ 3.10 server (Debian 12's rabbitmq-server) sends a client, frame by frame, in the
AMQP 0-9-1 wire format (spec sections 2.3.5 frames, 4.2.3 field tables; the connection class).
usage: make_amqp_seeds.py DIR"""
import os
import struct
import sys


def shortstr(s):
    b = s.encode()
    return struct.pack(">B", len(b)) + b


def longstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">I", len(b)) + b


def table(items):
    body = b""
    for key, kind, value in items:
        body += shortstr(key) + kind.encode()
        if kind == "S":
            body += longstr(value)
        elif kind == "t":
            body += struct.pack(">B", 1 if value else 0)
        elif kind == "F":
            body += table(value)
    return longstr(body)


def method(cls, meth, args=b""):
    payload = struct.pack(">HH", cls, meth) + args
    return struct.pack(">BHI", 1, 0, len(payload)) + payload + b"\xce"


capabilities = [(k, "t", True) for k in (
    "publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify",
    "connection.blocked", "consumer_priorities", "authentication_failure_close",
    "per_consumer_qos", "direct_reply_to")]
start = method(10, 10, struct.pack(">BB", 0, 9) + table([
    ("capabilities", "F", capabilities),
    ("cluster_name", "S", "rabbit@rabbitmq"),
    ("copyright", "S", "Copyright (c) 2007-2022 VMware, Inc. or its affiliates."),
    ("information", "S", "Licensed under the MPL 2.0. Website: https://rabbitmq.com"),
    ("platform", "S", "Erlang/OTP 25.2.3"),
    ("product", "S", "RabbitMQ"),
    ("version", "S", "3.10.8"),
]) + longstr("AMQPLAIN PLAIN") + longstr("en_US"))
tune = method(10, 30, struct.pack(">HIH", 2047, 131072, 60))
open_ok = method(10, 41, shortstr(""))
close_ok = method(10, 51)
refused = method(10, 50, struct.pack(">H", 403) + shortstr(
    "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. "
    "For details see the broker logfile.") + struct.pack(">HH", 0, 0))
vhost = method(10, 50, struct.pack(">H", 530) + shortstr(
    "NOT_ALLOWED - access to vhost '/' refused for user 'studioml'") + struct.pack(">HH", 10, 40))

seeds = {
    "start-rabbitmq-3.10": start,
    "handshake-to-close-ok": start + tune + open_ok + close_ok,
    "login-refused-403": start + refused,
    "vhost-refused-530": start + tune + vhost,
    # A server that speaks another AMQP version answers the protocol header with its own.
    "refused-protocol-header-1-0": b"AMQP\x03\x01\x00\x00",
}
out = sys.argv[1]
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
