import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { BusError, explainOpenError } from './errors';
import { type BusProtocol, decodeValue, encodeValue, type Frame, type RegisterDef } from './protocol';

export interface MotorSpec {
  id: number;
  /** Expected model number (checked by `verifyMotors`), e.g. 777 for an STS3215. */
  model?: number;
}

export interface ServoBusOptions {
  path: string;
  protocol: BusProtocol;
  motors: Record<string, MotorSpec>;
  baudRate?: number;
  /** Extra attempts after a lost or corrupt reply (bounded). Default 3. */
  retries?: number;
  /** Added to the SDK packet timeout; useful on slow USB adapters. Default 0. */
  extraTimeoutMs?: number;
  /** Throw when a status packet reports a fault (default), or only emit 'fault'. */
  onFault?: 'throw' | 'emit';
}

export interface FoundMotor {
  id: number;
  model: number | null;
}

export interface BusStats {
  requests: number;
  retries: number;
  timeouts: number;
  bytesOut: number;
  bytesIn: number;
}

interface Pending {
  ids: Set<number>;
  size: number;
  got: Map<number, Frame>;
  resolve: () => void;
}

/**
 * A servo bus over a serial port: one request at a time, replies matched by id and length,
 * packet timeouts from the vendor SDK formula, bounded retries, and errors that name the motor,
 * register and fault. Events: `disconnected` (BusError) when the port goes away unexpectedly,
 * `fault` ({motor, register, faults}) for motor-reported faults.
 */
export class ServoBus extends EventEmitter {
  readonly protocol: BusProtocol;
  readonly motors: Record<string, MotorSpec>;
  readonly path: string;
  baudRate: number;
  readonly stats: BusStats = { requests: 0, retries: 0, timeouts: 0, bytesOut: 0, bytesIn: 0 };
  private port: SerialPort | null = null;
  private parser;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;
  /** The last packet written: a half-duplex adapter that echoes it must not be read as a reply. */
  private lastSent: Buffer | null = null;
  private lostError: BusError | null = null;
  private readonly retries: number;
  private readonly extraTimeoutMs: number;
  private readonly onFault: 'throw' | 'emit';

  constructor(opts: ServoBusOptions) {
    super();
    this.protocol = opts.protocol;
    this.motors = opts.motors;
    this.path = opts.path;
    this.baudRate = opts.baudRate ?? 1_000_000;
    this.retries = opts.retries ?? 3;
    this.extraTimeoutMs = opts.extraTimeoutMs ?? 0;
    this.onFault = opts.onFault ?? 'throw';
    this.parser = this.protocol.createParser();
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true && this.lostError === null;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    this.closing = false;
    this.lostError = null;
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(explainOpenError(this.path, err)) : resolve())),
    );
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', (err?: Error & { disconnected?: boolean }) => this.onClose(err));
    port.on('error', (err: Error) => {
      if (!this.closing) this.lose(err);
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.closing = true;
    this.port = null;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Change the port's baud rate (not the motors'). */
  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
    const port = this.requirePort();
    await new Promise<void>((resolve, reject) =>
      port.update({ baudRate }, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Ping one motor; returns its model number (read from the control table on Feetech), or null. */
  async ping(motorOrId: string | number): Promise<FoundMotor | null> {
    const id = typeof motorOrId === 'number' ? motorOrId : this.motorSpec(motorOrId).id;
    try {
      const frames = await this.request(this.protocol.encodePing(id), [id], this.protocol.pingReplySize, {
        label: `ping ${this.describe(id)}`,
      });
      return { id, model: await this.modelFromPing(id, frames.get(id)!) };
    } catch (err) {
      if (err instanceof BusError && err.code === 'timeout') return null;
      throw err;
    }
  }

  /**
   * Broadcast PING at each baud rate (the port's own first) and list who answers. Stops at the
   * first baud rate where a motor answers unless `allBauds` is set.
   */
  async scan(
    opts: { bauds?: readonly number[]; allBauds?: boolean } = {},
  ): Promise<{ baudRate: number; motors: FoundMotor[] }[]> {
    const bauds = opts.bauds ?? [
      this.baudRate,
      ...this.protocol.scanBauds.filter((b) => b !== this.baudRate),
    ];
    const found: { baudRate: number; motors: FoundMotor[] }[] = [];
    const original = this.baudRate;
    for (const baud of bauds) {
      if (baud !== this.baudRate) await this.setBaudRate(baud);
      const ids = await this.broadcastPing();
      if (ids.size > 0) {
        const motors: FoundMotor[] = [];
        for (const [id, frame] of ids) motors.push({ id, model: await this.modelFromPing(id, frame) });
        found.push({ baudRate: baud, motors });
        if (!opts.allBauds) break;
      }
    }
    const keep = found[0]?.baudRate ?? original;
    if (keep !== this.baudRate) await this.setBaudRate(keep);
    return found;
  }

  /** Check every configured motor answers (and has the expected model); throws one error naming all that do not. */
  async verifyMotors(): Promise<void> {
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(this.motors)) {
      const found = await this.ping(spec.id);
      if (!found) problems.push(`${name} (id ${spec.id}) does not answer`);
      else if (spec.model !== undefined && found.model !== null && found.model !== spec.model) {
        problems.push(`${name} (id ${spec.id}) is model ${found.model}, expected ${spec.model}`);
      }
    }
    if (problems.length > 0) {
      throw new BusError(
        `Motor check failed on ${this.path} at ${this.baudRate} baud: ${problems.join('; ')}`,
        'motors-missing',
        'check power and the daisy-chain cables; a new motor needs its ID and baud rate set first (motor setup)',
        { path: this.path },
      );
    }
  }

  async read(register: string, motor: string): Promise<number> {
    const reg = this.register(register);
    const { id } = this.motorSpec(motor);
    const frames = await this.request(this.protocol.encodeRead(id, reg.addr, reg.size), [id], reg.size, {
      label: `reading ${register} from ${this.describe(id)}`,
      register,
    });
    return decodeValue(reg, frames.get(id)!.params);
  }

  async write(register: string, motor: string, value: number): Promise<void> {
    const reg = this.register(register);
    const { id } = this.motorSpec(motor);
    const data = this.encode(reg, register, motor, value);
    await this.request(this.protocol.encodeWrite(id, reg.addr, data), [id], 0, {
      label: `writing ${register}=${value} to ${this.describe(id)}`,
      register,
    });
  }

  /**
   * Write a register of a motor by raw id (motor setup, before it has its final id). With
   * `acceptSilence` a missing reply is not an error (a motor changing its ID or baud rate may
   * answer under the new one).
   */
  async writeById(
    id: number,
    register: string,
    value: number,
    opts: { acceptSilence?: boolean } = {},
  ): Promise<void> {
    const reg = this.register(register);
    const data = this.encode(reg, register, `id ${id}`, value);
    try {
      await this.request(this.protocol.encodeWrite(id, reg.addr, data), [id], 0, {
        label: `writing ${register}=${value} to ${this.describe(id)}`,
        register,
        ...(opts.acceptSilence ? { retries: 0 } : {}),
      });
    } catch (err) {
      if (!(opts.acceptSilence && err instanceof BusError && err.code === 'timeout')) throw err;
    }
  }

  /** Write the same register on several motors, one acknowledged write each. */
  async writeAll(
    register: string,
    value: number,
    motors: readonly string[] = Object.keys(this.motors),
  ): Promise<void> {
    for (const m of motors) await this.write(register, m, value);
  }

  async syncRead(
    register: string,
    motors: readonly string[] = Object.keys(this.motors),
  ): Promise<Record<string, number>> {
    const reg = this.register(register);
    const ids = motors.map((m) => this.motorSpec(m).id);
    const frames = await this.request(this.protocol.encodeSyncRead(reg.addr, reg.size, ids), ids, reg.size, {
      label: `sync-reading ${register}`,
      register,
    });
    const out: Record<string, number> = {};
    motors.forEach((m, i) => {
      out[m] = decodeValue(reg, frames.get(ids[i]!)!.params);
    });
    return out;
  }

  /** Broadcast write; motors do not answer, so nothing can be retried. */
  async syncWrite(register: string, values: Record<string, number>): Promise<void> {
    const reg = this.register(register);
    const entries = Object.entries(values).map(([m, v]) => ({
      id: this.motorSpec(m).id,
      data: this.encode(reg, register, m, v),
    }));
    const packet = this.protocol.encodeSyncWrite(reg.addr, reg.size, entries);
    await this.serialize(async () => {
      await this.send(packet);
    });
  }

  /** Torque off (Feetech also unlocks EEPROM: see FeetechBus). */
  async disableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) await this.write('Torque_Enable', m, 0);
  }

  async enableTorque(motors: readonly string[] = Object.keys(this.motors)): Promise<void> {
    for (const m of motors) await this.write('Torque_Enable', m, 1);
  }

  // ---- internals -------------------------------------------------------------------------

  private byteMs(): number {
    return (1000 / this.baudRate) * 10;
  }

  /** The SDK's packet timeout: per-byte time x (reply length + 3) + the adapter latency. */
  packetTimeoutMs(replyBytes: number): number {
    return this.byteMs() * (replyBytes + 3) + this.protocol.latencyMs + this.extraTimeoutMs;
  }

  private describe(id: number): string {
    const name = Object.entries(this.motors).find(([, s]) => s.id === id)?.[0];
    return name ? `${name} (id ${id})` : `motor id ${id}`;
  }

  private motorSpec(motor: string): MotorSpec {
    const spec = this.motors[motor];
    if (!spec) {
      throw new BusError(
        `Unknown motor "${motor}"`,
        'bad-register',
        `known motors: ${Object.keys(this.motors).join(', ')}`,
      );
    }
    return spec;
  }

  private register(name: string): RegisterDef {
    const reg = this.protocol.table[name];
    if (!reg) {
      throw new BusError(
        `Unknown ${this.protocol.name} register "${name}"`,
        'bad-register',
        'use a name from the control table',
        {
          register: name,
        },
      );
    }
    return reg;
  }

  private encode(reg: RegisterDef, register: string, motor: string, value: number): Uint8Array {
    try {
      return encodeValue(reg, value);
    } catch (err) {
      throw new BusError(
        `Cannot write ${value} to ${register} of ${motor}: ${(err as Error).message}`,
        'bad-value',
        'check the calibration (a homing offset beyond ±2047 means the joint was far from mid-range)',
        { motor, register },
      );
    }
  }

  private async modelFromPing(id: number, frame: Frame): Promise<number | null> {
    if (this.protocol.pingReplySize >= 2) return (frame.params[0] ?? 0) | ((frame.params[1] ?? 0) << 8);
    const reg = this.protocol.table.Model_Number;
    if (!reg) return null;
    try {
      const frames = await this.request(this.protocol.encodeRead(id, reg.addr, reg.size), [id], reg.size, {
        label: `reading Model_Number from ${this.describe(id)}`,
        register: 'Model_Number',
      });
      return decodeValue(reg, frames.get(id)!.params);
    } catch {
      return null;
    }
  }

  private requirePort(): SerialPort {
    if (this.lostError) throw this.lostError;
    if (!this.port?.isOpen) {
      throw new BusError(`Serial port ${this.path} is not open`, 'not-open', 'connect the arm first', {
        path: this.path,
      });
    }
    return this.port;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(packet: Uint8Array): Promise<void> {
    const port = this.requirePort();
    this.lastSent = Buffer.from(packet);
    this.stats.bytesOut += packet.length;
    await new Promise<void>((resolve, reject) =>
      port.write(Buffer.from(packet), (err) => {
        if (!err) return resolve();
        // A write failing with EIO/ENXIO means the device went away before 'close' arrived.
        if (!this.closing) this.lose(err);
        reject(this.lostError ?? err);
      }),
    );
  }

  /** Send a packet and collect one status packet of `size` data bytes from each id. */
  private request(
    packet: Uint8Array,
    ids: readonly number[],
    size: number,
    ctx: { label: string; register?: string; retries?: number },
  ): Promise<Map<number, Frame>> {
    return this.serialize(async () => {
      const retries = ctx.retries ?? this.retries;
      const timeoutMs = this.packetTimeoutMs(this.protocol.statusLength(size) * ids.length);
      let missing: number[] = [];
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) this.stats.retries++;
        this.stats.requests++;
        const got = await this.exchange(packet, ids, size, timeoutMs);
        missing = ids.filter((id) => !got.has(id));
        if (missing.length === 0) {
          // After a timeout the earlier attempt's reply may still arrive; with no sequence numbers
          // in these protocols it would pass for the next request's reply, so let it drain first.
          if (attempt > 0) await this.settle(timeoutMs);
          this.checkFaults(got, ctx);
          return got;
        }
        this.stats.timeouts++;
      }
      await this.settle(timeoutMs);
      const who = missing.map((id) => this.describe(id)).join(', ');
      throw new BusError(
        `No status packet from ${who} ${ctx.label} after ${retries + 1} tries (timeout ${timeoutMs.toFixed(0)} ms at ${this.baudRate} baud)`,
        'timeout',
        'check that motor’s power and cable, its ID and its baud rate',
        {
          ...(ctx.register ? { register: ctx.register } : {}),
          id: missing[0]!,
          motor: Object.entries(this.motors).find(([, s]) => s.id === missing[0])?.[0] ?? '',
          path: this.path,
        },
      );
    });
  }

  /** Wait `ms` with no request pending, so late replies are dropped rather than matched. */
  private async settle(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    this.parser.reset();
  }

  private async exchange(packet: Uint8Array, ids: readonly number[], size: number, timeoutMs: number) {
    this.parser.reset();
    const got = new Map<number, Frame>();
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      this.pending = { ids: new Set(ids), size, got, resolve };
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await this.send(packet);
      await done;
    } finally {
      clearTimeout(timer);
      this.pending = null;
    }
    if (this.lostError) throw this.lostError;
    return got;
  }

  private checkFaults(frames: Map<number, Frame>, ctx: { label: string; register?: string }): void {
    for (const [id, f] of frames) {
      if (f.error === 0) continue;
      const faults = this.protocol.errorNames(f.error);
      const motor = Object.entries(this.motors).find(([, s]) => s.id === id)?.[0] ?? `id ${id}`;
      const info = { motor, id, register: ctx.register ?? '', faults };
      if (this.onFault === 'emit') {
        this.emit('fault', info);
        continue;
      }
      throw new BusError(
        `${this.describe(id)} reported ${faults.join(', ')} while ${ctx.label}`,
        'motor-fault',
        faults.includes('overheat') || faults.includes('overload')
          ? 'torque off, let the motor cool and remove what blocks the joint'
          : faults.includes('input voltage')
            ? 'check the power supply voltage (STS3215: 7.4 V or 12 V version)'
            : 'power-cycle the arm; if it persists, check that joint',
        info,
      );
    }
  }

  private onData(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    const frames = this.parser.push(chunk);
    const p = this.pending;
    if (!p) return;
    for (const f of frames) {
      if (!this.protocol.isStatus(f) || !p.ids.has(f.id) || f.params.length !== p.size || p.got.has(f.id))
        continue;
      if (this.isEcho(f)) continue;
      p.got.set(f.id, f);
    }
    if (p.got.size === p.ids.size) p.resolve();
  }

  private isEcho(f: Frame): boolean {
    if (!this.lastSent) return false;
    const again = this.protocol.encodeStatus(f.id, f.error, f.params);
    return again.length === this.lastSent.length && this.lastSent.equals(Buffer.from(again));
  }

  private async broadcastPing(): Promise<Map<number, Frame>> {
    return this.serialize(async () => {
      const replyBytes = this.protocol.statusLength(this.protocol.pingReplySize);
      const waitMs =
        this.byteMs() * replyBytes * (this.protocol.maxId + 1) +
        this.protocol.latencyMs +
        this.extraTimeoutMs;
      const all = Array.from({ length: this.protocol.maxId + 1 }, (_, i) => i);
      return this.exchange(
        this.protocol.encodePing(this.protocol.broadcastId),
        all,
        this.protocol.pingReplySize,
        waitMs,
      );
    });
  }

  private lose(err?: Error): void {
    if (this.lostError) return;
    this.lostError = new BusError(
      `Serial port ${this.path} closed unexpectedly${err ? ` (${err.message})` : ''}: the arm is disconnected`,
      'disconnected',
      'check the USB cable and the arm’s power, then connect again',
      { path: this.path },
    );
    this.pending?.resolve();
    this.emit('disconnected', this.lostError);
  }

  private onClose(err?: Error & { disconnected?: boolean }): void {
    if (this.closing) return;
    this.lose(err);
  }
}
