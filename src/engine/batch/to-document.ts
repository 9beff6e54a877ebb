// Turns a batch item into the SolutionDocument the judge reads: a file through the document parser
// (Markdown, plain text, code by extension), a dataset record through the dataset readers (format
// detected per record unless the user named it).
import { recordToDocument } from '../datasets/records';
import { parseSolution } from '../documents/parse';
import type { SolutionDocument } from '../types';
import type { BatchItem } from './items';

export interface DocumentOptions {
  maxSteps?: number;
}

export async function itemToDocument(item: BatchItem, options: DocumentOptions = {}): Promise<SolutionDocument> {
  switch (item.source.kind) {
    case 'file':
      return parseSolution({ uri: item.id, text: item.source.text, ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}) });
    case 'record':
      return recordToDocument(item.source.value, {
        uri: item.id,
        ...(item.format ? { format: item.format } : {}),
        ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      });
    case 'unreadable':
      throw new Error(item.source.reason);
  }
}
