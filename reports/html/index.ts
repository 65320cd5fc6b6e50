export { renderHtml } from './render-html.ts';
export { htmlOutput } from './html-output.ts';
export { gini, lorenzCurve } from './lorenz.ts';
