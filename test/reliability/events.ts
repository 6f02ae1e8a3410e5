/**
 * Valid event envelopes for the reliability tests, the fuzz campaign (as the seed its mutations
 * start from) and the soak. Every one passes the catalogue's validation, so a refusal in a test
 * means the service refused a good fact.
 */
import { randomUUID } from 'node:crypto';

/** A client envelope as posted to `POST /api/relations/{pair}/events`. */
export interface ClientEvent {
  id?: string;
  type: string;
  date: string;
  dateEnd?: string;
  actor: string;
  summary: string;
  data: Record<string, unknown>;
  sources: Array<{ publisher: string; url?: string; title?: string; publishedOn?: string; quote?: string }>;
  note?: string;
}

const TALK_LEVELS = ['leader', 'minister', 'vice-minister', 'director-general', 'working'] as const;

function day(n: number): string {
  const date = new Date(Date.UTC(2015, 0, 1) + (n % 3000) * 86_400_000);
  return date.toISOString().slice(0, 10);
}

/**
 * One valid event of a few state-changing types, varied by `n` so different appends change the
 * state differently (talks, export controls, list status, other developments).
 */
export function validEvent(pair: string, n: number, extra: Partial<ClientEvent> = {}): ClientEvent {
  const [first = 'JPN', second = 'KOR'] = pair.split('-');
  const actor = n % 2 === 0 ? first : second;
  const base = {
    id: randomUUID(),
    date: day(n),
    actor,
    sources: [{ publisher: 'Reliability test desk', url: `https://example.org/reports/${n}` }],
  };
  let event: ClientEvent;
  switch (n % 4) {
    case 0:
      event = {
        ...base,
        type: 'talks-held',
        summary: `Talks number ${n}`,
        data: { level: TALK_LEVELS[n % TALK_LEVELS.length], format: 'in-person' },
      };
      break;
    case 1:
      event = {
        ...base,
        type: 'export-control-tightened',
        summary: `Export controls tightened, measure ${n % 7}`,
        data: { measureId: `measure-${n % 7}`, items: [`item-${n % 5}`] },
      };
      break;
    case 2:
      event = {
        ...base,
        type: 'preferential-list-removed',
        summary: `Removal from the preferential list (${n})`,
        data: {},
      };
      break;
    default:
      event = {
        ...base,
        type: 'other-development',
        summary: `Other development ${n}`,
        data: { category: 'statement' },
      };
  }
  return { ...event, ...extra };
}
