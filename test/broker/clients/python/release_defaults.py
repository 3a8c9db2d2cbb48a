"""What an untuned broker of the played release does, seen by real clients (test/broker/clients/old-releases.test.ts).

usage: release_defaults.py BOOTSTRAP TOPIC API_VERSION|none

kafka-python pinned to API_VERSION (e.g. 0.11.0) creates TOPIC, reads the broker's and the topic's config
defaults (DescribeConfigs), and tries to delete the topic (skipped with none: kafka-python 2.0 predates the
releases that dropped its request versions); confluent-kafka (librdkafka) then produces one record stamped
two hours in the future. Prints one JSON line with what each step answered.
"""
import json
import re
import sys
import time

from confluent_kafka import Producer
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError

bootstrap, topic, api = sys.argv[1], sys.argv[2], sys.argv[3]
seen = {}
if api != 'none':
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, api_version=tuple(int(x) for x in api.split('.')), request_timeout_ms=15000)
    admin.create_topics([NewTopic(topic, 1, 1)])

    def described(resource):
        [response] = admin.describe_configs([resource])
        [(error, _message, _type, _name, entries)] = response.resources
        assert error == 0, error
        return {entry[0]: entry[1] for entry in entries}

    broker = described(ConfigResource(ConfigResourceType.BROKER, '0'))
    for name in ('offsets.retention.minutes', 'group.max.session.timeout.ms', 'replica.lag.time.max.ms'):
        seen[name] = broker.get(name)
    seen['max.message.bytes'] = described(ConfigResource(ConfigResourceType.TOPIC, topic)).get('max.message.bytes')
    try:
        deleted = admin.delete_topics([topic], timeout_ms=10000)
        [(_name, seen['deleteTopicError'], *_rest)] = deleted.topic_error_codes
    except KafkaError as error:
        # kafka-python 2.0 raises on a topic error, as UnknownError for codes it does not name (73,
        # TOPIC_DELETION_DISABLED): the broker's code is in the response it quotes.
        seen['deleteTopicError'] = int(re.search(r'error_code=(-?\d+)', str(error)).group(1))
    admin.close()

delivered = {}


def on_delivery(error, message):
    delivered['error'] = error.name() if error else None


producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'message.timeout.ms': 15000, 'retries': 0})
producer.produce(topic + '-future', value=b'from the future', timestamp=int(time.time() * 1000) + 2 * 3600 * 1000, on_delivery=on_delivery)
producer.flush(20)

seen['futureRecordError'] = delivered.get('error', 'not delivered')
print(json.dumps(seen))
