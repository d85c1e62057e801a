/**
 * The engine's event log: every lifecycle event of containers, images (and, through the same
 * log, execs, networks, volumes) goes here, is kept in a ring buffer for `since` replay, and is
 * handed to live subscribers (GET /events).
 */

export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin';

export interface EngineEvent {
  type: EventType;
  action: string;
  actor: { id: string; attributes: Record<string, string> };
  /** Nanoseconds since the epoch; strictly increasing within one daemon, so replay keeps order. */
  timeNano: bigint;
}

export type EventListener = (e: EngineEvent) => void;

export class EventLog {
  private readonly buffer: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  private lastNano = 0n;

  constructor(
    private readonly capacity = 1000,
    private readonly nowNano: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {}

  record(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    let t = this.nowNano();
    if (t <= this.lastNano) t = this.lastNano + 1n;
    this.lastNano = t;
    const e: EngineEvent = { type, action, actor: { id, attributes: { ...attributes } }, timeNano: t };
    this.buffer.push(e);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        /* one broken subscriber must not stop the others */
      }
    }
    return e;
  }

  /** Buffered events with sinceNano <= time <= untilNano (untilNano 0: no upper bound), oldest first. */
  replay(sinceNano: bigint, untilNano = 0n): EngineEvent[] {
    return this.buffer.filter((e) => e.timeNano >= sinceNano && (untilNano === 0n || e.timeNano <= untilNano));
  }

  subscribe(l: EventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
