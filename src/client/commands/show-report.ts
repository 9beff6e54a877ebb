// Show Report: opens the HTML report of the latest "Critique Workspace" run, which the server wrote
// from that run's log (the same verdicts the editor showed, the LLM critic's included). Before any
// workspace critique it offers to run one. With a file given (a report `stepcritic check`/`report`
// wrote), it opens that. An HTML report is self-contained (inline styles, SVG and a small script for
// the table filter), so the webview gets no network at all; its inline script runs only in a trusted
// workspace. A SARIF log goes to the SARIF Viewer extension when it is installed, else opens as text.
import * as vscode from 'vscode';
import { LastReportRequest, LastReportSchema } from '../../protocol';
import type { Services } from '../services';
import { critiqueWorkspace } from './critique-workspace';

const MAX_REPORT_BYTES = 50 * 1024 * 1024;
const SARIF_VIEWER = 'MS-SarifVSCode.sarif-viewer';

/** The latest workspace critique's report; without one, the choice to run one (or to pick a file). */
async function chooseReport(services: Services): Promise<vscode.Uri | undefined> {
  const last = await services.connection.request(LastReportRequest, {}, LastReportSchema);
  if (last.report) return vscode.Uri.file(last.report);
  const run = 'Critique Workspace';
  const pick = 'Open Report File…';
  const choice = await vscode.window.showInformationMessage(
    'Step Critic: no workspace critique has run yet. "Critique Workspace" judges every solution and writes its report.',
    run,
    pick,
  );
  if (choice === run) {
    const result = await critiqueWorkspace(services);
    return result?.report ? vscode.Uri.file(result.report) : undefined;
  }
  if (choice !== pick) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Reports: ['html', 'sarif', 'json'] } });
  return picked?.[0];
}

/** Nothing fetched, ever: the report must stand on its own. */
function withContentSecurityPolicy(html: string, scripts: boolean): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:;${scripts ? " script-src 'unsafe-inline';" : ''}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${csp}`) : `${csp}${html}`;
}

export async function showReport(services: Services, arg?: unknown): Promise<vscode.WebviewPanel | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : await chooseReport(services);
  if (!uri) return undefined;
  const name = uri.path.split('/').pop() ?? 'report';
  if (/\.sarif(\.json)?$/i.test(name)) {
    const viewer = vscode.extensions.getExtension<{ openLogs(logs: vscode.Uri[]): Promise<void> }>(SARIF_VIEWER);
    if (viewer) {
      const api = await viewer.activate();
      await api.openLogs([uri]);
    } else {
      await vscode.window.showTextDocument(uri);
    }
    return undefined;
  }
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_REPORT_BYTES) throw new Error(`${name} is ${(stat.size / 1e6).toFixed(0)} MB; open it in a browser instead`);
  const html = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const scripts = vscode.workspace.isTrusted;
  const panel = vscode.window.createWebviewPanel('stepcritic.report', `Step Critic: ${name}`, vscode.ViewColumn.Active, {
    enableScripts: scripts,
    localResourceRoots: [],
  });
  panel.webview.html = withContentSecurityPolicy(html, scripts);
  services.output.info(`showing report ${uri.toString()}`);
  return panel;
}
