export { refineStep, regenerateFrom, refineSolution } from './refine';
export type { RefineModel, RefineDependencies, RefineOutcome } from './refine';
