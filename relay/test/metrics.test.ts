/**
 * `GET /metrics` of a real relay: behind its token (off without one), in
 * Prometheus' text format, and moving with what clients do: a join, an edit,
 * a refused join, a close, stored updates, Node's own figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptUpgrade, connectSynced, readMetrics, waitFor, yjsUrl } from './clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import { addFile } from '../../shared/schema/project.js';

const TOKEN = 'metrics-token-for-the-test';

describe('GET /metrics', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_METRICS_TOKEN: TOKEN } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('answers only with the token', async () => {
    expect((await fetch(`${relay.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts joins, messages by type, refusals, closes and stored updates', async () => {
    const before = await readMetrics(relay.url, TOKEN);
    const at = (samples: Map<string, number>, name: string) => samples.get(name) ?? 0;
    const room = await createRoom(relay.url, { template: 'empty' });
    const peer = await connectSynced(relay.wsUrl, room.roomId, room.token);
    addFile(peer.doc, 'main.py', 'print(1)\n');
    await waitFor(
      async () =>
        at(await readMetrics(relay.url, TOKEN), 'tandem_store_seconds_count') >
        at(before, 'tandem_store_seconds_count'),
      'the edit stored',
    );
    const during = await readMetrics(relay.url, TOKEN);
    expect(at(during, 'tandem_connections')).toBe(1);
    expect(at(during, 'tandem_rooms_loaded')).toBeGreaterThanOrEqual(1);
    expect(at(during, 'tandem_messages_received_total{type="Sync"}')).toBeGreaterThan(
      at(before, 'tandem_messages_received_total{type="Sync"}'),
    );
    expect(at(during, 'tandem_message_bytes_received_total{type="Sync"}')).toBeGreaterThan(0);
    expect(during.has('tandem_nodejs_eventloop_lag_seconds')).toBe(true);
    for (const gauge of [
      'tandem_workspaces',
      'tandem_previews',
      'tandem_runners',
      'tandem_run_queue_length',
    ]) {
      expect(at(during, gauge), gauge).toBe(0);
      expect(during.has(gauge), gauge).toBe(true);
    }

    const refused = await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, 'not-a-token'));
    expect(refused.status).toBe(401);
    peer.provider.destroy();
    await waitFor(
      async () => at(await readMetrics(relay.url, TOKEN), 'tandem_connections') === 0,
      'the close',
    );
    const after = await readMetrics(relay.url, TOKEN);
    expect(at(after, 'tandem_joins_refused_total{code="unauthorised"}')).toBe(
      at(before, 'tandem_joins_refused_total{code="unauthorised"}') + 1,
    );
    const closes = [...after].filter(([name]) => name.startsWith('tandem_connections_closed_total{'));
    expect(closes.reduce((sum, [, value]) => sum + value, 0)).toBeGreaterThanOrEqual(1);
    // Labels are names and codes, never a room id or a token.
    for (const name of after.keys()) {
      expect(name).not.toContain(room.roomId);
      expect(name).not.toContain(room.token);
    }
  });
});

describe('GET /metrics without a token configured', () => {
  it('does not exist', async () => {
    const relay = await startRelay();
    try {
      const answer = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(answer.status).toBe(404);
    } finally {
      await relay.stop();
      removeDataDir(relay.dataDir);
    }
  });
});
