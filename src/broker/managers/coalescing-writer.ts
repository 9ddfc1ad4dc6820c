/**
 * Serialises writes of one file and merges requests: a request made while a write is running is served by
 * the next write, which reads the state as it is then. So a burst of changes costs at most two writes, and
 * each caller's promise resolves only once a write that started after its change has finished.
 */
export class CoalescingWriter {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly write: () => Promise<void>) {}

  request(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.write().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.request();
      });
    return this.next;
  }
}
