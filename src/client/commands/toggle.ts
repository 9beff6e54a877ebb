// Toggle Inline Critique: pauses or resumes critique while editing, for this session.
import * as vscode from 'vscode';
import { z } from 'zod';
import { ToggleRequest } from '../../protocol';
import type { Services } from '../services';

export async function toggleCritique(services: Services, enabled?: unknown): Promise<boolean> {
  const result = await services.connection.request(ToggleRequest, typeof enabled === 'boolean' ? { enabled } : {}, z.object({ enabled: z.boolean() }));
  vscode.window.setStatusBarMessage(`Step Critic: critique while editing is ${result.enabled ? 'on' : 'paused'}`, 5000);
  return result.enabled;
}
