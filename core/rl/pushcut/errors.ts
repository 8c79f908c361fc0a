/** An error a user of the pushcut tracker can act on: what went wrong and what to do next. */
export class PushcutError extends Error {
  constructor(
    message: string,
    readonly code: 'no_demos' | 'too_few_demos' | 'bad_episode' | 'bad_config' | 'mixed_evidence',
    readonly fix?: string,
  ) {
    super(fix ? `${message} (${fix})` : message);
    this.name = 'PushcutError';
  }
}
