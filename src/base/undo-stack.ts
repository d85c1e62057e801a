/**
 * Rollback for multi-step operations: each step that succeeds pushes its undo; on failure
 * `rollback()` runs them in reverse, never throwing (a failing undo is reported, the rest still run).
 */
export class UndoStack {
  private steps: Array<{ what: string; undo: () => void | Promise<void> }> = [];

  push(what: string, undo: () => void | Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Forget the undos: the operation completed and now owns what it made. */
  commit(): void {
    this.steps = [];
  }

  async rollback(onError: (what: string, err: unknown) => void = () => {}): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const s of steps) {
      try {
        await s.undo();
      } catch (err) {
        onError(s.what, err);
      }
    }
  }
}
