import Fastify from 'fastify';
import { ProblemError } from './problem';
import { sendProblem } from './problem.filter';

/** sendProblem on a real Fastify instance, answering through `inject` (no socket needed). */
describe('sendProblem', () => {
  const app = Fastify();
  app.get('/plain', (request, reply) => {
    sendProblem(new ProblemError('not-found', 'No resource at this address'), request, reply);
  });
  app.get('/taken-over', (request, reply) => {
    // As sendJson does before writing: the reply is taken over and a header set on the raw response.
    reply.hijack();
    reply.raw.setHeader('Content-Type', 'application/json; charset=utf-8');
    sendProblem(new ProblemError('internal', 'The service failed to answer this request'), request, reply);
  });
  app.get('/started', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    reply.raw.write('{"partial":');
    sendProblem(new ProblemError('internal', 'The service failed to answer this request'), request, reply);
  });
  afterAll(() => app.close());

  it('answers a problem document through the reply', async () => {
    const answer = await app.inject({ method: 'GET', url: '/plain?x=1' });
    expect(answer.statusCode).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.json()).toMatchObject({ type: '/problems/not-found', status: 404, instance: '/plain' });
  });

  it('answers a problem document on the raw response of a reply taken over before its first byte', async () => {
    const answer = await app.inject({ method: 'GET', url: '/taken-over' });
    expect(answer.statusCode).toBe(500);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json()).toMatchObject({ type: '/problems/internal', status: 500, instance: '/taken-over' });
  });

  it('ends an answer already under way as it is, since its status is sent', async () => {
    const answer = await app.inject({ method: 'GET', url: '/started' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('{"partial":');
  });
});
