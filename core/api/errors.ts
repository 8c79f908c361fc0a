import type { ZodError } from 'zod';
import type { ApiErrorShape } from './contract';

/** An error that crosses the API boundary with a code and, for bad arguments, the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toShape(): ApiErrorShape {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }

  static fromZod(command: string, err: ZodError): ApiError {
    const issue = err.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
    const where = field ? ` at "${field}"` : '';
    return new ApiError(
      'invalid_args',
      `Invalid arguments for ${command}${where}: ${issue?.message ?? 'invalid input'}`,
      field,
    );
  }

  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    return new ApiError('failed', err instanceof Error ? err.message : String(err));
  }
}
