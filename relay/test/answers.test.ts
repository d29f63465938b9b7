/**
 * Every route's answer against its schema in shared/api/answers.ts, on a real
 * relay: the schema must accept it, and parsing must give back the very same
 * body (a field the relay sends that the schema does not know would be dropped
 * and fail here, so the client's types cannot fall behind the relay's answers).
 * The runs routes with a real runner are checked in runner/test/relayRuns.test.ts.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  ClosedAnswer,
  CreatedRoomAnswer,
  EnvNamesAnswer,
  ErrorAnswer,
  FilesAnswer,
  HealthAnswer,
  IceAnswer,
  RestoreAnswer,
  RoomAnswer,
  RunAnswer,
  RunEvent,
  RunnersAnswer,
  SettingsAnswer,
  StoredRunsAnswer,
  TemplatesAnswer,
  TokenAnswer,
} from '../../shared/api/answers.js';
import { request, tokenFromLink } from './clients.js';
import { suiteRelay } from './suiteRelay.js';

const relay = suiteRelay({
  env: {
    TANDEM_ICE_URLS: 'stun:127.0.0.1:3478,turn:127.0.0.1:3478',
    TANDEM_TURN_SECRET: 'turn-secret-of-the-test-suite',
  },
});

/** Parses `body` with `schema` and expects nothing lost or changed. */
function fits(schema: v.GenericSchema, response: { status: number; body: unknown; text: string }) {
  expect(response.status, response.text).toBeLessThan(300);
  const result = v.safeParse(schema, response.body);
  expect(result.issues?.map((issue) => `${v.getDotPath(issue) ?? ''}: ${issue.message}`)).toBeUndefined();
  expect(result.output).toEqual(response.body);
}

describe('answers fit their schemas', () => {
  it('health, templates and runners', async () => {
    const url = relay.current.url;
    fits(HealthAnswer, await request(`${url}/healthz`));
    fits(TemplatesAnswer, await request(`${url}/api/templates`));
    fits(RunnersAnswer, await request(`${url}/api/runners`));
  });

  it('rooms, tokens, join, ice and files, for a pair and an interview room', async () => {
    const url = relay.current.url;
    for (const kind of ['pair', 'interview']) {
      const created = await request(`${url}/api/rooms`, {
        method: 'POST',
        body: { kind, template: 'python' },
      });
      fits(CreatedRoomAnswer, created);
      const { roomId, token, links } = v.parse(CreatedRoomAnswer, created.body);
      expect(links.interviewer !== undefined).toBe(kind === 'interview');
      const api = `${url}/api/rooms/${roomId}`;
      const minted = await request(`${api}/tokens`, { method: 'POST', token, body: { role: 'viewer' } });
      fits(TokenAnswer, minted);
      const joined = await request(`${api}/join`, {
        method: 'POST',
        token: tokenFromLink(links.edit),
        body: { name: 'Ada' },
      });
      fits(TokenAnswer, joined);
      fits(IceAnswer, await request(`${api}/ice`, { token }));
      fits(FilesAnswer, await request(`${api}/files`, { token }));
      fits(RoomAnswer, await request(api, { token }));
      fits(CreatedRoomAnswer, await request(`${api}/fork`, { method: 'POST', token, body: {} }));
    }
  });

  it('the owner’s controls answer with settings or with what they closed', async () => {
    const url = relay.current.url;
    const { roomId, token, links } = v.parse(
      CreatedRoomAnswer,
      (await request(`${url}/api/rooms`, { method: 'POST', body: {} })).body,
    );
    const api = `${url}/api/rooms/${roomId}`;
    const joined = await request(`${api}/join`, {
      method: 'POST',
      token: tokenFromLink(links.edit),
      body: { name: 'Bo' },
    });
    const guest = v.parse(TokenAnswer, joined.body).token;
    const guestId = v.parse(RoomAnswer, (await request(api, { token: guest })).body).you.userId;
    const ownerId = v.parse(RoomAnswer, (await request(api, { token })).body).you.userId;

    fits(SettingsAnswer, await request(api, { method: 'PATCH', token, body: { mode: 'classroom' } }));
    fits(SettingsAnswer, await request(`${api}/editors/${guestId}`, { method: 'PUT', token }));
    fits(SettingsAnswer, await request(`${api}/editors/${guestId}`, { method: 'DELETE', token }));
    const driver = await request(`${api}/driver`, {
      method: 'PUT',
      token,
      body: { userIds: [ownerId, guestId], minutes: 5 },
    });
    fits(SettingsAnswer, driver);
    expect(v.parse(SettingsAnswer, driver.body).settings.driver?.userIds).toEqual([ownerId, guestId]);
    fits(SettingsAnswer, await request(`${api}/driver`, { method: 'DELETE', token }));
    fits(ClosedAnswer, await request(`${api}/links/reset`, { method: 'POST', token }));
    fits(ClosedAnswer, await request(`${api}/kick`, { method: 'POST', token, body: { userId: guestId } }));
    fits(EnvNamesAnswer, await request(`${api}/env`, { token }));
    fits(StoredRunsAnswer, await request(`${api}/runs`, { token }));
    const history = (await request(`${api}/history`, { token })).body as { entries: { seq: number }[] };
    const seq = history.entries[0]!.seq;
    fits(RestoreAnswer, await request(`${api}/restore`, { method: 'POST', token, body: { seq } }));
    fits(CreatedRoomAnswer, await request(`${api}/history/fork`, { method: 'POST', token, body: { seq } }));
    fits(SettingsAnswer, await request(`${api}/end`, { method: 'POST', token }));
  });

  it('a run with no runner ends with its reason, as one answer or as NDJSON events', async () => {
    const url = relay.current.url;
    const { roomId, token } = v.parse(
      CreatedRoomAnswer,
      (await request(`${url}/api/rooms`, { method: 'POST', body: { template: 'python' } })).body,
    );
    const runs = `${url}/api/rooms/${roomId}/runs`;
    const run = await request(runs, { method: 'POST', token, body: { language: 'python' } });
    fits(RunAnswer, run);
    expect(v.parse(RunAnswer, run.body).reason).toBe('error');

    const response = await fetch(runs, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/x-ndjson',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ language: 'python' }),
    });
    const events = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(v.parse(RunEvent, event)).toEqual(event);
    expect(events.at(-1)).toMatchObject({ type: 'exit', reason: 'error' });
  });

  it('errors have one shape', async () => {
    const url = relay.current.url;
    for (const response of [
      await request(`${url}/api/rooms/nope/files`),
      await request(`${url}/api/rooms`, { method: 'POST', rawBody: '{' }),
      await request(`${url}/api/nothing`),
    ]) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(v.parse(ErrorAnswer, response.body)).toEqual(response.body);
    }
  });
});
