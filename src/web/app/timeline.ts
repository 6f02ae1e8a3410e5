/**
 * The timeline chart: one lane per kind of development on a shared time axis, the tension index
 * drawn above it as a step line, and a cursor at the date the state is shown for. Hand-drawn SVG:
 * a few hundred marks need no charting library, and the marks must be focusable buttons.
 */
import { dayFromNumber, dayNumber, intervalOf } from '../../../events/dates';
import type { TimelineEvent } from './api';
import { s } from './dom';
import { LANES, laneOf, typeLabel } from './labels';

/** What the chart needs to draw. */
export interface TimelineInput {
  events: readonly TimelineEvent[];
  /** The tension index at a series of dates (ascending). */
  index: readonly { date: string; value: number }[];
  /** First and last day of the axis. */
  from: string;
  to: string;
  asOf: string;
  width: number;
  /** The two countries of the pair, in order: they get the two mark colours. */
  countries: readonly { code: string; name: string }[];
  onOpen(eventId: string): void;
  /** A click on the chart away from any mark: show the state on that day. */
  onPick(day: string): void;
}

const INDEX_TOP = 22;
const INDEX_HEIGHT = 64;
const LANE_TOP = INDEX_TOP + INDEX_HEIGHT + 14;
const LANE_HEIGHT = 40;
/** Marks that would overlap in a lane move to another row of it (centres below the lane label). */
const ROW_OFFSETS = [19, 27, 35];
const AXIS_HEIGHT = 22;
const SIDE = 8;

/** Year ticks at least ~70 px apart. */
function yearTicks(fromYear: number, toYear: number, pixelsPerYear: number): number[] {
  const step = [1, 2, 5, 10, 20, 50].find((n) => n * pixelsPerYear >= 70) ?? 100;
  const ticks: number[] = [];
  for (let year = Math.ceil(fromYear / step) * step; year <= toYear; year += step) ticks.push(year);
  return ticks;
}

/** Whether an event is retracted (the timeline marks it, it does not drop it). */
export function isRetracted(event: TimelineEvent): boolean {
  return event.retracted === true || (event.retractedBy !== undefined && event.retractedBy !== null);
}

/** Draws the chart as one SVG element. */
export function drawTimeline(input: TimelineInput): SVGSVGElement {
  const { width } = input;
  const d0 = dayNumber(input.from);
  const d1 = Math.max(dayNumber(input.to), d0 + 1);
  const plotWidth = width - 2 * SIDE;
  const x = (day: number): number => SIDE + ((day - d0) / (d1 - d0)) * plotWidth;
  const height = LANE_TOP + LANES.length * LANE_HEIGHT + AXIS_HEIGHT;
  const svg = s('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'group',
    'aria-label': `Timeline from ${input.from} to ${input.to}`,
  });
  svg.appendChild(s('title', {}, 'Timeline of the record, with the tension index'));

  // The tension index: 0 at the top of its band, the lowest value of the series at the bottom.
  const values = input.index.map((p) => p.value);
  const lowest = Math.min(-1, ...values);
  const y = (value: number): number => INDEX_TOP + (value / lowest) * INDEX_HEIGHT;
  const indexGroup = s('g', { class: 'index', 'aria-hidden': 'true' });
  indexGroup.appendChild(s('text', { x: SIDE, y: INDEX_TOP - 8, class: 'lane-label' }, 'Tension index'));
  indexGroup.appendChild(s('line', { x1: SIDE, x2: width - SIDE, y1: y(0), y2: y(0), class: 'zero' }));
  indexGroup.appendChild(
    s('text', { x: width - SIDE, y: y(lowest) - 2, class: 'scale', 'text-anchor': 'end' }, lowest.toFixed(1)),
  );
  const visible = input.index.filter((p) => dayNumber(p.date) <= d1);
  if (visible.length > 0) {
    let path = '';
    visible.forEach((point, i) => {
      const px = Math.max(SIDE, x(dayNumber(point.date)));
      const next = visible[i + 1];
      const nx = next ? Math.max(SIDE, x(dayNumber(next.date))) : x(d1);
      if (nx <= SIDE) return;
      path += `${path ? 'L' : 'M'}${px.toFixed(1)},${y(point.value).toFixed(1)}H${nx.toFixed(1)}`;
    });
    if (path) {
      indexGroup.appendChild(s('path', { d: `${path}V${y(0)}H${SIDE}Z`, class: 'index-area' }));
      indexGroup.appendChild(s('path', { d: path, class: 'index-line' }));
    }
  }
  svg.appendChild(indexGroup);

  // Lanes and the year axis.
  const axisY = LANE_TOP + LANES.length * LANE_HEIGHT;
  const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
  const fromYear = Number(input.from.slice(0, 4));
  const toYear = Number(input.to.slice(0, 4));
  for (const year of yearTicks(fromYear, toYear, plotWidth / ((d1 - d0) / 365.25))) {
    const tx = x(dayNumber(`${String(year).padStart(4, '0')}-01-01`));
    if (tx < SIDE || tx > width - SIDE) continue;
    grid.appendChild(s('line', { x1: tx, x2: tx, y1: INDEX_TOP, y2: axisY, class: 'tick' }));
    const anchor = tx < SIDE + 16 ? 'start' : tx > width - SIDE - 16 ? 'end' : 'middle';
    grid.appendChild(s('text', { x: tx, y: axisY + 15, 'text-anchor': anchor, class: 'scale' }, year));
  }
  LANES.forEach((lane, i) => {
    const top = LANE_TOP + i * LANE_HEIGHT;
    grid.appendChild(
      s('rect', { x: 0, y: top, width, height: LANE_HEIGHT, class: i % 2 ? 'lane odd' : 'lane' }),
    );
    grid.appendChild(s('text', { x: SIDE, y: top + 10, class: 'lane-label' }, lane.label));
  });
  svg.appendChild(grid);

  // The events, in valid-time order so that Tab walks through them chronologically.
  const colourOf = (code: string): string => (input.countries[0]?.code === code ? 'a' : 'b');
  const nameOf = (code: string): string => input.countries.find((c) => c.code === code)?.name ?? code;
  const marks = s('g', { class: 'marks' });
  const rowEnds = LANES.map(() => ROW_OFFSETS.map(() => -Infinity));
  for (const event of input.events) {
    const interval = intervalOf(event.date, event.dateEnd);
    const start = dayNumber(interval.start);
    const end = dayNumber(interval.end) + 1;
    if (end < d0 || start > d1) continue;
    const laneIndex = LANES.indexOf(laneOf(event.type));
    const band = end - start > 1;
    const left = band ? x(start) : x(start) - 5;
    const right = band ? Math.max(x(end), x(start) + 4) : x(start) + 5;
    const ends = rowEnds[laneIndex] as number[];
    let row = ends.findIndex((occupiedTo) => occupiedTo < left - 1);
    if (row < 0) row = ends.indexOf(Math.min(...ends));
    ends[row] = Math.max(ends[row] ?? -Infinity, right);
    const cy = LANE_TOP + laneIndex * LANE_HEIGHT + (ROW_OFFSETS[row] ?? 19);
    const retracted = isRetracted(event);
    const label =
      `${event.date}${event.dateEnd ? ` to ${event.dateEnd}` : ''}, ${nameOf(event.actor)}: ` +
      `${typeLabel(event.type)}. ${event.summary}${retracted ? ' (retracted)' : ''}`;
    const mark = s('g', {
      class: `ev c-${colourOf(event.actor)}${retracted ? ' retracted' : ''}`,
      tabindex: 0,
      role: 'button',
      'aria-label': label,
      'data-event-id': event.id,
    });
    mark.appendChild(s('title', {}, label));
    if (band) {
      const bx = Math.max(x(start), 0);
      const bw = Math.max(Math.min(x(end), width) - bx, 4);
      mark.appendChild(s('rect', { x: bx, y: cy - 3.5, width: bw, height: 7, rx: 2, class: 'band' }));
      if (retracted)
        mark.appendChild(s('line', { x1: bx - 2, x2: bx + bw + 2, y1: cy, y2: cy, class: 'strike' }));
    } else {
      const cx = x(start);
      mark.appendChild(s('circle', { cx, cy, r: 4, class: 'dot' }));
      if (retracted) mark.appendChild(s('line', { x1: cx - 8, x2: cx + 8, y1: cy, y2: cy, class: 'strike' }));
    }
    const open = (): void => input.onOpen(event.id);
    mark.addEventListener('click', open);
    mark.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      }
    });
    marks.appendChild(mark);
  }
  svg.appendChild(marks);

  svg.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('.ev')) return;
    const fraction = (e.clientX - svg.getBoundingClientRect().left - SIDE) / plotWidth;
    if (fraction < 0 || fraction > 1) return;
    input.onPick(dayFromNumber(Math.round(d0 + fraction * (d1 - d0))));
  });

  // The cursor: the date the state below is shown for.
  const asOf = dayNumber(input.asOf);
  if (asOf >= d0 && asOf <= d1) {
    const cx = x(asOf);
    const cursor = s('g', { class: 'cursor', 'aria-hidden': 'true' });
    cursor.appendChild(s('line', { x1: cx, x2: cx, y1: INDEX_TOP - 4, y2: axisY, class: 'cursor-line' }));
    const anchor = cx > width - 80 ? 'end' : cx < 80 ? 'start' : 'middle';
    cursor.appendChild(s('text', { x: cx, y: 12, 'text-anchor': anchor, class: 'cursor-label' }, input.asOf));
    svg.appendChild(cursor);
  }
  return svg;
}
