"""kafka-python (SCRAM-SHA-256 over TLS) against the secured embedded cluster: one action per run,
printed as one JSON line, so the test drives it step by step.

usage: secured_client.py BOOTSTRAP CAFILE USER PASSWORD ACTION [ARGS...]
  produce TOPIC VALUE          send one record, acks=all, and wait for it
  consume TOPIC GROUP          read the topic from the start in a group until idle
  create-topic TOPIC           create a topic (admin)
  create-acl TOPIC PRINCIPAL OPERATION PERMISSION [PATTERN]
  describe-acls PRINCIPAL
  delete-acls TOPIC PRINCIPAL
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, NewTopic, ResourcePattern, ResourcePatternFilter, ResourceType
from kafka.errors import KafkaError


def main():
    bootstrap, cafile, user, password, action, *args = sys.argv[1:]
    security = dict(
        bootstrap_servers=bootstrap,
        security_protocol='SASL_SSL',
        ssl_cafile=cafile,
        sasl_mechanism='SCRAM-SHA-256',
        sasl_plain_username=user,
        sasl_plain_password=password,
    )
    try:
        if action == 'produce':
            topic, value = args
            producer = KafkaProducer(acks='all', retries=0, max_block_ms=5000, **security)
            metadata = producer.send(topic, value.encode()).get(timeout=15)
            producer.close()
            print(json.dumps({'ok': True, 'offset': metadata.offset}))
        elif action == 'consume':
            topic, group = args
            consumer = KafkaConsumer(topic, group_id=group, auto_offset_reset='earliest', consumer_timeout_ms=5000, **security)
            values = [m.value.decode() for m in consumer]
            consumer.commit()
            consumer.close()
            print(json.dumps({'ok': True, 'values': values}))
        elif action == 'create-topic':
            admin = KafkaAdminClient(**security)
            admin.create_topics([NewTopic(args[0], 1, 1)])
            admin.close()
            print(json.dumps({'ok': True}))
        elif action == 'create-acl':
            topic, principal, operation, permission, *rest = args
            pattern = ACLResourcePatternType[rest[0]] if rest else ACLResourcePatternType.LITERAL
            admin = KafkaAdminClient(**security)
            acl = ACL(principal, '*', ACLOperation[operation], ACLPermissionType[permission], ResourcePattern(ResourceType.TOPIC, topic, pattern))
            result = admin.create_acls([acl])
            admin.close()
            print(json.dumps({'ok': not result['failed'], 'created': len(result['succeeded']), 'failed': [str(e) for _, e in result['failed']]}))
        elif action == 'describe-acls':
            admin = KafkaAdminClient(**security)
            acls, error = admin.describe_acls(ACLFilter(args[0], '*', ACLOperation.ANY, ACLPermissionType.ANY, ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
            admin.close()
            print(json.dumps({'ok': True, 'acls': sorted([[a.resource_pattern.resource_name, a.operation.name, a.permission_type.name, a.resource_pattern.pattern_type.name] for a in acls])}))
        elif action == 'delete-acls':
            topic, principal = args
            admin = KafkaAdminClient(**security)
            result = admin.delete_acls([ACLFilter(principal, '*', ACLOperation.ANY, ACLPermissionType.ANY, ResourcePatternFilter(ResourceType.TOPIC, topic, ACLResourcePatternType.ANY))])
            admin.close()
            deleted = sum(len(matches) for _, matches, _ in result)
            print(json.dumps({'ok': True, 'deleted': deleted}))
        else:
            raise SystemExit('unknown action ' + action)
    except KafkaError as error:
        print(json.dumps({'ok': False, 'error': type(error).__name__, 'message': str(error)}))


main()
