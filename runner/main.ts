/**
 * Entry point of a runner: reap containers a previous run of this runner left,
 * watch which languages can run, keep a link to the relay and execute its jobs.
 * SIGTERM or SIGINT kills running jobs (through the Docker API), removes every
 * container of this process, and exits 0.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ConfigError, loadRunnerConfig, runnerToken } from './config.js';
import { watchAvailability, watchImage } from './availability.js';
import { ImageBuilder } from './imageBuilds.js';
import { builtImage } from './languages.js';
import { WorkspaceHost } from './workspace/WorkspaceHost.js';
import { hostNpmRegistry, RegistryProxy } from './workspace/RegistryProxy.js';
import { SandboxExecutor } from './executor.js';
import { RelayLink } from './relayLink.js';
import { reapLeftovers, RUNNER_INSTANCE } from './sandbox/index.js';
import { createLogger } from '../server/log.js';

let config;
let token;
try {
  config = loadRunnerConfig();
  token = runnerToken(config);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(config.logLevel, { name: 'runner' });
const docker = new Docker();
const sandbox = {
  runnerName: config.runnerId,
  ...(config.runtime ? { runtime: config.runtime } : {}),
  ...(config.seccompProfile ? { seccompProfile: config.seccompProfile } : {}),
};
try {
  const reaped = await reapLeftovers(docker, { runnerName: config.runnerId });
  if (reaped > 0) logger.info('runner.reaped', { containers: reaped });
} catch (error) {
  logger.warn('runner.reap_failed', { err: error });
}

const executor = new SandboxExecutor(docker, {
  poolSize: config.poolSize,
  sandbox,
  onPoolError: (language, message, retryInMs) =>
    logger.warn('runner.pool_error', { language, message, retryInMs }),
});
const link = new RelayLink({
  relayUrl: config.relayUrl,
  token,
  runnerId: config.runnerId,
  capacity: config.capacity,
  executor,
  log: logger,
});
const workspaceImage = config.workspaceImage ?? builtImage('workspace');
const cacheDir = config.npmCacheDir ?? join(tmpdir(), 'tandem-npm-cache');
const npm = new RegistryProxy({
  registry: config.npmRegistry === 'auto' ? hostNpmRegistry() : config.npmRegistry,
  cacheDir,
  log: logger,
});
const pip = new RegistryProxy({ registry: config.pipIndex, flavor: 'pip', cacheDir, log: logger });
logger.info('runner.package_indexes', { npm: npm.registry ?? 'off', pip: pip.registry ?? 'off' });
const workspaces = new WorkspaceHost({
  docker,
  image: workspaceImage,
  capacity: config.workspacesMax,
  sandbox,
  send: (message) => link.send(message),
  log: logger,
  previewRoot: config.previewSocketsDir ?? join(tmpdir(), `tandem-previews-${RUNNER_INSTANCE.slice(0, 8)}`),
  registries: [npm, pip],
});
link.attachWorkspaces(workspaces);
const stopWatchingLanguages = watchAvailability(docker, (languages) => {
  logger.info('runner.languages', { languages });
  executor.setLanguages(languages);
  link.setLanguages(languages);
});
const stopWatchingWorkspaces = watchImage(docker, workspaceImage, (present) => {
  logger.info('runner.workspaces', { image: workspaceImage, present, capacity: config.workspacesMax });
  workspaces.setAvailable(present);
});
const images = new ImageBuilder({
  docker,
  workspaceImage,
  log: logger,
  onChange: (builds) => link.setPreparing(builds),
});
if (config.buildImages) {
  images.start().catch((error: unknown) => logger.warn('runner.images_failed', { err: error }));
}
const stopWatching = () => {
  images.stop();
  stopWatchingLanguages();
  stopWatchingWorkspaces();
};
link.start();
process.stdout.write(
  `${JSON.stringify({ event: 'runner-started', runnerId: config.runnerId, relay: config.relayUrl })}\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stopWatching();
    Promise.all([link.stop(), executor.close()])
      // Jobs still running (and any container not yet removed) go with this process.
      .then(() =>
        reapLeftovers(docker, {
          runnerName: config.runnerId,
          onlyInstance: RUNNER_INSTANCE,
          keepInstance: '',
        }),
      )
      .then(
        async () => {
          await logger.flush();
          process.exit(0);
        },
        async (error: unknown) => {
          logger.error('runner.stop_failed', { err: error });
          await logger.flush();
          process.exit(1);
        },
      );
  });
}
