/**
 * One system under comparison, connected to a server it started: the workloads drive every system through
 * these three calls, so each runs the same loops with the same message and counts.
 */
export interface ComparedSystem {
  /** Sends one 1 KiB message; resolves once the server acknowledged it as stored (at its durability). */
  send(): Promise<unknown>;
  /** Receives and acknowledges `count` messages from the start of what was sent; resolves after the last ack. */
  consumeAll(count: number): Promise<void>;
  /** Closes the client, stops the server and removes its data. */
  close(): Promise<void>;
}

/** How to start one system at one durability, or why it cannot run here. */
export interface SystemLauncher {
  /** The column it fills: 'RxRocket', 'Redis', 'JetStream'. */
  readonly system: string;
  /** Its durability setting in words, printed next to the figures. */
  readonly durability: string;
  /** Why it is skipped (not installed, setting unsupported), or undefined when it can run. */
  unavailable(): Promise<string | undefined>;
  start(body: Buffer): Promise<ComparedSystem>;
}
