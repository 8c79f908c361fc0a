import { createInterface } from 'node:readline';

/** A key the hardware commands react to: arrows, Esc, Enter, Space, or one lower-case character. */
export type Key = 'right' | 'left' | 'esc' | 'enter' | 'space' | string;

export interface KeyReader {
  /** The next key; null once input has ended, 'timeout' after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Key | null>;
  /** Keys pressed so far and not yet taken, without waiting. */
  drain(): Key[];
  close(): void;
}

const WORDS: Record<string, Key> = {
  right: 'right',
  '→': 'right',
  left: 'left',
  '←': 'left',
  esc: 'esc',
  escape: 'esc',
  enter: 'enter',
  space: 'space',
};

/** A line of piped input as a key: "" is Enter, " " is Space, words name the others. */
export function keyOfLine(line: string): Key | null {
  if (line === '') return 'enter';
  if (/^ +$/.test(line)) return 'space';
  const t = line.trim().toLowerCase();
  if (WORDS[t]) return WORDS[t];
  return t.length === 1 ? t : null;
}

/** Raw terminal bytes as keys. Ctrl-C is passed on as SIGINT, since raw mode swallows it. */
export function keysOfBytes(s: string): Key[] {
  const out: Key[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\x1b') {
      if (s[i + 1] === '[' && (s[i + 2] === 'C' || s[i + 2] === 'D')) {
        out.push(s[i + 2] === 'C' ? 'right' : 'left');
        i += 2;
      } else if (s[i + 1] === '[') {
        i += 2; // another escape sequence (up/down…): ignore
      } else out.push('esc');
    } else if (c === '\r' || c === '\n') out.push('enter');
    else if (c === ' ') out.push('space');
    else if (c === '\x03') process.emit('SIGINT');
    else out.push(c.toLowerCase());
  }
  return out;
}

/**
 * Keys from the terminal: single key presses on a TTY (raw mode), or one key per line when stdin
 * is a pipe (scripts and tests send "n", "right", "s", "" for Enter, " " for Space).
 */
export function openKeys(input: NodeJS.ReadStream = process.stdin): KeyReader {
  const queue: Key[] = [];
  const waiters: ((k: Key | null) => void)[] = [];
  let ended = false;
  const push = (k: Key) => {
    const w = waiters.shift();
    if (w) w(k);
    else queue.push(k);
  };
  const end = () => {
    ended = true;
    for (const w of waiters.splice(0)) w(null);
  };
  let close: () => void;
  if (input.isTTY) {
    input.setRawMode(true);
    input.setEncoding('utf8');
    const onData = (d: string) => {
      for (const k of keysOfBytes(d)) push(k);
    };
    input.on('data', onData);
    input.on('end', end);
    input.resume();
    close = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
  } else {
    const rl = createInterface({ input, terminal: false });
    rl.on('line', (line) => {
      const k = keyOfLine(line);
      if (k) push(k);
    });
    rl.on('close', end);
    close = () => rl.close();
  }
  return {
    next: (timeoutMs?: number) => {
      if (queue.length) return Promise.resolve(queue.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise<Key | null>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const waiter = (k: Key | null) => {
          clearTimeout(timer);
          resolve(k);
        };
        waiters.push(waiter);
        if (timeoutMs !== undefined)
          timer = setTimeout(() => {
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve('timeout');
          }, timeoutMs);
      });
    },
    drain: () => queue.splice(0),
    close: () => {
      close();
      end();
    },
  };
}
