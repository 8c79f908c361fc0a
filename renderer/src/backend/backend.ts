import type { ApiErrorShape, StudioApi } from '../../../core/api/contract';

/** How the renderer reaches the Studio: it never knows which shell carries it. */
export type Presence = 'connecting' | 'online' | 'offline';

export interface Backend extends StudioApi {
  readonly shell: 'electron' | 'web';
  presence(): Presence;
  onPresence(listener: (p: Presence) => void): () => void;
}

/** A command failure as the UI shows it: the message names the problem and, for bad input, the field. */
export class CommandError extends Error {
  constructor(readonly shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'CommandError';
  }
}
