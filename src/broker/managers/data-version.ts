import type { DataVersion } from '../../protocol/headers/namesrv-bodies.js';

export type { DataVersion };

/** RocketMQ's DataVersion moves on every change: the name server compares it to see whether a registration changed anything. */
export const initialDataVersion = (now: number): DataVersion => ({ timestamp: now, counter: 0 });

export const nextDataVersion = (v: DataVersion, now: number): DataVersion => ({
  timestamp: now,
  counter: v.counter + 1,
});
