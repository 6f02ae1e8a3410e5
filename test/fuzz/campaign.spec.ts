/**
 * The fuzz campaign's checker: what it takes for a broken promise must be one, and the content
 * codings it undoes must be undone, or a campaign could pass on answers it never read.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { HttpResponse } from '../reliability/http-client';
import { acceptsCoding, checkAnswer } from './campaign';
import type { FuzzCase } from './cases';

function request(headers: Record<string, string> = {}, method = 'GET'): FuzzCase {
  return { label: 'read', method, path: '/api/relations/JPN-KOR/state', headers };
}

function answer(status: number, type: string, body: Buffer, coding?: string): HttpResponse {
  const headers: HttpResponse['headers'] = { 'content-type': type };
  if (coding !== undefined) headers['content-encoding'] = coding;
  return { status, headers, body, elapsedMs: 1, truncated: false };
}

const PROBLEM = Buffer.from(
  JSON.stringify({ type: 'https://example.org/invalid-query', title: 'Invalid query', status: 400 }),
);
const STATE = Buffer.from(JSON.stringify({ pair: 'JPN-KOR', revision: 44 }));

describe('acceptsCoding', () => {
  it.each([
    ['br', 'br', true],
    ['gzip, deflate, br', 'br', true],
    ['BR;Q=0.9', 'br', true],
    ['*', 'gzip', true],
    ['br;q=0', 'br', false],
    ['br; q=0.000', 'br', false],
    ['*;q=0', 'br', false],
    ['*;q=0, br;q=1e-3', 'br', true],
    ['gzip;q=1.5, br;q=-1', 'br', false],
    ['br;q=abc', 'br', true],
    ['br, gzip;q=', 'gzip', true],
    ['gzip', 'br', false],
    [';;;,,,', 'br', false],
  ])('Accept-Encoding %j allows %s: %s', (header, coding, allowed) => {
    expect(acceptsCoding({ 'Accept-Encoding': header }, coding)).toBe(allowed);
  });

  it('allows nothing but identity when the request has no Accept-Encoding', () => {
    expect(acceptsCoding({}, 'gzip')).toBe(false);
  });
});

describe('checkAnswer and content codings', () => {
  it('reads a compressed problem document as the document it holds', () => {
    const gzip = answer(400, 'application/problem+json', gzipSync(PROBLEM), 'gzip');
    expect(checkAnswer(request({ 'accept-encoding': 'gzip' }), gzip)).toBeUndefined();
    const br = answer(200, 'application/json', brotliCompressSync(STATE), 'br');
    expect(checkAnswer(request({ 'accept-encoding': 'br' }), br)).toBeUndefined();
  });

  it('fails an answer compressed with a coding the request did not accept', () => {
    const br = answer(200, 'application/json', brotliCompressSync(STATE), 'br');
    expect(checkAnswer(request(), br)).toMatch(/Content-Encoding br, which the request did not accept/);
    expect(checkAnswer(request({ 'accept-encoding': 'br;q=0, gzip' }), br)).toMatch(/did not accept/);
  });

  it('fails a body that does not decode as its coding, and an unknown coding', () => {
    const cut = gzipSync(STATE).subarray(0, 12);
    expect(
      checkAnswer(request({ 'accept-encoding': 'gzip' }), answer(200, 'application/json', cut, 'gzip')),
    ).toMatch(/does not decode as gzip/);
    expect(
      checkAnswer(request({ 'accept-encoding': '*' }), answer(200, 'application/json', STATE, 'x-garbage')),
    ).toMatch(/unknown Content-Encoding x-garbage/);
  });

  it('fails a JSON answer that does not parse, compressed or not', () => {
    const half = STATE.subarray(0, 10);
    expect(checkAnswer(request(), answer(200, 'application/json', half))).toMatch(/JSON that does not parse/);
    const br = answer(200, 'application/json', brotliCompressSync(half), 'br');
    expect(checkAnswer(request({ 'accept-encoding': 'br' }), br)).toMatch(/JSON that does not parse/);
    // A HEAD answer has no body to parse.
    expect(
      checkAnswer(request({}, 'HEAD'), answer(200, 'application/json', Buffer.alloc(0))),
    ).toBeUndefined();
  });

  it('still fails an error answer that is not a problem document once decoded', () => {
    const html = answer(404, 'text/html', gzipSync('<h1>Not found</h1>'), 'gzip');
    expect(checkAnswer(request({ 'accept-encoding': 'gzip' }), html)).toMatch(
      /not application\/problem\+json/,
    );
  });
});
