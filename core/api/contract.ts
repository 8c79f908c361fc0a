import type { z } from 'zod';
import type { commandSchemas, eventSchemas } from './schemas';

/** Types of the contract, importable by the renderer without pulling zod or Node into it. */

type Schemas = typeof commandSchemas;
export type CommandName = keyof Schemas;
export type CommandArgs<C extends CommandName> = z.input<Schemas[C]['args']>;
/** The arguments after validation, with defaults filled in: what a command's handler receives. */
export type ParsedArgs<C extends CommandName> = z.output<Schemas[C]['args']>;
export type CommandResult<C extends CommandName> = z.output<Schemas[C]['result']>;

export type EventName = keyof typeof eventSchemas;
export type EventPayload<E extends EventName> = z.output<(typeof eventSchemas)[E]>;

export type ConnectionState = EventPayload<'connection'>['state'];
export type RobotDescription = CommandResult<'robot.connect'>;
export type BackendInfo = CommandResult<'robot.backends'>[number];
export type SimTask = CommandResult<'sim.tasks'>[number];
export type LogEntry = EventPayload<'log'>;
export type JobInfo = EventPayload<'job'>;

/** A command failure as it crosses a boundary: what went wrong, and where. */
export interface ApiErrorShape {
  code: 'invalid_args' | 'unknown_command' | 'failed' | 'unauthorized';
  message: string;
  /** Path of the offending field for invalid_args, e.g. `target.2`. */
  field?: string;
}

/** What both shells expose to the renderer: one invoke, one event subscription. */
export interface StudioApi {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Message frames of the web-mode WebSocket and of the worker that hosts the Studio. */
export type ClientFrame = { type: 'invoke'; id: number; command: string; args: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiErrorShape }
  | { type: 'event'; name: EventName; payload: unknown };
