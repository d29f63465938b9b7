/**
 * A relay for one test file or `describe` block: started before its tests,
 * stopped and its data removed after. (Apart from harness.ts, which benchmarks
 * import too: this one needs vitest.)
 */
import { afterAll, beforeAll } from 'vitest';
import { removeDataDir, startRelay, type RelayProcess, type StartOptions } from './harness.js';

export interface SuiteRelay {
  /** The running relay (after a restart, the new process). */
  readonly current: RelayProcess;
  /** Stops it (SIGTERM) and starts it again on the same port and data, with `env` added. */
  restart(env?: Record<string, string>): Promise<RelayProcess>;
}

export function suiteRelay(options: StartOptions = {}): SuiteRelay {
  let relay: RelayProcess | undefined;
  beforeAll(async () => {
    relay = await startRelay(options);
  });
  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });
  return {
    get current() {
      if (!relay) throw new Error('the suite relay has not started');
      return relay;
    },
    async restart(env = {}) {
      const old = this.current;
      await old.stop();
      relay = await startRelay({
        ...options,
        env: { ...options.env, ...env },
        dataDir: old.dataDir,
        port: old.port,
      });
      return relay;
    },
  };
}
