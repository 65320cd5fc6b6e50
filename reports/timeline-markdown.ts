import type { TimelineEventReport } from './verdicts.ts';

/** The report's "Timeline" section: one row per scenario event, in time order; nothing without a timeline. */
export function renderTimeline(events: readonly TimelineEventReport[] | undefined): string[] {
  if (events === undefined || events.length === 0) return [];
  const lines = ['## Timeline', '', '| at | event | for | devices | what happened |', '| ---: | --- | ---: | ---: | --- |'];
  for (const e of events) {
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    lines.push(`| ${e.atS} s | ${e.ok ? '' : '✘ '}\`${e.event}\` | ${e.durationS > 0 ? `${e.durationS} s` : '—'} | ${e.devices > 0 ? e.devices : '—'} | ${cell(e.detail)} |`);
  }
  return lines;
}
