export { createLiveView, LIVE_VIEW_MAX_FPS, type LiveViewOptions } from './create-live-view.ts';
