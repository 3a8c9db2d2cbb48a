"""confluent-kafka (librdkafka) against the secured embedded cluster: produce then consume in a group.

usage: confluent_client.py BOOTSTRAP CAFILE MECHANISM USER PASSWORD TOPIC GROUP
prints {"ok": true, "values": [...]} or {"ok": false, "error": "..."}.
"""
import sys

from round_trip import produce_and_consume

bootstrap, cafile, mechanism, user, password, topic, group = sys.argv[1:]
security = {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_SSL',
    'ssl.ca.location': cafile,
    'sasl.mechanisms': mechanism,
    'sasl.username': user,
    'sasl.password': password,
}
produce_and_consume(security, topic, group, 'c', 5)
