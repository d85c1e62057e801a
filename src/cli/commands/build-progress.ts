/**
 * What `skiff build` shows on a terminal: the legacy builder's stream turned into one line per
 * step, `[n/N] INSTRUCTION`, the step's own output indented under it, and when the step ends how
 * long it took or that it came from the cache; a summary at the end. The IDs and container
 * bookkeeping lines (` ---> 1a2b…`, `Running in …`) are left out: they say nothing to a person.
 * Off a terminal, `skiff build` prints the stream unchanged (what `docker build` prints).
 */
export class BuildProgress {
  private step: { label: string; started: number; cached: boolean } | undefined;
  private steps = 0;
  private cached = 0;
  private readonly started: number;
  private pending = '';

  constructor(
    private readonly out: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** One `stream` text of the build (may hold several lines, or part of one). */
  stream(text: string): void {
    this.pending += text;
    let nl = this.pending.indexOf('\n');
    while (nl >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf('\n');
    }
  }

  private line(l: string): void {
    const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(l);
    if (step) {
      this.endStep();
      this.steps++;
      this.step = { label: `[${step[1]}/${step[2]}]`, started: this.now(), cached: false };
      this.out(`\x1b[1m${this.step.label}\x1b[0m ${step[3]}\n`);
      return;
    }
    if (l === ' ---> Using cache') {
      if (this.step) this.step.cached = true;
      return;
    }
    if (/^ ---> ([0-9a-f]{12})?$/.test(l) || /^ ---> Running in [0-9a-f]{12}$/.test(l) || /^Removing intermediate container [0-9a-f]{12}$/.test(l)) return;
    if (/^Successfully built [0-9a-f]{12}$/.test(l)) {
      this.endStep();
      const secs = ((this.now() - this.started) / 1000).toFixed(1);
      this.out(`\x1b[32m✔\x1b[0m built ${l.slice('Successfully built '.length)} in ${secs}s (${this.steps} steps, ${this.cached} cached)\n`);
      return;
    }
    if (l.startsWith('Successfully tagged ')) {
      this.out(`  tagged ${l.slice('Successfully tagged '.length)}\n`);
      return;
    }
    // The step's own output (RUN), kept with its colours, indented under the step.
    this.out(`    ${l}\n`);
  }

  private endStep(): void {
    const s = this.step;
    if (!s) return;
    this.step = undefined;
    if (s.cached) {
      this.cached++;
      this.out(`    \x1b[36m↺ cached\x1b[0m\n`);
    } else this.out(`    \x1b[2m${((this.now() - s.started) / 1000).toFixed(1)}s\x1b[0m\n`);
  }

  /** The build failed: close the step that was running, with its time. */
  failed(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    const s = this.step;
    this.step = undefined;
    if (s) this.out(`    \x1b[31m✘ failed after ${((this.now() - s.started) / 1000).toFixed(1)}s\x1b[0m\n`);
  }
}
