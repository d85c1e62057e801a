import { EventEmitter } from 'node:events';

export interface ContainerEventMap {
  /** Any lifecycle change: create, start, die, stop, kill, destroy, rename. */
  event: [{ action: string; id: string; attributes: Record<string, string> }];
  started: [id: string];
  exited: [id: string, exitCode: number];
  removed: [id: string];
}

/** In-process notifications between the container service and the API's waiters and streams. */
export class ContainerEvents extends EventEmitter<ContainerEventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
