/** What the socket's message handlers reach besides the room and the connection. */
import type { RelayMetrics } from '../metrics.js';
import type { Logger } from '../../server/log.js';
import type { RunService } from '../runs/RunService.js';
import type { Workspaces } from '../workspaces/Workspaces.js';

export interface MessageContext {
  runs: RunService;
  workspaces: Workspaces;
  stats: RelayStats;
  metrics: RelayMetrics;
  log: Logger;
}

/** Counters /healthz reports. */
export interface RelayStats {
  /** Signals addressed to no connection of the sender's room (another room's, unknown, left). */
  droppedSignals: number;
}
