/**
 * Relays sharing rooms, for tests: a real PostgreSQL and a real Redis, and
 * relay processes on both. The first relay makes the secrets; the others share
 * its data directory for them (as relays behind one proxy share TANDEM_SECRET).
 */
import { requireOrSkip } from '../../scripts/requireTool.js';
import { removeDataDir, startRelay, type RelayProcess, type StartOptions } from './harness.js';
import { postgresBin, startPostgres, type PostgresServer } from './postgres.js';
import { redisAvailable, startRedis, type RedisServer } from './redis.js';

/** Whether a suite of relays sharing rooms must skip (false under CI=true: it fails instead). */
export const skipCluster = (): boolean =>
  requireOrSkip('PostgreSQL and Redis', postgresBin() !== null && redisAvailable());

export interface Cluster {
  postgres: PostgresServer;
  /** Replaced by a test that restarts Redis (on the same port). */
  redis: RedisServer;
  databaseUrl: string;
  relays: RelayProcess[];
  /** Another relay on the same database, Redis and secrets. */
  addRelay(options?: StartOptions): Promise<RelayProcess>;
  stop(): Promise<void>;
}

export async function startCluster(relayCount: number, env: Record<string, string> = {}): Promise<Cluster> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.database();
  const shared = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ...env };
  const relays = [await startRelay({ env: shared })];
  const { dataDir } = relays[0]!;
  const addRelay = async (options: StartOptions = {}) => {
    const relay = await startRelay({ ...options, env: { ...shared, ...options.env }, dataDir });
    relays.push(relay);
    return relay;
  };
  await Promise.all(Array.from({ length: relayCount - 1 }, () => addRelay()));
  const cluster: Cluster = {
    postgres,
    redis,
    databaseUrl,
    relays,
    addRelay,
    async stop() {
      for (const relay of relays) await relay.stop();
      removeDataDir(dataDir);
      await cluster.redis.stop();
      await postgres.stop();
    },
  };
  return cluster;
}
