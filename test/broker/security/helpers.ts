/**
 * A secured embedded cluster for the security tests: a listener protocol, users with SCRAM credentials,
 * optionally the authorizer, on random ports in a temporary data dir; the broker's warnings (refusals)
 * and errors are kept so a test can check what was logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { createLogger } from '../../../electron/broker/server/logger';
import type { SecurityProtocol } from '../../../electron/broker/security/security-config';
import { run, type RunResult } from '../clients/helpers';

export interface SecuredCluster {
  cluster: EmbeddedCluster;
  bootstrap: string;
  caLocation: string;
  dataDir: string;
  /** WARN and ERROR lines the brokers logged. */
  warnings: string[];
  errors: string[];
  close(): Promise<void>;
}

export const USERS = [
  { name: 'admin', password: 'admin-secret' },
  { name: 'alice', password: 'alice-secret' },
  { name: 'bob', password: 'bob-secret' },
];

export async function startSecuredCluster(
  options: { protocol?: SecurityProtocol; brokers?: number; acl?: boolean; config?: Record<string, string>; dataDir?: string } = {},
): Promise<SecuredCluster> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kd-security-'));
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = createLogger({ level: 'warn', write: (line) => (line.includes(' ERROR ') ? errors : warnings).push(line) });
  const config: Record<string, string> = { listeners: `${options.protocol ?? 'SASL_SSL'}://127.0.0.1:0`, ...options.config };
  if (options.acl) {
    config['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    config['super.users'] = 'User:admin';
    config['allow.everyone.if.no.acl.found'] = 'false';
  }
  const cluster = await EmbeddedCluster.start({ brokers: options.brokers ?? 1, basePort: 0, dataDir, logger, config, users: USERS });
  return {
    cluster,
    bootstrap: cluster.bootstrapServers(),
    caLocation: cluster.caLocation ?? '',
    dataDir,
    warnings,
    errors,
    async close() {
      await cluster.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** kcat's -X options for a SASL user over the cluster's listener. */
export function kcatSecurity(t: SecuredCluster, mechanism: string, user: string, password: string): string[] {
  const protocol = t.cluster.security.settings.protocol;
  const args = ['-X', `security.protocol=${protocol}`];
  if (t.cluster.security.settings.tls) args.push('-X', `ssl.ca.location=${t.caLocation}`);
  if (t.cluster.security.settings.sasl) args.push('-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`);
  return args;
}

export function runKcat(bootstrap: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run('/usr/bin/kcat', ['-b', bootstrap, ...args], options);
}
