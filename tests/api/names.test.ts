import { expect, it } from 'vitest';
import { COMMAND_NAMES, EVENT_NAMES } from '../../core/api/names';
import { commandSchemas, eventSchemas } from '../../core/api/schemas';

it('lists exactly the contract commands and events for the preload', () => {
  expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(commandSchemas).sort());
  expect([...EVENT_NAMES].sort()).toEqual(Object.keys(eventSchemas).sort());
});
