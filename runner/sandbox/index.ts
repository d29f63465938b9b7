/** The execution engine: runs jobs in hardened containers (see runJob.ts). */
export { runJob, type RunOptions } from './runJob.js';
export { WarmPool, type WarmPoolOptions } from './WarmPool.js';
export { reapLeftovers, type ReapOptions } from './reap.js';
export { JobError, validateJob, clampLimits } from './validate.js';
export {
  RUNNER_INSTANCE,
  DEFAULT_RUNNER_NAME,
  LABEL_RUNNER,
  LABEL_RUNNER_NAME,
  LABEL_RUN,
  LABEL_INSTANCE,
  containerLimitsKey,
  type SandboxConfig,
} from './containerSpec.js';
export {
  DEFAULT_LIMITS,
  type ExitInfo,
  type ExitReason,
  type Job,
  type OutputStreamName,
  type RunHandle,
  type RunHooks,
  type RunLimits,
} from './types.js';
