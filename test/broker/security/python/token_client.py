"""kafka-python authenticating with a delegation token (KIP-48) over SASL_SSL / SCRAM-SHA-256.

kafka-python 2.0 has no setting for SCRAM extensions, so this adds `tokenauth=true` to its
client-first message, exactly as Kafka's Java client does for a token (ScramSaslClient with
ScramExtensions): `n,,n=<token id>,r=<nonce>,tokenauth=true`. Everything else is kafka-python's own.

usage: token_client.py BOOTSTRAP CAFILE TOKEN_ID HMAC_BASE64 ACTION TOPIC [VALUE]
  produce TOPIC VALUE   send one record, acks=all
  consume TOPIC         read the topic from the start (no group) until idle
Prints one JSON line.
"""
import json
import sys

import kafka.conn
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.scram import ScramClient


class TokenScramClient(ScramClient):
    def first_message(self):
        client_first_bare = 'n={},r={},tokenauth=true'.format(self.user, self.nonce)
        self.auth_message += client_first_bare
        return 'n,,' + client_first_bare


kafka.conn.ScramClient = TokenScramClient


def main():
    bootstrap, cafile, token_id, hmac, action, topic, *rest = sys.argv[1:]
    security = dict(
        bootstrap_servers=bootstrap,
        security_protocol='SASL_SSL',
        ssl_cafile=cafile,
        sasl_mechanism='SCRAM-SHA-256',
        sasl_plain_username=token_id,
        sasl_plain_password=hmac,
    )
    try:
        if action == 'produce':
            producer = KafkaProducer(acks='all', retries=0, max_block_ms=8000, **security)
            metadata = producer.send(topic, rest[0].encode()).get(timeout=15)
            producer.close()
            print(json.dumps({'ok': True, 'offset': metadata.offset}))
        elif action == 'consume':
            consumer = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=4000, **security)
            values = [m.value.decode() for m in consumer]
            consumer.close()
            print(json.dumps({'ok': True, 'values': values}))
    except KafkaError as error:
        print(json.dumps({'ok': False, 'error': type(error).__name__, 'message': str(error)}))
    except Exception as error:  # noqa: BLE001 - authentication failures surface as plain errors
        print(json.dumps({'ok': False, 'error': type(error).__name__, 'message': str(error)}))


main()
