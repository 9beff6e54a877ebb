// The command ids the extension contributes (package.json `contributes.commands` lists the same).
export const Commands = {
  critiqueFile: 'stepcritic.critiqueFile',
  critiqueWorkspace: 'stepcritic.critiqueWorkspace',
  refineStep: 'stepcritic.refineStep',
  refineSolution: 'stepcritic.refineSolution',
  regenerateFromFirstError: 'stepcritic.regenerateFromFirstError',
  setApiKey: 'stepcritic.setApiKey',
  forgetApiKey: 'stepcritic.forgetApiKey',
  testConnection: 'stepcritic.testConnection',
  clearCache: 'stepcritic.clearCache',
  toggle: 'stepcritic.toggle',
  showReport: 'stepcritic.showReport',
  showActions: 'stepcritic.showActions',
  openExample: 'stepcritic.openExample',
  restartServer: 'stepcritic.restartServer',
  showOutput: 'stepcritic.showOutput',
  /** Hidden from the palette: what the gutter drew for a document, for the e2e tests. */
  decorationState: 'stepcritic.test.decorationState',
} as const;
