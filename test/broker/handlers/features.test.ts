// Feature versioning (KIP-584): the supported and finalized features in ApiVersions and UpdateFeatures
// (57), on the wire with the generated codec and with @platformatic/kafka's own codec, per release played.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, apiVersionsV4, updateFeaturesV1 } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { silentLogger } from '../../../electron/broker/server/logger';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { ApiVersions, UpdateFeatures, type UpdateFeaturesRequest } from '../../../electron/kafka/protocol/generated/index';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';
import { RawClient } from './raw-client';

const open: Array<{ cluster: EmbeddedCluster; dataDir: string; raw: RawClient[] }> = [];

async function start(release: KafkaReleaseId | null, dataDir = mkdtempSync(join(tmpdir(), 'kd-features-'))) {
  const cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: silentLogger, kafkaVersion: release });
  const entry = { cluster, dataDir, raw: [] as RawClient[] };
  open.push(entry);
  const raw = await RawClient.open(cluster.bootstrapServers());
  entry.raw.push(raw);
  return { cluster, raw, dataDir };
}

async function stop(cluster: EmbeddedCluster): Promise<void> {
  const entry = open.find((e) => e.cluster === cluster)!;
  for (const client of entry.raw) client.close();
  entry.raw = [];
  await cluster.close();
  open.splice(open.indexOf(entry), 1);
}

afterAll(async () => {
  for (const { cluster, dataDir, raw } of open) {
    for (const client of raw) client.close();
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const apiVersions = (raw: RawClient, version: number) => raw.call(ApiVersions, version, { clientSoftwareName: 'features-test', clientSoftwareVersion: '1' });
const finalized = async (raw: RawClient) => Object.fromEntries((await apiVersions(raw, 3)).finalizedFeatures.map((f) => [f.name, f.maxVersionLevel]));

function update(
  raw: RawClient,
  version: number,
  updates: Array<{ feature: string; level: number; upgradeType?: number; allowDowngrade?: boolean }>,
  validateOnly = false,
) {
  const body: UpdateFeaturesRequest = {
    timeoutMs: 60000,
    validateOnly,
    featureUpdates: updates.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.level,
      upgradeType: u.upgradeType ?? 1,
      allowDowngrade: u.allowDowngrade ?? false,
    })),
  };
  return raw.call(UpdateFeatures, version, body);
}

describe('features as a KRaft cluster of the newest release (no release played)', () => {
  it('ApiVersions v4 lists the supported ranges and finalized levels of Kafka 4.1; v3 leaves out features whose minimum is 0 (KAFKA-17492)', async () => {
    const { raw } = await start(null);
    const v4 = await apiVersions(raw, 4);
    expect(v4.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion])).toEqual([
      ['eligible.leader.replicas.version', 0, 1],
      ['group.version', 0, 1],
      ['kraft.version', 0, 1],
      ['metadata.version', 7, 27],
      ['share.version', 0, 1],
      ['streams.version', 0, 1],
      ['transaction.version', 0, 2],
    ]);
    // Level 0 (kraft.version, share.version, streams.version) is not finalized, so not listed.
    expect(v4.finalizedFeatures.map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel])).toEqual([
      ['eligible.leader.replicas.version', 1, 1],
      ['group.version', 1, 1],
      ['metadata.version', 27, 27],
      ['transaction.version', 2, 2],
    ]);
    expect(v4.finalizedFeaturesEpoch).toBe(0n);
    const v3 = await apiVersions(raw, 3);
    expect(v3.supportedFeatures.map((f) => f.name)).toEqual(['metadata.version']);
    expect(v3.finalizedFeatures).toEqual(v4.finalizedFeatures);
    expect((await apiVersions(raw, 2)).finalizedFeatures).toEqual([]);
  });

  it('downgrades and upgrades as the KRaft controller validates them: all or nothing, persisted, a new epoch', async () => {
    const { cluster, raw, dataDir } = await start(null);
    // An upgrade-type update cannot lower a level.
    const refused = await update(raw, 1, [{ feature: 'group.version', level: 0 }]);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(refused.errorMessage).toMatch(/group\.version.*Can't downgrade the version of this feature without setting the upgrade type/);
    expect(refused.results).toEqual([]);
    // One bad update fails the others: nothing changes.
    const mixed = await update(raw, 1, [
      { feature: 'group.version', level: 0, upgradeType: 2 },
      { feature: 'no.such.feature', level: 1 },
    ]);
    expect(mixed.errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(mixed.errorMessage).toMatch(/^The update failed for all features since the following feature had an error: .*no\.such\.feature/);
    expect((await finalized(raw))['group.version']).toBe(1);
    // validateOnly answers without changing.
    const validated = await update(raw, 1, [{ feature: 'group.version', level: 0, upgradeType: 2 }], true);
    expect(validated.errorCode).toBe(ErrorCode.NONE);
    expect((await finalized(raw))['group.version']).toBe(1);
    // A safe downgrade to 0 removes it from the finalized list; v1 answers one result per feature.
    const done = await update(raw, 1, [{ feature: 'group.version', level: 0, upgradeType: 2 }]);
    expect(done).toMatchObject({ errorCode: ErrorCode.NONE, results: [{ feature: 'group.version', errorCode: ErrorCode.NONE }] });
    const after = await apiVersions(raw, 4);
    expect(after.finalizedFeatures.map((f) => f.name)).not.toContain('group.version');
    expect(after.finalizedFeaturesEpoch).toBe(1n);
    expect(cluster.controller.features.level('group.version')).toBe(0);
    // metadata.version: 4.1-IV1 -> 4.0-IV3 crosses levels that changed the metadata: refused, safe or unsafe.
    const safe = await update(raw, 2, [{ feature: 'metadata.version', level: 25, upgradeType: 2 }]);
    expect(safe.errorMessage).toMatch(
      /Invalid metadata\.version 25\. Refusing to perform the requested downgrade because it might delete metadata information\./,
    );
    const unsafe = await update(raw, 2, [{ feature: 'metadata.version', level: 25, upgradeType: 3 }]);
    expect(unsafe.errorMessage).toMatch(/Unsafe metadata downgrade is not supported/);
    expect(await update(raw, 2, [{ feature: 'metadata.version', level: 28 }])).toMatchObject({ errorCode: ErrorCode.INVALID_UPDATE_VERSION });
    // ELR and kraft.version: levels out of range, an unknown upgrade type.
    expect((await update(raw, 2, [{ feature: 'kraft.version', level: 2 }])).errorMessage).toMatch(/only supports versions 0-1/);
    expect((await update(raw, 2, [{ feature: 'transaction.version', level: 1, upgradeType: 7 }])).errorMessage).toMatch(
      /does not support the given upgrade type/,
    );
    // v2 answers no per-feature results.
    const v2 = await update(raw, 2, [{ feature: 'group.version', level: 1 }]);
    expect(v2).toMatchObject({ errorCode: ErrorCode.NONE, results: [] });
    await update(raw, 2, [{ feature: 'transaction.version', level: 1, upgradeType: 2 }]);

    // Persisted in the cluster metadata: a restart keeps the levels and the epoch.
    await stop(cluster);
    const again = await start(null, dataDir);
    expect(await finalized(again.raw)).toMatchObject({ 'transaction.version': 1, 'group.version': 1 });
    expect((await apiVersions(again.raw, 4)).finalizedFeaturesEpoch).toBe(3n);
  });

  it("@platformatic/kafka's own codec reads the features and updates one (ApiVersions v4, UpdateFeatures v1)", async () => {
    const { cluster } = await start(null);
    const [host, port] = cluster.bootstrapServers().split(':');
    const connection = new Connection('features-test');
    try {
      await connection.connect(host!, Number(port));
      const versions = await apiVersionsV4.api.async(connection, 'features-test', '1');
      expect(versions.finalizedFeatures).toContainEqual({ name: 'transaction.version', maxVersionLevel: 2, minVersionLevel: 2 });
      const answer = await updateFeaturesV1.api.async(connection, 30000, [{ feature: 'transaction.version', maxVersionLevel: 0, upgradeType: 2 }], false);
      expect(answer.errorCode).toBe(0);
      const after = await apiVersionsV4.api.async(connection, 'features-test', '1');
      expect((after.finalizedFeatures ?? []).map((f: { name: string }) => f.name)).not.toContain('transaction.version');
      expect(cluster.controller.features.level('transaction.version')).toBe(0);
    } finally {
      await connection.close();
    }
  });
});

describe('features of the releases played', () => {
  it('4.0: ELR supported but not finalized on a new cluster; metadata.version 3.3-IV3 to 4.0-IV3', async () => {
    const { raw } = await start('4.0');
    const v4 = await apiVersions(raw, 4);
    expect(v4.supportedFeatures.find((f) => f.name === 'metadata.version')).toMatchObject({ minVersion: 7, maxVersion: 25 });
    expect(await finalized(raw)).toEqual({ 'group.version': 1, 'metadata.version': 25, 'transaction.version': 2 });
    // ELR 1 needs metadata.version 4.0-IV1: granted here.
    expect((await update(raw, 1, [{ feature: 'eligible.leader.replicas.version', level: 1 }])).errorCode).toBe(ErrorCode.NONE);
    // A downgrade that crosses no metadata change is allowed (4.0-IV3 -> 4.0-IV1).
    expect((await update(raw, 1, [{ feature: 'metadata.version', level: 23, upgradeType: 2 }])).errorCode).toBe(ErrorCode.NONE);
    expect((await finalized(raw))['metadata.version']).toBe(23);
  });

  it('3.8 (ZooKeeper mode): metadata.version 1-20 finalized at 20 by the controller; each update applied or refused on its own', async () => {
    const { raw } = await start('3.8');
    const v3 = await apiVersions(raw, 3);
    expect(v3.supportedFeatures).toEqual([{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }]);
    expect(v3.finalizedFeatures).toEqual([{ name: 'metadata.version', minVersionLevel: 20, maxVersionLevel: 20 }]);
    expect(v3.finalizedFeaturesEpoch).toBe(0n);
    const answer = await update(raw, 1, [
      { feature: 'metadata.version', level: 19, upgradeType: 2 },
      { feature: 'group.version', level: 1 },
    ]);
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.results).toEqual([
      { feature: 'metadata.version', errorCode: ErrorCode.NONE, errorMessage: null },
      { feature: 'group.version', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/provided feature is not supported/) },
    ]);
    expect(await finalized(raw)).toEqual({ 'metadata.version': 19 });
    const same = await update(raw, 0, [{ feature: 'metadata.version', level: 19, allowDowngrade: true }]);
    expect(same.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/to the same value/) });
  });

  it('2.7: versioning without features; 2.6: no versioning, no UpdateFeatures', async () => {
    const v27 = await start('2.7');
    const answer = await apiVersions(v27.raw, 3);
    expect(answer).toMatchObject({ supportedFeatures: [], finalizedFeatures: [], finalizedFeaturesEpoch: 0n });
    expect(answer.apiKeys.find((k) => k.apiKey === UpdateFeatures.apiKey)).toEqual({ apiKey: 57, minVersion: 0, maxVersion: 0 });
    const v26 = await start('2.6');
    const old = await apiVersions(v26.raw, 3);
    expect(old).toMatchObject({ supportedFeatures: [], finalizedFeatures: [], finalizedFeaturesEpoch: -1n });
    expect(old.apiKeys.find((k) => k.apiKey === UpdateFeatures.apiKey)).toBeUndefined();
  });
});
