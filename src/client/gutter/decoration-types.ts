// One decoration type per band: the gutter icon for the current theme (light, dark, high contrast)
// and a mark in the overview ruler's left lane (diagnostics use the right lane). Icons are left
// out when `display.gutterIcons` is off, so the gutter stays free for breakpoints.
import * as vscode from 'vscode';
import { BANDS, type Band } from './bands';

const rulerColor: Record<Band, string> = {
  high: 'rgba(46, 160, 67, 0.7)',
  middle: 'rgba(210, 153, 34, 0.8)',
  low: 'rgba(248, 81, 73, 0.9)',
  judging: 'rgba(88, 166, 255, 0.6)',
  downstream: 'rgba(139, 148, 158, 0.6)',
  accepted: 'rgba(163, 113, 247, 0.7)',
  verified: 'rgba(111, 146, 190, 0.6)',
  unjudged: 'rgba(139, 148, 158, 0.8)',
};

type IconTheme = 'light' | 'dark' | 'hc-dark' | 'hc-light';

function iconTheme(kind: vscode.ColorThemeKind): IconTheme {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'hc-dark';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'hc-light';
    default:
      return 'dark';
  }
}

export interface BandDecorations {
  readonly byBand: ReadonlyMap<Band, vscode.TextEditorDecorationType>;
  /** The text after a step (`P(True) 0.93 · logprobs`); its content is set per decoration. */
  readonly inlineText: vscode.TextEditorDecorationType;
  readonly gutterIcons: boolean;
  dispose(): void;
}

export function createBandDecorations(extensionUri: vscode.Uri, options: { gutterIcons: boolean }): BandDecorations {
  const theme = iconTheme(vscode.window.activeColorTheme.kind);
  const byBand = new Map<Band, vscode.TextEditorDecorationType>();
  for (const band of BANDS) {
    byBand.set(
      band,
      vscode.window.createTextEditorDecorationType({
        ...(options.gutterIcons
          ? { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'gutter', `${band}-${theme}.svg`), gutterIconSize: 'contain' }
          : {}),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        overviewRulerColor: rulerColor[band],
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
  }
  const inlineText = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 2em',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });
  return {
    byBand,
    inlineText,
    gutterIcons: options.gutterIcons,
    dispose() {
      for (const type of byBand.values()) type.dispose();
      inlineText.dispose();
    },
  };
}
