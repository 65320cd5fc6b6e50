export { fmtToken, renderMarkdown } from './markdown.ts';
export { renderFleetOnlyMarkdown } from './fleet-only-markdown.ts';
export type { FleetOnlyReport, RunReport, ReportCheck, EpochReport, BatchReport, DeviceReward } from './types.ts';
