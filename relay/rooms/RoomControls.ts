/**
 * A room's controls, beside its document: the stored record (name, owner,
 * policy), who may edit now and why not, who may enter at all, the driver
 * timer's handovers, and the media the owner muted. A change is stored first;
 * then `announce` (the room's) tells every connection its new state. Changes run
 * one at a time, so two owners' clicks cannot lose one another.
 */
import { chatRight, editRight, nextHandover, type EditRight, type RoomSettings } from '../../shared/rooms.js';
import type { TokenClaims } from '../../shared/token.js';
import type { RoomPolicy, RoomRecord } from '../storage/Storage.js';

const REMOVED: EditRight = { canEdit: false, reason: 'removed from the room by the owner' };
/** Announce a handover this late rather than early: the rule, evaluated then, must already see the new driver. */
const HANDOVER_SLACK_MS = 5;

export type Admission = 'ok' | 'removed' | 'link_replaced';

export type SettingsPatch = { name?: string; policy?: RoomPolicy };

export class RoomControls {
  /** Everyone who ever connected (room_users), so a token of theirs outlives a link reset. */
  readonly users: Set<string>;
  /** Media the owner muted, by user id: a reload (a new connection) does not lift it. */
  readonly mediaMuted = new Map<string, { audio: boolean; video: boolean }>();
  private chain: Promise<void> = Promise.resolve();
  private cachedSettings: RoomSettings | null = null;
  private handoverTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly record: RoomRecord,
    users: Iterable<string>,
    private readonly store: (patch: SettingsPatch) => Promise<void>,
    private readonly announce: () => void,
    /** After a change made here is stored (relays sharing the room are told). */
    private readonly changed: () => void = () => undefined,
  ) {
    this.users = new Set(users);
    // A driver timer outlives a relay restart (it is stored): keep announcing its handovers.
    this.scheduleHandover();
  }

  /** The room's settings as clients see them (the policy without the removed list). Do not mutate. */
  get settings(): RoomSettings {
    if (!this.cachedSettings) {
      const { removed: _removed, linkGeneration: _links, ...policy } = this.record.policy;
      this.cachedSettings = { name: this.record.name, ...policy };
    }
    return this.cachedSettings;
  }

  /** Whether a user may change the document right now, and why not. Runs for every update: no allocation. */
  editRight(claims: Pick<TokenClaims, 'uid' | 'role'>): EditRight {
    if (this.isRemoved(claims.uid)) return REMOVED;
    return editRight(this.settings, claims, Date.now());
  }

  /** Whether a user may post in the chat now, and why not. */
  chatRight(claims: Pick<TokenClaims, 'uid' | 'role'>): EditRight {
    if (this.isRemoved(claims.uid)) return REMOVED;
    return chatRight(this.settings, claims.role);
  }

  mayEdit(claims: Pick<TokenClaims, 'uid' | 'role'>): boolean {
    return this.editRight(claims).canEdit;
  }

  isRemoved(uid: string): boolean {
    return this.record.policy.removed.includes(uid);
  }

  /** Whether these claims may enter at all: not a removed user, not a share link the owner replaced. */
  admits(claims: Pick<TokenClaims, 'uid' | 'link' | 'via'>): Admission {
    return admission(this.record.policy, claims, (uid) => this.users.has(uid));
  }

  /**
   * Changes the room's name and/or policy: stored, then announced. `change` sees
   * the current record and returns what to change, or null for nothing.
   */
  update(change: (record: RoomRecord) => SettingsPatch | null): Promise<void> {
    const step = this.chain.then(async () => {
      const patch = change(this.record);
      if (!patch) return;
      await this.store(patch);
      if (patch.name !== undefined) this.record.name = patch.name;
      if (patch.policy !== undefined) this.record.policy = patch.policy;
      this.cachedSettings = null;
      this.announce();
      this.changed();
    });
    this.chain = step.catch(() => undefined);
    return step;
  }

  /**
   * Takes the record and users as stored, after another relay sharing the room
   * changed them, in turn with changes made here; then announces.
   */
  reload(read: () => Promise<{ record: RoomRecord; users: string[] } | null>): Promise<void> {
    const step = this.chain.then(async () => {
      const stored = await read();
      if (!stored || this.stopped) return;
      this.record.name = stored.record.name;
      this.record.policy = stored.record.policy;
      for (const uid of stored.users) this.users.add(uid);
      this.cachedSettings = null;
      this.announce();
    });
    this.chain = step.catch(() => undefined);
    return step;
  }

  /** Announces again when the driver timer hands the keyboard over (call after every announcement). */
  scheduleHandover(): void {
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
    this.handoverTimer = null;
    const driver = this.record.policy.driver;
    if (!driver || this.stopped) return;
    const now = Date.now();
    this.handoverTimer = setTimeout(
      () => this.announce(),
      nextHandover(driver, now) - now + HANDOVER_SLACK_MS,
    );
    this.handoverTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
  }
}

/**
 * Whether a token may enter: not a removed user's; not a share link of an
 * earlier generation; and not a personal token traded from such a link unless
 * its user had come in before the links were replaced (`known`): a spare token
 * minted from a link and kept unused dies with the link.
 */
export function admission(
  policy: RoomPolicy,
  claims: Pick<TokenClaims, 'uid' | 'link' | 'via'>,
  known: (uid: string) => boolean,
): Admission {
  if (policy.removed.includes(claims.uid)) return 'removed';
  if (claims.link !== undefined && claims.link !== policy.linkGeneration) return 'link_replaced';
  if (claims.via !== undefined && claims.via !== policy.linkGeneration && !known(claims.uid)) {
    return 'link_replaced';
  }
  return 'ok';
}
