import { SerialPort } from 'serialport';
import { DYNAMIXEL_MODELS, X_SERIES_CONTROL_TABLE } from '../../dynamixel/control-table';
import { DYNAMIXEL_INSTRUCTION, dynamixelProtocol } from '../../dynamixel/protocol';
import { STS_CONTROL_TABLE, STS3215_MODEL } from '../../feetech/control-table';
import { FEETECH_INSTRUCTION, feetechProtocol } from '../../feetech/protocol';
import {
  type BusProtocol,
  decodeValue,
  encodeValue,
  type Frame,
  type RegisterDef,
} from '../../serial/protocol';
import { IdealMotorBackend, type MotorBackend } from './motor-backend';
import { PtyPair } from './pty-pair';

export interface VirtualMotor {
  id: number;
  /** Model number; default STS3215 (777) on Feetech, XL330-M288 (1200) on Dynamixel. */
  model?: number;
}

export interface VirtualServoBusOptions {
  protocol: 'feetech' | 'dynamixel';
  /** Motor ids (or full specs). Default: the SO-101's ids 1..6. */
  motors?: readonly (number | VirtualMotor)[];
  /** Drives positions; default an ideal first-order motor starting at 2048. */
  backend?: MotorBackend;
}

/** Faults to inject; each call adds to (or replaces) what is pending. */
export interface FaultInjection {
  /** Drop the next N status packets (the motor "does not answer" once each). */
  dropReplies?: number;
  /** Corrupt (flip a data byte of) the next N status packets. */
  corruptReplies?: number;
  /** These motor ids stop answering altogether (until set to []). */
  silentIds?: number[];
  /** Set the status error byte that a motor reports (0 clears). */
  statusError?: { id: number; error: number };
  /** Send the next N status packets late, by `delayMs` (a reply arriving after the host's timeout). */
  delayReplies?: number;
  delayMs?: number;
  /** Echo every received byte back first, as some half-duplex adapters do. */
  echo?: boolean;
  /** Close the port as if the USB adapter were unplugged. */
  closePort?: boolean;
}

interface Dialect {
  protocol: BusProtocol;
  table: Record<string, RegisterDef>;
  size: number;
  defaultModel: number;
  /** Registers computed from the backend on every read. */
  present: RegisterDef;
  goal: RegisterDef;
  torque: RegisterDef;
  offset: RegisterDef;
  minLimit: RegisterDef;
  maxLimit: RegisterDef;
  ping: number;
  read: number;
  write: number;
  syncRead: number;
  syncWrite: number;
  /** Raw actual ticks -> Present_Position, and a goal back to actual ticks. */
  toPresent(actual: number, offset: number, regs: Uint8Array): number;
  toActual(goal: number, offset: number, regs: Uint8Array): number;
  defaults(regs: Uint8Array, id: number, model: number): void;
}

const put = (regs: Uint8Array, reg: RegisterDef, v: number) => regs.set(encodeValue(reg, v), reg.addr);

const FEETECH: Dialect = {
  protocol: feetechProtocol,
  table: STS_CONTROL_TABLE,
  size: 128,
  defaultModel: STS3215_MODEL,
  present: STS_CONTROL_TABLE.Present_Position,
  goal: STS_CONTROL_TABLE.Goal_Position,
  torque: STS_CONTROL_TABLE.Torque_Enable,
  offset: STS_CONTROL_TABLE.Homing_Offset,
  minLimit: STS_CONTROL_TABLE.Min_Position_Limit,
  maxLimit: STS_CONTROL_TABLE.Max_Position_Limit,
  ping: FEETECH_INSTRUCTION.PING,
  read: FEETECH_INSTRUCTION.READ,
  write: FEETECH_INSTRUCTION.WRITE,
  syncRead: FEETECH_INSTRUCTION.SYNC_READ,
  syncWrite: FEETECH_INSTRUCTION.SYNC_WRITE,
  // STS: Present = Actual - Homing_Offset, wrapped to one turn.
  toPresent: (actual, offset) => (((actual - offset) % 4096) + 4096) % 4096,
  toActual: (goal, offset) => goal + offset,
  defaults: (regs, id, model) => {
    const t = STS_CONTROL_TABLE;
    put(regs, t.Model_Number, model);
    put(regs, t.ID, id);
    put(regs, t.Baud_Rate, 0);
    put(regs, t.Return_Delay_Time, 250);
    put(regs, t.Min_Position_Limit, 0);
    put(regs, t.Max_Position_Limit, 4095);
    put(regs, t.Max_Torque_Limit, 1000);
    put(regs, t.P_Coefficient, 32);
    put(regs, t.Protection_Current, 500);
    put(regs, t.Overload_Torque, 80);
    put(regs, t.Torque_Limit, 1000);
    put(regs, t.Lock, 1);
    put(regs, t.Present_Voltage, 120);
    put(regs, t.Present_Temperature, 30);
  },
};

const DYNAMIXEL: Dialect = {
  protocol: dynamixelProtocol,
  table: X_SERIES_CONTROL_TABLE,
  size: 256,
  defaultModel: DYNAMIXEL_MODELS['xl330-m288'],
  present: X_SERIES_CONTROL_TABLE.Present_Position,
  goal: X_SERIES_CONTROL_TABLE.Goal_Position,
  torque: X_SERIES_CONTROL_TABLE.Torque_Enable,
  offset: X_SERIES_CONTROL_TABLE.Homing_Offset,
  minLimit: X_SERIES_CONTROL_TABLE.Min_Position_Limit,
  maxLimit: X_SERIES_CONTROL_TABLE.Max_Position_Limit,
  ping: DYNAMIXEL_INSTRUCTION.PING,
  read: DYNAMIXEL_INSTRUCTION.READ,
  write: DYNAMIXEL_INSTRUCTION.WRITE,
  syncRead: DYNAMIXEL_INSTRUCTION.SYNC_READ,
  syncWrite: DYNAMIXEL_INSTRUCTION.SYNC_WRITE,
  // X-series: Present = Actual + Homing_Offset; Drive_Mode bit 0 reverses the direction.
  toPresent: (actual, offset, regs) => ((regs[10]! & 1) === 1 ? -actual : actual) + offset,
  toActual: (goal, offset, regs) => ((regs[10]! & 1) === 1 ? -(goal - offset) : goal - offset),
  defaults: (regs, id, model) => {
    const t = X_SERIES_CONTROL_TABLE;
    put(regs, t.Model_Number, model);
    put(regs, t.Firmware_Version, 45);
    put(regs, t.ID, id);
    put(regs, t.Baud_Rate, 1);
    put(regs, t.Return_Delay_Time, 250);
    put(regs, t.Operating_Mode, 3);
    put(regs, t.Max_Position_Limit, 4095);
    put(regs, t.Min_Position_Limit, 0);
    put(regs, t.Status_Return_Level, 2);
    put(regs, t.Position_P_Gain, 800);
    put(regs, t.Present_Input_Voltage, 50);
    put(regs, t.Present_Temperature, 30);
  },
};

interface MotorState {
  id: number;
  regs: Uint8Array;
  error: number;
}

/**
 * A servo-bus emulator on one end of a socat pty pair: the real `serialport` driver opens
 * `devicePath` and talks real Feetech or Dynamixel bytes to it.
 */
export class VirtualServoBus {
  private readonly motors = new Map<number, MotorState>();
  private readonly parser;
  /** Current id -> the id the backend knows the motor by (differs after an ID change). */
  private readonly idAlias = new Map<number, number>();
  private faults = { drop: 0, corrupt: 0, delay: 0, delayMs: 100, echo: false, silent: new Set<number>() };
  /** Frames received and status packets sent, for tests and diagnostics. */
  readonly counters = { requests: 0, replies: 0, dropped: 0, corrupted: 0 };

  private constructor(
    private readonly dialect: Dialect,
    readonly backend: MotorBackend,
    private readonly pty: PtyPair,
    private readonly port: SerialPort,
    motors: VirtualMotor[],
  ) {
    this.parser = dialect.protocol.createParser();
    for (const m of motors) {
      const regs = new Uint8Array(dialect.size);
      dialect.defaults(regs, m.id, m.model ?? dialect.defaultModel);
      this.motors.set(m.id, { id: m.id, regs, error: 0 });
    }
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', () => undefined);
  }

  static async start(opts: VirtualServoBusOptions): Promise<VirtualServoBus> {
    const dialect = opts.protocol === 'feetech' ? FEETECH : DYNAMIXEL;
    const motors = (opts.motors ?? [1, 2, 3, 4, 5, 6]).map((m) => (typeof m === 'number' ? { id: m } : m));
    const backend = opts.backend ?? new IdealMotorBackend({ ids: motors.map((m) => m.id) });
    const pty = await PtyPair.create();
    const port = new SerialPort({ path: pty.a, baudRate: 1_000_000, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      await pty.close();
      throw err;
    }
    return new VirtualServoBus(dialect, backend, pty, port, motors);
  }

  /** The path a driver opens (a symlink to the pty). */
  get devicePath(): string {
    return this.pty.b;
  }

  get protocol(): BusProtocol {
    return this.dialect.protocol;
  }

  inject(f: FaultInjection): void {
    if (f.dropReplies) this.faults.drop += f.dropReplies;
    if (f.corruptReplies) this.faults.corrupt += f.corruptReplies;
    if (f.delayReplies) this.faults.delay += f.delayReplies;
    if (f.delayMs !== undefined) this.faults.delayMs = f.delayMs;
    if (f.echo !== undefined) this.faults.echo = f.echo;
    if (f.silentIds) this.faults.silent = new Set(f.silentIds);
    if (f.statusError) {
      const m = this.motors.get(f.statusError.id);
      if (m) m.error = f.statusError.error;
    }
    if (f.closePort) void this.stop();
  }

  /** A register's value on one emulated motor (decoded), for tests. */
  register(id: number, name: string): number {
    const reg = this.dialect.table[name];
    const m = this.motors.get(id);
    if (!reg || !m) throw new Error(`no register ${name} on virtual motor ${id}`);
    this.refresh(m);
    return decodeValue(reg, m.regs, reg.addr);
  }

  async stop(): Promise<void> {
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
    await this.pty.close();
    this.backend.close?.();
  }

  // ---- emulation -------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    const out: Uint8Array[] = this.faults.echo ? [Uint8Array.from(chunk)] : [];
    for (const frame of this.parser.push(chunk)) {
      if (this.dialect.protocol.name === 'dynamixel' && this.dialect.protocol.isStatus(frame)) continue;
      this.counters.requests++;
      this.handle(frame, out);
    }
    if (out.length > 0 && this.port.isOpen) this.port.write(Buffer.concat(out));
  }

  private reply(m: MotorState, data: Uint8Array, out: Uint8Array[]): void {
    if (this.faults.silent.has(m.id)) return;
    if (this.faults.drop > 0) {
      this.faults.drop--;
      this.counters.dropped++;
      return;
    }
    const packet = this.dialect.protocol.encodeStatus(m.id, m.error, data).slice();
    if (this.faults.corrupt > 0) {
      this.faults.corrupt--;
      this.counters.corrupted++;
      packet[packet.length - 3] = packet[packet.length - 3]! ^ 0x5a;
    }
    this.counters.replies++;
    if (this.faults.delay > 0) {
      this.faults.delay--;
      setTimeout(() => {
        if (this.port.isOpen) this.port.write(Buffer.from(packet));
      }, this.faults.delayMs);
      return;
    }
    out.push(packet);
  }

  private handle(frame: Frame, out: Uint8Array[]): void {
    const d = this.dialect;
    const p = frame.params;
    const dxl = d.protocol.name === 'dynamixel';
    const u16 = (i: number) => p[i]! | (p[i + 1]! << 8);
    const targets =
      frame.id === d.protocol.broadcastId ? [...this.motors.values()] : [this.motors.get(frame.id)];
    // Malformed instructions are ignored, as a servo does (the host then times out).
    const minParams = new Map([
      [d.read, dxl ? 4 : 2],
      [d.write, dxl ? 3 : 2],
      [d.syncRead, dxl ? 5 : 3],
      [d.syncWrite, dxl ? 5 : 3],
    ]);
    if (p.length < (minParams.get(frame.instruction) ?? 0)) return;
    switch (frame.instruction) {
      case d.ping:
        for (const m of targets) {
          if (!m) continue;
          const data = dxl ? Uint8Array.of(m.regs[0]!, m.regs[1]!, m.regs[6]!) : new Uint8Array(0);
          this.reply(m, data, out);
        }
        return;
      case d.read: {
        const m = targets[0];
        if (!m || frame.id === d.protocol.broadcastId) return;
        const [addr, n] = dxl ? [u16(0), u16(2)] : [p[0]!, p[1]!];
        this.refresh(m);
        this.reply(m, m.regs.slice(addr, addr + n), out);
        return;
      }
      case d.write: {
        const m = targets[0];
        const [addr, data] = dxl ? [u16(0), p.subarray(2)] : [p[0]!, p.subarray(1)];
        for (const t of targets) if (t) this.store(t, addr, data);
        if (m && frame.id !== d.protocol.broadcastId) this.reply(m, new Uint8Array(0), out);
        return;
      }
      case d.syncRead: {
        const [addr, n, idsAt] = dxl ? [u16(0), u16(2), 4] : [p[0]!, p[1]!, 2];
        for (const id of p.subarray(idsAt)) {
          const m = this.motors.get(id);
          if (!m) continue;
          this.refresh(m);
          this.reply(m, m.regs.slice(addr, addr + n), out);
        }
        return;
      }
      case d.syncWrite: {
        const [addr, n, at] = dxl ? [u16(0), u16(2), 4] : [p[0]!, p[1]!, 2];
        for (let i = at; i + 1 + n <= p.length; i += 1 + n) {
          const m = this.motors.get(p[i]!);
          if (m) this.store(m, addr, p.subarray(i + 1, i + 1 + n));
        }
        return;
      }
      default:
        return;
    }
  }

  private touches(reg: RegisterDef, addr: number, len: number): boolean {
    return addr < reg.addr + reg.size && reg.addr < addr + len;
  }

  /** Write bytes to a motor's table and apply what the firmware would do. */
  private store(m: MotorState, addr: number, data: Uint8Array): void {
    const d = this.dialect;
    if (addr + data.length > m.regs.length) return;
    const wasOn = m.regs[d.torque.addr] === 1;
    m.regs.set(data, addr);
    const on = m.regs[d.torque.addr] === 1;
    const idAddr = d.table.ID!.addr;
    if (addr <= idAddr && idAddr < addr + data.length && m.regs[idAddr] !== m.id)
      this.changeId(m, m.regs[idAddr]!);
    if (this.touches(d.torque, addr, data.length) && on !== wasOn) {
      this.backend.setTorque(this.backendId(m), on);
      // Enabling torque holds the present position rather than jumping to a stale goal.
      if (on) {
        this.refresh(m);
        m.regs.set(m.regs.subarray(d.present.addr, d.present.addr + d.present.size), d.goal.addr);
      }
    }
    if (this.touches(d.goal, addr, data.length) && on) {
      const goal = this.clampToLimits(m, decodeValue(d.goal, m.regs, d.goal.addr));
      const offset = decodeValue(d.offset, m.regs, d.offset.addr);
      this.backend.writeGoals(new Map([[this.backendId(m), d.toActual(goal, offset, m.regs)]]));
    }
  }

  /** A motor whose ID register was written answers to the new ID from now on (the backend keeps the old). */
  private changeId(m: MotorState, newId: number): void {
    if (this.motors.has(newId) || newId > this.dialect.protocol.maxId) {
      m.regs[this.dialect.table.ID!.addr] = m.id; // refused, as firmware refuses a taken/invalid id
      return;
    }
    this.motors.delete(m.id);
    this.idAlias.set(newId, this.idAlias.get(m.id) ?? m.id);
    m.id = newId;
    this.motors.set(newId, m);
  }

  private clampToLimits(m: MotorState, goal: number): number {
    const d = this.dialect;
    const lo = decodeValue(d.minLimit, m.regs, d.minLimit.addr);
    const hi = decodeValue(d.maxLimit, m.regs, d.maxLimit.addr);
    return hi > lo ? Math.min(hi, Math.max(lo, goal)) : goal;
  }

  private backendId(m: MotorState): number {
    return this.idAlias.get(m.id) ?? m.id;
  }

  /** Recompute Present_Position from the backend. */
  private refresh(m: MotorState): void {
    const d = this.dialect;
    const [actual] = this.backend.readPositions([this.backendId(m)]);
    const offset = decodeValue(d.offset, m.regs, d.offset.addr);
    m.regs.set(encodeValue(d.present, d.toPresent(actual ?? 0, offset, m.regs)), d.present.addr);
  }
}
