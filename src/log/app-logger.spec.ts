import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';

/** A logger whose JSON lines are kept, parsed, in `lines`. */
function capture(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: new AppLogger(level, sink), lines };
}

describe('the application logger', () => {
  it("writes Nest's log(message, context) as a line with msg and context", () => {
    const { logger, lines } = capture();
    logger.log('relations listening', 'Main');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'relations listening', context: 'Main' }),
    ]);
  });

  it("keeps the stack of Nest's error(message, stack, context) as the error's", () => {
    const { logger, lines } = capture();
    logger.error('boom', 'Error: boom\n    at somewhere (file.ts:1:1)', 'ExceptionsHandler');
    expect(lines[0]).toMatchObject({ level: 50, msg: 'boom', context: 'ExceptionsHandler' });
    expect((lines[0]?.err as { stack: string }).stack).toContain('at somewhere');
  });

  it('logs an Error with its message and stack', () => {
    const { logger, lines } = capture();
    logger.error(new Error('store unreachable'));
    expect(lines[0]).toMatchObject({ level: 50, msg: 'store unreachable' });
    expect((lines[0]?.err as { type: string }).type).toBe('Error');
  });

  it('merges an object message into the line', () => {
    const { logger, lines } = capture();
    logger.warn({ pair: 'JPN-KOR', lag: 3 }, 'ReadModel');
    expect(lines[0]).toMatchObject({ level: 40, pair: 'JPN-KOR', lag: 3, context: 'ReadModel' });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.log('not shown');
    logger.debug('not shown');
    logger.verbose('not shown');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
