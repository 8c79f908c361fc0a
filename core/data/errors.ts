/** A dataset problem a user can act on: what went wrong, a stable code, and what to do next. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} ${fix}` : message);
    this.name = 'DatasetError';
  }
}

/** Turns a Node fs error into a DatasetError that says which path and what to do. */
export function fsError(err: unknown, action: string, path: string): DatasetError {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DatasetError(
        `The disk is full: could not ${action} ${path}.`,
        'disk_full',
        'Free some disk space or choose a dataset folder on another disk, then record again.',
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DatasetError(
        `The dataset folder is not writable: could not ${action} ${path} (${e.code}).`,
        'not_writable',
        'Choose a folder you can write to, or fix its permissions.',
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new DatasetError(
        `Could not ${action} ${path}: a file is in the way where a folder should be (${e.code}).`,
        'not_writable',
        'Choose another dataset folder, or move that file away.',
      );
    default:
      return new DatasetError(
        `Could not ${action} ${path}: ${e?.message ?? String(err)}`,
        e?.code ?? 'io_error',
      );
  }
}
