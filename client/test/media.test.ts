/**
 * The call in real headless Chromium with Chromium's fake camera and
 * microphone: two and then three people turn their cameras on; every page
 * reaches connected peer connections and plays everyone else's video.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { openPair } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

interface RemoteVideo {
  name: string;
  width: number;
  frames: number;
  time: number;
}
interface LinkReport {
  name: string;
  state: string;
  channelOpen: boolean;
  remoteTracks: string[];
}

function links(page: Page): Promise<LinkReport[]> {
  return page.evaluate(() =>
    (window as unknown as { tandem: { media: { links(): LinkReport[] } } }).tandem.media.links(),
  );
}

function remoteVideos(page: Page): Promise<RemoteVideo[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid=video-tile]:not(.self)')].map((tile) => {
      const video = tile.querySelector('video')!;
      return {
        name: tile.dataset.name ?? '',
        width: video.videoWidth,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
        time: video.currentTime,
      };
    }),
  );
}

/** Every page is connected to all the others and plays each one's video, with frames still coming. */
async function expectEveryoneSeesEveryone(people: Person[]): Promise<void> {
  const others = people.length - 1;
  for (const person of people) {
    const report = await pollUntil(
      () => links(person.page),
      (list) => list.length === others && list.every((l) => l.state === 'connected' && l.channelOpen),
      20_000,
    );
    expect(report.map((l) => l.state)).toEqual(Array(others).fill('connected'));
    const first = await pollUntil(
      () => remoteVideos(person.page),
      (videos) => videos.length === others && videos.every((v) => v.width > 0 && v.frames > 0),
      20_000,
    );
    expect(first.filter((v) => v.width > 0)).toHaveLength(others);
    const later = await pollUntil(
      () => remoteVideos(person.page),
      (videos) =>
        videos.every((v) => {
          const before = first.find((f) => f.name === v.name);
          return !!before && v.frames > before.frames && v.time > before.time;
        }),
      10_000,
    );
    for (const video of later) {
      const before = first.find((f) => f.name === video.name)!;
      expect(video.frames, `frames from ${video.name}`).toBeGreaterThan(before.frames);
      expect(video.time, `playback of ${video.name}`).toBeGreaterThan(before.time);
    }
  }
}

describe.skipIf(skip)('audio and video in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true, fakeMedia: true });

  it('two and then three people see each other, and mute state shows to the others', async () => {
    const { room, alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await alice.page.getByTestId('toggle-camera').click();
    await bob.page.getByTestId('toggle-camera').click();
    await expectEveryoneSeesEveryone([alice, bob]);

    // Alice's microphone is off, then on: Bob sees it.
    const aliceTile = bob.page.locator('[data-testid=video-tile][data-name=Alice]');
    await aliceTile.getByTestId('muted').waitFor();
    await alice.page.getByTestId('toggle-mic').click();
    await aliceTile.getByTestId('muted').waitFor({ state: 'detached' });
    // The fake microphone beeps: Bob sees Alice speaking.
    await bob.page.locator('[data-testid=video-tile][data-name=Alice].speaking').waitFor({ timeout: 10_000 });

    // Alice shares her screen in place of her camera (replaceTrack): Bob sees it and frames keep coming.
    await alice.page.getByTestId('toggle-screen').click();
    await aliceTile.locator('.tile-badge', { hasText: 'screen' }).waitFor();
    await expectEveryoneSeesEveryone([alice, bob]);
    await alice.page.getByTestId('toggle-screen').click();
    await aliceTile.locator('.tile-badge').waitFor({ state: 'detached' });

    // The tiles collapse and come back; the device pickers list the fake camera.
    await bob.page.getByTestId('media-collapse').click();
    await aliceTile.waitFor({ state: 'detached' });
    await bob.page.getByTestId('media-collapse').click();
    await aliceTile.waitFor();
    await bob.page.getByTestId('media-settings').click();
    const cameras = bob.page.locator('.media-device select').nth(1).locator('option');
    expect(
      await pollUntil(
        () => cameras.count(),
        (n) => n > 1,
      ),
    ).toBeGreaterThan(1);

    const carol = await newPerson(suite.browser, 'Carol');
    suite.people.push(carol);
    await carol.page.goto(room.links.edit);
    await waitForEditor(carol.page);
    await carol.page.getByTestId('toggle-camera').click();
    await expectEveryoneSeesEveryone([alice, bob, carol]);
  }, 120_000);

  it('a peer that leaves is torn down, and one that comes back is connected again', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await alice.page.getByTestId('toggle-camera').click();
    await bob.page.getByTestId('toggle-camera').click();
    await expectEveryoneSeesEveryone([alice, bob]);
    await bob.page.reload();
    await waitForEditor(bob.page);
    await bob.page.getByTestId('toggle-camera').click();
    await expectEveryoneSeesEveryone([alice, bob]);
    expect(await links(alice.page)).toHaveLength(1);
  }, 120_000);

  it("the owner mutes a participant's microphone and camera for everyone, and unmutes them", async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    for (const person of [alice, bob]) {
      await person.page.getByTestId('toggle-camera').click();
      await person.page.getByTestId('toggle-mic').click();
    }
    await expectEveryoneSeesEveryone([alice, bob]);
    // Only the owner has the controls.
    expect(await alice.page.getByTestId('owner-mute-mic').count()).toBe(1);
    expect(await bob.page.getByTestId('owner-mute-mic').count()).toBe(0);
    const bobTile = alice.page.locator('[data-testid=video-tile][data-name=Bob]');

    await bobTile.getByTestId('owner-mute-mic').click();
    await bob.page
      .getByTestId('owner-muted')
      .filter({ hasText: 'The owner muted your microphone' })
      .waitFor();
    expect(await bob.page.getByTestId('toggle-mic').isDisabled()).toBe(true);
    expect(await bob.page.getByTestId('toggle-mic').getAttribute('aria-pressed')).toBe('false');
    await bobTile.getByTestId('muted').waitFor();
    expect(await remoteTracksEnabled(alice.page)).toEqual({ audio: false, video: true });

    // A modified client that turns its microphone back on is still not heard.
    await bob.page.evaluate(async () => {
      const { local } = (
        window as unknown as {
          tandem: {
            media: { session: { local: { ownerMute: { value: unknown }; toggleMic(): Promise<void> } } };
          };
        }
      ).tandem.media.session;
      local.ownerMute.value = { audio: false, video: false };
      await local.toggleMic();
    });
    await alice.page.waitForTimeout(500);
    expect(await remoteTracksEnabled(alice.page)).toEqual({ audio: false, video: true });
    await bobTile.getByTestId('muted').waitFor();

    await bobTile.getByTestId('owner-mute-camera').click();
    await bob.page.getByTestId('owner-muted').filter({ hasText: 'turned your camera off' }).waitFor();
    expect(await bob.page.getByTestId('toggle-camera').isDisabled()).toBe(true);
    await alice.page.locator('[data-testid=video-tile][data-name=Bob].no-video').waitFor();
    // The tile shows the owner's mute at once; the receiving track follows it a moment later.
    const tracks = await pollUntil(
      () => remoteTracksEnabled(alice.page),
      (enabled) => !enabled.audio && !enabled.video,
    );
    expect(tracks).toEqual({ audio: false, video: false });

    await bobTile.getByTestId('owner-mute-mic').click();
    await bobTile.getByTestId('owner-mute-camera').click();
    await bob.page.getByTestId('owner-muted').waitFor({ state: 'detached' });
    expect(await bob.page.getByTestId('toggle-camera').isDisabled()).toBe(false);
    await bob.page.getByTestId('toggle-camera').click();
    await expectEveryoneSeesEveryone([alice, bob]);
    expect(await remoteTracksEnabled(alice.page)).toEqual({ audio: true, video: true });
  }, 120_000);
});

/** Whether this page plays its one peer's received audio and video tracks. */
function remoteTracksEnabled(page: Page): Promise<{ audio: boolean; video: boolean }> {
  return page.evaluate(() => {
    type Link = { stream: MediaStream };
    const links = (
      window as unknown as {
        tandem: { media: { session: { mesh: { links: { peek(): Map<string, Link> } } } } };
      }
    ).tandem.media.session.mesh.links.peek();
    const stream = [...links.values()][0]!.stream;
    return {
      audio: stream.getAudioTracks().every((t) => t.enabled),
      video: stream.getVideoTracks().every((t) => t.enabled),
    };
  });
}
