/**
 * A bare `node:http` server for the benchmark's floors under GET state and GET snapshots: `/health`
 * answers a body the size of the service's, any other path the next of the answers in a file (one
 * JSON document per line, served in turn), with nothing computed and no framework. The benchmark forks it, so
 * that like the service it runs in a process of its own beside the load generator; once
 * listening it sends its port to the parent.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined || process.send === undefined) {
  throw new Error('usage: forked with the path of a file of answers, one per line');
}
const answers = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => Buffer.from(line));
if (answers.length === 0) throw new Error(`no answers in ${file}`);
const health = Buffer.from('{"status":"ok","store":"sqlite"}');
let next = 0;

const server = createServer((request, response) => {
  const body = request.url === '/health' ? health : answers[next++ % answers.length]!;
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!(typeof address === 'object' && address !== null ? address.port : 0);
});
process.on('disconnect', () => server.close(() => process.exit(0)));
