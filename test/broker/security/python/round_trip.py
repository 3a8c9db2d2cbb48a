"""The round trip the confluent-kafka scripts make with their security settings: produce `count` records
(`prefix` + index), consume them in `group`, commit, and print {"ok": true, "values": [...]} or
{"ok": false, "error": "..."} (an authorization refusal is an answer, not a crash)."""
import json

from confluent_kafka import Consumer, KafkaException, Producer


def produce_and_consume(security, topic, group, prefix, count):
    errors = []
    try:
        producer = Producer({**security, 'acks': 'all', 'message.timeout.ms': 10000, 'error_cb': lambda e: errors.append(str(e))})
        delivered = []
        for i in range(count):
            producer.produce(topic, f'{prefix}{i}'.encode(), on_delivery=lambda err, msg: delivered.append(err))
        producer.flush(15)
        failed = [str(e) for e in delivered if e is not None]
        if failed or len(delivered) != count:
            print(json.dumps({'ok': False, 'error': (failed or errors or ['not delivered'])[0]}))
            return
        # Committed explicitly below: with auto-commit on, a slow run has its offsets committed already
        # and commit() answers _NO_OFFSET.
        consumer = Consumer({**security, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'error_cb': lambda e: errors.append(str(e))})
        consumer.subscribe([topic])
        values = []
        for _ in range(60):
            message = consumer.poll(0.5)
            if message is None:
                if len(values) >= count:
                    break
                continue
            if message.error():
                raise KafkaException(message.error())
            values.append(message.value().decode())
        consumer.commit(asynchronous=False)
        consumer.close()
        print(json.dumps({'ok': True, 'values': values}))
    except KafkaException as error:
        print(json.dumps({'ok': False, 'error': str(error)}))
