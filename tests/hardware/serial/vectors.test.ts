import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { X_SERIES_CONTROL_TABLE } from '../../../core/hardware/dynamixel/control-table';
import { dynamixelCrc, dynamixelPacket, dynamixelProtocol } from '../../../core/hardware/dynamixel/protocol';
import { STS_CONTROL_TABLE } from '../../../core/hardware/feetech/control-table';
import { feetechProtocol } from '../../../core/hardware/feetech/protocol';
import { decodeValue, encodeValue, fromHex, toHex } from '../../../core/hardware/serial/protocol';

interface VectorFile {
  cases: { what: string; exchanges: { request: string; reply: string }[] }[];
}
/** Wire bytes captured from the vendors' SDKs (copied from the project's shared/vectors). */
const load = (name: string): VectorFile =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/vendor-vectors/${name}.json`, import.meta.url), 'utf8'),
  ) as VectorFile;
const feetech = load('feetech-sts');
const dxl = load('dynamixel-p2');
const ex = (file: VectorFile, startsWith: string, n = 0) => {
  const c = file.cases.find((k) => k.what.startsWith(startsWith));
  if (!c) throw new Error(`no vector case ${startsWith}`);
  return c.exchanges[n]!;
};
const fts = STS_CONTROL_TABLE;
const xt = X_SERIES_CONTROL_TABLE;

describe('Feetech packets vs scservo_sdk wire bytes', () => {
  const p = feetechProtocol;
  it('PING and the model read that follows it', () => {
    expect(toHex(p.encodePing(1))).toBe(ex(feetech, 'PING id 1', 0).request);
    const ping = p.createParser().push(fromHex(ex(feetech, 'PING id 1', 0).reply));
    expect(ping).toEqual([{ id: 1, instruction: 0, error: 0, params: new Uint8Array(0) }]);
    const e = ex(feetech, 'PING id 1', 1);
    expect(toHex(p.encodeRead(1, fts.Model_Number.addr, 2))).toBe(e.request);
    const [f] = p.createParser().push(fromHex(e.reply));
    expect(decodeValue(fts.Model_Number, f!.params)).toBe(777);
  });
  it('READ Present_Position and a sign-magnitude Homing_Offset', () => {
    let e = ex(feetech, 'READ Present_Position');
    expect(toHex(p.encodeRead(3, 56, 2))).toBe(e.request);
    expect(decodeValue(fts.Present_Position, p.createParser().push(fromHex(e.reply))[0]!.params)).toBe(1300);
    e = ex(feetech, 'READ Homing_Offset');
    expect(toHex(p.encodeRead(2, fts.Homing_Offset.addr, 2))).toBe(e.request);
    expect(decodeValue(fts.Homing_Offset, p.createParser().push(fromHex(e.reply))[0]!.params)).toBe(-300);
    expect(toHex(encodeValue(fts.Homing_Offset, -300))).toBe('2c 09');
  });
  it('WRITE Torque_Enable and Goal_Position', () => {
    expect(toHex(p.encodeWrite(1, 40, encodeValue(fts.Torque_Enable, 1)))).toBe(
      ex(feetech, 'WRITE Torque_Enable').request,
    );
    expect(toHex(p.encodeWrite(1, 42, encodeValue(fts.Goal_Position, 2048)))).toBe(
      ex(feetech, 'WRITE Goal_Position').request,
    );
  });
  it('SYNC_WRITE and SYNC_READ of six motors', () => {
    const entries = [1, 2, 3, 4, 5, 6].map((id) => ({ id, data: encodeValue(fts.Goal_Position, 1500 + id) }));
    expect(toHex(p.encodeSyncWrite(42, 2, entries))).toBe(ex(feetech, 'SYNC_WRITE').request);
    const e = ex(feetech, 'SYNC_READ');
    expect(toHex(p.encodeSyncRead(56, 2, [1, 2, 3, 4, 5, 6]))).toBe(e.request);
    const frames = p.createParser().push(fromHex(e.reply));
    expect(frames.map((f) => [f.id, decodeValue(fts.Present_Position, f.params)])).toEqual([
      [1, 1100],
      [2, 1200],
      [3, 1300],
      [4, 1400],
      [5, 1500],
      [6, 1600],
    ]);
  });
  it('matches packets worked out by hand from the protocol document', () => {
    // READ id 1 addr 56 len 2: sum = 1+4+2+56+2 = 65 = 0x41, ~0x41 & 0xff = 0xbe.
    expect(toHex(p.encodeRead(1, 56, 2))).toBe('ff ff 01 04 02 38 02 be');
    // WRITE id 6 Goal_Position -1 (sign-magnitude bit 15 -> 0x8001): sum 6+5+3+42+1+0x80 = 0xb9 -> 0x46.
    expect(toHex(p.encodeWrite(6, 42, encodeValue(fts.Goal_Position, -1)))).toBe(
      'ff ff 06 05 03 2a 01 80 46',
    );
    // Status id 2 with overheat (4) + overload (32): the error names say so.
    expect(p.errorNames(36)).toEqual(['overheat', 'overload']);
    expect(decodeValue(fts.Present_Load, Uint8Array.of(0x10, 0x04))).toBe(-16);
  });
});

describe('Dynamixel 2.0 packets vs the ROBOTIS SDK wire bytes', () => {
  const p = dynamixelProtocol;
  it('PING returns the model number and firmware', () => {
    const e = ex(dxl, 'PING id 1');
    expect(toHex(p.encodePing(1))).toBe(e.request);
    const [f] = p.createParser().push(fromHex(e.reply));
    expect(f!.error).toBe(0);
    expect(decodeValue(xt.Model_Number, f!.params)).toBe(1060);
    expect(f!.params[2]).toBe(45);
  });
  it('READ two’s complement and byte-stuffed replies', () => {
    const cases: [string, number, number][] = [
      ['READ Present_Position (addr 132, 4 bytes) from id 2', 2, 2020],
      ['READ Present_Position from id 3', 3, -150],
      ['READ Present_Position from id 5', 5, 16646143],
    ];
    for (const [what, id, value] of cases) {
      const e = ex(dxl, what);
      expect(toHex(p.encodeRead(id, 132, 4))).toBe(e.request);
      const [f] = p.createParser().push(fromHex(e.reply));
      expect(f!.id).toBe(id);
      expect(decodeValue(xt.Present_Position, f!.params)).toBe(value);
    }
  });
  it('WRITE, including a request that must be byte-stuffed', () => {
    expect(toHex(p.encodeWrite(1, 64, encodeValue(xt.Torque_Enable, 1)))).toBe(
      ex(dxl, 'WRITE Torque_Enable').request,
    );
    expect(toHex(p.encodeWrite(1, 116, encodeValue(xt.Goal_Position, 3000)))).toBe(
      ex(dxl, 'WRITE Goal_Position=3000').request,
    );
    const stuffed = ex(dxl, 'WRITE Goal_Position to id 2');
    expect(toHex(p.encodeWrite(2, 116, Uint8Array.of(0xff, 0xff, 0xfd, 0x00)))).toBe(stuffed.request);
    const [f] = p.createParser().push(fromHex(stuffed.request));
    expect(toHex(f!.params)).toBe('74 00 ff ff fd 00');
    // The SDK's unstuffed form (LEN 9, CRC over unstuffed bytes) parses to the same params.
    const raw = new Uint8Array([
      0xff, 0xff, 0xfd, 0x00, 0x02, 0x09, 0x00, 0x03, 0x74, 0x00, 0xff, 0xff, 0xfd, 0x00, 0, 0,
    ]);
    const crc = dynamixelCrc(raw, 0, raw.length - 2);
    raw[raw.length - 2] = crc & 0xff;
    raw[raw.length - 1] = crc >> 8;
    expect(toHex(p.createParser().push(raw)[0]!.params)).toBe('74 00 ff ff fd 00');
    expect(p.createParser().push(fromHex(stuffed.reply))[0]!.error).toBe(0);
  });
  it('SYNC_WRITE and SYNC_READ', () => {
    const entries = [1, 2, 3, 4, 5, 6].map((id) => ({ id, data: encodeValue(xt.Goal_Position, 2500 + id) }));
    expect(toHex(p.encodeSyncWrite(116, 4, entries))).toBe(ex(dxl, 'SYNC_WRITE').request);
    const e = ex(dxl, 'SYNC_READ');
    expect(toHex(p.encodeSyncRead(132, 4, [1, 2, 4, 6]))).toBe(e.request);
    const frames = p.createParser().push(fromHex(e.reply));
    expect(frames.map((f) => decodeValue(xt.Present_Position, f.params))).toEqual([2010, 2020, 2040, 2060]);
  });
  it('status packets by hand: error number and alert bit have names', () => {
    expect(p.errorNames(0x80 | 4)).toEqual([
      'hardware alert (read Hardware_Error_Status)',
      'data range error',
    ]);
    // Status body 55 00 for id 1 equals the vector's WRITE reply.
    expect(toHex(dynamixelPacket(1, [0x55, 0]))).toBe('ff ff fd 00 01 04 00 55 00 a1 0c');
  });
});
