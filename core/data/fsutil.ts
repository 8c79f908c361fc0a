import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { fsError } from './errors';

/** fsync a file or directory by path; directories make a rename durable. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p. Walks up by hand: Node's recursive mkdir spins forever under /proc. */
export function ensureDir(path: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) {
      throw fsError(
        Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }),
        'create the folder',
        path,
      );
    }
    return;
  }
  const parent = dirname(path);
  if (parent !== path) ensureDir(parent);
  try {
    mkdirSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(path).isDirectory()) return;
    throw fsError(err, 'create the folder', path);
  }
}

/**
 * Write a file so that readers see either the old content or the new, never a torn mix:
 * write a temp sibling, fsync it, rename it over the target, fsync the folder.
 */
export function atomicWriteFile(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    ensureDir(dirname(path));
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncPath(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as { name?: string }).name === 'DatasetError') throw err;
    throw fsError(err, 'write', path);
  }
}

/** Rename a finished file into place durably. */
export function durableRename(from: string, to: string): void {
  try {
    fsyncPath(from);
    ensureDir(dirname(to));
    renameSync(from, to);
    fsyncPath(dirname(to));
  } catch (err) {
    throw fsError(err, 'move into place', to);
  }
}
