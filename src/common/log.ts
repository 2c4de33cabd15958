// One logger shape for every part of ipvx (grpc-js's logging module plays this part
// there): a component takes a Logger and logs at a level with a message and fields.
// The daemon backs it with pino (JSON lines on stderr); tests pass a recorder or
// nothing.
import type { Logger as Pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A Logger that hands every line to `write`. */
export function logger(write: (level: LogLevel, msg: string, fields?: LogFields) => void): Logger {
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** Logs nothing. */
export const silentLogger: Logger = logger(() => {});

/** A Logger over pino: fields first, as pino takes them. */
export function pinoLogger(p: Pino): Logger {
  return logger((level, msg, fields) => p[level](fields ?? {}, msg));
}
