export * from './types.js';
export * from './message.js';
export * from './should-notify.js';
export { createSlackNotifier, SlackBotNotifier, SlackWebhookNotifier, SlackConfigError, type SlackConfig, type SlackSendOptions } from './slack.js';
