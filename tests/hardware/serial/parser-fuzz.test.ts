import { describe, expect, it } from 'vitest';
import { dynamixelProtocol } from '../../../core/hardware/dynamixel/protocol';
import { feetechProtocol } from '../../../core/hardware/feetech/protocol';
import type { BusProtocol, Frame } from '../../../core/hardware/serial/protocol';
import { mulberry32 } from '../../../core/util/rng';

// Seeded (mulberry32) so a failure can be replayed.
const rng = mulberry32;
const int = (r: () => number, n: number) => Math.floor(r() * n);
const randomBytes = (r: () => number, n: number) => Uint8Array.from({ length: n }, () => int(r, 256));

/** Feed a stream in random chunk sizes. */
function feed(protocol: BusProtocol, stream: Uint8Array, r: () => number): Frame[] {
  const parser = protocol.createParser();
  const frames: Frame[] = [];
  let i = 0;
  while (i < stream.length) {
    const n = 1 + int(r, 40);
    frames.push(...parser.push(stream.subarray(i, i + n)));
    i += n;
  }
  return frames;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const same = (a: Frame, b: { id: number; error: number; data: Uint8Array }) =>
  a.id === b.id && a.error === b.error && Buffer.from(a.params).equals(Buffer.from(b.data));

for (const protocol of [feetechProtocol, dynamixelProtocol]) {
  describe(`${protocol.name} parser fuzz`, () => {
    it('never throws on 3000 random streams, and every frame it returns re-encodes to a well-formed packet', () => {
      const r = rng(1);
      let returned = 0;
      for (let k = 0; k < 3000; k++) {
        // Random bytes salted with headers so the parser exercises its length and checksum paths.
        const parts: Uint8Array[] = [];
        for (let j = 0; j < 6; j++) {
          parts.push(randomBytes(r, int(r, 30)));
          const salt = protocol.encodeStatus(int(r, 253), 0, randomBytes(r, int(r, 5)));
          if (r() < 0.5) parts.push(r() < 0.3 ? salt : salt.subarray(0, 6));
        }
        const stream = concat(...parts);
        const frames = feed(protocol, stream, r);
        for (const f of frames) {
          returned++;
          // A returned frame is exactly a well-formed packet present in the stream, never a guess.
          const wire = Buffer.from(protocol.encodeStatus(f.id, f.error, f.params));
          expect(Buffer.from(stream).indexOf(wire)).toBeGreaterThanOrEqual(0);
        }
      }
      // Random data almost never forms a frame with a valid checksum; bounded for both protocols.
      expect(returned).toBeGreaterThan(0);
    });

    it('recovers every good frame around 5000 corrupted frames and never returns a corrupted value as good', () => {
      const r = rng(2);
      let falseAccepts = 0;
      for (let k = 0; k < 5000; k++) {
        const size = [1, 2, 4][int(r, 3)]!;
        const mk = () => ({ id: 1 + int(r, 6), error: 0, data: randomBytes(r, size) });
        const a = mk();
        const b = mk();
        const c = mk();
        const bad = protocol.encodeStatus(b.id, b.error, b.data).slice();
        const mode = int(r, 3);
        let corrupt: Uint8Array;
        if (mode === 0) {
          // change one byte to a different value
          const pos = int(r, bad.length);
          bad[pos] = (bad[pos]! + 1 + int(r, 255)) & 0xff;
          corrupt = bad;
        } else if (mode === 1) {
          corrupt = bad.subarray(0, int(r, bad.length)); // truncated (a dropped tail)
        } else {
          corrupt = concat(randomBytes(r, 1 + int(r, 8)), bad.subarray(int(r, 3))); // garbage + lost header bytes
        }
        const stream = concat(
          protocol.encodeStatus(a.id, a.error, a.data),
          corrupt,
          randomBytes(r, int(r, 4)),
          protocol.encodeStatus(c.id, c.error, c.data),
          // the next exchange's reply flushes any partial frame still waiting for bytes
          protocol.encodeStatus(a.id, a.error, a.data),
          protocol.encodeStatus(c.id, c.error, c.data),
        );
        const frames = feed(protocol, stream, r);
        // What a bus accepts for a read of `size` bytes: the status length must match.
        const accepted = frames.filter((f) => f.params.length === size && protocol.isStatus(f));
        expect(accepted.some((f) => same(f, a))).toBe(true);
        expect(accepted.some((f) => same(f, c))).toBe(true);
        for (const f of accepted) {
          if (same(f, a) || same(f, c) || same(f, b)) continue;
          // One changed byte is always caught (checksum/CRC, or a LEN that no longer matches).
          if (mode === 0)
            throw new Error(`corrupted frame accepted: ${Buffer.from(f.params).toString('hex')}`);
          falseAccepts++;
        }
      }
      // A truncated frame followed by other bytes is caught by a 16-bit CRC; Feetech's 8-bit
      // checksum lets about 1 in 256 such byte runs through (why the bus resets its parser before
      // every request and checks the replying id and length).
      if (protocol.name === 'dynamixel') expect(falseAccepts).toBe(0);
      else expect(falseAccepts).toBeLessThan(40);
    });
  });
}
