/**
 * Work left to finish behind a sequential walk (files of an unpacked tar being written, owned,
 * timed and closed on the thread pool while the next entries are parsed), bounded in count and
 * bytes held. The first failure is kept and thrown by the next add(), throwIfFailed() or settle().
 */
export class WriteBehind {
  private readonly inflight: Array<{ done: Promise<void>; bytes: number }> = [];
  private bytes = 0;
  private failure: { err: unknown } | undefined;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  /** Tracks `work` (holding `bytes` until it ends); waits while too much is in flight. */
  async add(work: Promise<void>, bytes: number): Promise<void> {
    const done = work.catch((err: unknown) => {
      this.failure ??= { err };
    });
    this.inflight.push({ done, bytes });
    this.bytes += bytes;
    while (this.inflight.length > this.maxCount || (this.bytes > this.maxBytes && this.inflight.length > 0)) await this.retireOldest();
    this.throwIfFailed();
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.err;
  }

  /** Waits for everything in flight; throws the first failure. */
  async settle(): Promise<void> {
    while (this.inflight.length > 0) await this.retireOldest();
    this.throwIfFailed();
  }

  private async retireOldest(): Promise<void> {
    const oldest = this.inflight.shift() as { done: Promise<void>; bytes: number };
    await oldest.done;
    this.bytes -= oldest.bytes;
  }
}
