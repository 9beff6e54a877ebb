// The one typed contract between the Step Critic client and server.
export * from './settings';
export * from './messages';
export * from './wording';
export { errorMessage } from '../engine/error-message';
// Applying a proposal's edits to a text, as the server computed them (the client previews a refinement).
export { applyEdits } from '../engine/refine/text';
