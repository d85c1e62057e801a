import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { EngineError, errnoCode, notFound, systemError } from '../base/engine-error.js';

/** The control socket a running container's monitor listens on. */
export const monitorSocketPath = (stateDir: string): string => join(stateDir, 'monitor.sock');

/**
 * Connect to a monitor's socket. A missing socket file or a refused connection both mean
 * "no monitor" (the monitor closes its listener as soon as the container has exited).
 */
export function connectMonitor(stateDir: string, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(monitorSocketPath(stateDir));
    const timer = setTimeout(() => {
      sock.destroy();
      reject(systemError(`timed out connecting to the container monitor in ${stateDir}`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        reject(notFound(`container monitor is not running (${stateDir})`, err));
      } else {
        reject(systemError(`cannot reach the container monitor: ${err.message}`, err));
      }
    });
  });
}

/** Send one command line and return the monitor's one reply line (without the newline). */
export async function monitorRequest(stateDir: string, command: string, timeoutMs = 5000): Promise<string> {
  const sock = await connectMonitor(stateDir, timeoutMs);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(systemError(`container monitor did not answer "${command}"`)), timeoutMs);
    const finish = (err: EngineError | undefined, line?: string) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) finish(undefined, text.slice(0, nl));
    });
    sock.on('end', () => {
      if (text === '') finish(notFound(`container monitor closed the connection (${stateDir})`));
      else finish(undefined, text.trimEnd());
    });
    sock.on('error', (err) => finish(systemError(`container monitor connection failed: ${err.message}`, err)));
    sock.write(`${command}\n`);
  });
}
