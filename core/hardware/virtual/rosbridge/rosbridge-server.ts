import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { GOAL_STATUS } from '../../ros/messages';
import { canSerializeCdr } from './cdr';
import {
  COMPRESSIONS,
  type Compression,
  decodeFrame,
  ProtocolError,
  parseJsonMessage,
  parsePngMessage,
  type RosbridgeMessage,
} from './codec';
import { ClientSession, Outgoing, type StatusLevel } from './session';
import { TypeRegistry } from './types';

export interface RosbridgeServerOptions {
  /** TCP port; 0 picks a free one. Default 9090 (rosbridge's default). */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (never exposed to the network unless asked). */
  host?: string;
  /** Largest incoming frame and largest reassembled fragmented message. Default 10 MB. */
  maxMessageBytes?: number;
  /** A client whose send buffer exceeds this misses published messages until it drains. Default 16 MB. */
  maxBufferedBytes?: number;
  /** More known type names (`pkg/msg/Type`, `pkg/srv/Type`, `pkg/action/Type`). */
  extraTypes?: { messages?: string[]; services?: string[]; actions?: string[] };
  /** Called with one line per notable server event (errors answered to clients, connects). */
  log?: (line: string) => void;
}

export type LocalTopicCallback = (msg: Record<string, unknown>, from: { client: number | null }) => void;
export type LocalServiceHandler = (args: Record<string, unknown>) => unknown | Promise<unknown>;

/** A goal as an in-process action server sees it. */
export interface LocalGoalHandle {
  readonly id: string;
  readonly wantsFeedback: boolean;
  readonly done: boolean;
  feedback(values: unknown): void;
  /** Finish with a GoalStatus (SUCCEEDED, ABORTED, CANCELED) and a result message. */
  finish(status: number, values: unknown): void;
  onCancel(cb: () => void): void;
}
export type LocalActionHandler = (goal: Record<string, unknown>, handle: LocalGoalHandle) => void;

interface TopicEntry {
  type: string;
  publishers: Set<number | 'local'>;
  localSubscribers: Set<LocalTopicCallback>;
  latched: Outgoing | null;
}

interface ServiceEntry {
  type: string;
  local?: LocalServiceHandler;
  owner?: ClientSession;
}

interface ActionEntry {
  type: string;
  local?: LocalActionHandler;
  owner?: ClientSession;
}

interface PendingCall {
  caller: ClientSession;
  callerId: string | undefined;
  name: string;
  owner: ClientSession;
  compression: Compression;
  fragmentSize?: number;
  timer: NodeJS.Timeout | null;
}

/** Every op of the rosbridge v2 protocol this server answers. */
export const ROSBRIDGE_OPS = [
  'advertise',
  'unadvertise',
  'publish',
  'subscribe',
  'unsubscribe',
  'call_service',
  'service_response',
  'advertise_service',
  'unadvertise_service',
  'advertise_action',
  'unadvertise_action',
  'send_action_goal',
  'cancel_action_goal',
  'action_feedback',
  'action_result',
  'set_level',
  'status',
  'fragment',
  'png',
  'auth',
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function str(msg: RosbridgeMessage, field: string): string {
  const v = msg[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) {
    throw new ProtocolError(`${msg.op} needs a non-empty string "${field}"`, msg.id);
  }
  return v;
}

/** Service and action names: `rosapi/topics` and `/rosapi/topics` are the same name. */
function rosName(msg: RosbridgeMessage, field: string): string {
  const v = str(msg, field);
  return v.startsWith('/') ? v : `/${v}`;
}

function num(msg: RosbridgeMessage, field: string, fallback: number): number {
  const v = msg[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ProtocolError(
      `${msg.op}: "${field}" must be a non-negative number, got ${JSON.stringify(v)}`,
      msg.id,
    );
  }
  return v;
}

/**
 * A rosbridge v2 server (WebSocket, JSON/CBOR/PNG, fragments) with an in-process ROS graph:
 * clients advertise, publish and subscribe topics, offer and call services and actions, and
 * in-process nodes (like RobotRosNode) do the same through the local API.
 */
export class RosbridgeServer {
  readonly types: TypeRegistry;
  private wss: WebSocketServer | null = null;
  private readonly sessions = new Map<number, ClientSession>();
  private readonly topics = new Map<string, TopicEntry>();
  private readonly services = new Map<string, ServiceEntry>();
  private readonly actions = new Map<string, ActionEntry>();
  private readonly pendingCalls = new Map<string, PendingCall>();
  private readonly pendingGoals = new Map<string, PendingCall>();
  /** Goals run by local action servers, by `${client}:${goal id}`. */
  private readonly localGoals = new Map<string, { cancel: () => void }>();
  private nextSession = 1;
  private nextForward = 1;
  private readonly maxMessageBytes: number;
  private readonly log: (line: string) => void;

  constructor(readonly options: RosbridgeServerOptions = {}) {
    this.types = new TypeRegistry(options.extraTypes);
    this.maxMessageBytes = options.maxMessageBytes ?? 10 * 1024 * 1024;
    this.log = options.log ?? (() => {});
    this.addRosapi();
  }

  /** Start listening; resolves with the bound port. */
  async start(): Promise<number> {
    const wss = new WebSocketServer({
      host: this.options.host ?? '127.0.0.1',
      port: this.options.port ?? 9090,
      maxPayload: this.maxMessageBytes,
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            e.code === 'EADDRINUSE'
              ? `rosbridge server: port ${this.options.port} is in use (stop the other rosbridge or pick another port, 0 = any free port)`
              : `rosbridge server failed to start: ${e.message}`,
          ),
        ),
      );
    });
    wss.on('error', (e) => this.log(`server error: ${e.message}`));
    wss.on('connection', (ws) => this.onConnection(ws));
    this.wss = wss;
    return this.port;
  }

  get port(): number {
    const addr = this.wss?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('rosbridge server is not running: call start() first');
    return addr.port;
  }

  get url(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** Stop listening and drop every client (they see the connection close). */
  async close(): Promise<void> {
    const wss = this.wss;
    this.wss = null;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    for (const s of [...this.sessions.values()]) this.dropSession(s);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  // ---------------------------------------------------------------- local (in-process) graph API

  /** Declare a topic published in-process; returns its publish function. */
  advertise(topic: string, type: string): { publish: (msg: unknown) => void; hasSubscribers: () => boolean } {
    const entry = this.topicEntry(topic, this.requireType(type, 'msg'));
    entry.publishers.add('local');
    return {
      publish: (msg) => this.publishToTopic(topic, entry, msg),
      hasSubscribers: () => this.hasSubscribers(topic),
    };
  }

  /** Receive a topic in-process (from clients and from other in-process publishers). */
  subscribe(topic: string, type: string, cb: LocalTopicCallback): () => void {
    const entry = this.topicEntry(topic, this.requireType(type, 'msg'));
    entry.localSubscribers.add(cb);
    return () => entry.localSubscribers.delete(cb);
  }

  hasSubscribers(topic: string): boolean {
    const entry = this.topics.get(topic);
    if (entry && entry.localSubscribers.size > 0) return true;
    for (const s of this.sessions.values()) if (s.subscriptions.has(topic)) return true;
    return false;
  }

  advertiseService(name: string, type: string, handler: LocalServiceHandler): void {
    if (this.services.has(name)) throw new Error(`service ${name} is already advertised`);
    this.services.set(name, { type: this.requireType(type, 'srv'), local: handler });
  }

  advertiseAction(name: string, type: string, handler: LocalActionHandler): void {
    if (this.actions.has(name)) throw new Error(`action ${name} is already advertised`);
    this.actions.set(name, { type: this.requireType(type, 'action'), local: handler });
  }

  // ---------------------------------------------------------------- connections

  private onConnection(ws: WebSocket): void {
    const session = new ClientSession(
      this.nextSession++,
      ws,
      this.options.maxBufferedBytes ?? 16 * 1024 * 1024,
      {
        maxBytes: this.maxMessageBytes,
        maxPending: 64,
        timeoutMs: 30_000,
      },
    );
    this.sessions.set(session.id, session);
    this.log(`client ${session.id} connected`);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(session, data, isBinary));
    ws.on('error', (e) => this.log(`client ${session.id} socket error: ${e.message}`));
    ws.on('close', () => this.dropSession(session));
  }

  private onFrame(session: ClientSession, data: RawData, isBinary: boolean): void {
    let msg: RosbridgeMessage | undefined;
    try {
      msg = decodeFrame(data, isBinary);
      this.handle(session, msg, 0);
    } catch (e) {
      this.answerError(session, e, msg?.id);
    }
  }

  private answerError(session: ClientSession, e: unknown, id?: string): void {
    if (e instanceof ProtocolError) {
      this.log(`client ${session.id}: ${e.message}`);
      session.status(e.level, e.message, e.id ?? id);
    } else {
      const m = `internal error: ${(e as Error)?.message ?? String(e)}`;
      this.log(`client ${session.id}: ${m}`);
      session.status('error', m, id);
    }
  }

  private dropSession(session: ClientSession): void {
    if (!this.sessions.delete(session.id)) return;
    session.dispose();
    for (const topic of session.advertisedTopics) this.topics.get(topic)?.publishers.delete(session.id);
    for (const [name, s] of this.services) if (s.owner === session) this.services.delete(name);
    for (const [name, a] of this.actions) if (a.owner === session) this.actions.delete(name);
    for (const [fid, p] of this.pendingCalls) {
      if (p.caller === session || p.owner === session) {
        if (p.timer) clearTimeout(p.timer);
        this.pendingCalls.delete(fid);
        if (p.owner === session) {
          p.caller.send({
            op: 'service_response',
            service: p.name,
            id: p.callerId,
            result: false,
            values: `service ${p.name} went away (its provider disconnected)`,
          });
        }
      }
    }
    for (const [fid, p] of this.pendingGoals) {
      if (p.caller === session || p.owner === session) {
        this.pendingGoals.delete(fid);
        if (p.owner === session) {
          p.caller.send({
            op: 'action_result',
            action: p.name,
            id: p.callerId,
            result: false,
            status: GOAL_STATUS.ABORTED,
            values: `action ${p.name} went away (its provider disconnected)`,
          });
        } else {
          p.owner.send({ op: 'cancel_action_goal', action: p.name, id: fid });
        }
      }
    }
    for (const [key, g] of this.localGoals) {
      if (key.startsWith(`${session.id}:`)) {
        this.localGoals.delete(key);
        g.cancel();
      }
    }
    this.pruneTopics();
    this.log(`client ${session.id} disconnected`);
  }

  private pruneTopics(): void {
    for (const [name, t] of this.topics) {
      if (t.publishers.size === 0 && t.localSubscribers.size === 0 && !this.hasSubscribers(name))
        this.topics.delete(name);
    }
  }

  // ---------------------------------------------------------------- ops

  private handle(session: ClientSession, msg: RosbridgeMessage, depth: number): void {
    if (depth > 4)
      throw new ProtocolError('messages nested too deeply (fragment/png inside fragment/png)', msg.id);
    switch (msg.op) {
      case 'fragment': {
        const whole = session.fragments.add(msg);
        if (whole !== null) this.handle(session, parseJsonMessage(whole), depth + 1);
        return;
      }
      case 'png':
        this.handle(session, parsePngMessage(msg.data, msg.id), depth + 1);
        return;
      case 'advertise':
        this.opAdvertise(session, msg);
        return;
      case 'unadvertise': {
        const topic = str(msg, 'topic');
        session.advertisedTopics.delete(topic);
        this.topics.get(topic)?.publishers.delete(session.id);
        this.pruneTopics();
        return;
      }
      case 'publish':
        this.opPublish(session, msg);
        return;
      case 'subscribe':
        this.opSubscribe(session, msg);
        return;
      case 'unsubscribe': {
        const topic = str(msg, 'topic');
        if (!session.subscriptions.has(topic)) {
          throw new ProtocolError(`unsubscribe: not subscribed to ${topic}`, msg.id, 'warning');
        }
        session.unsubscribe(topic, msg.id);
        this.pruneTopics();
        return;
      }
      case 'call_service':
        this.opCallService(session, msg);
        return;
      case 'service_response':
        this.opServiceResponse(session, msg);
        return;
      case 'advertise_service': {
        const name = rosName(msg, 'service');
        const type = this.requireType(msg.type, 'srv', msg.id);
        const existing = this.services.get(name);
        if (existing && existing.owner !== session) {
          throw new ProtocolError(`service ${name} is already provided by another node`, msg.id);
        }
        this.services.set(name, { type, owner: session });
        session.advertisedServices.add(name);
        return;
      }
      case 'unadvertise_service': {
        const name = rosName(msg, 'service');
        if (this.services.get(name)?.owner !== session) {
          throw new ProtocolError(
            `unadvertise_service: ${name} is not advertised by this client`,
            msg.id,
            'warning',
          );
        }
        this.services.delete(name);
        session.advertisedServices.delete(name);
        return;
      }
      case 'advertise_action': {
        const name = rosName(msg, 'action');
        const type = this.requireType(msg.type, 'action', msg.id);
        const existing = this.actions.get(name);
        if (existing && existing.owner !== session) {
          throw new ProtocolError(`action ${name} is already provided by another node`, msg.id);
        }
        this.actions.set(name, { type, owner: session });
        session.advertisedActions.add(name);
        return;
      }
      case 'unadvertise_action': {
        const name = rosName(msg, 'action');
        if (this.actions.get(name)?.owner !== session) {
          throw new ProtocolError(
            `unadvertise_action: ${name} is not advertised by this client`,
            msg.id,
            'warning',
          );
        }
        this.actions.delete(name);
        session.advertisedActions.delete(name);
        return;
      }
      case 'send_action_goal':
        this.opSendGoal(session, msg);
        return;
      case 'cancel_action_goal':
        this.opCancelGoal(session, msg);
        return;
      case 'action_feedback':
      case 'action_result':
        this.opActionReply(session, msg);
        return;
      case 'set_level': {
        const level = msg.level;
        if (level !== 'none' && level !== 'error' && level !== 'warning' && level !== 'info') {
          throw new ProtocolError(
            `set_level: level must be none, error, warning or info, got ${JSON.stringify(level)}`,
            msg.id,
          );
        }
        session.level = level as StatusLevel;
        return;
      }
      case 'status':
      case 'auth':
        return;
      default:
        throw new ProtocolError(
          `unknown op ${JSON.stringify(msg.op).slice(0, 80)}; this server supports ${ROSBRIDGE_OPS.join(', ')}`,
          msg.id,
        );
    }
  }

  private requireType(type: unknown, kind: 'msg' | 'srv' | 'action', id?: string): string {
    const t = this.types.resolve(type, kind);
    if (!t) {
      throw new ProtocolError(
        type === undefined
          ? `a ${kind} type is required`
          : `unknown ${kind} type ${JSON.stringify(type).slice(0, 120)} (check the spelling, e.g. sensor_msgs/msg/JointState)`,
        id,
      );
    }
    return t;
  }

  private topicEntry(topic: string, type: string, id?: string): TopicEntry {
    let entry = this.topics.get(topic);
    if (entry && entry.type !== type) {
      throw new ProtocolError(`topic ${topic} has type ${entry.type}, not ${type}`, id);
    }
    if (!entry) {
      entry = { type, publishers: new Set(), localSubscribers: new Set(), latched: null };
      this.topics.set(topic, entry);
    }
    return entry;
  }

  private opAdvertise(session: ClientSession, msg: RosbridgeMessage): void {
    const topic = str(msg, 'topic');
    const entry = this.topicEntry(topic, this.requireType(msg.type, 'msg', msg.id), msg.id);
    entry.publishers.add(session.id);
    session.advertisedTopics.add(topic);
  }

  private opPublish(session: ClientSession, msg: RosbridgeMessage): void {
    const topic = str(msg, 'topic');
    const entry = this.topics.get(topic);
    if (!entry) {
      throw new ProtocolError(`publish: topic ${topic} is unknown; advertise it with its type first`, msg.id);
    }
    if (!isObject(msg.msg)) throw new ProtocolError(`publish on ${topic}: "msg" must be an object`, msg.id);
    if (!session.advertisedTopics.has(topic)) {
      entry.publishers.add(session.id);
      session.advertisedTopics.add(topic);
    }
    this.publishToTopic(topic, entry, msg.msg, session, msg.latch === true);
  }

  private publishToTopic(
    topic: string,
    entry: TopicEntry,
    msg: unknown,
    from: ClientSession | null = null,
    latch = false,
  ): void {
    const out = new Outgoing(topic, entry.type, msg);
    if (latch) entry.latched = out;
    for (const cb of entry.localSubscribers) {
      try {
        cb(msg as Record<string, unknown>, { client: from?.id ?? null });
      } catch (e) {
        if (from) {
          throw e instanceof ProtocolError ? e : new ProtocolError(`${topic}: ${(e as Error).message}`);
        }
        this.log(`local subscriber of ${topic} failed: ${(e as Error).message}`);
      }
    }
    for (const s of this.sessions.values()) if (s.subscriptions.has(topic)) s.deliver(out);
  }

  private opSubscribe(session: ClientSession, msg: RosbridgeMessage): void {
    const topic = str(msg, 'topic');
    const existing = this.topics.get(topic);
    let type: string;
    if (msg.type === undefined || msg.type === '') {
      if (!existing) {
        throw new ProtocolError(
          `cannot subscribe to ${topic}: the topic does not exist and no "type" was given`,
          msg.id,
        );
      }
      type = existing.type;
    } else {
      type = this.requireType(msg.type, 'msg', msg.id);
    }
    let compression = (msg.compression ?? 'none') as Compression;
    if (!COMPRESSIONS.includes(compression)) {
      session.status(
        'warning',
        `compression ${JSON.stringify(compression)} is not supported; sending uncompressed`,
        msg.id,
      );
      compression = 'none';
    }
    const fragment =
      msg.fragment_size === undefined || msg.fragment_size === null
        ? undefined
        : num(msg, 'fragment_size', 0);
    const options = {
      throttleRate: num(msg, 'throttle_rate', 0),
      queueLength: Math.min(1000, Math.floor(num(msg, 'queue_length', 0))),
      compression,
      fragmentSize: fragment && fragment > 0 ? Math.max(16, Math.floor(fragment)) : undefined,
    };
    if (compression === 'cbor-raw' && !canSerializeCdr(type)) {
      session.status(
        'warning',
        `cbor-raw: this server has no CDR serializer for ${type}; sending CBOR instead`,
        msg.id,
      );
    }
    const entry = this.topicEntry(topic, type, msg.id);
    session.subscribe(topic, msg.id ?? `subscribe:${topic}`, options);
    if (entry.publishers.size === 0) {
      session.status('warning', `topic ${topic} has no publisher yet; subscribed anyway`, msg.id);
    }
    if (entry.latched) session.deliver(entry.latched);
  }

  private opCallService(session: ClientSession, msg: RosbridgeMessage): void {
    const name = rosName(msg, 'service');
    const entry = this.services.get(name);
    const compression = COMPRESSIONS.includes(msg.compression as Compression)
      ? (msg.compression as Compression)
      : 'none';
    const fragmentSize =
      typeof msg.fragment_size === 'number' && msg.fragment_size > 0 ? msg.fragment_size : undefined;
    const reply = (result: boolean, values: unknown) =>
      session.send(
        { op: 'service_response', service: name, id: msg.id, result, values },
        compression,
        fragmentSize,
      );
    if (!entry) {
      const m = `service ${name} does not exist`;
      reply(false, m);
      throw new ProtocolError(m, msg.id);
    }
    if (msg.type !== undefined && this.types.resolve(msg.type, 'srv') !== entry.type) {
      const m = `service ${name} has type ${entry.type}, not ${String(msg.type)}`;
      reply(false, m);
      throw new ProtocolError(m, msg.id);
    }
    const args = msg.args === undefined || msg.args === null ? {} : msg.args;
    if (!isObject(args)) {
      const m = `call_service ${name}: "args" must be an object`;
      reply(false, m);
      throw new ProtocolError(m, msg.id);
    }
    if (entry.local) {
      Promise.resolve()
        .then(() => entry.local!(args))
        .then(
          (values) => reply(true, values ?? {}),
          (e: Error) => reply(false, e?.message ?? String(e)),
        );
      return;
    }
    const owner = entry.owner!;
    const fid = `srv_${this.nextForward++}`;
    const timeoutS = typeof msg.timeout === 'number' && msg.timeout > 0 ? msg.timeout : 0;
    const pending: PendingCall = {
      caller: session,
      callerId: msg.id,
      name,
      owner,
      compression,
      fragmentSize,
      timer: null,
    };
    if (timeoutS) {
      pending.timer = setTimeout(() => {
        if (this.pendingCalls.delete(fid))
          reply(false, `service ${name} did not answer within ${timeoutS} s`);
      }, timeoutS * 1000);
    }
    this.pendingCalls.set(fid, pending);
    owner.send({ op: 'call_service', id: fid, service: name, args });
  }

  private opServiceResponse(session: ClientSession, msg: RosbridgeMessage): void {
    const pending = msg.id ? this.pendingCalls.get(msg.id) : undefined;
    if (!pending || pending.owner !== session) {
      throw new ProtocolError(
        `service_response: no call with id ${JSON.stringify(msg.id)} is waiting`,
        msg.id,
        'warning',
      );
    }
    this.pendingCalls.delete(msg.id!);
    if (pending.timer) clearTimeout(pending.timer);
    pending.caller.send(
      {
        op: 'service_response',
        service: pending.name,
        id: pending.callerId,
        result: msg.result === true,
        values: msg.values,
      },
      pending.compression,
      pending.fragmentSize,
    );
  }

  private opSendGoal(session: ClientSession, msg: RosbridgeMessage): void {
    const name = rosName(msg, 'action');
    const entry = this.actions.get(name);
    const fail = (m: string) => {
      session.send({
        op: 'action_result',
        action: name,
        id: msg.id,
        result: false,
        status: GOAL_STATUS.ABORTED,
        values: m,
      });
      return new ProtocolError(m, msg.id);
    };
    if (!entry) throw fail(`action ${name} does not exist`);
    if (msg.action_type !== undefined && this.types.resolve(msg.action_type, 'action') !== entry.type) {
      throw fail(`action ${name} has type ${entry.type}, not ${String(msg.action_type)}`);
    }
    const args = msg.args === undefined ? {} : msg.args;
    if (!isObject(args)) throw fail(`send_action_goal ${name}: "args" must be an object`);
    const wantsFeedback = msg.feedback === true;
    if (entry.local) {
      const key = `${session.id}:${msg.id ?? ''}`;
      const cancelCbs: (() => void)[] = [];
      let done = false;
      const handle: LocalGoalHandle = {
        id: msg.id ?? '',
        wantsFeedback,
        get done() {
          return done;
        },
        feedback: (values) => {
          if (!done && wantsFeedback)
            session.send({ op: 'action_feedback', action: name, id: msg.id, values });
        },
        finish: (status, values) => {
          if (done) return;
          done = true;
          this.localGoals.delete(key);
          session.send({ op: 'action_result', action: name, id: msg.id, result: true, status, values });
        },
        onCancel: (cb) => cancelCbs.push(cb),
      };
      this.localGoals.set(key, {
        cancel: () => {
          for (const cb of cancelCbs) cb();
        },
      });
      try {
        entry.local(args, handle);
      } catch (e) {
        handle.finish(GOAL_STATUS.ABORTED, { error_code: -1, error_string: (e as Error).message });
      }
      return;
    }
    const owner = entry.owner!;
    const fid = `goal_${this.nextForward++}`;
    this.pendingGoals.set(fid, {
      caller: session,
      callerId: msg.id,
      name,
      owner,
      compression: 'none',
      timer: null,
    });
    owner.send({
      op: 'send_action_goal',
      id: fid,
      action: name,
      action_type: entry.type,
      args,
      feedback: wantsFeedback,
    });
  }

  private opCancelGoal(session: ClientSession, msg: RosbridgeMessage): void {
    const name = rosName(msg, 'action');
    const local = this.localGoals.get(`${session.id}:${msg.id ?? ''}`);
    if (local) {
      local.cancel();
      return;
    }
    for (const [fid, p] of this.pendingGoals) {
      if (p.caller === session && p.callerId === msg.id && p.name === name) {
        p.owner.send({ op: 'cancel_action_goal', action: name, id: fid });
        return;
      }
    }
    throw new ProtocolError(
      `cancel_action_goal: no running goal ${JSON.stringify(msg.id)} on ${name}`,
      msg.id,
      'warning',
    );
  }

  private opActionReply(session: ClientSession, msg: RosbridgeMessage): void {
    const pending = msg.id ? this.pendingGoals.get(msg.id) : undefined;
    if (!pending || pending.owner !== session) {
      throw new ProtocolError(
        `${msg.op}: no goal with id ${JSON.stringify(msg.id)} is running`,
        msg.id,
        'warning',
      );
    }
    if (msg.op === 'action_feedback') {
      pending.caller.send({
        op: 'action_feedback',
        action: pending.name,
        id: pending.callerId,
        values: msg.values,
      });
      return;
    }
    this.pendingGoals.delete(msg.id!);
    pending.caller.send({
      op: 'action_result',
      action: pending.name,
      id: pending.callerId,
      values: msg.values,
      status: typeof msg.status === 'number' ? msg.status : GOAL_STATUS.UNKNOWN,
      result: msg.result === true,
    });
  }

  /** rosapi services, so a client can list what this server offers (as a real rosbridge launch does). */
  private addRosapi(): void {
    this.advertiseService('/rosapi/topics', 'rosapi/srv/Topics', () => {
      const names = [...this.topics.keys()].sort();
      return { topics: names, types: names.map((n) => this.topics.get(n)!.type) };
    });
    this.advertiseService('/rosapi/topic_type', 'rosapi/srv/TopicType', (args) => ({
      type: this.topics.get(String(args.topic))?.type ?? '',
    }));
    this.advertiseService('/rosapi/services', 'rosapi/srv/Services', () => ({
      services: [...this.services.keys()].sort(),
    }));
    this.advertiseService('/rosapi/action_servers', 'rosapi/srv/ActionServers', () => ({
      action_servers: [...this.actions.keys()].sort(),
    }));
  }
}
