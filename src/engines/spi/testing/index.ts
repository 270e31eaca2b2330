export { describeSttConformance } from './stt-conformance.js';
export type { SttConformanceOptions } from './stt-conformance.js';
export { describeTtsConformance } from './tts-conformance.js';
export type { TtsConformanceOptions } from './tts-conformance.js';
export { collect, pcmFrames, streamFrames } from './frames.js';
export { activeHandleCounts, leakedHandles, waitForHandlesReleased } from './handles.js';
export { ScriptedStt, checkFormat } from './scripted-stt.js';
export type { ScriptedSttOptions } from './scripted-stt.js';
export { ScriptedTts } from './scripted-tts.js';
