// Clear Cache: forgets every cached critic verdict (the next critique asks the model again).
import * as vscode from 'vscode';
import { ClearCacheRequest, ClearCacheResultSchema, type ClearCacheResult } from '../../protocol';
import type { Services } from '../services';

export async function clearCache(services: Services): Promise<ClearCacheResult> {
  const result = await services.connection.request(ClearCacheRequest, {}, ClearCacheResultSchema);
  void vscode.window.showInformationMessage(`Step Critic: ${result.message}`);
  return result;
}
