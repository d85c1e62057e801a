/**
 * Pending policy restarts (a container in state `restarting`) and the backoff each container
 * last used. In memory only, as in Docker: a daemon restart starts the backoff afresh.
 */
export class RestartTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();

  schedule(id: string, delayMs: number, fire: () => void): void {
    this.cancel(id);
    this.delays.set(id, delayMs);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      fire();
    }, delayMs);
    this.timers.set(id, timer);
  }

  /** True when a restart was pending (and is now dropped). */
  cancel(id: string): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  pending(id: string): boolean {
    return this.timers.has(id);
  }

  previousDelay(id: string): number {
    return this.delays.get(id) ?? 0;
  }

  /** A user's start or a removal: the next policy restart begins at the first delay again. */
  reset(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
