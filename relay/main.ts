/**
 * Entry point: read the configuration, start the relay, print one `listening`
 * line (tests and scripts wait for it), and on SIGTERM or SIGINT store
 * everything and exit 0.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from '../server/log.js';
import { startRelay } from './server.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
const log = createLogger(config.logLevel, { name: 'relay' });
const relay = await startRelay(config, log).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${relay.port}`;
process.stdout.write(
  `${JSON.stringify({ event: 'listening', port: relay.port, previewPort: relay.previewPort, url, dataDir: config.dataDir })}\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info('relay.stopping', { signal });
    relay.close().then(
      async () => {
        await log.flush();
        process.exit(0);
      },
      async (error: unknown) => {
        log.error('relay.stop_failed', { err: error });
        await log.flush();
        process.exit(1);
      },
    );
  });
}
