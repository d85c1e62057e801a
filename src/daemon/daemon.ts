import Database from 'better-sqlite3';
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { release } from 'node:os';
import { newId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import { createApiServer } from '../api/http-server.js';
import { Router } from '../api/router.js';
import { containerRoutes } from '../api/routes/container-routes.js';
import { networkRoutes } from '../api/routes/network-routes.js';
import { NetworkManager } from '../network/network-manager.js';
import { NetworkStore } from '../network/network-store.js';
import { runIpBatch, runIpBatchForce } from '../sys/ip-batch.js';
import { createNetHost } from '../sys/net-host.js';
import { reservePort } from '../sys/net-ports.js';
import { createNetnsDriver } from '../sys/netns.js';
import { runNft } from '../sys/nft.js';
import { containerStreamRoutes } from '../api/routes/container-stream-routes.js';
import { execRoutes } from '../api/routes/exec-routes.js';
import { volumeRoutes } from '../api/routes/volume-routes.js';
import { archiveRoutes } from '../api/routes/archive-routes.js';
import { imageArchiveRoutes } from '../api/routes/image-archive-routes.js';
import { VolumeStore } from '../volume/volume-store.js';
import { VolumeService } from '../volume/volume-service.js';
import { kernelHasRecursiveReadOnly } from '../volume/runtime-mounts.js';
import { mountOverlay, unmountOverlay } from '../sys/overlay-mount.js';
import { ExecService } from '../container/exec-service.js';
import { containerLogLimits } from '../container/log-file.js';
import { hostIsolationDeps } from '../container/security-opts-defaults.js';
import { buildRoutes } from '../api/routes/build-routes.js';
import { commitRoutes } from '../api/routes/commit-routes.js';
import { Builder } from '../build/builder.js';
import { containerStatsRoutes } from '../api/routes/container-stats-routes.js';
import { imageRoutes } from '../api/routes/image-routes.js';
import { pullHandler, registryRoutes } from '../api/routes/registry-routes.js';
import { RegistryService } from '../registry/client/registry-service.js';
import { eventRoutes } from '../api/routes/event-routes.js';
import { systemRoutes } from '../api/routes/system-routes.js';
import { ContainerService } from '../container/container-service.js';
import { ContainerStore } from '../container/container-store.js';
import { createStartPreparer } from '../container/start-preparer.js';
import { ContentStore } from '../image/content-store.js';
import { ImageStore } from '../image/image-store.js';
import { LayerStore } from '../storage/layer-store.js';
import { createMonitorDriver } from '../sys/monitor.js';
import { createStatsHost } from '../sys/cgroup-stats.js';
import { findExecutable } from '../sys/find-executable.js';
import { socketGroupWarning, type DaemonOptions } from './daemon-options.js';
import { createUsernsSupport } from './userns-wiring.js';
import { systemDfRoutes } from '../api/routes/system-df-route.js';
import { distributionRoutes } from '../api/routes/distribution-routes.js';
import { summaryShape as containerSummaryShape } from '../api/container-shape.js';
import { digestHex } from '../base/digest.js';
import { listenTcpTls } from './tcp-listeners.js';

export interface RunningDaemon {
  server: Server;
  close(): Promise<void>;
}

/** A stable daemon ID kept in the data root, as dockerd keeps its engine ID. */
function daemonId(dataRoot: string): string {
  const file = join(dataRoot, 'engine-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = newId();
  writeFileSync(file, id + '\n');
  return id;
}

/** Refuses to run two daemons on one exec root (they would fight over runc state and sockets). */
function claimPidFile(path: string): void {
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes('skiffd')) throw new Error(`another skiffd (pid ${pid}) is using ${path}`);
      } catch (err) {
        if ((err as Error).message.startsWith('another skiffd')) throw err;
      }
    }
  }
  writeFileSync(path, `${process.pid}\n`);
}

/** The composition root: the only place that picks concrete parts and wires them together. */
export async function startDaemon(opts: DaemonOptions, log: Logger): Promise<RunningDaemon> {
  const { dataRoot, execRoot } = opts;
  await mkdir(dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(execRoot, { recursive: true, mode: 0o700 });
  const runtimeRoot = join(execRoot, 'runc');
  await mkdir(runtimeRoot, { recursive: true, mode: 0o700 });
  const pidFile = join(execRoot, 'skiffd.pid');
  claimPidFile(pidFile);
  const runtimePath = opts.runtimePath || findExecutable('runc');
  if (!runtimePath) throw new Error('runc was not found on PATH; install it (scripts/install-deps)');

  const db = new Database(join(dataRoot, 'skiff.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');

  const content = new ContentStore(dataRoot);
  const layers = new LayerStore(dataRoot, db);
  const images = new ImageStore(db, content, layers);
  await images.cleanupTemp();

  const monitor = createMonitorDriver({
    logLimits: (id) => {
      const rec = containerStore.get(id);
      return rec ? containerLogLimits(rec.wire.hostConfig) : undefined;
    },
  });
  const containerStore = new ContainerStore(db);
  const networks: NetworkManager = new NetworkManager({
    store: new NetworkStore(db),
    netns: createNetnsDriver(),
    ipBatch: runIpBatch,
    ipBatchForce: runIpBatchForce,
    nft: runNft,
    host: createNetHost(),
    reservePort,
    execRoot,
    log: log.child({ component: 'network' }),
    lookupContainer: (ref) => containers.resolve(ref),
  });
  networks.init();
  const volumes: VolumeService = new VolumeService({
    store: new VolumeStore(dataRoot, db),
    containers: () => containers.list(),
    resolveContainer: (ref) => containers.resolve(ref),
    saveSpec: (id, spec) => containerStore.saveSpec(id, spec),
    recursiveReadOnly: kernelHasRecursiveReadOnly(release()),
    log: log.child({ component: 'volumes' }),
  });
  await volumes.store.reconcile();
  const userns = createUsernsSupport({
    dataRoot,
    execRoot,
    ...(opts.usernsRemap !== undefined ? { usernsRemap: opts.usernsRemap } : {}),
    containers: () => containers.list(),
    saveSpec: (id, spec) => containerStore.saveSpec(id, spec),
    volumeDir: (n) => volumes.store.dataDir(n),
    log: log.child({ component: 'userns' }),
  });
  const containers: ContainerService = new ContainerService({
    store: containerStore,
    monitor,
    hooks: [
      { released: (rec) => networks.release(rec), removed: (rec) => networks.removed(rec) },
      { released: (rec) => execs.released(rec), removed: (rec) => execs.removed(rec) },
      { removed: (rec, o) => volumes.onRemoved(rec, o?.removeVolumes === true) },
      { released: (rec) => userns.released(rec), removed: (rec) => userns.removed(rec) },
    ],
    prepareStart: createStartPreparer({
      layerDirs: (id) => images.layerDirs(id),
      lookupContainer: (ref) => containers.resolve(ref),
      network: networks,
      volumes,
      isolation: hostIsolationDeps({ seccompProfilePath: opts.seccompProfile }),
      userns,
    }),
    dataRoot,
    execRoot,
    runtimePath,
    runtimeRoot,
    log: log.child({ component: 'containers' }),
  });
  const execs: ExecService = new ExecService({ containers, monitor, execRoot, runtimePath, runtimeRoot, log: log.child({ component: 'exec' }) });
  containers.events.on('event', (e) => {
    if (e.action === 'create') volumes.onCreated(containers.resolve(e.id));
  });
  // Shifted layer copies and user namespace files of containers gone while skiffd was down.
  await userns.cleanupLayers(new Set(layers.list().map((l) => digestHex(l.chainId))));
  await userns.reconcileFiles((id) => ['running', 'paused', 'restarting'].includes(containers.list().find((c) => c.id === id)?.state.status ?? ''));
  // Networks first: a container the next step restarts by policy must find its namespace intact.
  await networks.reconcile((id) => {
    const st = containers.list().find((c) => c.id === id)?.state.status;
    return st === 'running' || st === 'paused' || st === 'restarting';
  });
  await containers.reconcile();
  await execs.reconcile();

  const router = new Router();
  router.add(
    systemRoutes({
      daemonId: daemonId(dataRoot),
      dataRoot,
      runtimePath,
      cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
      userns: userns.remapEnabled,
      counts: () => {
        const all = containers.list();
        const running = all.filter((c) => c.state.status === 'running').length;
        const paused = all.filter((c) => c.state.status === 'paused').length;
        return { containers: all.length, running, paused, stopped: all.length - running - paused, images: images.list().length };
      },
    }),
  );
  const registry = new RegistryService({
    images,
    db,
    dataRoot,
    insecureRegistries: opts.insecureRegistries,
    certsDir: opts.registryCertsDir,
    log: log.child({ component: 'registry' }),
  });
  router.add(registryRoutes({ registry, events: containers.eventLog }));
  router.add(
    systemDfRoutes({
      images,
      layers,
      containers,
      containerSummary: (rec) => containerSummaryShape(rec, Date.now(), networks.view(rec), dataRoot),
      volumes: { list: () => volumes.store.list(), shape: (v) => volumes.shape(v), users: (n) => volumes.users(n), dataDir: (n) => volumes.store.dataDir(n) },
    }),
  );
  router.add(distributionRoutes({ registry }));
  router.add(
    imageRoutes({
      images,
      events: containers.eventLog,
      pull: pullHandler({ registry, events: containers.eventLog }),
      imageInUse: (imageId) => {
        const users = containers.list().filter((c) => c.spec.imageId === imageId);
        const user = users.find((c) => c.state.status === 'running') ?? users[0];
        return user ? { containerId: user.id, running: user.state.status === 'running' } : undefined;
      },
    }),
  );
  router.add(containerRoutes({ containers, images, dataRoot, networkView: (rec) => networks.view(rec), checkCreate: (spec) => userns.checkCreate(spec.host) }));
  router.add(
    networkRoutes({
      networks,
      containerName: (id) => containers.list().find((c) => c.id === id)?.name ?? id,
    }),
  );
  router.add(containerStreamRoutes({ containers, monitor }));
  router.add(execRoutes({ execs }));
  router.add(eventRoutes({ eventLog: containers.eventLog }));
  router.add(containerStatsRoutes({ containers, host: createStatsHost() }));
  router.add(
    buildRoutes({
      builder: new Builder({
        containers,
        images,
        layers,
        tmpDir: join(dataRoot, 'tmp'),
        idMapOf: (rec) => userns.existingIdMapFor(rec),
        log: log.child({ component: 'builder' }),
      }),
    }),
  );
  router.add(
    commitRoutes({
      containers: { resolve: (ref) => containers.resolve(ref), paths: (id) => containers.paths(id), idMapOf: (rec) => userns.existingIdMapFor(rec) },
      images,
      layers,
    }),
  );
  router.add(volumeRoutes({ volumes, events: containers.eventLog }));
  router.add(
    archiveRoutes({
      containers,
      images,
      volumeDir: (n) => volumes.store.dataDir(n),
      tmpDir: join(dataRoot, 'tmp'),
      overlay: { mount: mountOverlay, unmount: unmountOverlay },
      userns,
    }),
  );
  router.add(imageArchiveRoutes({ images, content, layers, tmpDir: join(dataRoot, 'tmp'), events: containers.eventLog }));

  const server = createApiServer(router, log.child({ component: 'api' }));
  await rm(opts.socketPath, { force: true });
  await mkdir(join(opts.socketPath, '..'), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  chmodSync(opts.socketPath, 0o660);
  if (opts.socketGroup) {
    chownSync(opts.socketPath, 0, opts.socketGroup.gid);
    log.warn(socketGroupWarning(opts.socketGroup.name));
  }
  log.info('API listening', { socket: opts.socketPath, dataRoot, execRoot });
  const tcpServers = await listenTcpTls(router, opts.tcp ?? [], log.child({ component: 'api' }));

  let closed = false;
  return {
    server,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        [server, ...tcpServers].map(
          (srv) =>
            new Promise<void>((resolve) => {
              srv.close(() => resolve());
              srv.closeAllConnections();
            }),
        ),
      );
      containers.close();
      execs.close();
      await networks.close();
      db.close();
      await unlink(opts.socketPath).catch(() => {});
      await unlink(pidFile).catch(() => {});
      log.info('daemon stopped; running containers keep running under their monitors');
    },
  };
}
