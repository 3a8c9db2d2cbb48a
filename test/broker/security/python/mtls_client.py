"""confluent-kafka (librdkafka) with a client certificate (ssl.client.auth=required): produce then consume in a group.

usage: mtls_client.py BOOTSTRAP CAFILE CERTIFICATE KEY TOPIC GROUP
prints {"ok": true, "values": [...]} or {"ok": false, "error": "..."}.
"""
import sys

from round_trip import produce_and_consume

bootstrap, cafile, certificate, key, topic, group = sys.argv[1:]
security = {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SSL',
    'ssl.ca.location': cafile,
    'ssl.certificate.location': certificate,
    'ssl.key.location': key,
}
produce_and_consume(security, topic, group, 'm', 3)
