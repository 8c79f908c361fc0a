import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keyOfLine, keysOfBytes, openKeys } from '../../core/cli/keys';

describe('terminal keys', () => {
  it('reads raw terminal bytes: arrows, Esc, Enter, Space and letters', () => {
    expect(keysOfBytes('\x1b[C\x1b[D\x1b\r \nN')).toEqual([
      'right',
      'left',
      'esc',
      'enter',
      'space',
      'enter',
      'n',
    ]);
    expect(keysOfBytes('\x1b[A')).toEqual([]); // up arrow: no meaning here
  });

  it('reads piped lines as keys', () => {
    expect(['', ' ', 'right', '→', 'Esc', 's', 'hello'].map(keyOfLine)).toEqual([
      'enter',
      'space',
      'right',
      'right',
      'esc',
      's',
      null,
    ]);
  });

  it('queues keys, times out a wait without losing the next key, and ends with the input', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const keys = openKeys(input);
    expect(await keys.next(20)).toBe('timeout');
    (input as unknown as PassThrough).write('n\nq\n');
    expect(await keys.next()).toBe('n');
    expect(await keys.next()).toBe('q');
    (input as unknown as PassThrough).end();
    expect(await keys.next()).toBeNull();
    keys.close();
  });
});
