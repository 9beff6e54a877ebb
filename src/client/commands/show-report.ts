// Show Report: opens a report that `stepcritic check`/`stepcritic report` wrote. An HTML report is
// self-contained (inline styles, SVG and a small script for the table filter), so the webview gets
// no network at all; its inline script runs only in a trusted workspace (a report is a file in the
// workspace like any other). A SARIF log goes to the SARIF Viewer extension when it is installed,
// else opens as text.
import * as vscode from 'vscode';
import type { Services } from '../services';

const REPORT_GLOB = '{**/*report*.html,**/.stepcritic/**/*.html,**/*.sarif,**/*.sarif.json}';
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
const MAX_REPORT_BYTES = 50 * 1024 * 1024;
const SARIF_VIEWER = 'MS-SarifVSCode.sarif-viewer';

interface ReportPick extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

async function findReports(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(REPORT_GLOB, EXCLUDE, 200);
  const dated = await Promise.all(
    found.map(async (uri) => ({
      uri,
      mtime: (await vscode.workspace.fs.stat(uri).then(
        (s) => s.mtime,
        () => 0,
      )) as number,
    })),
  );
  return dated.sort((a, b) => b.mtime - a.mtime).map((d) => d.uri);
}

async function chooseReport(): Promise<vscode.Uri | undefined> {
  const reports = await findReports();
  if (reports.length === 1) return reports[0];
  if (reports.length > 1) {
    const pick = await vscode.window.showQuickPick<ReportPick>(
      reports.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: 'Step Critic: Show Report', placeHolder: 'Which report? (newest first)' },
    );
    return pick?.uri;
  }
  const choice = await vscode.window.showInformationMessage(
    'Step Critic: no report found in this workspace. Write one with `stepcritic report RUNLOG --format html`, or pick a file.',
    'Open Report File…',
  );
  if (!choice) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Reports: ['html', 'sarif', 'json'] } });
  return picked?.[0];
}

/** Nothing fetched, ever: the report must stand on its own. */
function withContentSecurityPolicy(html: string, scripts: boolean): string {
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:;${scripts ? " script-src 'unsafe-inline';" : ''}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${csp}`) : `${csp}${html}`;
}

export async function showReport(services: Services, arg?: unknown): Promise<vscode.WebviewPanel | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : await chooseReport();
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
