export { fmtToken, renderMarkdown } from './markdown.ts';
export type { RunReport, ReportCheck, EpochReport, BatchReport, DeviceReward } from './types.ts';
