import { StatusError, type CommandDef } from '../command.js';
import type { Flags } from '../flags.js';

/**
 * `skiff registry serve` and `skiff registry gc`: the one command group that is not an API
 * client. It runs the registry server in this process (no skiffd needed) or collects garbage in
 * a registry's storage root. Server modules are imported only here, so other commands don't
 * load them.
 */
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(h|m|s|ms))+$/;

/** Go-style durations as docker users type them: "1h", "90m", "1h30m", "0s". */
export function parseDuration(s: string): number {
  if (!DURATION_RE.test(s)) throw new StatusError(125, `invalid duration "${s}": want e.g. 1h30m, 10m, 0s`);
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += Number(m[1]) * (unit[m[2] ?? 's'] ?? 0);
  return ms;
}

async function serve(ctx: Parameters<CommandDef['run']>[0], f: Flags): Promise<number> {
  const [{ loadConfigFile, resolveConfig, ConfigError }, { startRegistryServer }, { createLogger }] = await Promise.all([
    import('../../registry/server/registry-config.js'),
    import('../../registry/server/registry-server.js'),
    import('../../base/log.js'),
  ]);
  const opt = (name: string): string | undefined => (f.has(name) ? f.string(name) : undefined);
  let config;
  try {
    const file = opt('config') === undefined ? undefined : loadConfigFile(f.string('config'));
    config = resolveConfig(file, { addr: opt('addr'), root: opt('root'), htpasswd: opt('htpasswd'), tlsCert: opt('tls-cert'), tlsKey: opt('tls-key') });
  } catch (e) {
    if (e instanceof ConfigError) throw new StatusError(125, `skiff registry: ${e.message}`);
    throw e;
  }
  const level = f.string('log-level', 'info');
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new StatusError(125, `invalid log level ${level}`);
  const log = createLogger(level as 'info', (l) => void ctx.stderr.write(l), { component: 'registry' });
  const accessLog = createLogger('info', (l) => void ctx.stdout.write(l), { component: 'registry.access' });
  let verifier;
  if (config.auth.htpasswd !== undefined) {
    const { loadBcryptVerifier } = await import('../../registry/server/bcrypt-verifier.js');
    const loaded = await loadBcryptVerifier();
    log.info('bcrypt verifier', { source: loaded.source });
    verifier = loaded.verify;
  }
  const running = await startRegistryServer({ config, ...(verifier !== undefined ? { verifier } : {}), log, accessLog });
  await new Promise<void>((resolve) => {
    let stopping = false;
    // Handlers stay installed during shutdown so a second signal cannot kill the process while
    // uploads are finishing; the shutdown timeout bounds the wait instead.
    const stop = (signal: string) => {
      if (stopping) return void log.info('already shutting down', { signal });
      stopping = true;
      log.info('shutting down', { signal });
      void running.close().then(resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}

export const registryServeCommand: CommandDef = {
  name: 'registry serve',
  usage: 'registry serve [OPTIONS]',
  flags: [
    { name: 'addr', type: 'string' },
    { name: 'root', type: 'string' },
    { name: 'htpasswd', type: 'string' },
    { name: 'tls-cert', type: 'string' },
    { name: 'tls-key', type: 'string' },
    { name: 'config', type: 'string' },
    { name: 'log-level', short: 'l', type: 'string' },
  ],
  args: { max: 0 },
  run: serve,
};

export const registryGcCommand: CommandDef = {
  name: 'registry gc',
  usage: 'registry gc --root DIR [--grace 1h] [--upload-ttl 168h] [--dry-run]',
  flags: [
    { name: 'root', type: 'string' },
    { name: 'grace', type: 'string' },
    { name: 'upload-ttl', type: 'string' },
    { name: 'dry-run', type: 'bool' },
  ],
  args: { max: 0 },
  async run(ctx, f) {
    const root = f.string('root');
    if (root === '') throw new StatusError(125, 'skiff registry gc: --root is required');
    const { collectGarbage } = await import('../../registry/server/collect-garbage.js');
    const report = await collectGarbage({
      root,
      graceMs: parseDuration(f.string('grace', '1h')),
      uploadTtlMs: parseDuration(f.string('upload-ttl', '168h')),
      dryRun: f.bool('dry-run'),
    });
    const verb = f.bool('dry-run') ? 'would delete' : 'deleted';
    for (const d of report.blobsDeleted) ctx.out(`${verb} ${d}\n`);
    ctx.out(`scanned ${report.blobsScanned} blobs, ${verb} ${report.blobsDeleted.length} (${report.bytesFreed} bytes), removed ${report.uploadsRemoved} abandoned uploads\n`);
    return 0;
  },
};
