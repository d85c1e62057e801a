import { createLogger } from '../base/log.js';
import { startDaemon } from './daemon.js';
import { daemonUsage, parseDaemonOptions } from './daemon-options.js';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseDaemonOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`skiffd: ${(err as Error).message}\nSee 'skiffd --help'.\n`);
    process.exit(125);
  }
  if (opts === 'help') {
    process.stdout.write(daemonUsage);
    return;
  }
  const log = createLogger(opts.logLevel);
  if (process.getuid?.() !== 0) {
    log.error('skiffd needs to be started as root');
    process.exit(1);
  }
  let daemon;
  try {
    daemon = await startDaemon(opts, log);
  } catch (err) {
    log.error('failed to start daemon', { err });
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    void daemon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
