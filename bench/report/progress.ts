import { formatNumber } from '../report.js';
import { figuresOf, type Measurement } from './measurement.js';

/** Progress on stderr (stdout carries only the table): the step, its count, elapsed time, and each result. */
export interface Progress {
  readonly step: (label: string) => void;
  readonly note: (message: string) => void;
  readonly done: (measurement: Measurement) => void;
}

const clock = (seconds: number): string =>
  `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

export function createProgress(totalSteps: number, write: (line: string) => void): Progress {
  const start = Date.now();
  let current = 0;
  const elapsed = (): string => clock((Date.now() - start) / 1000);
  return {
    step: (label) => {
      current += 1;
      write(`[${elapsed()}] ${current}/${totalSteps} ${label}`);
    },
    note: (message) => {
      write(`[${elapsed()}]   ${message}`);
    },
    done: (m) => {
      const f = figuresOf(m, 0);
      const parts = [
        f.msgsPerSecond === undefined ? '' : `${formatNumber(f.msgsPerSecond)} msgs/s`,
        f.mbPerSecond === undefined ? '' : `${formatNumber(f.mbPerSecond)} MB/s`,
        f.latencyMs === undefined ? '' : `p99 ${formatNumber(f.latencyMs.p99)} ms`,
      ].filter((p) => p !== '');
      write(`[${elapsed()}]   ${parts.join(', ')}`);
    },
  };
}
