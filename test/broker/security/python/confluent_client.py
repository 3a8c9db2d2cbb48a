"""confluent-kafka (librdkafka) against the secured embedded cluster: produce then consume in a group.

usage: confluent_client.py BOOTSTRAP CAFILE MECHANISM USER PASSWORD TOPIC GROUP
prints {"ok": true, "values": [...]} or {"ok": false, "error": "..."}.
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer

bootstrap, cafile, mechanism, user, password, topic, group = sys.argv[1:]
security = {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_SSL',
    'ssl.ca.location': cafile,
    'sasl.mechanisms': mechanism,
    'sasl.username': user,
    'sasl.password': password,
}
errors = []
try:
    producer = Producer({**security, 'acks': 'all', 'message.timeout.ms': 10000, 'error_cb': lambda e: errors.append(str(e))})
    delivered = []
    for i in range(5):
        producer.produce(topic, f'c{i}'.encode(), on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(15)
    failed = [str(e) for e in delivered if e is not None]
    if failed or len(delivered) != 5:
        print(json.dumps({'ok': False, 'error': (failed or errors or ['not delivered'])[0]}))
        sys.exit(0)
    consumer = Consumer({**security, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'error_cb': lambda e: errors.append(str(e))})
    consumer.subscribe([topic])
    values = []
    for _ in range(60):
        message = consumer.poll(0.5)
        if message is None:
            if len(values) >= 5:
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
