// The command ids the extension contributes (package.json `contributes.commands` lists the same).
// The review commands are part of the protocol: the server's code actions and code lens run them.
import { ReviewCommands } from '../../protocol';

export const Commands = {
  critiqueFile: 'stepcritic.critiqueFile',
  critiqueWorkspace: 'stepcritic.critiqueWorkspace',
  ...ReviewCommands,
  chooseProvider: 'stepcritic.chooseProvider',
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
