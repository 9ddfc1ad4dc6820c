/** RocketMQ's DataVersion: the name server compares it to decide whether a registration changed anything. */
export interface DataVersion {
  readonly timestamp: number;
  readonly counter: number;
}

export const initialDataVersion = (now: number): DataVersion => ({ timestamp: now, counter: 0 });

export const nextDataVersion = (v: DataVersion, now: number): DataVersion => ({
  timestamp: now,
  counter: v.counter + 1,
});
