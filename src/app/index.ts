export { createSttEngine, createTtsEngine, STT_ENGINE_NAMES, TTS_ENGINE_NAMES } from './engines.js';
export type { EngineFactoryOptions, SttEngineName, TtsEngineName, TtsFactoryOptions } from './engines.js';
export { startGateway } from './gateway.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { startService, WEB_ROOT } from './service.js';
export type { Service, ServiceOptions } from './service.js';
export { agentMatcherOption, recordedCallHeadersOption } from './agent-matcher-option.js';
export type { AgentMatcherSettings } from './agent-matcher-option.js';
