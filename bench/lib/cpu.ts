/**
 * CPU time a server process has used (user + system), read from Linux's
 * /proc/<pid>/stat. Wall-clock latency on a shared 2-core machine is noisy;
 * the CPU a server burns for the same work is a steadier figure. Undefined
 * where /proc is not available.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks() : undefined;
  } catch {
    return undefined;
  }
}

/** Measures the CPU a process uses from now until the returned function is called. */
export function cpuMeter(pid: number | undefined): () => number | undefined {
  const before = processCpuMs(pid);
  return () => {
    const after = processCpuMs(pid);
    return before === undefined || after === undefined ? undefined : after - before;
  };
}
