// The one typed contract between the Step Critic client and server.
export * from './settings';
export * from './messages';
export * from './wording';
export { errorMessage } from '../engine/error-message';
