// Batch critique: many solutions (files, folders, dataset records) judged with bounded concurrency,
// logged as they finish, resumable, with a cost estimate up front and an optional triage pass.
export { readItems, readSolutionFile, itemKey, contentHash, isDatasetPath } from './items';
export type { BatchItem, BatchItemSource, ReadItemsOptions } from './items';
export { streamDataset, datasetKindOf } from './dataset-stream';
export type { DatasetRecord, DatasetKind } from './dataset-stream';
export { runBatch } from './run';
export type { RunBatchOptions, BatchResult, FinishedItem } from './run';
export { ProgressTracker, formatProgressLine, formatEta, formatCount } from './progress';
export type { BatchProgress } from './progress';
export { openRunLog, loadRunLog, readRunLogLines, RunLogError, RUN_LOG_VERSION } from './run-log';
export type { RunLogWriter, LoadedRunLog, RunLogHeader, RunLogItem, RunLogEnd, TriageInfo } from './run-log';
export { estimateRun, describeEstimate, parsePrices, CONFIRM_ABOVE_TOKENS, COMPLETION_TOKENS_PER_STEP } from './estimate';
export type { RunEstimate, Prices } from './estimate';
export { judgeWithTriage, DEFAULT_TRIAGE_THRESHOLD } from './triage';
export type { TriageOptions, AnswerScreen } from './triage';
export { hashConfig, stableStringify } from './config-hash';
export { reportFromRunLog } from './report-from-log';
export { itemToDocument } from './to-document';
export { createAnswerScreen } from './answer-screen';
export { createFileResultCache, createMemoryResultCache, resultCacheKey, isReusable } from './result-cache';
export type { ResultCache, CachedResult } from './result-cache';
