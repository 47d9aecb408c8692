"""How an outside system (audit, credit code, tender) consumes the score feed: its own durable queue,
bound to the topic exchange ``supervision.scores``, one JSON message per change, acknowledged after
it is handled (docs/asyncapi/scoring.yaml).

    .venv/bin/python scripts/score_subscriber.py --amqp amqp://guest:guest@127.0.0.1:5672/ \
        --queue tender.scores --binding 'score.changed.firm' --binding 'bid_ban.imposed.#'

Each message is printed as one JSON line. The queue is durable: changes published while the system
is offline wait in it. Messages carry their feed ``sequence``: a system keeps the last one it handled,
skips one it has seen (a redelivery) and, after a gap, catches up over ``GET /partner/v1/score-changes``.
"""

from __future__ import annotations

import argparse
import json
import sys

import pika

EXCHANGE = "supervision.scores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--queue", required=True, help="the system's own durable queue")
    parser.add_argument("--binding", action="append", default=None, help="routing-key pattern (default: #)")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after this many (0: run for ever)")
    parser.add_argument("--idle-seconds", type=float, default=0, help="stop after this long without a message")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(args.amqp))
    channel = connection.channel()
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    channel.queue_declare(args.queue, durable=True)
    for pattern in args.binding or ["#"]:
        channel.queue_bind(args.queue, EXCHANGE, routing_key=pattern)
    channel.basic_qos(prefetch_count=100)
    seen, last_sequence = 0, 0
    for method, _properties, body in channel.consume(args.queue, inactivity_timeout=args.idle_seconds or None):
        if method is None:  # idle
            break
        message = json.loads(body)
        if message["sequence"] > last_sequence:  # a redelivery of one handled already is skipped
            print(json.dumps({"routing_key": method.routing_key, **message}, ensure_ascii=False), flush=True)
            last_sequence = message["sequence"]
        channel.basic_ack(method.delivery_tag)
        seen += 1
        if args.max_messages and seen >= args.max_messages:
            break
    channel.cancel()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
