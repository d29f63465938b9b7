/**
 * The run panel's tabs: the run output, the dev server's terminal, then one tab
 * per shell of the room's workspace, and the workspace's state on the right
 * (starting, running with its memory and CPU, who opened it, why it stopped),
 * with Open, Restart and Stop for whoever may edit. Viewers see the same and
 * watch the shells.
 */
import type { WorkspacePayload } from '../../../shared/protocol/table.js';
import { CloseIcon } from '../ui/icons.js';
import type { WorkspaceSession } from './workspaceSession.js';

const MIB = 1024 * 1024;

export function formatMemory(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GB`;
  return `${Math.round(bytes / MIB)} MB`;
}

export function workspaceSentence(status: WorkspacePayload): string {
  switch (status.state) {
    case 'off':
      return status.reason ? `Workspace off: ${status.reason}` : 'No workspace yet';
    case 'starting':
      return `Workspace starting${status.startedBy ? ` (opened by ${status.startedBy.name})` : ''}…`;
    case 'running': {
      const usage =
        status.memoryBytes > 0
          ? ` · ${formatMemory(status.memoryBytes)} of ${formatMemory(status.memoryLimitBytes)} · ${(status.cpuPermille / 10).toFixed(0)}% CPU`
          : '';
      return `Workspace running${usage}${status.startedBy ? ` · opened by ${status.startedBy.name}` : ''}`;
    }
    case 'stopping':
      return 'Workspace stopping…';
    case 'failed':
      return `Workspace stopped: ${status.reason}`;
  }
}

export function WorkspaceTabs(props: { workspace: WorkspaceSession; onShowOutput: () => void }) {
  const { workspace } = props;
  const status = workspace.status.value;
  const active = workspace.active.value;
  const canUse = workspace.canUse.value;
  const state = status.state;
  const notice = status.notices.at(-1);
  return (
    <div class="workspace-tabs" role="tablist" aria-label="Output and shells" data-testid="workspace-tabs">
      <button
        role="tab"
        class="workspace-tab"
        aria-selected={active === null}
        onClick={() => {
          workspace.active.value = null;
          props.onShowOutput();
        }}
      >
        Output
      </button>
      {workspace.terminals.value.map((shell) => (
        <span class="workspace-tab-wrap" key={shell.shellId}>
          <button
            role="tab"
            class={`workspace-tab${shell.devServer ? ' dev' : ''}`}
            aria-selected={active === shell.shellId}
            title={
              shell.devServer
                ? `The dev server: ${workspace.devServer.value?.command ?? ''} (started by ${shell.openedBy})`
                : `A shell in the workspace, opened by ${shell.openedBy}`
            }
            data-testid={shell.devServer ? 'dev-server-tab' : 'shell-tab'}
            onClick={() => (workspace.active.value = shell.shellId)}
          >
            {shell.devServer && workspace.devServer.value?.state === 'running' && <span class="run-dot" />}
            {shell.title}
          </button>
          {canUse && !shell.devServer && (
            <button
              class="icon-button tiny"
              aria-label={`Close ${shell.title}`}
              title={`Close ${shell.title} for everyone`}
              onClick={() => workspace.closeShell(shell.shellId)}
            >
              <CloseIcon size={12} />
            </button>
          )}
        </span>
      ))}
      {canUse && (
        <button
          class="workspace-tab add"
          title="Open a shell in the room’s workspace: bash on the project, everyone watches, editors type"
          disabled={state === 'starting' || state === 'stopping'}
          data-testid="shell-open"
          onClick={() => workspace.openShell(100, 30)}
        >
          + Shell
        </button>
      )}
      <span class="spacer" />
      <span
        class={`workspace-state ${state}`}
        role="status"
        title={[workspaceSentence(status), ...status.notices].join('\n')}
        data-testid="workspace-status"
      >
        {state === 'running' && <span class="run-dot" />}
        {workspaceSentence(status)}
        {notice && <span class="muted"> · {notice}</span>}
      </span>
      {canUse && (state === 'off' || state === 'failed') && (
        <button
          class="button small"
          data-testid="workspace-open"
          onClick={() => workspace.open(state === 'failed')}
        >
          {state === 'failed' ? 'Restart' : 'Open workspace'}
        </button>
      )}
      {canUse && state === 'running' && (
        <>
          <button
            class="button small"
            title="A fresh workspace with the room’s files (shells and processes end)"
            data-testid="workspace-restart"
            onClick={() => workspace.open(true)}
          >
            Restart
          </button>
          <button
            class="button small"
            title="Stop the workspace; the room’s files stay"
            data-testid="workspace-stop"
            onClick={() => workspace.stopWorkspace()}
          >
            Stop
          </button>
        </>
      )}
    </div>
  );
}
