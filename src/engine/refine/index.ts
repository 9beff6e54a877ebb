export { refineStep, regenerateFrom, refineSolution, pickRefineTarget, feedbackFor, DEFAULT_MAX_ATTEMPTS } from './refine';
export type { RefineModel, RefineDependencies, RefineRequest, RefineOutcome, RefineAttemptRecord, RefineKind } from './refine';
export { REFINE_PROMPT_VERSION, buildRefineMessages, parseRefinePrompt } from './prompt';
