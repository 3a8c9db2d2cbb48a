"""kafka-python producer and group-less consumer round trip, for test/broker/clients/kafka-python.test.ts.

usage: roundtrip.py BOOTSTRAP TOPIC COUNT [API_VERSION|auto] [COMPRESSION|none]

Sends COUNT keyed records with acks=1, then reads the topic from the earliest offset with a consumer that
has no group (no coordinator needed), and prints one JSON line: what was acknowledged and what was read.
API_VERSION like 0.10.0 pins the protocol (older versions produce and fetch magic 0/1 message sets);
auto lets kafka-python probe the broker (ApiVersions v0 pipelined with Metadata v0).
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
api = sys.argv[4] if len(sys.argv) > 4 else 'auto'
compression = sys.argv[5] if len(sys.argv) > 5 else 'none'
api_version = None if api == 'auto' else tuple(int(x) for x in api.split('.'))
common = {'bootstrap_servers': bootstrap, 'request_timeout_ms': 15000, 'api_version_auto_timeout_ms': 10000}
if api_version is not None:
    common['api_version'] = api_version

producer = KafkaProducer(acks=1, linger_ms=5, compression_type=None if compression == 'none' else compression, **common)
futures = [producer.send(topic, key=b'k%d' % i, value=b'value-%d' % i) for i in range(count)]
producer.flush(20)
acked = [f.get(timeout=20).offset for f in futures]
detected = '.'.join(str(x) for x in producer.config['api_version'])
producer.close(5)

consumer = KafkaConsumer(group_id=None, auto_offset_reset='earliest', consumer_timeout_ms=3000, enable_auto_commit=False, **common)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
records = []
for message in consumer:
    records.append([message.offset, message.key.decode(), message.value.decode()])
    if len(records) == count:
        break
end = consumer.end_offsets([tp])[tp]
consumer.close()

print(json.dumps({'apiVersion': detected, 'acked': acked, 'records': records, 'endOffset': end}))
