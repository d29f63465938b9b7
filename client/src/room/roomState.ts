/**
 * What a room page shows, as signals: files, people, tabs, the file in front,
 * follow mode. Components read these; only the actions here change them.
 */
import { computed, effect, signal } from '@preact/signals';
import type * as Y from 'yjs';
import type { ProjectFile } from '../../../shared/schema/binary.js';
import { findFile, metaOf } from '../../../shared/schema/project.js';
import { colorFor } from '../lib/colors.js';
import { recentRuns, runnerLanguages } from '../lib/api.js';
import { loadJson, saveJson } from '../lib/storage.js';
import { setLocalUser, watchPeers, type Peer } from '../presence/presence.js';
import { MediaSession } from '../media/mediaSession.js';
import { connectPeerAwareness } from '../media/peerAwareness.js';
import { connectPeerDocSync } from '../media/peerDocSync.js';
import { RunSession } from '../run/runSession.js';
import { connectRunWire } from '../run/runWire.js';
import { watchAutoStart } from '../workspace/autoStart.js';
import { defaultDevCommand } from '../workspace/devCommand.js';
import { connectWorkspaceWire, WorkspaceSession } from '../workspace/workspaceSession.js';
import { connectPeerWire, type PeerWire } from './peerWire.js';
import { watchParticipants, type ParticipantsWatch } from '../presence/participants.js';
import { RoomMode, type RoomSettings } from '../../../shared/rooms.js';
import type { LegendEntry } from '../replay/authorshipPaint.js';
import type { RoomConnection } from './connection.js';
import { landingFile, watchFiles } from './files.js';
import { watchPresenting } from './presenting.js';
import { Role } from '../../../shared/roles.js';

/** Open mode, no driver timer, not ended: whoever has an edit role edits. */
function editRightFollowsRole(settings: RoomSettings | null): boolean {
  return !settings || (settings.mode === RoomMode.Open && !settings.driver && settings.endedAt === null);
}

interface SavedTabs {
  tabs: string[];
  active: string | null;
}

export class RoomState {
  readonly files;
  readonly peers;
  readonly tabs = signal<string[]>([]);
  readonly active = signal<string | null>(null);
  /** Awareness client id of the person being followed. */
  readonly following = signal<number | null>(null);
  /** Authorship colouring in the editor: each line tinted by who wrote it last. */
  readonly showAuthors = signal(false);
  /** Who wrote the open file's lines, while `showAuthors` is on. */
  readonly authorsLegend = signal<LegendEntry[]>([]);
  readonly authorsStatus = signal<string | null>(null);
  /** Folders someone made (the document's `folders`), kept while they hold no file. */
  readonly folders;
  /** The room's name: the relay's settings, or the document's display copy until they arrive. */
  readonly roomName;
  private readonly metaName = signal('');
  /** The project's language and entry file as its document's meta says (display-only copies). */
  readonly metaLanguage = signal<string | null>(null);
  readonly metaEntry = signal<string | null>(null);
  /** The room's dev server command (`meta.dev`): set, this is a web project, served rather than run. */
  readonly metaDev = signal<string | null>(null);
  /** The dev server command as typed in the run bar; null follows the running one, else the project's. */
  readonly devCommandTyped = signal<string | null>(null);
  /** The command the run bar shows and starts. */
  readonly devCommand = computed(() => {
    const typed = this.devCommandTyped.value;
    if (typed !== null) return typed;
    const running = this.workspace.devServer.value?.command;
    if (running) return running;
    // Reading the file list subscribes to it: a package.json added later changes the guess.
    const paths = new Set(this.files.value.filter((f) => f.kind === 'text').map((f) => f.path));
    const read = (path: string) =>
      paths.has(path) ? (findFile(this.conn.doc, path)?.text.toString() ?? null) : null;
    return defaultDevCommand(read, this.metaDev.value);
  });
  /** Bumped to move the keyboard focus into the editor (e.g. after creating a file). */
  readonly focusRequest = signal(0);
  readonly pathById = computed(() => new Map(this.files.value.map((f) => [f.id, f.path])));
  readonly fileById = computed(() => new Map(this.files.value.map((f) => [f.id, f])));
  readonly followed = computed<Peer | null>(
    () => this.peers.value.find((p) => p.clientId === this.following.value && !p.self) ?? null,
  );
  readonly runs: RunSession;
  /** The room's live workspace and its shells. */
  readonly workspace: WorkspaceSession;
  /** Who is connected, as the relay says; signals for WebRTC. */
  readonly peerWire: PeerWire;
  /** The call: devices, and WebRTC links to everyone else in the room. */
  readonly media: MediaSession;
  /** Everyone in the room, online or not, with their role and edit right (from the relay's API). */
  readonly participants: ParticipantsWatch;
  readonly settings = computed<RoomSettings | null>(() => this.conn.policy.state.value?.settings ?? null);
  private readonly stops: (() => void)[] = [];

  constructor(readonly conn: RoomConnection) {
    this.roomName = computed(() => this.settings.value?.name || this.metaName.value);
    const files = watchFiles(conn.doc);
    const peers = watchPeers(conn.awareness);
    this.files = files.files;
    this.folders = files.folders;
    this.peers = peers.peers;
    this.stops.push(files.stop, peers.stop);
    this.watchMeta(conn.doc);
    this.peerWire = connectPeerWire(conn);
    this.media = new MediaSession(this.peerWire, conn.roomId, conn.token);
    this.participants = watchParticipants(conn, this.peerWire);
    this.stops.push(
      () => this.participants.stop(),
      connectPeerDocSync(conn.doc, this.media.mesh, {
        remoteOrigins: () => [conn.channel, conn.persistence],
        // Edit rights that change while people type (classroom, driver, ended) are the
        // relay's to apply: peers would take an update from someone it just refused.
        canEdit: () => conn.canEdit && editRightFollowsRole(this.settings.peek()),
        applyOrigin: conn.channel,
      }),
      connectPeerAwareness(conn.awareness, this.media.mesh, { relayOrigin: conn.channel }),
      () => this.media.destroy(),
    );
    this.runs = new RunSession({
      wire: connectRunWire(conn),
      me: conn.me,
      canEdit: conn.policy.editable,
      socket: conn.socket,
      project: {
        paths: computed(() => this.files.value.filter((f) => f.kind === 'text').map((f) => f.path)),
        openPath: computed(() => (this.active.value && this.pathById.value.get(this.active.value)) || null),
        metaLanguage: this.metaLanguage,
        metaEntry: this.metaEntry,
      },
      fetchLanguages: runnerLanguages,
      fetchHistory: () => recentRuns(conn.roomId, conn.token),
    });
    this.workspace = new WorkspaceSession(connectWorkspaceWire(conn), conn.policy.editable);
    this.stops.push(
      () => this.runs.destroy(),
      () => this.workspace.destroy(),
      watchAutoStart(
        conn.roomId,
        computed(() => ({
          greeted: conn.greeted.value,
          synced: conn.synced.value,
          dev: this.metaDev.value,
          canUse: this.workspace.canUse.value,
          workspace: this.workspace.status.value,
        })),
        (command) => this.workspace.startDevServer(command),
      ),
    );

    const saved = loadJson<SavedTabs>(this.tabsKey);
    if (saved && Array.isArray(saved.tabs)) {
      this.tabs.value = saved.tabs.filter((id) => typeof id === 'string');
      this.active.value = typeof saved.active === 'string' ? saved.active : null;
    }
    this.stops.push(
      effect(() => {
        const me = conn.me.value;
        setLocalUser(conn.awareness, {
          id: me.userId,
          name: me.name,
          role: me.role,
          color: colorFor(me.userId),
        });
      }),
      effect(() => this.dropMissingTabs(this.files.value)),
      effect(() => saveJson(this.tabsKey, { tabs: this.tabs.value, active: this.active.value })),
      effect(() => this.followPeer(this.followed.value)),
      watchPresenting({
        presenting: computed(
          () => this.settings.value?.followOwner === true && conn.me.value.role !== Role.Owner,
        ),
        ownerClientId: computed(
          () => this.peers.value.find((p) => p.role === Role.Owner && !p.self)?.clientId ?? null,
        ),
        following: this.following,
      }),
    );
  }

  private get tabsKey(): string {
    return `tandem.tabs.${this.conn.roomId}`;
  }

  open(fileId: string): void {
    if (!this.tabs.value.includes(fileId)) this.tabs.value = [...this.tabs.value, fileId];
    this.active.value = fileId;
  }

  /** Ctrl/Cmd+Enter and the run bar's main action: a web project's dev server (re)starts, else the project runs. */
  runShortcut(): boolean {
    return this.metaDev.peek() === null ? this.runs.start() : this.startDevServer();
  }

  /** Starts the run bar's dev server command, or restarts the dev server with it; the output opens. */
  startDevServer(): boolean {
    if (this.workspace.status.peek().state === 'stopping') return false;
    if (!this.workspace.startDevServer(this.devCommand.peek())) return false;
    this.runs.panelOpen.value = true;
    return true;
  }

  focusEditor(): void {
    this.focusRequest.value++;
  }

  closeTab(fileId: string): void {
    const tabs = this.tabs.value;
    const index = tabs.indexOf(fileId);
    if (index < 0) return;
    const rest = tabs.filter((id) => id !== fileId);
    this.tabs.value = rest;
    if (this.active.value === fileId) this.active.value = rest[Math.min(index, rest.length - 1)] ?? null;
  }

  follow(clientId: number | null): void {
    this.following.value = clientId === this.following.value ? null : clientId;
  }

  destroy(): void {
    for (const stop of this.stops) stop();
  }

  private dropMissingTabs(files: ProjectFile[]): void {
    // Until the first sync the list may be empty; keep the saved tabs until then.
    if (files.length === 0 && !this.conn.synced.peek() && !this.conn.localLoaded.peek()) return;
    const ids = new Set(files.map((f) => f.id));
    const tabs = this.tabs.peek();
    if (tabs.every((id) => ids.has(id))) {
      if (this.active.peek() === null && tabs.length === 0) {
        // Read from the document: the meta may arrive in the same sync as the files.
        const landing = landingFile(files, metaOf(this.conn.doc).get('entry'));
        if (landing) this.open(landing.id);
      }
      return;
    }
    for (const id of tabs) if (!ids.has(id)) this.closeTab(id);
  }

  private followPeer(peer: Peer | null): void {
    if (!peer?.file) return;
    if (this.active.peek() !== peer.file) this.open(peer.file);
  }

  private watchMeta(doc: Y.Doc): void {
    const meta = metaOf(doc);
    const read = () => {
      const [name, language, entry, dev] = ['name', 'language', 'entry', 'dev'].map((key) => meta.get(key));
      this.metaName.value = typeof name === 'string' ? name.slice(0, 120) : '';
      this.metaLanguage.value = typeof language === 'string' ? language : null;
      this.metaEntry.value = typeof entry === 'string' ? entry : null;
      this.metaDev.value = typeof dev === 'string' && dev.trim() !== '' ? dev : null;
    };
    read();
    meta.observe(read);
    this.stops.push(() => meta.unobserve(read));
  }
}
