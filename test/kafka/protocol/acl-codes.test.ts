/**
 * The ACL and SCRAM codes of the wire library (one table for the broker and the app) against the
 * tables two real clients ship: @platformatic/kafka (every operation up to DESCRIBE_TOKENS, the USER
 * resource) and kafkajs (the older subset). A code that drifted would make the app and real clients
 * disagree about what an ACL grants.
 */
import { describe, expect, it } from 'vitest';
import * as kafkajs from 'kafkajs';
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka';
import { AclOperation, PatternType, PermissionType, ResourceType, ScramMechanismCode } from '../../../electron/kafka/protocol/acl-codes';
import { OPERATION_CODES, operationOf, RESOURCE_TYPE_CODES, SCRAM_MECHANISM_CODES } from '../../../electron/services/acls/codes';
import { ACL_OPERATIONS, ACL_RESOURCE_TYPES } from '../../../shared/model/acls';

/** Every name both tables hold has the same code in both. */
function expectSameCodes(ours: Readonly<Record<string, number>>, theirs: object): void {
  for (const [name, code] of Object.entries(theirs)) if (name in ours) expect([name, ours[name]]).toEqual([name, code]);
}

describe('ACL wire codes', () => {
  it("are @platformatic/kafka's, name for name", () => {
    expect(ResourceType).toEqual(ResourceTypes);
    expect(PatternType).toEqual(ResourcePatternTypes);
    expect(PermissionType).toEqual(AclPermissionTypes);
    // Its table also has KIP-939's TWO_PHASE_COMMIT (Kafka 4.0), an operation the embedded broker has no use for.
    expectSameCodes(AclOperation, AclOperations);
    expect(Object.keys(AclOperations).filter((name) => !(name in AclOperation))).toEqual(['TWO_PHASE_COMMIT']);
  });

  it("agree with kafkajs's older tables", () => {
    expectSameCodes(ResourceType, kafkajs.AclResourceTypes);
    expectSameCodes(PatternType, kafkajs.ResourcePatternTypes);
    expectSameCodes(AclOperation, kafkajs.AclOperationTypes);
    expectSameCodes(PermissionType, kafkajs.AclPermissionTypes);
    expect(Object.keys(kafkajs.AclOperationTypes).every((name) => name in AclOperation)).toBe(true);
  });

  it("give the app's names (not UNKNOWN or ANY) their codes, and back", () => {
    expect(Object.keys(RESOURCE_TYPE_CODES)).toEqual([...ACL_RESOURCE_TYPES]);
    expect(Object.keys(OPERATION_CODES)).toEqual([...ACL_OPERATIONS]);
    for (const name of ACL_OPERATIONS) expect(operationOf.get(OPERATION_CODES[name])).toBe(name);
    expect(operationOf.get(AclOperation.ANY)).toBeUndefined();
    // KIP-554: ScramMechanism 1 and 2 (0 is UNKNOWN).
    expect(SCRAM_MECHANISM_CODES).toEqual({ 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 });
    expect(ScramMechanismCode.UNKNOWN).toBe(0);
  });
});
