import { COMMAND_NAMES, EVENT_NAMES } from '../core/api/names';
import { exposeBridge, type PreloadElectron } from './bridge';

// Bundled to CommonJS: a sandboxed preload may only require('electron').
const electron = require('electron') as PreloadElectron;
exposeBridge(electron, COMMAND_NAMES, EVENT_NAMES);
